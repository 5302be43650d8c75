"""Benchmark the map at scale: our static base map + status payload vs one folium CircleMarker per place.

Run from the repository root: ``.venv/bin/python bench/bench_map.py [--places 10000] [--no-browser]``.
It prints one table comparing, in the same run:

- Python: building the map once, and what each rerun costs (ours: snapshot + payload; naive: the whole map
  rebuilt and rendered the way ``st_folium`` does it);
- bytes the component sends per rerun, total and per place;
- AppTest: median time of a slider-move rerun of the real app on synthetic data;
- Chromium (Playwright, Debian's chromium): time from navigation until the places are drawn.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import folium  # noqa: E402
import streamlit_folium as sf  # noqa: E402

from dashboard import assets, mapping  # noqa: E402
from dashboard.control import ControlTimeline  # noqa: E402
from dashboard.models import ControlEvent, Faction, Place, Source  # noqa: E402

OUT = ROOT / "bench" / "out"
RESULTS = ROOT / "bench" / "RESULTS.md"
BEGIN, END = "<!-- bench_map: begin -->", "<!-- bench_map: end -->"
FACTIONS = {
    "government": Faction("government", "Government", "#D55E00"),
    "hts": Faction("hts", "HTS", "#009E73"),
    "sna": Faction("sna", "SNA", "#56B4E9"),
    "sdf": Faction("sdf", "SDF", "#E69F00"),
}
KINDS = ("city", "town", "town", "village", "village", "village", "village", "village")
START = dt.date(2024, 11, 26)
DAYS = 15
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NAIVE_APP = '''
import datetime as dt, json, os
import folium, streamlit as st
from streamlit_folium import st_folium
from dashboard import assets, mapping
data = json.loads(open(os.environ["NAIVE_DATA"]).read())
day = st.slider("Date", min_value=dt.date(2024, 11, 26), max_value=dt.date(2024, 12, 10), key="date",
                value=dt.date(2024, 12, 10))
m = mapping.OfflineMap(location=mapping.SYRIA_CENTER, zoom_start=7, prefer_canvas=True)
colours = {"government": "#D55E00", "hts": "#009E73", "sna": "#56B4E9", "sdf": "#E69F00"}
for p in data:
    holder = p["before"] if day.isoformat() < p["change"] else p["after"]
    folium.CircleMarker((p["lat"], p["lon"]), radius=4, color=colours[holder], fill=True,
                        tooltip=mapping.escape(p["name"])).add_to(m)
st_folium(m, key="map", height=600, width=None, returned_objects=[])
'''


def synth_places(n: int, seed: int = 7) -> list[Place]:
    """``n`` invented places spread over Syria's bounding box."""
    rng = random.Random(seed)
    return [
        Place(id=f"p{i:05d}", name=f"Place {i:05d}", kind=rng.choice(KINDS),
              lat=round(32.4 + rng.random() * 4.8, 5), lon=round(35.8 + rng.random() * 6.4, 5),
              admin1=f"gov-{i % 14}")
        for i in range(n)
    ]


def synth_events(places: list[Place], seed: int = 7) -> list[ControlEvent]:
    """A baseline for every place on START, then one in five changes hands on a random later day."""
    rng = random.Random(seed)
    ids = list(FACTIONS)
    events: list[ControlEvent] = []
    for p in places:
        first = rng.choice(ids)
        events.append(ControlEvent(p.id, START, "held", first, Source("Bench Wire", START), reviewed=True))
        if rng.random() < 0.2:
            day = START + dt.timedelta(days=rng.randint(1, DAYS - 1))
            taker = rng.choice([f for f in ids if f != first])
            events.append(ControlEvent(p.id, day, "captured", taker, Source("Bench Wire", day),
                                       previous=first, reviewed=rng.random() < 0.7))
    return events


