"""Where the data files live: ``--data``, then ``CONFLICT_MAP_DATA``, then the repository's ``data/``."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PLACES_FILE = "places.yaml"
FACTIONS_FILE = "factions.yaml"
EVENTS_FILE = "events.yaml"


def data_dir(explicit: str | Path | None = None) -> Path:
    """Return the data folder to use, preferring an explicit one, then the environment."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("CONFLICT_MAP_DATA")
    if env:
        return Path(env)
    return REPO_ROOT / "data"
