"""Where the app's settings live.

Two places, on purpose:

* ``LocalConfig``: what is needed *before* the vault is unlocked (which vault folder to open,
  an extra model folder, the language of the window). A small JSON file in the per-user
  config folder; it holds folder paths and the language only, never case data.
* ``Preferences``: everything else (auto-lock, previews), kept inside the vault as
  ``Setting`` rows, so they are encrypted and travel with the vault. Reading and writing
  them is vault work and runs on a worker thread.
* The match thresholds are a vault setting the services read themselves
  (services/settings.py); this module only passes them on to the Settings dialog.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import platformdirs

from ncii_desk.hardening import make_private_dir
from ncii_desk.paths import APP_NAME, default_vault_dir
from ncii_desk.services import settings as service_settings
from ncii_desk.services.settings import THRESHOLDS_KEY as THRESHOLDS_KEY
from ncii_desk.services.settings import Thresholds as Thresholds
from ncii_desk.vault import Vault
from ncii_desk.vault.atomic import atomic_write_bytes
from ncii_desk.vault.models import Setting

CONFIG_FILE = "desktop.json"
MODELS_ENV = "NCII_DESK_MODELS"
PREFERENCES_KEY = "gui.preferences"


def config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / CONFIG_FILE


@dataclass
class LocalConfig:
    vault_dir: str = ""
    models_dir: str = ""
    language: str = "system"  # "system", "en" or "es" (ncii_desk.i18n.CHOICES)

    @classmethod
    def load(cls) -> LocalConfig:
        try:
            data = json.loads(config_path().read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        known = {f.name for f in fields(cls)}
        return cls(**{k: str(v) for k, v in data.items() if k in known and v is not None})

    def save(self) -> None:
        path = config_path()
        make_private_dir(path.parent, parents=True)
        atomic_write_bytes(path, json.dumps(asdict(self), indent=2).encode())

    def effective_vault_dir(self) -> Path:
        """NCII_DESK_VAULT wins (as for the CLI), then the folder chosen in Settings."""
        if os.environ.get("NCII_DESK_VAULT") or not self.vault_dir:
            return default_vault_dir()
        return Path(self.vault_dir).expanduser()

    def apply_models_dir(self) -> None:
        """The model registry reads NCII_DESK_MODELS on every lookup; put the chosen folder
        first there (keeping what the environment already had)."""
        if not self.models_dir:
            return
        current = [p for p in os.environ.get(MODELS_ENV, "").split(os.pathsep) if p]
        if self.models_dir not in current:
            os.environ[MODELS_ENV] = os.pathsep.join([self.models_dir, *current])


@dataclass
class Preferences:
    auto_lock_minutes: int = 10
    greyscale: bool = False
    preview: str = "blur"  # "blur" (blurred thumbnail) or "face" (face crop only)
    reveal_seconds: int = 15

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Preferences:
        out = cls()
        if isinstance(data.get("auto_lock_minutes"), int) and data["auto_lock_minutes"] >= 0:
            out.auto_lock_minutes = data["auto_lock_minutes"]
        if isinstance(data.get("greyscale"), bool):
            out.greyscale = data["greyscale"]
        if data.get("preview") in ("blur", "face"):
            out.preview = data["preview"]
        if isinstance(data.get("reveal_seconds"), int) and 3 <= data["reveal_seconds"] <= 120:
            out.reveal_seconds = data["reveal_seconds"]
        return out


def read_setting(vault: Vault, key: str) -> dict[str, Any]:
    with vault.session() as s:
        row = s.get(Setting, key)
        return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def write_setting(vault: Vault, key: str, value: dict[str, Any]) -> None:
    """Store a Setting row; the change is an audit event (keys only, no values)."""
    with vault.transaction() as s:
        row = s.get(Setting, key)
        if row is None:
            s.add(Setting(key=key, value=value))
        else:
            row.value = value
        vault.audit(s, "setting.changed", key, {"fields": sorted(value)})


def load_preferences(vault: Vault) -> Preferences:
    return Preferences.from_json(read_setting(vault, PREFERENCES_KEY))


def save_preferences(vault: Vault, prefs: Preferences) -> None:
    write_setting(vault, PREFERENCES_KEY, asdict(prefs))


def load_thresholds(vault: Vault) -> Thresholds:
    return service_settings.thresholds(vault)


def save_thresholds(vault: Vault, thresholds: Thresholds) -> Thresholds:
    return service_settings.save_thresholds(vault, thresholds)
