"""AppTest flows of the Changes, Gazetteer and Ingest pages, on a tmp copy of a small fixture data folder."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from dashboard.errors import DataError
from dashboard.safe_html import escape_markdown as md
from dashboard.views import gazetteer_page as gp

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "dashboard" / "views"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "pages" / "data"
D = dt.date


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the fixture data, selected through CONFLICT_MAP_DATA (never the shipped data)."""
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    monkeypatch.setenv("CONFLICT_MAP_DATA", str(folder))
    return folder


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """Capture what download buttons hand to Streamlit's media storage, by download file name."""
    seen: dict[str, bytes] = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def spy(self: MemoryMediaFileStorage, path_or_data: str | bytes, mimetype: str, kind: Any,
            filename: str | None = None) -> str:
        if filename is not None and isinstance(path_or_data, bytes):
            seen[filename] = path_or_data
        return original(self, path_or_data, mimetype, kind, filename)

    def deferred(self: MediaFileManager, data_callable: Callable[[], bytes | str], mimetype: str | None,
                 coordinates: str, file_name: str | None = None, **kwargs: Any) -> str:
        # A download built on click: build it now, as the click would.
        if file_name is not None:
            data = data_callable()
            seen[file_name] = data.encode("utf-8") if isinstance(data, str) else data
        return original_deferred(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    original_deferred = MediaFileManager.add_deferred
    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    monkeypatch.setattr(MediaFileManager, "add_deferred", deferred)
    return seen


def page(name: str) -> AppTest:
    """An AppTest of one page script, run once."""
    at = AppTest.from_file(str(PAGES / f"{name}_page.py"), default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


TABLE_COLUMNS = {
    "changes_table": "From → to",
    "changes_balance": "Net",
    "gaz_pending_table": "before",
    "gaz_error_table": "problem",
}


def table(at: AppTest, name: str) -> list[dict[str, Any]]:
    """Rows of a read-only table, found by a column only it has (AppTest does not expose dataframe keys)."""
    column = TABLE_COLUMNS[name]
    frames = [df.value for df in at.dataframe if df.editing_mode == "read_only"]
    frame = next(f for f in frames if column in f.columns)
    records: list[dict[str, Any]] = frame.to_dict("records")
    return records


def has_table(at: AppTest, name: str) -> bool:
    """Whether a read-only table with the name's marker column is on the page."""
    column = TABLE_COLUMNS[name]
    return any(column in df.value.columns for df in at.dataframe if df.editing_mode == "read_only")


def csv_rows(raw: bytes) -> list[dict[str, str]]:
    """Parse a downloaded CSV, checking the byte-order mark spreadsheets need."""
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


# ---------------------------------------------------------------- Changes page


def test_changes_page_defaults_to_the_whole_log(data: Path, downloads: dict[str, bytes]) -> None:
    at = page("changes")
    assert at.date_input(key="changes_from").value == D(2024, 11, 20)
    assert at.date_input(key="changes_to").value == D(2024, 12, 1)
    rows = table(at, "changes_table")
    assert [(r["Place"], r["From → to"]) for r in rows] == [
        ("Saraqib", "Syrian government → HTS-led coalition"),
        ("Aleppo", "Syrian government → HTS-led coalition"),
        ("Tal Rifaat", "Syrian Democratic Forces → Syrian National Army"),
    ]
    assert [r["Reviewed"] for r in rows] == [True, False, False]
    assert rows[2]["Source"] == "https://example.org/afp-tal"
    assert rows[2]["Map"] == "/?date=2024-12-01&place=tal-rifaat"
    assert at.caption[0].value == "3 change(s) between 20 Nov 2024 and 01 Dec 2024 (2 not reviewed yet)."
    assert table(at, "changes_balance") == [
        {"Faction": "HTS-led coalition", "Gained": 2, "Lost": 0, "Net": 2},
        {"Faction": "Syrian National Army", "Gained": 1, "Lost": 0, "Net": 1},
        {"Faction": "Syrian Democratic Forces", "Gained": 0, "Lost": 1, "Net": -1},
        {"Faction": "Syrian government", "Gained": 0, "Lost": 2, "Net": -2},
    ]
    changes = csv_rows(downloads["changes-2024-11-20-to-2024-12-01.csv"])
    assert [(r["place"], r["previous"], r["faction"]) for r in changes] == [
        ("saraqib", "government", "hts"), ("aleppo", "government", "hts"), ("tal-rifaat", "sdf", "sna"),
    ]
    snapshot = csv_rows(downloads["control-2024-12-01.csv"])
    assert {(r["place"], r["faction"]) for r in snapshot} == {
        ("aleppo", "hts"), ("tal-rifaat", "sna"), ("khan-sheikhun", "government"), ("saraqib", "hts"),
    }
    geo = json.loads(downloads["changes-2024-11-20-to-2024-12-01.geojson"])
    assert [f["properties"]["place"] for f in geo["features"]] == ["saraqib", "aleppo", "tal-rifaat"]


def test_changes_page_narrows_by_date_and_faction_and_mirrors_the_url(
    data: Path, downloads: dict[str, bytes]
) -> None:
    at = page("changes")
    at.date_input(key="changes_from").set_value(D(2024, 11, 29)).run()
    assert [r["Place"] for r in table(at, "changes_table")] == ["Aleppo", "Tal Rifaat"]
    assert (at.query_params["from"], at.query_params["to"]) == ("2024-11-29", "2024-12-01")
    at.multiselect(key="changes_factions").select("sdf").run()
    assert [r["Place"] for r in table(at, "changes_table")] == ["Tal Rifaat"]
    changes = csv_rows(downloads["changes-2024-11-29-to-2024-12-01.csv"])
    assert [r["place"] for r in changes] == ["tal-rifaat"]


def test_changes_page_filters_by_governorate_and_confidence(data: Path, downloads: dict[str, bytes]) -> None:
    at = page("changes")
    at.multiselect(key="changes_gov").select("idlib-governorate").run()
    assert [r["Place"] for r in table(at, "changes_table")] == ["Saraqib"]
    at.multiselect(key="changes_gov").unselect("idlib-governorate").select("aleppo-governorate")
    at.multiselect(key="changes_conf").select("confirmed").run()
    assert not has_table(at, "changes_table")
    assert at.info[0].value == "Nothing changed hands in this range with these filters."
    assert csv_rows(downloads["changes-2024-11-20-to-2024-12-01.csv"]) == []


def test_changes_page_can_show_only_unreviewed_changes(data: Path) -> None:
    at = page("changes")
    at.toggle(key="changes_unreviewed").set_value(True).run()
    assert [r["Place"] for r in table(at, "changes_table")] == ["Aleppo", "Tal Rifaat"]


def test_changes_page_refuses_a_reversed_range(data: Path) -> None:
    at = page("changes")
    at.date_input(key="changes_from").set_value(D(2024, 12, 1))
    at.date_input(key="changes_to").set_value(D(2024, 11, 25)).run()
    expected = "“From” (01 Dec 2024) is after “To” (25 Nov 2024); swap them to see changes."
    assert at.warning[0].value == expected
    assert not has_table(at, "changes_table")


def test_changes_page_reads_dates_from_the_url(data: Path) -> None:
    at = AppTest.from_file(str(PAGES / "changes_page.py"), default_timeout=30)
    at.query_params["from"] = "2024-11-30"
    at.query_params["to"] = "not-a-date"
    at.run()
    assert at.date_input(key="changes_from").value == D(2024, 11, 30)
    assert at.date_input(key="changes_to").value == D(2024, 12, 1)


def test_changes_page_runs_on_the_shipped_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFLICT_MAP_DATA", raising=False)
    if not (ROOT / "data" / "events.yaml").is_file():
        pytest.skip("the shipped control log is not there yet")
    at = page("changes")
    assert at.download_button(key="dl_changes_csv").label == "Changes (CSV)"


# ---------------------------------------------------------------- Gazetteer page: helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tell Rifaat; Tall Rifat", ["Tell Rifaat", "Tall Rifat"]),
        ("a, b;c ,, ; a", ["a", "b", "c"]),
        ("  ", []),
        (None, []),
        (float("nan"), []),
    ],
)
def test_split_aliases(text: object, expected: list[str]) -> None:
    assert gp.split_aliases(text) == expected


