"""The desktop's own preferences (auto-lock, previews) and its small local config file.

* :class:`Preferences` live inside the vault as a ``Setting`` row, so they are encrypted and
  travel with the vault. Every change is a ``setting.changed`` audit event naming the key
  and the fields written, never their values.
* The local config file (which vault folder to open, an extra model folder, the language)
  is needed before any vault is unlocked; :func:`write_local_config` writes it owner-only and
  atomically (a crash leaves the old file or the new one, never half of one). It holds folder
  paths and the language only, never case data.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ncii_desk.hardening import make_private_dir
from ncii_desk.vault.atomic import atomic_write_bytes
from ncii_desk.vault.models import Setting
from ncii_desk.vault.store import CaseStore

PREFERENCES_KEY = "gui.preferences"
SETTING_CHANGED = "setting.changed"
PREVIEW_MODES = ("blur", "face")


@dataclass
class Preferences:
    auto_lock_minutes: int = 10
    greyscale: bool = False
    preview: str = "blur"  # "blur" (blurred thumbnail) or "face" (face crop only)
    reveal_seconds: int = 15

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Preferences:
        """Stored values that are out of range or of the wrong type fall back to defaults."""
        out = cls()
        if isinstance(data.get("auto_lock_minutes"), int) and data["auto_lock_minutes"] >= 0:
            out.auto_lock_minutes = data["auto_lock_minutes"]
        if isinstance(data.get("greyscale"), bool):
            out.greyscale = data["greyscale"]
        if data.get("preview") in PREVIEW_MODES:
            out.preview = data["preview"]
        if isinstance(data.get("reveal_seconds"), int) and 3 <= data["reveal_seconds"] <= 120:
            out.reveal_seconds = data["reveal_seconds"]
        return out


def read_setting(vault: CaseStore, key: str) -> dict[str, Any]:
    """A stored ``Setting`` row's value ({} when there is none or it is not a mapping)."""
    with vault.session() as s:
        row = s.get(Setting, key)
        return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def write_setting(vault: CaseStore, key: str, value: dict[str, Any]) -> None:
    """Store a ``Setting`` row; the change is an audit event in the same transaction (the
    key and the field names only, no values)."""
    with vault.transaction() as s:
        row = s.get(Setting, key)
        if row is None:
            s.add(Setting(key=key, value=value))
        else:
            row.value = value
        vault.audit(s, SETTING_CHANGED, key, {"fields": sorted(value)})


def load_preferences(vault: CaseStore) -> Preferences:
    return Preferences.from_json(read_setting(vault, PREFERENCES_KEY))


def save_preferences(vault: CaseStore, prefs: Preferences) -> None:
    write_setting(vault, PREFERENCES_KEY, asdict(prefs))


def write_local_config(path: Path, data: dict[str, str]) -> None:
    """Write the desktop's local config file: its folder owner-only, the file replaced
    atomically."""
    make_private_dir(path.parent, parents=True)
    atomic_write_bytes(path, json.dumps(data, indent=2).encode())
