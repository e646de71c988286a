"""NCII Desk: an offline case desk for advocates working non-consensual intimate imagery cases."""

__version__ = "0.1.0"
TOOL_NAME = "NCII Desk"
