"""The encrypted case vault (see docs/architecture.md and ../shared/design/VAULT.md).

``Vault`` and the rest load on first use (PEP 562), so that a light module of this package
(:mod:`ncii_desk.vault.kinds`) does not pull in SQLCipher, SQLAlchemy and Argon2.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ncii_desk.vault.keys import KdfParams
    from ncii_desk.vault.reports import IntegrityReport
    from ncii_desk.vault.vault import OpenReport, Vault, is_vault

__all__ = ["IntegrityReport", "KdfParams", "OpenReport", "Vault", "is_vault"]


def __getattr__(name: str) -> Any:
    if name == "KdfParams":
        from ncii_desk.vault import keys

        return keys.KdfParams
    if name in __all__:
        from ncii_desk.vault import vault

        return getattr(vault, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
