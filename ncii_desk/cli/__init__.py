"""The ``ncii-desk`` command line."""
