"""Step 1 of 2 of splitting this module into a package: the module moved whole."""

from ncii_desk.vault.members.membership import *  # noqa: F403