def test_diff_record_marks_hand_typed_coordinates_manual() -> None:
    original = {"id": "x", "name": "X", "aliases": "A; B", "lat": 35.0, "lon": 36.0,
                "coords_source": "geonames", "reviewed": True, "name_ar": None}
    edited = {**original, "aliases": "B;A", "lat": 35.5, "name_ar": "  "}
    assert gp.diff_record(original, edited) == {"aliases": ["B", "A"], "lat": 35.5, "coords_source": "manual"}
    assert gp.diff_record(original, dict(original)) == {}


def test_to_writer_changes_removes_blanks_but_keeps_null_coordinates() -> None:
    pending = {"x": {"name_ar": None, "aliases": [], "lat": None, "lon": None, "name": "Y"}}
    changes = gp.to_writer_changes(pending)
    assert changes == {"x": {"name_ar": gp.writer.REMOVE, "aliases": gp.writer.REMOVE, "lat": None,
                             "lon": None, "name": "Y"}}


def test_errors_map_to_rows_by_line_or_quoted_id() -> None:
    text = "places:\n  - id: a\n    name: A\n  - {id: b, name: B}\n  - id: c\n    lat: 99\n"
    starts = gp.place_starts(text)
    assert starts == [(2, "a"), (4, "b"), (5, "c")]
    assert gp.place_of_error(DataError("bad lat", "p.yaml", 6, 10), starts, ["a", "b", "c"]) == "c"
    assert gp.place_of_error(DataError("no place with id 'b'", "p.yaml", 0, 0), starts, ["a", "b"]) == "b"
    assert gp.place_of_error(DataError("top must be a mapping", "p.yaml", 1, 1), starts, ["a"]) is None


