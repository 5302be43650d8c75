"""New gazetteer entries from geocoding candidates: id slugs, field order, unreviewed marks."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from dashboard.gazetteer import Gazetteer
from dashboard.geocode import GeoCandidate
from dashboard.names import fold

# coords_source values the gazetteer accepts; any other online service's answer is recorded as manual.
_COORDS_SOURCES = {"geonames": "geonames", "nominatim": "nominatim"}


def coords_source(service: str) -> str:
    """The ``coords_source`` value recorded for coordinates that came from ``service``."""
    return _COORDS_SOURCES.get(service, "manual")


def slug(name: str) -> str:
    """A lowercase id slug from a Latin-script name (``Kafr Nabl`` -> ``kafr-nabl``)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub("['`\u2018\u2019\u02bf\u02be]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def place_mapping(cand: GeoCandidate, query: str, taken: set[str], gazetteer: Gazetteer) -> dict[str, Any]:
    """The new gazetteer entry for a candidate, in the file's field order, marked unreviewed."""
    latin = cand.name if slug(cand.name) else query  # a name in Arabic script only: use the query
    base = slug(latin) or (f"geonames-{cand.geonames}" if cand.geonames else "place")
    place_id, serial = base, 1
    while place_id in taken:
        serial += 1
        place_id = f"{base}-{serial}"
    aliases: list[str] = []
    seen = {fold(latin), fold(cand.name_ar or "")}
    for alias in (query, cand.matched or ""):
        if alias and fold(alias) not in seen:
            seen.add(fold(alias))
            aliases.append(alias)
    admin1 = cand.admin1 if cand.admin1 in gazetteer.places else None
    mapping: dict[str, Any] = {"id": place_id, "name": latin}
    if cand.name_ar:
        mapping["name_ar"] = cand.name_ar
    if aliases:
        mapping["aliases"] = aliases
    mapping["kind"] = cand.kind
    if admin1:
        mapping["admin1"] = admin1
    mapping["lat"] = round(cand.lat or 0.0, 5)  # only located candidates are added
    mapping["lon"] = round(cand.lon or 0.0, 5)
    if cand.population:
        mapping["population"] = cand.population
    if cand.geonames:
        mapping["geonames"] = cand.geonames
    mapping["coords_source"] = coords_source(cand.source)
    mapping["reviewed"] = False
    mapping["note"] = (f"Added by conflict-map geocode --add on {dt.date.today().isoformat()} from "
                       f"{cand.source} for the query {query!r}; check the coordinates and the kind.")
    return mapping