def write_data_dir(folder: Path, places: list[Place], events: list[ControlEvent]) -> None:
    """Write the synthetic data as the three YAML files the app reads."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["factions:"]
    for f in FACTIONS.values():
        lines += [f"  - id: {f.id}", f"    name: {f.name}", f'    color: "{f.color}"',
                  f"    aliases: [{f.id} x]"]
    (folder / "factions.yaml").write_text("\n".join(lines) + "\n")
    lines = ["places:"]
    for gov in sorted({p.admin1 for p in places if p.admin1}):
        lines += [f"  - id: {gov}", f"    name: Governorate {gov[4:]}", "    kind: governorate",
                  "    lat: 35.0", "    lon: 38.0", "    coords_source: manual"]
    for p in places:
        lines += [f"  - id: {p.id}", f"    name: {p.name}", f"    kind: {p.kind}", f"    admin1: {p.admin1}",
                  f"    lat: {p.lat}", f"    lon: {p.lon}", "    coords_source: manual"]
    (folder / "places.yaml").write_text("\n".join(lines) + "\n")
    lines = ["events:"]
    for e in events:
        lines += [f"  - place: {e.place}", f"    date: {e.date.isoformat()}", f"    kind: {e.kind}",
                  f"    faction: {e.faction}", "    confidence: reported",
                  f"    source: {{outlet: Bench Wire, published: {e.date.isoformat()}, url: null}}",
                  "    quote: A synthetic report for the benchmark.", "    origin: manual",
                  f"    reviewed: {'true' if e.reviewed else 'false'}"]
        if e.previous:
            lines.append(f"    previous: {e.previous}")
    (folder / "events.yaml").write_text("\n".join(lines) + "\n")


def timed(fn: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median wall time of ``fn`` over ``repeat`` runs, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def st_folium_args_size(fmap: folium.Map, feature_group: str | None = None) -> int:
    """Bytes of the arguments st_folium sends to the browser for ``fmap`` (what a rerun transmits)."""
    fmap.get_root().render()
    fmap.render()
    args = {"script": sf._get_map_string(fmap), "html": sf._get_html(fmap), "header": sf._get_header(fmap),
            "feature_group": feature_group}
    return len(json.dumps(args).encode())


def naive_map(places: list[Place], holders: dict[str, str]) -> folium.Map:
    """The obvious way: one CircleMarker with a tooltip per place, rebuilt on every rerun."""
    fmap = mapping.OfflineMap(location=mapping.SYRIA_CENTER, zoom_start=7, prefer_canvas=True)
    for p in places:
        folium.CircleMarker((p.lat, p.lon), radius=4, color=FACTIONS[holders[p.id]].color, fill=True,
                            tooltip=mapping.escape(p.name)).add_to(fmap)
    return fmap


def bench_python(places: list[Place], events: list[ControlEvent]) -> dict[str, float]:
    """Python-side cost and bytes per rerun, ours vs naive."""
    timeline = ControlTimeline(events, places={p.id: p for p in places})
    day = START + dt.timedelta(days=DAYS // 2)

    def build() -> mapping.PlaceGeometry:
        geometry = mapping.place_geometry(places)
        fmap = mapping.build_base_map(geometry)
        fmap.get_root().render()
        sf._get_map_string(fmap)
        return geometry

    build_s, geometry = timed(build, 3)

    def rerun() -> str:
        snap = timeline.snapshot(day)
        return mapping.status_script(mapping.status_payload(geometry, snap, FACTIONS))

    rerun_s, script = timed(rerun, 15)
    ours_bytes = st_folium_args_size(mapping.build_base_map(geometry), script)
    snap = timeline.snapshot(day)
    holders = {pid: (s.faction or "government") for pid, s in snap.items()}

    def naive() -> int:
        return st_folium_args_size(naive_map(places, holders))

    naive_s, naive_bytes = timed(naive, 1)
    return {"build_s": build_s, "rerun_s": rerun_s, "ours_bytes": ours_bytes, "status_bytes": len(script),
            "places_file": len(mapping.geometry_json(geometry).encode()),
            "naive_rerun_s": naive_s, "naive_bytes": naive_bytes}


def bench_apptest(data_dir: Path, moves: int) -> dict[str, float]:
    """Median AppTest rerun after a slider move on the real app, plus the first (cold) run."""
    from streamlit.testing.v1 import AppTest

    os.environ["CONFLICT_MAP_DATA"] = str(data_dir)
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
    cold, _ = timed(at.run)
    assert not at.exception, at.exception
    times = []
    for i in range(moves):
        day = START + dt.timedelta(days=(i * 5) % DAYS)
        at.slider(key="date").set_value(day)
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    args = json.loads(at.get("component_instance")[0].proto.json_args)
    sent = len(json.dumps({k: args[k] for k in ("script", "html", "header", "feature_group")}).encode())
    return {"cold_s": cold, "median_s": statistics.median(times), "max_s": max(times), "sent": sent}


def bench_naive_apptest(naive_data: Path, moves: int) -> float:
    """Median AppTest rerun of the naive app (a CircleMarker per place) after a slider move."""
    from streamlit.testing.v1 import AppTest

    os.environ["NAIVE_DATA"] = str(naive_data)
    at = AppTest.from_string(NAIVE_APP, default_timeout=600)
    at.run()
    assert not at.exception, at.exception
    times = []
    for i in range(moves):
        at.slider(key="date").set_value(START + dt.timedelta(days=1 + i))
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def server(script: Path, env: dict[str, str]) -> Iterator[str]:
    """Run ``streamlit run script`` on a free loopback port; yield its URL."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def time_to_drawn(url: str, condition: str, runs: int, timeout_ms: int) -> list[tuple[float, float]]:
    """For ``runs`` fresh pages: seconds from navigation, and from the map iframe's own start, to drawn."""
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                     args=CHROMIUM_ARGS)
        for _ in range(runs):
            page = browser.new_page(viewport={"width": 1400, "height": 950})
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
            t0 = time.perf_counter()
            page.goto(url)
            page.locator('iframe[title="streamlit_folium.st_folium"]').wait_for(timeout=timeout_ms)
            frame = next(f for f in page.frames if "st_folium" in f.url)
            frame.wait_for_function(condition, timeout=timeout_ms, polling=50)
            in_frame = frame.evaluate(
                # performance.now() in the iframe counts from the iframe's own navigation start.
                "new Promise(r => requestAnimationFrame(() => requestAnimationFrame("
                "() => r(performance.now() / 1000))))")
            results.append((time.perf_counter() - t0, in_frame))
            page.close()
        browser.close()
    return results