@pytest.mark.parametrize(
    ("query", "hit"),
    [
        ("tell rifat", True), ("TAL", True), ("تل رفعت", True), ("aleppo-gov", True), ("idlib", False),
        ("", True),
    ],
)
def test_search_matches_folded_names(query: str, hit: bool) -> None:
    record = {"id": "tal-rifaat", "name": "Tal Rifaat", "name_ar": "تل رفعت", "aliases": "Tell Rifaat",
              "admin1": "aleppo-governorate"}
    assert gp.matches(record, query) is hit


# ---------------------------------------------------------------- Gazetteer page: flows


PLACE_IDS = ["aleppo-governorate", "idlib-governorate", "hama-governorate", "aleppo", "tal-rifaat",
             "khan-sheikhun", "saraqib", "kafr-nabl"]


def edit_cells(at: AppTest, edits: dict[str, dict[str, Any]], ids: list[str] = PLACE_IDS) -> None:
    """Seed the table editor's state the way the browser would after cell edits (rows by position)."""
    key = gp.editor_key(at.session_state[gp.GENERATION], ids)
    at.session_state[key] = {
        "edited_rows": {ids.index(pid): fields for pid, fields in edits.items()},
        "added_rows": [],
        "deleted_rows": [],
    }


def test_gazetteer_page_lists_places_and_searches(data: Path) -> None:
    at = page("gazetteer")
    (editor,) = at.data_editor
    assert list(editor.value["id"]) == PLACE_IDS
    assert editor.value.set_index("id").loc["tal-rifaat", "aliases"] == "Tell Rifaat; Tall Rifat"
    at.text_input(key="gaz_search").input("tell rifat").run()
    assert list(at.data_editor[0].value["id"]) == ["tal-rifaat"]


def test_gazetteer_lists_the_review_queue(data: Path) -> None:
    places = data / "places.yaml"
    places.write_text(places.read_text(encoding="utf-8").replace(
        "    coords_source: manual\n  - id: khan-sheikhun", "    coords_source: manual\n    reviewed: false\n"
        "  - id: khan-sheikhun"), encoding="utf-8")
    at = page("gazetteer")
    at.toggle(key="gaz_only_unreviewed").set_value(True).run()
    assert list(at.data_editor[0].value["id"]) == ["tal-rifaat"]
    at.toggle(key="gaz_only_unreviewed").set_value(False)
    at.toggle(key="gaz_only_missing").set_value(True).run()
    assert list(at.data_editor[0].value["id"]) == ["kafr-nabl"]


