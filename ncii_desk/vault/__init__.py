"""The encrypted case vault (see docs/architecture.md and ../shared/design/VAULT.md)."""

from ncii_desk.vault.keys import KdfParams
from ncii_desk.vault.vault import IntegrityReport, OpenReport, Vault, is_vault

__all__ = ["IntegrityReport", "KdfParams", "OpenReport", "Vault", "is_vault"]
