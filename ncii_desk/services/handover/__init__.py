"""Step 1 of 2 of splitting this module into a package: the module moved whole."""

from ncii_desk.services.handover.importing import *  # noqa: F403
