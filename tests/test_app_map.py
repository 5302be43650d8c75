"""AppTest flows of the Map page: slider, filters, step buttons, URL state, place panel, broken files."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard" / "app.py")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "map"
APPLY = re.compile(r"ConflictMap\.apply\((.*)\);\n")


def open_app(monkeypatch: pytest.MonkeyPatch, data: Path, **query: str) -> AppTest:
    monkeypatch.setenv("CONFLICT_MAP_DATA", str(data))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def map_args(at: AppTest) -> dict[str, Any]:
    components = at.get("component_instance")
    assert len(components) == 1
    proto = components[0].proto
    assert proto.component_name == "streamlit_folium.st_folium"
    args: dict[str, Any] = json.loads(proto.json_args)
    return args


def payload(at: AppTest) -> dict[str, Any]:
    match = APPLY.search(map_args(at)["feature_group"])
    assert match is not None
    result: dict[str, Any] = json.loads(match.group(1))
    return result


def places_file(at: AppTest) -> str:
    """The text of the static places file the map's script names."""
    match = re.search(r'"places":"/app/static/vendor/data/([0-9a-f]+\.json)"', map_args(at)["script"])
    assert match is not None
    return (ROOT / "dashboard" / "static" / "vendor" / "data" / match.group(1)).read_text()


def summary(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "places shown" in m.value)


def test_map_opens_on_the_last_date_with_every_faction(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, FIXTURES / "basic")
    assert at.slider(key="date").value == dt.date(2024, 12, 2)
    assert at.multiselect(key="factions").value == ["government", "hts", "sna", "sdf"]
    assert summary(at) == "**02 Dec 2024** · 4 of 5 places shown · 1 on unreviewed reports"
    legend = {row["faction"]: row["places"] for row in at.dataframe[0].value.to_dict("records")}
    assert legend == {"HTS": 2, "Government": 1, "SNA": 1}
    args = map_args(at)
    assert all(u.startswith("/app/static/") for u in args["js_links"] + args["css_links"])
    assert args["returned_objects"] == ["last_object_clicked"]


def test_slider_move_recolours_without_changing_the_base_map(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, FIXTURES / "basic")
    before_args, before = map_args(at), payload(at)
    at.slider(key="date").set_value(dt.date(2024, 11, 26)).run()
    after_args, after = map_args(at), payload(at)
    assert after_args["script"] == before_args["script"]  # same component key: no remount, view kept
    assert after_args["key"] == before_args["key"]
    assert after["c"] != before["c"]
    assert {s[5] for s in after["s"]} == {"Government", "SDF"}
    assert summary(at).startswith("**26 Nov 2024** · 4 of 5 places shown")
    assert at.query_params["date"] == "2024-11-26"


def test_factions_filter_keeps_only_their_places(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, FIXTURES / "basic")
    at.multiselect(key="factions").set_value(["sna"]).run()
    assert summary(at) == "**02 Dec 2024** · 1 of 5 places shown · 1 on unreviewed reports"
    assert [s[5] for s in payload(at)["s"]] == ["SNA (unreviewed)"]
    assert at.query_params["factions"] == "sna"


def test_hiding_unreviewed_changes_shows_the_reviewed_picture(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, FIXTURES / "basic")
    at.slider(key="date").set_value(dt.date(2024, 12, 1)).run()
    assert "SNA (unreviewed)" in {s[5] for s in payload(at)["s"]}
    at.toggle(key="unreviewed").set_value(False).run()
    labels = {s[5] for s in payload(at)["s"]}
    assert not any("unreviewed" in label for label in labels)
    assert "SDF" in labels  # Charlie stays with the SDF until someone reviews the claim


@pytest.mark.parametrize(
    ("start", "button", "expected"),
    [
        (dt.date(2024, 12, 2), "prev", dt.date(2024, 12, 1)),
        (dt.date(2024, 11, 28), "prev", dt.date(2024, 11, 26)),
        (dt.date(2024, 11, 26), "next", dt.date(2024, 11, 29)),
        (dt.date(2024, 11, 30), "next", dt.date(2024, 12, 1)),
        (dt.date(2024, 12, 2), "next", dt.date(2024, 12, 2)),
    ],
)
def test_step_buttons_jump_between_change_dates(
    monkeypatch: pytest.MonkeyPatch, start: dt.date, button: str, expected: dt.date
) -> None:
    at = open_app(monkeypatch, FIXTURES / "basic")
    at.slider(key="date").set_value(start).run()
    at.button(key=button).click().run()
    assert not at.exception
    assert at.slider(key="date").value == expected


