"""Map page: who holds which place on the chosen date (first cut; the full map follows)."""

from __future__ import annotations

from dashboard import ui_data

bundle = ui_data.load_bundle()
