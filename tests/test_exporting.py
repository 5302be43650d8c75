"""Snapshot and change-log exports: exact CSV text, GeoJSON shape, formula guard, deterministic order."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest

from dashboard import exporting
from dashboard.models import ControlEvent, Faction, Place, Source, Status

D = dt.date
AFP = Source(outlet="AFP", published=D(2024, 12, 2), url="https://example.org/afp-1")
PLACES = {
    "tal-rifaat": Place(
        "tal-rifaat", "Tal Rifaat", "town", 36.4726, 37.0969, name_ar="تل رفعت", admin1="aleppo"
    ),
    "aleppo": Place("aleppo", "Aleppo", "city", 36.2, 37.16, admin1="aleppo"),
    "nowhere": Place("nowhere", "=HYPERLINK(\"http://x\")", "village", None, None),
    "quiet": Place("quiet", "Quiet", "village", 35.0, 36.0),
}
FACTIONS = {
    "sna": Faction("sna", "Syrian National Army", "#123456"),
    "sdf": Faction("sdf", "Syrian Democratic Forces", "#654321"),
    "hts": Faction("hts", "HTS-led coalition", "#abcdef"),
}
EV_TAL = ControlEvent(
    place="tal-rifaat", date=D(2024, 12, 1), kind="captured", faction="sna", source=AFP,
    quote="Turkish-backed groups took the town, sources said", origin="extracted", reviewed=False, line=3,
)
EV_ALEPPO = ControlEvent(
    place="aleppo", date=D(2024, 11, 30), kind="entered", faction="hts",
    source=Source("Reuters", D(2024, 11, 30), "javascript:alert(1)"),
    quote='-1 said "yes", then left', line=9,
)
EV_NOWHERE = ControlEvent(
    place="nowhere", date=D(2024, 11, 29), kind="captured", faction="sdf", source=AFP, line=1
)
SNAPSHOT = {
    "tal-rifaat": Status("tal-rifaat", "held", ("sna",), D(2024, 12, 1), (EV_TAL,)),
    "aleppo": Status("aleppo", "contested", ("hts", "government"), D(2024, 11, 30), (EV_ALEPPO,)),
    "nowhere": Status("nowhere", "held", ("sdf",), D(2024, 11, 29), (EV_NOWHERE,)),
    "quiet": Status("quiet", "unknown"),
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Aleppo", "Aleppo"),
        ("a=b", "a=b"),
        ("", ""),
        (-1.5, -1.5),
        (True, True),
    ],
)
def test_guard_cell_prefixes_formula_starts_only_in_text(value: object, expected: object) -> None:
    assert exporting.guard_cell(value) == expected


def test_snapshot_csv_is_long_format_sorted_and_guarded() -> None:
    text = exporting.snapshot_csv(PLACES, SNAPSHOT, D(2024, 12, 2), FACTIONS)
    lines = text.split("\r\n")
    assert lines[0] == ",".join(exporting.SNAPSHOT_COLUMNS)
    assert lines[1:] == [
        "2024-12-02,aleppo,Aleppo,,city,aleppo,36.2,37.16,contested,hts,HTS-led coalition,2024-11-30,"
        "reported,Reuters,2024-11-30,,manual,True",
        "2024-12-02,aleppo,Aleppo,,city,aleppo,36.2,37.16,contested,government,government,2024-11-30,"
        "reported,Reuters,2024-11-30,,manual,True",
        "2024-12-02,nowhere,\"'=HYPERLINK(\"\"http://x\"\")\",,village,,,,held,sdf,Syrian Democratic Forces,"
        "2024-11-29,reported,AFP,2024-12-02,https://example.org/afp-1,manual,True",
        "2024-12-02,tal-rifaat,Tal Rifaat,تل رفعت,town,aleppo,36.4726,37.0969,held,sna,Syrian National Army,"
        "2024-12-01,reported,AFP,2024-12-02,https://example.org/afp-1,extracted,False",
        "",
    ]


def test_snapshot_csv_lists_unknown_places_only_on_request() -> None:
    without = exporting.snapshot_csv(PLACES, SNAPSHOT, D(2024, 12, 2))
    with_unknown = exporting.snapshot_csv(PLACES, SNAPSHOT, D(2024, 12, 2), include_unknown=True)
    assert ",quiet," not in without
    assert "2024-12-02,quiet,Quiet,,village,,35.0,36.0,unknown,,,,,,,,,\r\n" in with_unknown


def test_snapshot_csv_does_not_depend_on_input_order() -> None:
    shuffled = dict(reversed(list(PLACES.items())))
    assert exporting.snapshot_csv(shuffled, SNAPSHOT, D(2024, 12, 2)) == exporting.snapshot_csv(
        PLACES, SNAPSHOT, D(2024, 12, 2)
    )


def test_snapshot_geojson_has_one_feature_per_place_and_null_geometry_without_coords() -> None:
    fc = exporting.snapshot_geojson(PLACES, SNAPSHOT, D(2024, 12, 2), FACTIONS)
    assert fc["type"] == "FeatureCollection"
    assert fc["date"] == "2024-12-02"
    assert [f["id"] for f in fc["features"]] == ["aleppo", "nowhere", "tal-rifaat"]
    aleppo, nowhere, tal = fc["features"]
    assert aleppo["geometry"] == {"type": "Point", "coordinates": [37.16, 36.2]}
    assert aleppo["properties"]["factions"] == ["hts", "government"]
    assert aleppo["properties"]["url"] is None  # the javascript: link is dropped
    assert nowhere["geometry"] is None
    assert nowhere["properties"]["name"] == '=HYPERLINK("http://x")'  # JSON is data, not a spreadsheet
    assert tal["properties"] == {
        "date": "2024-12-02", "place": "tal-rifaat", "name": "Tal Rifaat", "name_ar": "تل رفعت",
        "kind": "town", "admin1": "aleppo", "state": "held", "faction": "sna",
        "faction_name": "Syrian National Army",
        "since": "2024-12-01", "confidence": "reported", "outlet": "AFP", "published": "2024-12-02",
        "url": "https://example.org/afp-1", "origin": "extracted", "reviewed": False, "factions": ["sna"],
        "faction_names": ["Syrian National Army"],
        "quote": "Turkish-backed groups took the town, sources said",
    }


class FakeTimeline:
    """Answers status_at from a fixed table, recording what was asked."""

    def __init__(self, holders: dict[str, str]) -> None:
        self.holders = holders
        self.asked: list[tuple[str, dt.date]] = []

    def status_at(self, place_id: str, date: dt.date) -> Status:
        self.asked.append((place_id, date))
        holder = self.holders.get(place_id)
        if holder is None:
            return Status(place_id, "unknown")
        return Status(place_id, "held", (holder,))


def test_change_rows_sort_and_fill_previous_from_the_day_before() -> None:
    timeline = FakeTimeline({"tal-rifaat": "sdf"})
    rows = exporting.change_rows([EV_TAL, EV_ALEPPO, EV_NOWHERE], PLACES, FACTIONS, timeline)
    assert [r.event.place for r in rows] == ["nowhere", "aleppo", "tal-rifaat"]
    assert [r.previous for r in rows] == [None, None, "sdf"]
    assert rows[2].previous_name == "Syrian Democratic Forces"
    assert ("tal-rifaat", D(2024, 11, 30)) in timeline.asked


def test_change_rows_keep_an_explicit_previous() -> None:
    ev = ControlEvent("aleppo", D(2024, 11, 30), "captured", "hts", AFP, previous="government")
    rows = exporting.change_rows([ev], PLACES, FACTIONS, FakeTimeline({"aleppo": "sdf"}))
    assert rows[0].previous == "government"


def test_changes_csv_quotes_commas_and_guards_formulas() -> None:
    rows = exporting.change_rows([EV_ALEPPO], PLACES, FACTIONS)
    parsed = list(csv.DictReader(io.StringIO(exporting.changes_csv(rows))))
    assert parsed == [
        {
            "date": "2024-11-30", "place": "aleppo", "name": "Aleppo", "name_ar": "", "kind": "entered",
            "faction": "hts", "faction_name": "HTS-led coalition", "previous": "", "previous_name": "",
            "confidence": "reported", "outlet": "Reuters", "published": "2024-11-30", "url": "",
            "quote": "'-1 said \"yes\", then left", "origin": "manual", "reviewed": "True",
            "admin1": "aleppo",
            "lat": "36.2", "lon": "37.16", "note": "",
        }
    ]


def test_changes_geojson_is_deterministic_and_readable() -> None:
    rows = exporting.change_rows([EV_TAL, EV_NOWHERE], PLACES, FACTIONS)
    fc = exporting.changes_geojson(rows, D(2024, 11, 26), D(2024, 12, 2))
    assert (fc["start"], fc["end"]) == ("2024-11-26", "2024-12-02")
    tal_point = {"type": "Point", "coordinates": [37.0969, 36.4726]}
    assert [f["geometry"] for f in fc["features"]] == [None, tal_point]
    text = exporting.dumps_geojson(fc)
    assert "تل رفعت" in text
    assert json.loads(text) == fc
    reordered = exporting.changes_geojson(list(reversed(rows)), D(2024, 11, 26), D(2024, 12, 2))
    again = exporting.dumps_geojson(reordered)
    assert again == text


def test_changes_for_an_unknown_place_still_export() -> None:
    ev = ControlEvent("ghost", D(2024, 12, 1), "captured", "sna", AFP)
    (row,) = exporting.change_rows([ev], PLACES, FACTIONS)
    assert row.as_dict()["name"] == "ghost"
    assert exporting.changes_geojson([row])["features"][0]["geometry"] is None


def test_excel_bytes_start_with_a_bom() -> None:
    assert exporting.to_excel_bytes("a,b\r\n") == b"\xef\xbb\xbfa,b\r\n"


# ---------------------------------------------------------------- conflict-map export

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "pages" / "data"
Capture = pytest.CaptureFixture[str]


def run_cli(args: list[str], capsys: Capture) -> tuple[int, str, str]:
    """Run ``conflict-map`` in-process; return (exit code, stdout, stderr)."""
    from dashboard import cli

    try:
        code = cli.main(args)
    except SystemExit as exc:  # argparse refusing the arguments
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_export_csv_snapshot_to_stdout(capsys: Capture) -> None:
    args = ["export", "--date", "2024-11-29", "--format", "csv", "--data", str(FIXTURE)]
    code, out, err = run_cli(args, capsys)
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["place"], r["state"], r["faction"], r["since"]) for r in rows] == [
        ("aleppo", "held", "government", "2024-11-20"),
        ("khan-sheikhun", "held", "government", "2024-11-20"),
        ("saraqib", "held", "hts", "2024-11-28"),
        ("tal-rifaat", "held", "sdf", "2024-11-20"),
    ]


def test_export_geojson_to_a_file_with_unknown_places(tmp_path: Path, capsys: Capture) -> None:
    target = tmp_path / "out" / "control.geojson"
    code, out, _ = run_cli(
        ["export", "--date", "2024-12-01", "--format", "geojson", "--data", str(FIXTURE), "--include-unknown",
         "--output", str(target)], capsys,
    )
    assert (code, out) == (0, "")
    fc = json.loads(target.read_text(encoding="utf-8"))
    states = {f["id"]: (f["properties"]["state"], f["properties"]["faction"]) for f in fc["features"]}
    assert states["tal-rifaat"] == ("held", "sna")
    assert states["kafr-nabl"] == ("unknown", None)
    assert [f["geometry"] for f in fc["features"] if f["id"] == "kafr-nabl"] == [None]
    assert not list(target.parent.glob(".tmp-*"))


def test_export_changes_since_is_inclusive(capsys: Capture) -> None:
    code, out, _ = run_cli(
        ["export", "--date", "2024-12-01", "--changes-since", "2024-11-30", "--format", "csv",
         "--data", str(FIXTURE)], capsys,
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["date"], r["place"], r["previous"], r["faction"]) for r in rows] == [
        ("2024-11-30", "aleppo", "government", "hts"), ("2024-12-01", "tal-rifaat", "sdf", "sna"),
    ]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--date", "2024-13-01", "--format", "csv"], 2, "argument --date: expected a date as YYYY-MM-DD, "
         "got '2024-13-01'"),
        (["--date", "2024-12-01", "--format", "xml"], 2, "argument --format: invalid choice: 'xml'"),
        (["--date", "2024-11-01", "--changes-since", "2024-12-01", "--format", "csv"], 2,
         "error: --changes-since 2024-12-01 is after --date 2024-11-01"),
    ],
)
def test_export_refuses_bad_arguments(
    args: list[str], code: int, message: str, capsys: Capture
) -> None:
    got, out, err = run_cli(["export", *args, "--data", str(FIXTURE)], capsys)
    assert (got, out) == (code, "")
    assert message in err


def test_export_reports_broken_data_with_its_location(tmp_path: Path, capsys: Capture) -> None:
    folder = tmp_path / "data"
    shutil.copytree(FIXTURE, folder)
    events = folder / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace("faction: sna", "faction: snA"), "utf-8")
    args = ["export", "--date", "2024-12-01", "--format", "csv", "--data", str(folder)]
    code, out, err = run_cli(args, capsys)
    assert (code, out) == (1, "")
    assert err.startswith(f"error: {events}:")
    assert "unknown faction 'snA'" in err


def test_export_reports_an_unwritable_output(tmp_path: Path, capsys: Capture) -> None:
    args = ["export", "--date", "2024-12-01", "--format", "csv", "--data", str(FIXTURE),
            "--output", str(tmp_path)]
    code, out, err = run_cli(args, capsys)
    assert (code, out) == (1, "")
    assert err == f"error: cannot write {tmp_path}: Is a directory\n"
    assert not list(tmp_path.parent.glob(".tmp-*"))  # the half-written temp file is gone