def test_view_is_read_from_the_url(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, FIXTURES / "basic", date="2024-11-29", factions="hts,nonsense",
                  kind="town", place="bravo", unreviewed="0")
    assert at.slider(key="date").value == dt.date(2024, 11, 29)
    assert at.multiselect(key="factions").value == ["hts"]
    assert at.multiselect(key="kind").value == ["town"]
    assert at.toggle(key="unreviewed").value is False
    assert summary(at).startswith("**29 Nov 2024** · 1 of 5 places shown")
    assert any(h.value == "Bravo" for h in at.subheader)
    assert at.query_params["place"] == "bravo"
    assert at.query_params["factions"] == "hts"


def test_out_of_range_url_date_is_clamped(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, FIXTURES / "basic", date="1999-01-01")
    assert at.slider(key="date").value == dt.date(2024, 11, 26)


def test_search_selects_a_place_and_shows_its_history(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, FIXTURES / "basic")
    at.selectbox(key="search").select("alpha").run()
    assert not at.exception
    assert [h.value for h in at.subheader] == ["Alpha City"]
    texts = [m.value for m in at.markdown]
    assert "**ألفا**" in texts
    assert "On **02 Dec 2024**: Held by HTS since 02 Dec 2024\\." in texts
    history = at.dataframe[0].value
    assert list(history["event"]) == ["captured", "entered", "held"]
    assert list(history["link"]) == [
        "https://example.org/alpha", "https://example.org/alpha-entered", "https://example.org/baseline",
    ]
    assert list(history["reviewed"]) == [True, False, True]
    assert payload(at)["sel"] >= 0
    args = map_args(at)
    assert args["center"] == [36.2, 37.15]
    assert args["zoom"] == 10


def test_hostile_data_reaches_the_map_only_escaped(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, FIXTURES / "hostile")
    args = map_args(at)
    script = args["script"][args["script"].index("ConflictMap.init("):]
    data_js = places_file(at) + script + args["feature_group"]
    assert "__pwned" in data_js
    for raw in ("<script", "</script", "<img", "<b ", "`", "${", "\u2028"):
        assert raw not in data_js, raw
    at.selectbox(key="search").select("tick").run()
    assert not at.exception
    quotes = [m.value for m in at.markdown if m.value.startswith(">")]
    assert quotes == [
        "> \\$\\{window\\.\\_\\_pwned\\=7\\} \\`backtick\\` \\</script\\>\\<script\\>window\\.\\_\\_pwned\\=8"
        "\\</script\\> \\[link\\]\\(javascript\\:alert\\(9\\)\\)"
    ]
    sources = [m.value for m in at.markdown if "Government" in m.value and "·" in m.value]
    # The outlet is text; the link target is the (http) URL with its parenthesis encoded.
    assert sources == [
        "26 Nov 2024 · Government · held · confirmed · [\\<img src\\=x onerror\\=window\\.\\_\\_pwned\\=5\\>]"
        "(https://example.org/x%29](javascript:window.__pwned=6%29)"
    ]


def test_broken_file_keeps_the_last_good_map_on_screen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "basic", data)
    at = open_app(monkeypatch, data)
    good = payload(at)
    events = data / "events.yaml"
    events.write_text(events.read_text().replace("kind: captured", "kind: conquered", 1))
    at.run()
    assert not at.exception
    assert len(at.error) == 1
    assert "events.yaml:" in at.error[0].value
    assert "Showing the last good data until this is fixed." in at.error[0].value
    assert payload(at)["c"] == good["c"]


def test_hand_edit_shows_on_the_next_rerun(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "basic", data)
    at = open_app(monkeypatch, data)
    places = data / "places.yaml"
    places.write_text(places.read_text().replace("name: Bravo\n", "name: Bravo Renamed\n"))
    at.run()
    assert "Bravo Renamed" in places_file(at)


def test_shipped_data_renders_the_offensive_week(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, ROOT / "data")
    at.slider(key="date").set_value(dt.date(2024, 12, 2)).run()
    assert at.slider(key="date").value == dt.date(2024, 12, 2)  # inside the log's span
    on_dec_2 = payload(at)
    at.slider(key="date").set_value(dt.date(2024, 11, 26)).run()
    assert not at.exception
    assert at.slider(key="date").value == dt.date(2024, 11, 26)
    assert payload(at)["c"] != on_dec_2["c"]


