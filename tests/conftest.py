"""Shared fixtures: a small valid data folder and a helper that writes text files into tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

PLACES = """\
places:
  - id: aleppo-governorate
    name: Aleppo Governorate
    kind: governorate
    lat: 36.2
    lon: 37.6
  - id: aleppo
    name: Aleppo
    aliases: [Halab, حلب]
    kind: city
    admin1: aleppo-governorate
    lat: 36.2012
    lon: 37.1612
  - id: sheikh-maqsoud
    name: Sheikh Maqsoud
    kind: neighbourhood
    parent: aleppo
    admin1: aleppo-governorate
    lat: 36.2244
    lon: 37.1561
  - id: tal-rifaat
    name: Tal Rifaat
    aliases: [Tell Rifaat, Tall Rifat]
    kind: town
    admin1: aleppo-governorate
    lat: 36.4723
    lon: 37.0947
"""

FACTIONS = """\
factions:
  - id: government
    name: Syrian government
    color: "#d55e00"
    aliases: [regime forces, Syrian army]
  - id: hts
    name: Hayat Tahrir al-Sham
    color: "#009e73"
    aliases: [HTS]
  - id: sna
    name: Syrian National Army
    color: "#0072b2"
    aliases: [Turkish-backed factions]
  - id: sdf
    name: Syrian Democratic Forces
    color: "#e69f00"
    aliases: [SDF]
  - id: russia
    name: Russia
    color: "#999999"
    holds_ground: false
"""

EVENTS = """\
events:
  - place: aleppo
    date: 2024-11-01
    kind: held
    faction: government
    source: {outlet: Baseline, published: 2024-11-01}
  - place: aleppo
    date: 2024-11-30
    kind: captured
    faction: hts
    previous: government
    confidence: reported
    source: {outlet: AFP, published: 2024-12-02, url: "https://example.org/afp", article: afp-1}
    quote: Rebels took most of the city over the weekend.
    origin: manual
    reviewed: true
  - place: tal-rifaat
    date: 2024-12-01
    kind: captured
    faction: sna
    previous: sdf
    source: {outlet: AFP, published: 2024-12-02}
"""


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str | bytes], Path]:
    """Write text (UTF-8) or bytes to tmp_path/name and return the path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A small valid data folder: four places, five factions, three events."""
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "places.yaml").write_text(PLACES, encoding="utf-8")
    (folder / "factions.yaml").write_text(FACTIONS, encoding="utf-8")
    (folder / "events.yaml").write_text(EVENTS, encoding="utf-8")
    return folder