def test_gazetteer_save_that_fails_validation_shows_errors_by_row_and_writes_nothing(data: Path) -> None:
    places = data / "places.yaml"
    before = places.read_bytes()
    at = page("gazetteer")
    edit_cells(at, {"tal-rifaat": {"lat": 137.09}, "saraqib": {"admin1": "idlib-gov"}})
    at.run()
    assert table(at, "gaz_pending_table") == [
        {"place": "tal-rifaat", "field": "lat", "before": "36.4726", "after": "137.09"},
        {"place": "saraqib", "field": "admin1", "before": "idlib-governorate", "after": "idlib-gov"},
    ]
    at.button(key="gaz_save").click().run()
    assert not at.exception
    assert at.error[0].value == "Not saved: the edited file does not validate. Problems by row:"
    assert table(at, "gaz_error_table") == [
        {"place": "tal-rifaat", "problem": f"{places}:33:10: place 'tal-rifaat' has latitude 137.09; "
         "expected -90..90"},
        {"place": "saraqib", "problem": f"{places}:47:13: admin1 'idlib-gov' of place 'saraqib' is not a "
         "place id in this file; did you mean 'idlib-governorate'?"},
    ]
    assert places.read_bytes() == before
    assert not (data / ".backups").exists()
    # The problem shows on the row itself, and the edits are still pending.
    shown = at.data_editor[0].value.set_index("id")
    assert "idlib-gov" in shown.loc["saraqib", "problem"]
    assert set(at.session_state[gp.PENDING]) == {"tal-rifaat", "saraqib"}


def test_gazetteer_save_writes_only_the_changed_place_and_keeps_a_backup(data: Path) -> None:
    places = data / "places.yaml"
    before = places.read_text(encoding="utf-8")
    at = page("gazetteer")
    edit_cells(at, {"tal-rifaat": {"name": "Tall Rifaat", "aliases": "Tell Rifaat; Tal Rifaat"}})
    at.run()
    at.button(key="gaz_save").click().run()
    assert not at.exception
    after = places.read_text(encoding="utf-8")
    assert after == before.replace("name: Tal Rifaat\n", "name: Tall Rifaat\n").replace(
        "aliases: [Tell Rifaat, Tall Rifat]", "aliases: [Tell Rifaat, Tal Rifaat]"
    )
    (backup,) = (data / ".backups").iterdir()
    assert backup.read_text(encoding="utf-8") == before
    saved = "Saved changes to 1 place(s). The previous file is kept in data/.backups/."
    assert at.success[0].value == md(saved)
    assert at.session_state[gp.PENDING] == {}
    assert at.data_editor[0].value.set_index("id").loc["tal-rifaat", "name"] == "Tall Rifaat"


def test_gazetteer_conflict_keeps_the_edits_and_can_apply_them_to_the_new_file(data: Path) -> None:
    places = data / "places.yaml"
    at = page("gazetteer")
    edit_cells(at, {"saraqib": {"name_ar": "سراقب"}})
    at.run()
    # Someone edits the file by hand between the user's edit and the click on Save.
    hand_edited = places.read_text(encoding="utf-8").replace("name: Khan Sheikhun", "name: Khan Shaykhun")
    places.write_text(hand_edited, encoding="utf-8")
    at.button(key="gaz_save").click().run()
    assert "was changed by someone else" in at.error[0].value
    assert "your pending edit has been kept" in at.error[0].value
    assert places.read_text(encoding="utf-8") == hand_edited
    assert at.session_state[gp.PENDING] == {"saraqib": {"name_ar": "سراقب"}}
    # The hand edit is on screen already, with the user's edit still on top.
    shown = at.data_editor[0].value.set_index("id")
    assert shown.loc["khan-sheikhun", "name"] == "Khan Shaykhun"
    assert shown.loc["saraqib", "name_ar"] == "سراقب"
    at.button(key="gaz_rebase").click().run()
    at.button(key="gaz_save").click().run()
    assert not at.error
    text = places.read_text(encoding="utf-8")
    assert "name: Khan Shaykhun" in text
    assert "name_ar: سراقب" in text


def test_gazetteer_shows_a_hand_edit_on_the_next_rerun(data: Path) -> None:
    places = data / "places.yaml"
    at = page("gazetteer")
    places.write_text(places.read_text(encoding="utf-8").replace("name: Saraqib", "name: Sarāqib"),
                      encoding="utf-8")
    at.run()
    assert at.data_editor[0].value.set_index("id").loc["saraqib", "name"] == "Sarāqib"


# ---------------------------------------------------------------- Gazetteer page: geocoding


