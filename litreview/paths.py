"""Where litreview keeps things on a user's machine (platformdirs), each overridable by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "litreview"
REPO_MODELS = Path(__file__).resolve().parent.parent / "models"


def default_library() -> Path:
    """The library used when none is named: $LITREVIEW_LIBRARY, else the per-user data folder."""
    env = os.environ.get("LITREVIEW_LIBRARY")
    return Path(env).expanduser() if env else platformdirs.user_data_path(APP) / "library"


def models_dir() -> Path:
    """Where GGUF files live: $LITREVIEW_MODELS, else the checkout's models/ folder when writable, else per-user data."""
    env = os.environ.get("LITREVIEW_MODELS")
    if env:
        return Path(env).expanduser()
    if REPO_MODELS.is_dir() and os.access(REPO_MODELS, os.W_OK):
        return REPO_MODELS
    return platformdirs.user_data_path(APP) / "models"


def config_dir() -> Path:
    """Per-user settings: $LITREVIEW_CONFIG, else the platform's config folder."""
    env = os.environ.get("LITREVIEW_CONFIG")
    return Path(env).expanduser() if env else platformdirs.user_config_path(APP)
