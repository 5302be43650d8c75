"""`conflict-map ingest`: reading reports, the JSON shape, writing changes once, and clear errors."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from dashboard.articles import parse_article, read_article, split_headers
from dashboard.cli import main
from dashboard.errors import IngestError

FIXTURES = Path(__file__).parent / "devset" / "fixtures"
REPORT = """# published: 2024-12-02
# outlet: Test Wire
# source: https://example.org/report
Rebels take Tal Rifaat

Turkish-backed factions seized Tal Rifaat from Kurdish forces on Sunday, the monitor said.
Jets struck Saraqib. Fighters reached the town of Kafr Basha.
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(FIXTURES / "places.yaml", folder / "places.yaml")
    shutil.copy(FIXTURES / "factions.yaml", folder / "factions.yaml")
    return folder


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "tal-rifaat.txt"
    path.write_text(REPORT, encoding="utf-8")
    return path


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]], str]:
    code = main(["ingest", *args, "--json"])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def test_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str], data: Path, report: Path) -> None:
    code, (doc,), _ = run_json(capsys, str(report), "--data", str(data))
    assert code == 0
    assert list(doc) == ["file", "published", "mentions", "changes", "unresolved"]
    assert (doc["file"], doc["published"]) == (str(report), "2024-12-02")
    text = read_article(report).text
    mentions = doc["mentions"]
    assert isinstance(mentions, list)
    assert [m["place"] for m in mentions] == ["tal-rifaat", "tal-rifaat", "saraqib"]
    first = mentions[0]
    assert list(first) == ["text", "start", "end", "place", "lat", "lon", "kind"]
    assert text[first["start"]: first["end"]] == first["text"] == "Tal Rifaat"
    assert (first["lat"], first["lon"], first["kind"]) == (36.47, 37.09, "town")
    assert doc["changes"] == [{
        "place": "tal-rifaat", "faction": "sna", "date": "2024-12-01", "kind": "captured",
        "confidence": "reported",
        "quote": "Turkish-backed factions seized Tal Rifaat from Kurdish forces on Sunday, the monitor said.",
        "previous": "sdf",
    }]
    assert doc["unresolved"] == [{"text": "Kafr Basha", "start": text.index("Kafr Basha"),
                                  "end": text.index("Kafr Basha") + len("Kafr Basha")}]


def test_published_flag_wins_over_the_header_with_a_warning(
    capsys: pytest.CaptureFixture[str], data: Path, report: Path,
) -> None:
    code, (doc,), err = run_json(capsys, str(report), "--data", str(data), "--published", "2024-12-03")
    assert code == 0
    assert doc["published"] == "2024-12-03"
    assert err == (f"warning: {report}: --published 2024-12-03 overrides its '# published: 2024-12-02' "
                   "line\n")


def test_write_appends_each_change_once(capsys: pytest.CaptureFixture[str], data: Path, report: Path) -> None:
    events = data / "events.yaml"
    assert main(["ingest", str(report), "--data", str(data), "--write"]) == 0
    first = events.read_text(encoding="utf-8")
    assert main(["ingest", str(report), "--data", str(data), "--write"]) == 0
    assert events.read_text(encoding="utf-8") == first
    err = capsys.readouterr().err
    assert f"{events}: appended 1 change(s), skipped 0 already logged" in err
    assert f"{events}: appended 0 change(s), skipped 1 already logged" in err
    from dashboard.events import load_events

    (ev,) = load_events(events).events
    assert (ev.place, ev.faction, ev.previous, ev.date, ev.kind) == (
        "tal-rifaat", "sna", "sdf", dt.date(2024, 12, 1), "captured")
    assert (ev.origin, ev.reviewed, ev.source.outlet, ev.source.url, ev.source.article) == (
        "extracted", False, "Test Wire", "https://example.org/report", "tal-rifaat")


