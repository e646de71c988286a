"""Plain value types the GUI and the CLI need, re-exported from the layers below.

The GUI imports only the service layer (issue 16, "One door"): the vault handle it passes
back to services, the kinds it shows in menus and the small forms it fills in come from here,
not from vault/, documents/ or the other domain packages.

Only :class:`Role` (a light enum) is loaded with this module. The rest load on first use
(PEP 562), so naming a type here costs nothing at start-up: ``ThumbMode`` and the letter forms
pull in OpenCV and the PDF writers, ``Vault`` SQLCipher and SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ncii_desk.vault.kinds import Role as Role

if TYPE_CHECKING:
    from ncii_desk.documents.letters import LetterForm, Sender
    from ncii_desk.documents.thumbs import ThumbMode
    from ncii_desk.vault import KdfParams, Vault
    from ncii_desk.vault.models import Source
    from ncii_desk.vault.store import CaseStore

__all__ = [
    "CaseStore",
    "KdfParams",
    "LetterForm",
    "Role",
    "Sender",
    "Source",
    "ThumbMode",
    "Vault",
]


def __getattr__(name: str) -> Any:
    if name in ("Vault", "KdfParams"):
        import ncii_desk.vault as vault_package

        return getattr(vault_package, name)
    if name == "CaseStore":
        from ncii_desk.vault import store

        return store.CaseStore
    if name == "Source":
        from ncii_desk.vault import models

        return models.Source
    if name == "ThumbMode":
        from ncii_desk.documents import thumbs

        return thumbs.ThumbMode
    if name in ("LetterForm", "Sender"):
        from ncii_desk.documents import letters

        return getattr(letters, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
