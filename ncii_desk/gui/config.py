"""Where the app's settings live.

Two places, on purpose:

* ``LocalConfig``: what is needed *before* the vault is unlocked (which vault folder to open,
  an extra model folder, the language of the window). A small JSON file in the per-user
  config folder; it holds folder paths and the language only, never case data.
* ``Preferences``: everything else (auto-lock, previews), kept inside the vault as
  ``Setting`` rows, so they are encrypted and travel with the vault. Reading and writing
  them (and the audit event of each change) is the preferences service's work
  (services/preferences.py) and runs on a worker thread.
* The match thresholds are a vault setting the services read themselves
  (services/settings.py); this module only passes them on to the Settings dialog.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import platformdirs

from ncii_desk.paths import APP_NAME, default_vault_dir
from ncii_desk.services import preferences as service_preferences
from ncii_desk.services import settings as service_settings
from ncii_desk.services.preferences import PREFERENCES_KEY as PREFERENCES_KEY
from ncii_desk.services.preferences import Preferences as Preferences
from ncii_desk.services.preferences import load_preferences as load_preferences
from ncii_desk.services.preferences import save_preferences as save_preferences
from ncii_desk.services.settings import THRESHOLDS_KEY as THRESHOLDS_KEY
from ncii_desk.services.settings import Thresholds as Thresholds
from ncii_desk.services.types import CaseStore

CONFIG_FILE = "desktop.json"
MODELS_ENV = "NCII_DESK_MODELS"


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
        service_preferences.write_local_config(config_path(), asdict(self))

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


def load_thresholds(vault: CaseStore) -> Thresholds:
    return service_settings.thresholds(vault)


def save_thresholds(vault: CaseStore, thresholds: Thresholds) -> Thresholds:
    return service_settings.save_thresholds(vault, thresholds)
