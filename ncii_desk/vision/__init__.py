"""Vision: the model registry, the onnxruntime runtime, faces and manipulation evidence."""