def test_play_walks_the_change_dates_and_stops_at_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, FIXTURES / "basic")
    at.slider(key="date").set_value(dt.date(2024, 11, 30)).run()
    at.button(key="play").click().run()
    assert not at.exception
    assert at.slider(key="date").value == dt.date(2024, 12, 2)
    assert at.session_state["playing"] is False
    assert [b.key for b in at.button if b.key in ("play", "stop")] == ["play"]


def test_view_survives_a_visit_to_another_page(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, FIXTURES / "basic")
    at.multiselect(key="factions").set_value(["sna"]).run()
    at.slider(key="date").set_value(dt.date(2024, 12, 1)).run()
    at.switch_page("views/changes_page.py").run()
    assert not at.exception
    at.switch_page("views/map_page.py").run()
    assert not at.exception
    assert at.multiselect(key="factions").value == ["sna"]
    assert at.slider(key="date").value == dt.date(2024, 12, 1)


def _component_args(script: str) -> dict[str, Any]:
    at = AppTest.from_string(script, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    args: dict[str, Any] = json.loads(at.get("component_instance")[0].proto.json_args)
    return args


BUILD = """
from dashboard import mapping
from dashboard.models import Place
places = [Place("a", "Alpha", "city", 36.2, 37.15), Place("b", "Bravo", "town", 35.6, 36.6)]
geometry = mapping.place_geometry(places)
payload = mapping.status_payload(geometry, {}, {})
"""


def test_cached_map_sends_what_st_folium_would_send() -> None:
    """Our shortcut around st_folium's per-rerun render must stay argument-for-argument compatible."""
    ours = _component_args(BUILD + """
from dashboard import ui_data
parts = ui_data.render_map_parts(mapping.build_base_map(geometry))
ui_data.show_map(parts, mapping.status_script(payload), key="map", height=500)
""")
    reference = _component_args(BUILD + """
from streamlit_folium import st_folium
st_folium(mapping.build_base_map(geometry), key="map", height=500, width=None,
          returned_objects=["last_object_clicked"], feature_group_to_add=mapping.status_layer(payload))
""")
    assert set(ours) == set(reference)
    same = ("script", "html", "header", "js_links", "css_links", "id", "key", "returned_objects", "default")
    for name in same:
        assert ours[name] == reference[name], name
    assert "ConflictMap.apply(" in ours["feature_group"]
    assert "ConflictMap.apply(" in reference["feature_group"]


def test_clearing_the_selection_closes_the_panel(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, FIXTURES / "basic", place="bravo")
    assert [h.value for h in at.subheader] == ["Bravo"]
    at.button(key="clear_place").click().run()
    assert not at.exception
    assert [h.value for h in at.subheader] == []
    assert "place" not in at.query_params
    assert payload(at)["sel"] == -1


def test_an_empty_log_still_shows_the_places(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "basic", data)
    (data / "events.yaml").write_text("events: []\n")
    at = open_app(monkeypatch, data)
    assert summary(at).endswith("· 0 of 5 places shown")
    at.toggle(key="unknown").set_value(True).run()
    assert not at.exception
    assert summary(at).endswith("· 5 of 5 places shown")


def test_a_missing_data_folder_explains_itself(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CONFLICT_MAP_DATA", str(tmp_path / "nowhere"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "places.yaml" in at.error[0].value
    assert "Nothing to show yet." in at.error[0].value
    assert not at.get("component_instance")


def test_searching_the_same_place_again_recentres_the_map(monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_app(monkeypatch, FIXTURES / "basic")
    at.selectbox(key="search").select("alpha").run()
    first = map_args(at)["center"]
    at.selectbox(key="search").select(None).run()  # the user clears the box and pans away ...
    at.selectbox(key="search").select("alpha").run()  # ... then looks the same place up again
    again = map_args(at)["center"]
    assert first == [36.2, 37.15]
    assert again == pytest.approx(first)
    # Equal to the eye, but not to the component, which only moves the map when the centre changes.
    assert again != first


def test_a_place_without_coordinates_can_be_looked_up(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    shutil.copytree(FIXTURES / "basic", data)
    places = data / "places.yaml"
    golf = "  - id: golf\n    name: Golf\n    kind: village\n    lat: null\n    lon: null\n"
    places.write_text(places.read_text() + golf)
    at = open_app(monkeypatch, data)
    assert summary(at).endswith("· 4 of 5 places shown · 1 on unreviewed reports")  # not drawn ...
    at.selectbox(key="search").select("golf").run()
    assert not at.exception
    assert [h.value for h in at.subheader] == ["Golf"]  # ... but its panel opens
    assert "center" not in map_args(at) or map_args(at)["center"] is None
