"""Where picture checks run, in plain words; class names and library errors only in the
details text."""

from __future__ import annotations

from ncii_desk.services.hardware import hardware_report, where_it_runs

CUDA_ERROR = (
    "libcublasLt.so.12: cannot open shared object file: No such file or directory "
    "(onnxruntime_providers_cuda.so)"
)


def test_words_for_the_processor_and_the_graphics_card() -> None:
    assert where_it_runs("CPUExecutionProvider") == "on the processor"
    for gpu in ("CUDAExecutionProvider", "TensorrtExecutionProvider", "DmlExecutionProvider"):
        assert where_it_runs(gpu) == "on this computer's graphics card"
    assert where_it_runs("") == ""


def test_a_graphics_card_library_error_goes_to_the_details_only() -> None:
    info = {
        "providers_used": ["CPUExecutionProvider"],
        "providers": ["CUDAExecutionProvider", "CPUExecutionProvider"],
        "fallbacks": [
            {"provider": "CUDAExecutionProvider", "reason": CUDA_ERROR, "model": "scrfd"}
        ],
        "onnxruntime": "1.22.0",
        "onnxruntime_build": "GPU",
    }
    report = hardware_report(info)
    assert report.problem
    assert report.summary.startswith("Picture checks run on the processor.")
    assert "graphics card could not be used" in report.summary
    for jargon in ("ExecutionProvider", "CUDA", "libcublas", "onnxruntime", ".so"):
        assert jargon not in report.summary
    assert CUDA_ERROR in report.details and "1.22.0" in report.details
    assert "CUDAExecutionProvider (scrfd)" in report.details


def test_before_any_check_ran_it_says_what_it_will_try() -> None:
    gpu_first = hardware_report(
        {"providers": ["CUDAExecutionProvider", "CPUExecutionProvider"], "fallbacks": []}
    )
    assert "graphics card if it works" in gpu_first.summary and not gpu_first.problem
    cpu_only = hardware_report({"providers": ["CPUExecutionProvider"]})
    assert cpu_only.summary == "No picture check has run yet. They will run on the processor."
    ran_on_gpu = hardware_report({"providers_used": ["CUDAExecutionProvider"]})
    assert ran_on_gpu.summary == "Picture checks run on this computer's graphics card."
