"""Per-user folders (platformdirs). Case data never lives here in plaintext."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "NCII Desk"
VAULT_ENV = "NCII_DESK_VAULT"


def user_data_dir() -> Path:
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def user_cache_dir() -> Path:
    return platformdirs.user_cache_path(APP_NAME, appauthor=False)


def user_log_dir() -> Path:
    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def default_vault_dir() -> Path:
    """NCII_DESK_VAULT if set, else a 'vault' folder in the user data dir."""
    env = os.environ.get(VAULT_ENV)
    return Path(env).expanduser() if env else user_data_dir() / "vault"
