"""Offline GeoNames layer: Syrian populated places shipped with the package, looked up by folded name."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from dashboard.errors import DataError
from dashboard.names import fold, skeleton

EXTRACT = Path(__file__).resolve().parent / "data" / "geonames_sy.json"

# GeoNames admin1 codes for Syria -> the gazetteer's governorate ids (same table as scripts/build_places.py).
ADMIN1: dict[str, str] = {
    "01": "hasakah-governorate", "02": "latakia-governorate", "03": "quneitra-governorate",
    "04": "raqqa-governorate", "05": "suwayda-governorate", "06": "daraa-governorate",
    "07": "deir-ez-zor-governorate", "08": "rif-dimashq-governorate", "09": "aleppo-governorate",
    "10": "hama-governorate", "11": "homs-governorate", "12": "idlib-governorate",
    "13": "damascus-governorate", "14": "tartus-governorate",
}
# The gazetteer's size rule: a city has 100,000 people, a town 10,000; GeoNames gives 0 for unknown.
KIND_CITY = 100_000
KIND_TOWN = 10_000


@dataclass(frozen=True, slots=True)
class GeoNamesPlace:
    """One GeoNames populated place."""

    geonameid: int
    name: str
    lat: float
    lon: float
    population: int
    admin1: str | None
    alternates: tuple[str, ...]

    @property
    def kind(self) -> str:
        """city, town or village by the gazetteer's population rule (unknown population counts as a town)."""
        if self.population >= KIND_CITY:
            return "city"
        if self.population >= KIND_TOWN or self.population == 0:
            return "town"
        return "village"

    @property
    def name_ar(self) -> str | None:
        """The first Arabic-script alternate, if any."""
        return next((a for a in self.alternates if any("\u0600" <= c <= "\u06ff" for c in a)), None)


@dataclass(frozen=True, slots=True)
class OfflineMatch:
    """A GeoNames place matched by a name; ``how`` is folded or skeleton."""

    place: GeoNamesPlace
    matched: str
    how: str
    score: float


class OfflineGeoNames:
    """The shipped extract with a folded-name and a consonant-skeleton index."""

    def __init__(self, places: list[GeoNamesPlace]) -> None:
        self.places = places
        self._folded: dict[str, list[tuple[int, str]]] = {}
        self._skeletons: dict[str, list[tuple[int, str]]] = {}
        for index, place in enumerate(places):
            for name in (place.name, *place.alternates):
                key = fold(name)
                if not key:
                    continue
                bucket = self._folded.setdefault(key, [])
                if all(i != index for i, _ in bucket):
                    bucket.append((index, name))
                skel = self._skeletons.setdefault(skeleton(key), [])
                if all(i != index for i, _ in skel):
                    skel.append((index, name))

    def __len__(self) -> int:
        return len(self.places)

    def lookup(self, name: str) -> list[OfflineMatch]:
        """Places whose name or an alternate folds like ``name``; else those with the same consonants."""
        key = fold(name)
        if not key:
            return []
        hits = [(i, n, "folded", 0.95) for i, n in self._folded.get(key, ())]
        if not hits:
            hits = [(i, n, "skeleton", 0.8) for i, n in self._skeletons.get(skeleton(key), ())]
        matches = [OfflineMatch(self.places[i], n, how, score) for i, n, how, score in hits]
        return sorted(matches, key=lambda m: -m.place.population)


def load_offline(path: str | Path | None = None) -> OfflineGeoNames:
    """Load the extract (by default the one shipped in ``dashboard/data``)."""
    if path is None:
        return _shipped()
    return _read(Path(path))


@lru_cache(maxsize=1)
def _shipped() -> OfflineGeoNames:
    return _read(EXTRACT)


def _read(path: Path) -> OfflineGeoNames:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        fields = doc["fields"]
        places = []
        for row in doc["rows"]:
            item = dict(zip(fields, row, strict=True))
            places.append(GeoNamesPlace(
                geonameid=int(item["geonameid"]), name=str(item["name"]), lat=float(item["lat"]),
                lon=float(item["lon"]), population=int(item["population"]),
                admin1=ADMIN1.get(str(item["admin1code"])), alternates=tuple(item["alternatenames"]),
            ))
    except FileNotFoundError:
        raise DataError(
            "the offline GeoNames extract is missing; run scripts/build_geonames_extract.py", path, 0, 0
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"unreadable offline GeoNames extract ({exc})", path, 0, 0) from None
    return OfflineGeoNames(places)
