"""Benchmark: resolve 1,000 names from the gazetteer and the geocode cache (target: under 1 s in total).

Run: ``.venv/bin/python bench/bench_geocode.py``. Prints the figures of the resolver chain and of the naive
way (fold every gazetteer name for every query, read the cache file for every online name) in the same run.
No network: the online geocoder points at a closed loopback port and every online name is in the cache.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from pathlib import Path

from dashboard.gazetteer import load_gazetteer
from dashboard.geocode import GeoCandidate, GeocodeCache, OnlineGeocoder, Resolver
from dashboard.geonames_offline import load_offline
from dashboard.names import fold
from dashboard.paths import REPO_ROOT

NAMES = 1_000
ONLINE_SHARE = 0.2
URL = "http://127.0.0.1:9"  # the discard port: nothing listens, so a cache miss would fail fast and show


def workload(gazetteer: object, rng: random.Random) -> tuple[list[str], list[str]]:
    """800 spellings the gazetteer knows (names, aliases, odd case, spacing) and 200 only the cache knows."""
    # Places without coordinates are left out: the resolver asks online for them on purpose.
    places = [p for p in gazetteer.places.values() if p.lat is not None]  # type: ignore[attr-defined]
    known = []
    while len(known) < NAMES * (1 - ONLINE_SHARE):
        name = rng.choice(rng.choice(places).names())
        known.append(rng.choice([name, name.upper(), f"  {name} ", name.lower()]))
    online = [f"Benchville {i}" for i in range(int(NAMES * ONLINE_SHARE))]
    return known, online


def naive(gazetteer: object, cache_dir: Path, label: str, names: list[str]) -> int:
    """Resolve without indexes: fold every gazetteer name per query; read the cache file per online query."""
    places = list(gazetteer.places.values())  # type: ignore[attr-defined]
    resolved = 0
    for query in names:
        key = fold(query)
        hits = [p for p in places if any(fold(n) == key for n in p.names())]
        if not hits:
            hits = GeocodeCache(cache_dir).get(GeocodeCache.key(label, query)) or []
        resolved += bool(hits)
    return resolved


def main() -> None:
    """Build the workload, warm nothing, and time both ways."""
    rng = random.Random(7)
    gazetteer = load_gazetteer(REPO_ROOT / "data" / "places.yaml")
    known, online_names = workload(gazetteer, rng)
    names = known + online_names
    rng.shuffle(names)
    with tempfile.TemporaryDirectory() as tmp:
        cache_dir = Path(tmp) / "cache"
        seed = OnlineGeocoder(
            user_agent="conflict-map-bench/1.0 (bench@example.org)", url=URL, cache_dir=cache_dir
        )
        for i, name in enumerate(online_names):
            GeocodeCache(cache_dir).put(
                seed.cache_key(name),
                [GeoCandidate(name=name, lat=35.0 + i / 1000, lon=37.0, kind="village", source="nominatim")],
            )

        runs = []
        for _ in range(3):
            geocoder = OnlineGeocoder(
                user_agent="conflict-map-bench/1.0 (bench@example.org)", url=URL, cache_dir=cache_dir
            )  # a fresh geocoder: its first lookups read the disk
            resolver = Resolver(gazetteer, offline=load_offline(), online=geocoder)
            start = time.perf_counter()
            results = [resolver.resolve(n) for n in names]
            runs.append(time.perf_counter() - start)
        failed = sum(r.status == "failed" for r in results)
        unresolved = sum(r.status in ("not_found", "failed") for r in results)

        start = time.perf_counter()
        naive_resolved = naive(gazetteer, cache_dir, seed.label, names)
        naive_s = time.perf_counter() - start

    best, median = min(runs), statistics.median(runs)
    print(
        f"places in gazetteer: {len(gazetteer)}; names resolved: {len(names)} "
        f"({len(known)} from the gazetteer, {len(online_names)} from the disk cache)"
    )
    print(
        f"resolver chain: best {best * 1000:.0f} ms, median {median * 1000:.0f} ms "
        f"({median / len(names) * 1e6:.0f} us per name); "
        f"target < 1000 ms: {'met' if median < 1 else 'MISSED'}"
    )
    print(f"failures: {failed}, unresolved: {unresolved} (both must be 0: no request was needed)")
    print(
        f"naive way: {naive_s * 1000:.0f} ms for the same names ({naive_resolved} resolved), "
        f"{naive_s / median:.0f}x slower"
    )


if __name__ == "__main__":
    main()