def test_gazetteer_geocodes_a_place_without_coordinates_offline(data: Path) -> None:
    places = data / "places.yaml"
    at = page("gazetteer")
    assert at.selectbox(key="gaz_geo_target").options == ["A new place…", "Kafr Nabl (kafr-nabl)"]
    at.selectbox(key="gaz_geo_target").select("kafr-nabl").run()
    assert at.text_input(key="gaz_geo_name").value == "Kafr Nabl"
    at.button(key="gaz_geo_lookup").click().run()
    pick = at.selectbox(key="gaz_geo_pick")
    assert pick.options[0] == (
        "1. Kafranbel (town, idlib-governorate) at 35.61376, 36.56449 from geonames"
    )
    at.button(key="gaz_geo_apply").click().run()
    assert not at.exception
    assert at.success[0].value == md(
        "Coordinates of kafr-nabl set from geonames (reviewed: false until someone checks them)."
    )
    text = places.read_text(encoding="utf-8")
    entry = text[text.index("  - id: kafr-nabl"):]
    assert "    lat: 35.61376\n    lon: 36.56449\n    coords_source: geonames\n    reviewed: false\n" in entry
    assert at.selectbox(key="gaz_geo_target").options == ["A new place…"]


def test_gazetteer_adds_a_new_place_asked_for_by_the_ingest_page(data: Path) -> None:
    at = AppTest.from_file(str(PAGES / "gazetteer_page.py"), default_timeout=30)
    at.session_state[gp.GEOCODE_REQUEST] = "Saraqeb"
    at.run()
    assert at.text_input(key="gaz_geo_name").value == "Saraqeb"
    at.button(key="gaz_geo_lookup").click().run()
    assert at.selectbox(key="gaz_geo_pick").options[0].endswith("already in the gazetteer as saraqib")


