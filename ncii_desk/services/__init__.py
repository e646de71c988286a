"""The Qt-free application API used by both the CLI and the GUI."""