def record(rows: list[tuple[str, str, str]], n: int) -> None:
    """Replace this benchmark's section of bench/RESULTS.md (other benchmarks keep theirs)."""
    lines = [
        BEGIN,
        f"## Map at {n:,} places (`bench/bench_map.py`, {dt.date.today().isoformat()})",
        "",
        "Ours: static base map + one status code per place applied on a canvas. Naive: one folium",
        "CircleMarker with a tooltip per place, rebuilt on every rerun. Targets: slider rerun <= 150 ms,",
        "<= 100 bytes per place per rerun, drawn within 1.5 s of the map loading.",
        "",
        "| measure | ours | naive |",
        "|---|---|---|",
        *(f"| {name.strip()} | {ours} | {naive} |" for name, ours, naive in rows),
        "",
        END,
    ]
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        text = head + "\n".join(lines) + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    RESULTS.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--moves", type=int, default=12, help="slider moves timed in AppTest (median)")
    parser.add_argument("--naive-moves", type=int, default=3, help="slider moves for the slow naive app")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--record", action="store_true", help="write the table into bench/RESULTS.md")
    args = parser.parse_args()
    n = args.places
    assets.ensure_assets()
    places = synth_places(n)
    events = synth_events(places)
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="bench-map-", dir=OUT))
    data_dir = work / "data"
    write_data_dir(data_dir, places, events)
    changes = {e.place: e for e in events if e.kind == "captured"}
    naive_data = work / "naive.json"
    naive_data.write_text(json.dumps([
        {"name": p.name, "lat": p.lat, "lon": p.lon,
         "before": next(e.faction for e in events if e.place == p.id) if p.id not in changes
         else changes[p.id].previous,
         "after": changes[p.id].faction if p.id in changes else None, "change": (
             changes[p.id].date.isoformat() if p.id in changes else "9999-12-31")}
        for p in places
    ]))
    print(f"{n:,} synthetic places, {len(events):,} events; data in {work}")

    py = bench_python(places, events)
    print("python done", flush=True)
    at = bench_apptest(data_dir, args.moves)
    print("apptest done", flush=True)
    naive_at = bench_naive_apptest(naive_data, args.naive_moves)
    print("naive apptest done", flush=True)
    browser: dict[str, list[tuple[float, float]]] = {}
    if not args.no_browser:
        with server(ROOT / "dashboard" / "app.py", {"CONFLICT_MAP_DATA": str(data_dir)}) as url:
            browser["ours"] = time_to_drawn(url, "window.__cmap && window.__cmap.applied > 0", 4, 300_000)
        # Streamlit serves static files from next to the main script: give the naive app a copy.
        naive_script = work / "naive_app.py"
        naive_script.write_text(NAIVE_APP)
        shutil.copytree(ROOT / "dashboard" / "static", work / "static")
        with server(naive_script, {"NAIVE_DATA": str(naive_data)}) as url:
            browser["naive"] = time_to_drawn(
                url, f"window.map && Object.keys(window.map._layers).length >= {n}", 2, 300_000)

    rows = [
        ("build the map once (Python)", f"{py['build_s']:.3f} s", "—"),
        ("per rerun, Python (map part)", f"{py['rerun_s'] * 1000:.1f} ms", f"{py['naive_rerun_s']:.2f} s"),
        ("bytes sent per rerun", f"{py['ours_bytes']:,}", f"{py['naive_bytes']:,}"),
        ("bytes per place per rerun", f"{py['ours_bytes'] / n:.1f}", f"{py['naive_bytes'] / n:.1f}"),
        ("  of which status payload", f"{py['status_bytes']:,} ({py['status_bytes'] / n:.2f}/place)", "—"),
        ("places file, fetched once and cached", f"{py['places_file']:,}", "—"),
        ("AppTest first run (cold: parse YAML, build)", f"{at['cold_s']:.2f} s", "—"),
        (f"AppTest slider rerun, median of {args.moves}", f"{at['median_s'] * 1000:.0f} ms",
         f"{naive_at:.2f} s (median of {args.naive_moves})"),
        ("AppTest slider rerun, worst", f"{at['max_s'] * 1000:.0f} ms", "—"),
    ]
    if browser:
        ours, naive = browser["ours"], browser["naive"]
        rows.append(("Chromium: page navigation to drawn, first (cold server)",
                     f"{ours[0][0]:.2f} s", f"{naive[0][0]:.2f} s"))
        rows.append(("Chromium: page navigation to drawn, warm (median)",
                     f"{statistics.median(t[0] for t in ours[1:]):.2f} s",
                     f"{statistics.median(t[0] for t in naive[1:]):.2f} s"))
        rows.append(("Chromium: map iframe start to drawn, warm (median)",
                     f"{statistics.median(t[1] for t in ours[1:]):.2f} s",
                     f"{statistics.median(t[1] for t in naive[1:]):.2f} s"))
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'ours':>28}  {'naive (CircleMarker per place)':>32}")
    for name, ours_v, naive_v in rows:
        print(f"{name:<{width}}  {ours_v:>28}  {naive_v:>32}")
    if args.record:
        record(rows, n)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