def test_gazetteer_online_lookup_needs_a_real_user_agent(data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFLICT_MAP_USER_AGENT", raising=False)
    monkeypatch.setenv("CONFLICT_MAP_CONFIG", str(data / "no-config.toml"))
    at = page("gazetteer")
    at.text_input(key="gaz_geo_name").input("Atshan")
    at.toggle(key="gaz_geo_online").set_value(True).run()
    at.button(key="gaz_geo_lookup").click().run()
    assert at.warning[0].value.startswith(md("no user agent is set; geocoding services ask each application"))
    assert at.info[0].value == "No coordinates found for 'Atshan'."


# ---------------------------------------------------------------- Ingest page

REPORT = (
    "# published: 2024-12-02\n"
    "# outlet: Test Wire\n"
    "Turkish-backed factions seized the town of Tal Rifaat from Kurdish-led forces on Sunday, a war monitor "
    "said.\nRebels also reached the outskirts of Khan Sheikhun, while fighting went on near Atshan.\n"
)


def ingest_key(at: AppTest, report_index: int = 0) -> str:
    """Key of a report's change editor in the current generation."""
    return f"ing_changes_{at.session_state['ing_generation']}_{report_index}"


def run_report(text: str = REPORT) -> AppTest:
    """Open the Ingest page, paste ``text`` and run the engine."""
    at = page("ingest")
    at.text_area(key="ing_text").input(text)
    at.button(key="ing_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_ingest_shows_mentions_changes_and_unknown_names(data: Path) -> None:
    at = run_report()
    html = at.get("html")[0].value
    assert '<mark style="background:#fde68a;border-radius:3px;padding:0 2px" title="tal-rifaat (town)">' \
        "Tal Rifaat</mark>" in html
    assert 'title="not in the gazetteer">Atshan</span>' in html
    (editor,) = at.data_editor
    rows = editor.value.to_dict("records")
    assert [(r["place"], r["faction"], r["kind"], str(r["date"])[:10], r["confidence"]) for r in rows] == [
        ("Tal Rifaat (tal-rifaat)", "sna", "captured", "2024-12-01", "reported"),
    ]
    assert rows[0]["quote"].startswith("Turkish-backed factions seized the town of Tal Rifaat")
    assert at.warning[0].value == "1 name(s) look like places but are not in the gazetteer."
    assert at.button(key="ing_geocode_0_0").label == "Geocode 'Atshan' on the Gazetteer page"
    assert at.button(key="ing_write").disabled


def test_ingest_accept_writes_the_event_once(data: Path) -> None:
    events = data / "events.yaml"
    before = events.read_text(encoding="utf-8")
    at = run_report()
    at.session_state[ingest_key(at)] = {
        "edited_rows": {0: {"accept": True, "reviewed": True}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    assert at.button(key="ing_write").label == "Write 1 accepted change(s) to the control log"
    at.button(key="ing_write").click().run()
    assert not at.exception
    assert at.success[0].value == md("Wrote 1 change(s) to events.yaml.")
    after = events.read_text(encoding="utf-8")
    assert after.startswith(before)
    assert after[len(before):] == (
        "  - place: tal-rifaat\n"
        "    date: 2024-12-01\n"
        "    kind: captured\n"
        "    faction: sna\n"
        "    previous: sdf\n"
        "    confidence: reported\n"
        "    source: {outlet: Test Wire, published: 2024-12-02, url: null, article: null}\n"
        "    quote: Turkish-backed factions seized the town of Tal Rifaat from Kurdish-led forces on Sunday, "
        "a war monitor said.\n"
        "    origin: extracted\n"
        "    reviewed: true\n"
    )
    assert len(list((data / ".backups").iterdir())) == 1
    # The written change leaves the list; running the same report again offers it as a duplicate only.
    assert not at.data_editor
    at.button(key="ing_run").click().run()
    at.session_state[ingest_key(at)] = {
        "edited_rows": {0: {"accept": True}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    at.button(key="ing_write").click().run()
    assert at.success[0].value == md("Wrote 0 change(s) to events.yaml. 1 already in the log were skipped.")
    assert events.read_text(encoding="utf-8") == after


def test_ingest_corrections_before_accepting_are_written(data: Path) -> None:
    events = data / "events.yaml"
    at = run_report()
    at.session_state[ingest_key(at)] = {
        "edited_rows": {0: {"accept": True, "confidence": "claimed", "date": "2024-11-30",
                            "previous": "government"}},
        "added_rows": [], "deleted_rows": [],
    }
    at.run()
    at.button(key="ing_write").click().run()
    tail = events.read_text(encoding="utf-8").split("  - place: tal-rifaat\n")[-1]
    assert tail.startswith(
        "    date: 2024-11-30\n    kind: captured\n    faction: sna\n    previous: government\n"
        "    confidence: claimed\n"
    )
    assert tail.endswith("    origin: extracted\n    reviewed: false\n")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Rebels took Tal Rifaat.", "pasted text: no publication date; give --published YYYY-MM-DD or a "
         "'# published: YYYY-MM-DD' line"),
        ("# published: 2024-12-02\n\n  \n", "pasted text: the report is empty; expected text after any "
         "'# key: value' lines"),
    ],
)
def test_ingest_explains_a_report_it_cannot_read(data: Path, text: str, message: str) -> None:
    at = run_report(text)
    assert at.error[0].value == md(message)


def test_ingest_reads_several_uploads_and_refuses_binary_ones(data: Path) -> None:
    at = page("ingest")
    at.file_uploader(key="ing_files").set_value([
        ("one.txt", REPORT.encode("utf-8"), "text/plain"),
        ("two.txt", b"\x89PNG\r\n\x1a\n\x00\x00", "text/plain"),
        ("three.txt", "# published: 2024-12-02\nقصف على حلب".encode("cp1256"), "text/plain"),
    ])
    at.button(key="ing_run").click().run()
    assert not at.exception
    first_line = "Turkish-backed factions seized the town of Tal Rifaat from Kurdish-led forces on Sunday, " \
        "a war monitor said."
    assert [s.value for s in at.subheader] == [md(first_line), md("two.txt"), md("three.txt")]
    assert [e.value for e in at.error] == [md(m) for m in (
        "two.txt: looks like a binary file (NUL bytes); expected a plain-text news report",
        "three.txt: not UTF-8 text (bad byte at offset 24); save it as UTF-8",
    )]


def test_ingest_refuses_to_write_without_an_outlet(data: Path) -> None:
    events = data / "events.yaml"
    before = events.read_bytes()
    at = run_report(REPORT.replace("# outlet: Test Wire\n", ""))
    at.session_state[ingest_key(at)] = {
        "edited_rows": {0: {"accept": True}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    at.button(key="ing_write").click().run()
    assert at.error[0].value == md("Give the outlet (or an '# outlet:' line in the report) first.")
    assert events.read_bytes() == before


@pytest.mark.parametrize(
    "hostile",
    ["<img src=x onerror=alert(1)>", "</div><script>alert(1)</script>", "`${alert(1)}`", "a & b \"q\" 'x'"],
)
def test_highlighted_text_is_built_from_escaped_pieces(hostile: str) -> None:
    from dashboard.models import Mention
    from dashboard.views.ingest_page import highlight_html

    text = f"{hostile} near Tal Rifaat {hostile}"
    start = text.index("Tal Rifaat")
    mention = Mention("Tal Rifaat", start, start + 10, "tal-rifaat", None, None, "town")
    html = highlight_html(text, [mention], [(hostile, 0, len(hostile))])
    body = html.removeprefix('<div style="white-space:pre-wrap;line-height:1.7">').removesuffix("</div>")
    for tag in ("<img", "<script", "</div>", "`", "${"):
        assert tag not in body
    assert body.count("<mark ") == 1
    assert body.count("<span ") == 1


def test_gazetteer_adds_a_place_by_hand(data: Path) -> None:
    places = data / "places.yaml"
    at = page("gazetteer")
    at.text_input(key="gaz_add_name").input("Atshan")
    at.selectbox(key="gaz_add_admin1").select("hama-governorate")
    at.number_input(key="gaz_add_lat").set_value(35.12)
    at.number_input(key="gaz_add_lon").set_value(36.95)
    at.button(key="FormSubmitter:gaz_add_form-Add place").click().run()
    assert not at.exception
    assert at.success[0].value == md("Added atshan to the gazetteer.")
    assert places.read_text(encoding="utf-8").endswith(
        "  - id: atshan\n    name: Atshan\n    kind: village\n    admin1: hama-governorate\n"
        "    lat: 35.12\n    lon: 36.95\n    coords_source: manual\n"
    )


def test_gazetteer_refuses_a_taken_id_by_hand(data: Path) -> None:
    places = data / "places.yaml"
    before = places.read_bytes()
    at = page("gazetteer")
    at.text_input(key="gaz_add_name").input("Saraqib")
    at.button(key="FormSubmitter:gaz_add_form-Add place").click().run()
    assert at.error[0].value == "Not added: " + md("place id 'saraqib' is already taken; choose another id")
    assert places.read_bytes() == before


# ---------------------------------------------------------------- hostile data and the shipped data

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "pages" / "hostile"
EVIL_NAME = "<img src=x onerror=alert(1)>"


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the hostile fixture, selected through CONFLICT_MAP_DATA."""
    folder = tmp_path / "hostile"
    shutil.copytree(HOSTILE, folder)
    monkeypatch.setenv("CONFLICT_MAP_DATA", str(folder))
    return folder


def test_hostile_names_show_as_text_on_the_changes_page(hostile: Path, downloads: dict[str, bytes]) -> None:
    at = page("changes")
    (row,) = table(at, "changes_table")
    assert row["Place"] == EVIL_NAME  # a table cell is drawn as text, whatever it contains
    assert row["Quote"].startswith("${alert(document.domain)}")
    assert row["Source"] == "https://example.org/x?a=<b>"
    (record,) = csv_rows(downloads["changes-2024-11-20-to-2024-11-30.csv"])
    assert record["outlet"] == "'=HYPERLINK(\"http://example.org\")"
    assert record["name"] == EVIL_NAME
    assert not at.get("html")  # no raw HTML anywhere on this page


def test_hostile_names_show_as_text_on_the_gazetteer_page(hostile: Path) -> None:
    at = page("gazetteer")
    shown = at.data_editor[0].value.set_index("id")
    assert shown.loc["evil-town", "name"] == EVIL_NAME
    aliases = "</script><script>alert(2)</script>; [click](javascript:alert(3))"
    assert shown.loc["evil-town", "aliases"] == aliases
    assert not at.get("html")


def test_hostile_report_text_is_escaped_on_the_ingest_page(hostile: Path) -> None:
    report = ("# published: 2024-12-02\n# outlet: [x](javascript:alert(6))\n"
              "<script>alert(7)</script> **rebels** took ${alert(8)} `x` near Idlib Governorate.\n")
    at = run_report(report)
    assert at.subheader[0].value == md("<script>alert(7)</script> **rebels** took ${alert(8)} `x` near "
                                       "Idlib Governorate.")
    html = at.get("html")[0].value
    assert "<script" not in html
    assert "&lt;script&gt;alert(7)&lt;/script&gt;" in html
    assert "&#36;{alert(8)}" in html
    assert "&#96;x&#96;" in html


@pytest.mark.parametrize("name", ["changes", "gazetteer", "ingest"])
def test_pages_run_on_the_shipped_data(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONFLICT_MAP_DATA", raising=False)
    at = page(name)
    assert not at.error


def test_ingest_on_a_copy_of_the_shipped_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "data"
    skip = shutil.ignore_patterns(".backups", "*.lock", ".geocode-cache")
    shutil.copytree(ROOT / "data", folder, ignore=skip)
    monkeypatch.setenv("CONFLICT_MAP_DATA", str(folder))
    before = (folder / "events.yaml").read_text(encoding="utf-8")
    at = run_report(
        "# published: 2024-12-06\n# outlet: Test Wire\n"
        "Rebels seized the town of Kafr Nabl on Thursday after government troops pulled out, "
        "a monitor said.\n"
    )
    rows = at.data_editor[0].value.to_dict("records")
    # The engine's reading on the real gazetteer; the write below is what this test is about.
    assert [(r["place"], r["faction"], r["kind"], str(r["date"])[:10]) for r in rows] == [
        ("Kafr Nabl (kafr-nabl)", "opposition", "captured", "2024-12-05"),
    ]
    at.session_state[ingest_key(at)] = {
        "edited_rows": {0: {"accept": True}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    at.button(key="ing_write").click().run()
    assert not at.exception
    after = (folder / "events.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)
    assert "    source: {outlet: Test Wire, published: 2024-12-06, url: null, article: null}\n" in after
    assert (ROOT / "data" / "events.yaml").read_text(encoding="utf-8") == before  # shipped data untouched


def test_unknown_name_goes_to_the_gazetteer_page_for_geocoding(data: Path) -> None:
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    at.switch_page("views/ingest_page.py").run()
    report = "# published: 2024-12-02\nFighting went on near Atshan, a monitor said.\n"
    at.text_area(key="ing_text").input(report)
    at.button(key="ing_run").click().run()
    at.button(key="ing_geocode_0_0").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Gazetteer"]
    assert at.selectbox(key="gaz_geo_target").value == gp.NEW_PLACE
    assert at.text_input(key="gaz_geo_name").value == "Atshan"


def test_gazetteer_save_warns_about_likely_swapped_coordinates(data: Path) -> None:
    places = data / "places.yaml"
    at = page("gazetteer")
    edit_cells(at, {"saraqib": {"lat": 40.1, "lon": 35.86447}})
    at.run()
    at.button(key="gaz_save").click().run()
    assert not at.exception
    assert "    lat: 40.1\n    lon: 35.86447\n" in places.read_text(encoding="utf-8")
    assert [w.value for w in at.warning] == [md(
        f"{places}:48:10: warning: place 'saraqib' at 40.1, 35.8645 is outside the Syria region "
        "(31.8..37.9 N, 35.2..42.9 E) (lat and lon swapped?)"
    )]


def test_ingest_keeps_a_plain_article_id_from_an_uploaded_file_name(data: Path) -> None:
    events = data / "events.yaml"
    at = page("ingest")
    upload = ("AFP <b>2 Dec</b>.txt", REPORT.encode("utf-8"), "text/plain")
    at.file_uploader(key="ing_files").set_value([upload])
    at.button(key="ing_run").click().run()
    at.session_state[ingest_key(at)] = {
        "edited_rows": {0: {"accept": True}}, "added_rows": [], "deleted_rows": [],
    }
    at.run()
    at.button(key="ing_write").click().run()
    assert "article: afp-b-2-dec-b}" in events.read_text(encoding="utf-8")


def test_broken_data_keeps_the_last_good_view_and_blocks_writes(data: Path) -> None:
    places = data / "places.yaml"
    at = run_report()
    at.session_state[ingest_key(at)] = {
        "edited_rows": {0: {"accept": True}}, "added_rows": [], "deleted_rows": [],
    }
    broken = places.read_text(encoding="utf-8").replace("  - id: saraqib\n", "  - id: saraqib\n  id: x\n")
    places.write_text(broken, encoding="utf-8")  # a hand edit that breaks the YAML
    at.run()
    assert at.error[0].value.startswith("The data files have problems:")
    assert at.warning[-1].value == "The data files on disk are broken; fix them before writing from here."
    assert at.button(key="ing_write").disabled
