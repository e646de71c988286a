"""Step 1 of 2 of splitting this module into a package: the module moved whole."""

from ncii_desk.gui.workspace.requests.pane import *  # noqa: F403