def test_human_output_lists_places_and_changes(
    capsys: pytest.CaptureFixture[str], data: Path, report: Path,
) -> None:
    assert main(["ingest", str(report), "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "places (3 mention(s)): Tal Rifaat x2, Saraqib" in out
    assert "2024-12-01  Tal Rifaat: captured by sna from sdf, reported" in out
    assert "not in the gazetteer: Kafr Basha" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00\x01\x02binary", "looks like a binary file (NUL bytes); expected a plain-text news report"),
        (b"", "the report is empty; expected text after any '# key: value' lines"),
        (b"# published: 2024-12-02\n\n  \n",
         "the report is empty; expected text after any '# key: value' lines"),
        (b"\xff\xfeRebels", "not UTF-8 text (bad byte at offset 0); save the report as UTF-8"),
        (b"Rebels took Saraqib.", "no publication date; give --published YYYY-MM-DD or a '# published: "
                                  "YYYY-MM-DD' line"),
        (b"# published: 2 Dec 2024\nRebels took Saraqib.",
         "'# published:' header: unknown date format '2 Dec 2024'; expected YYYY-MM-DD, e.g. 2024-12-02"),
    ],
)
def test_bad_reports_get_a_clear_message_and_exit_1(
    capsys: pytest.CaptureFixture[str], data: Path, tmp_path: Path, content: bytes, message: str,
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    assert main(["ingest", str(path), "--data", str(data)]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"error: {path}: {message}\n")


def test_one_bad_file_does_not_stop_the_others(
    capsys: pytest.CaptureFixture[str], data: Path, report: Path, tmp_path: Path,
) -> None:
    missing = tmp_path / "missing.txt"
    code, docs, err = run_json(capsys, str(missing), str(report), "--data", str(data))
    assert code == 1
    assert [d["file"] for d in docs] == [str(report)]
    assert err == f"error: {missing}: no such file\n"


def test_bad_published_flag(capsys: pytest.CaptureFixture[str], data: Path, report: Path) -> None:
    assert main(["ingest", str(report), "--data", str(data), "--published", "yesterday"]) == 1
    assert capsys.readouterr().err == (
        "error: --published: unknown date format 'yesterday'; expected YYYY-MM-DD, e.g. 2024-12-02\n")


def test_headers_are_split_and_offsets_index_the_text_after_them() -> None:
    raw = "\ufeff# published: 2024-12-02\r\n# outlet: AFP\r\n# Syria: not a header\r\nBody"
    article = parse_article(raw)
    assert (article.published, article.outlet, article.url) == (dt.date(2024, 12, 2), "AFP", None)
    assert article.text == "# Syria: not a header\nBody"
    assert split_headers("no headers") == ({}, "no headers")


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match=r"is a directory; expected a text file$"):
        read_article(tmp_path, published=dt.date(2024, 12, 2))


def test_afp_seed_report_meets_the_done_criteria(capsys: pytest.CaptureFixture[str]) -> None:
    """The worked example, read from ../shared/seed when it is there, against the shipped data."""
    seed = Path(__file__).resolve().parents[2] / "shared" / "seed" / "afp-2024-12-02-assad-redraw-map.txt"
    if not seed.exists():
        pytest.skip("the AFP seed report is not on this machine")
    code, (doc,), _ = run_json(capsys, str(seed), "--published", "2024-12-02")
    assert code == 0
    got = {(c["place"], c["faction"], c["kind"], c["date"]) for c in doc["changes"]}  # type: ignore[index, union-attr]
    assert got == {
        ("aleppo", "hts", "captured_partial", "2024-11-30"),
        ("khan-sheikhun", "hts", "captured", "2024-12-02"),
        ("maaret-al-numan", "hts", "captured", "2024-12-02"),
        ("tal-rifaat", "sna", "captured", "2024-12-01"),
    }
    assert all(c["quote"] for c in doc["changes"])  # type: ignore[index, union-attr]
    previous = {c["place"]: c["previous"] for c in doc["changes"]}  # type: ignore[index, union-attr]
    assert previous["tal-rifaat"] == "sdf"
