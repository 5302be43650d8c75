"""Map building: compact geometry, the status payload, the offline base map and the assets behind it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from dashboard import assets, mapping
from dashboard.models import ControlEvent, Faction, Place, Source, Status

FACTIONS = {
    "government": Faction("government", "Government", "#D55E00"),
    "hts": Faction("hts", "HTS", "#009E73"),
    "sna": Faction("sna", "SNA", "#56B4E9"),
    "odd": Faction("odd", "Odd </b>", "red; background:url(x)"),
}
CDN_HOSTS = ("cdn.jsdelivr", "cdnjs", "code.jquery", "netdna", "d3js.org", "unpkg", "googleapis")


def place(
    pid: str, kind: str = "town", lat: float | None = 36.0, lon: float | None = 37.0, **kw: object
) -> Place:
    name = str(kw.pop("name", pid.title()))
    return Place(id=pid, name=name, kind=kind, lat=lat, lon=lon, **kw)  # type: ignore[arg-type]


def event(pid: str, faction: str, *, reviewed: bool = True, confidence: str = "reported") -> ControlEvent:
    return ControlEvent(pid, dt.date(2024, 12, 1), "captured", faction, Source("Wire"),
                        confidence=confidence, reviewed=reviewed)


def status(pid: str, state: str, *factions: str, reviewed: bool = True) -> Status:
    events = (event(pid, factions[0], reviewed=reviewed),) if factions else ()
    return Status(pid, state, tuple(factions), dt.date(2024, 12, 1), events)


def decode(
    payload: mapping.StatusPayload, geometry: mapping.PlaceGeometry
) -> dict[str, tuple[object, ...] | None]:
    """Map each place id to its style row, as cmap.js reads the codes."""
    out: dict[str, tuple[object, ...] | None] = {}
    w = payload.width
    for i, pid in enumerate(geometry.ids):
        code = payload.codes[i * w:(i + 1) * w]
        if mapping.HIDDEN in code:
            out[pid] = None
            continue
        index = 0
        for ch in code:
            index = index * len(mapping.ALPHABET) + mapping.ALPHABET.index(ch)
        out[pid] = payload.styles[index]
    return out


def test_geometry_keeps_drawable_places_and_draws_cities_last() -> None:
    places = [
        place("big", "city"), place("gov", "governorate"), place("nowhere", "town", lat=None, lon=None),
        place("small", "village", lat=35.123456, lon=36.654321), place("mid", "town"),
    ]
    g = mapping.place_geometry(places)
    assert g.ids == ("small", "mid", "big")
    assert g.size == (2, 1, 0)
    assert g.lat[0] == 35.12346
    assert g.at(35.12346, 36.65432) == "small"
    assert g.at(35.0, 36.0) is None
    assert len(g) == 3


def test_geometry_names_are_escaped_and_carry_the_arabic_name() -> None:
    g = mapping.place_geometry([place("t", name="Tal`${x}</script>", name_ar="تل رفعت")])
    assert g.names == ("Tal&#96;&#36;{x}&lt;/script&gt; · تل رفعت",)


def test_payload_encodes_state_colours_and_review_flag_per_place() -> None:
    g = mapping.place_geometry([place("a"), place("b"), place("c"), place("d"), place("e")])
    snap = {
        "a": status("a", "held", "government"),
        "b": status("b", "contested", "hts", "government", reviewed=False),
        "c": status("c", "partial", "hts", "sna"),
        "d": Status("d", "unknown"),
    }
    p = mapping.status_payload(g, snap, FACTIONS, selected="c", title="1 Dec 2024")
    styles = decode(p, g)
    assert styles["a"] == (0, "#D55E00", None, None, 0, "Government")
    assert styles["b"] == (1, "#009E73", "#D55E00", None, 1, "contested: HTS / Government (unreviewed)")
    assert styles["c"] == (2, "#009E73", "#56B4E9", None, 0, "HTS, partly SNA")
    assert styles["d"] is None
    assert styles["e"] is None
    assert p.selected == g.index["c"]
    assert p.shown == 3
    assert p.counts["unreviewed"] == 1
    assert p.faction_counts == {"hts": 2, "government": 2, "sna": 1}
    assert p.notes == ("1 contested (hatched)", "1 partly held (ring)", "1 unreviewed (dashed ring)")


def test_legend_counts_abandoned_places_apart_from_the_factions() -> None:
    g = mapping.place_geometry([place("a"), place("b")])
    snap = {"a": Status("a", "abandoned"), "b": status("b", "held", "hts")}
    p = mapping.status_payload(g, snap, FACTIONS, selected=None, title="10 Dec 2024")
    assert p.notes == ("1 abandoned, holder unknown (grey)",)
    assert p.faction_counts == {"hts": 1}


def test_payload_hides_places_outside_the_filter_and_can_show_unknown_ones() -> None:
    g = mapping.place_geometry([place("a"), place("b"), place("c")])
    snap = {"a": status("a", "held", "hts"), "b": status("b", "held", "sna")}
    p = mapping.status_payload(g, snap, FACTIONS, visible=["a", "c"], show_unknown=True)
    styles = decode(p, g)
    assert styles["b"] is None
    assert styles["a"] is not None
    assert styles["a"][0] == 0
    assert styles["c"] == (4, None, None, None, 0, "status unknown")


def test_payload_checks_colours_and_escapes_faction_names() -> None:
    g = mapping.place_geometry([place("a")])
    p = mapping.status_payload(g, {"a": status("a", "held", "odd")}, FACTIONS)
    assert decode(p, g)["a"] == (0, mapping.GREY, None, None, 0, "Odd &lt;/b&gt;")
    assert p.legend == (("Odd &lt;/b&gt;", mapping.GREY, 1),)


def test_payload_uses_two_characters_per_place_beyond_62_styles() -> None:
    factions = {f"f{i}": Faction(f"f{i}", f"F{i}", "#112233") for i in range(70)}
    places = [place(f"p{i}") for i in range(70)]
    g = mapping.place_geometry(places)
    snap = {f"p{i}": status(f"p{i}", "held", f"f{i}") for i in range(70)}
    p = mapping.status_payload(g, snap, factions)
    assert p.width == 2
    assert len(p.codes) == 140
    assert {s[5] for s in decode(p, g).values() if s} == {f"F{i}" for i in range(70)}


def test_payload_is_about_one_byte_per_place() -> None:
    places = [place(f"p{i}", lat=32 + i / 1000, lon=36 + i / 1000) for i in range(5000)]
    g = mapping.place_geometry(places)
    snap = {p.id: status(p.id, "held", ("government", "hts", "sna")[i % 3]) for i, p in enumerate(places)}
    script = mapping.status_script(mapping.status_payload(g, snap, FACTIONS))
    assert len(script.encode()) < 5000 * 1.2


def test_status_script_registers_the_feature_group_streamlit_folium_expects() -> None:
    g = mapping.place_geometry([place("a")])
    script = mapping.status_script(mapping.status_payload(g, {}, FACTIONS))
    assert script.startswith("var feature_group_feature_group_0 = L.featureGroup({});\nConflictMap.apply({")
    assert "window.feature_group.push(feature_group_feature_group_0);" in script


def test_base_map_loads_nothing_from_the_internet() -> None:
    g = mapping.place_geometry([place("a")])
    page = mapping.build_base_map(g).get_root().render()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources, "the page should link Leaflet and our script"
    assert all(s.startswith("/app/static/") for s in sources), sources
    assert not any(host in page for host in CDN_HOSTS)
    # OpenStreetMap is offered in the layer switcher, off by default: its URL is an option, never a <link>.
    assert mapping.OSM_TILES in page


def test_places_file_holds_hostile_names_only_escaped() -> None:
    hostile = [
        place("a", name="</script><script>window.__pwned=1</script>"),
        place("b", name="Tick`town ${window.__pwned=2}"),
        place("c", name="<img src=x onerror=window.__pwned=3>", name_ar="\u2028\\"),
    ]
    geometry = mapping.place_geometry(hostile)
    text = mapping.geometry_json(geometry)
    assert "__pwned" in text  # the names are there ...
    for raw in ("<script", "<img", "`", "${", "\u2028"):
        assert raw not in text  # ... but only in escaped form
    assert json.loads(text)["n"] == list(geometry.names)
    page = mapping.build_base_map(geometry).get_root().render()
    assert "__pwned" not in page  # the page itself only names the file


def test_base_map_script_is_small_and_names_its_places_file() -> None:
    places = [place(f"p{i}", lat=32 + i / 100, lon=36 + i / 100) for i in range(2000)]
    geometry = mapping.place_geometry(places)
    page = mapping.build_base_map(geometry).get_root().render()
    url = assets.publish_data(mapping.geometry_json(geometry).encode())
    assert url in page
    assert url.startswith("/app/static/vendor/data/")
    assert (assets.DATA_DIR / url.rsplit("/", 1)[1]).read_text() == mapping.geometry_json(geometry)
    assert len(page) < 20_000  # independent of the number of places


def test_publish_data_is_content_addressed_and_pruned(tmp_path: Path) -> None:
    first = assets.publish_data(b'{"a":1}', tmp_path, "/x")
    assert first == assets.publish_data(b'{"a":1}', tmp_path, "/x")
    for i in range(assets.KEEP_DATA_FILES + 5):
        assets.publish_data(f'{{"n":{i}}}'.encode(), tmp_path, "/x")
    assert len(list(tmp_path.glob("*.json"))) == assets.KEEP_DATA_FILES


def test_base_map_is_identical_for_identical_places() -> None:
    g = mapping.place_geometry([place("a"), place("b", "city")])
    first = mapping.build_base_map(g).get_root().render()
    second = mapping.build_base_map(g).get_root().render()
    strip = re.compile(r"_[0-9a-f]{32}")  # folium's per-object ids; streamlit-folium normalises them too
    assert strip.sub("", first) == strip.sub("", second)


def test_offline_map_does_not_change_folium_defaults() -> None:
    import folium

    mapping.OfflineMap()
    assert any("cdn" in url for _, url in folium.Map.default_js)
    assert all(url.startswith("/app/static/") for _, url in mapping.OfflineMap.default_js)


@pytest.mark.parametrize(
    ("points", "tolerance", "expected"),
    [
        ([(0, 0), (1, 0.001), (2, 0)], 0.01, [(0, 0), (2, 0)]),
        ([(0, 0), (1, 1), (2, 0)], 0.01, [(0, 0), (1, 1), (2, 0)]),
        ([(0, 0), (1, 0)], 0.01, [(0, 0), (1, 0)]),
        ([(0, 0), (1, 0.5), (0, 0)], 0.1, [(0, 0), (1, 0.5), (0, 0)]),
    ],
)
def test_simplify_drops_points_within_tolerance(
    points: list[tuple[float, float]], tolerance: float, expected: list[tuple[float, float]]
) -> None:
    assert assets.simplify(points, tolerance) == expected


def test_basemap_is_natural_earth_syria_and_neighbours() -> None:
    collection = assets.build_basemap()
    features = collection["features"]
    assert isinstance(features, list)
    codes = {f["properties"]["a3"] for f in features}
    assert {"SYR", "TUR", "LBN", "JOR", "IRQ", "ISR"} <= codes
    syria = next(f for f in features if f["properties"]["a3"] == "SYR")
    assert syria["properties"]["focus"] is True
    assert features[-1] is syria  # drawn last, on top of its neighbours
    ring = syria["geometry"]["coordinates"][0][0]
    assert all(35.5 < lon < 42.5 and 32.2 < lat < 37.4 for lon, lat in ring)
    assert len(json.dumps(collection)) < 400_000


def test_ensure_assets_copies_from_packages_once(tmp_path: Path) -> None:
    vendor = assets.ensure_assets(tmp_path / "vendor")
    leaflet = vendor / "leaflet" / "leaflet.js"
    assert leaflet.read_bytes().startswith(b"/* @preserve")
    assert (vendor / "leaflet" / "images" / "marker-icon.png").is_file()
    assert (vendor / "jquery" / "jquery.min.js").is_file()
    assert json.loads((vendor / assets.BASEMAP_FILE).read_text())["type"] == "FeatureCollection"
    before = leaflet.stat().st_mtime_ns
    assets.ensure_assets(tmp_path / "vendor")
    assert leaflet.stat().st_mtime_ns == before  # already current: nothing rewritten
    (vendor / ".stamp").write_text("stale")
    assets.ensure_assets(tmp_path / "vendor")
    assert (vendor / ".stamp").read_text() != "stale"
