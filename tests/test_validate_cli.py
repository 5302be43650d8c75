"""``conflict-map validate``: a FILE:LINE:COL line per problem and exit 1; else one summary line, exit 0."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import validation
from dashboard.cli import main
from dashboard.models import ControlEvent, Source
from dashboard.validation import validate_data


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    code = main(["validate", *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_clean_data_prints_one_summary_line(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    code, out, err = _run(capsys, "--data", str(data_dir))
    assert code == 0
    assert err == []
    assert len(out) == 1
    assert re.fullmatch(rf"ok: 4 places, 5 factions, 3 events in {re.escape(str(data_dir))}/ \(\d+\.\d\d s\)",
                        out[0])


BAD = [
    ("places.yaml", "    lat: 36.4723\n", "    lat: [36.4723\n",
     "places.yaml:27:8: YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence "
     "started at line 26)"),
    ("places.yaml", "    kind: town\n", "    kind: town\n    kind: city\n",
     "places.yaml:25:5: duplicate key 'kind' (first at line 24)"),
    ("places.yaml", "    kind: town\n", "    kind: town\n    lng: 37.1\n",
     "places.yaml:25:5: unknown field 'lng' in place 'tal-rifaat'; did you mean 'lon'?"),
    ("places.yaml", "    lat: 36.4723\n", "    lat: 136.4723\n",
     "places.yaml:26:10: place 'tal-rifaat' has latitude 136.472; expected -90..90"),
    ("places.yaml", "  - id: tal-rifaat\n", "  - id: aleppo\n",
     "places.yaml:21:9: duplicate place id 'aleppo' (first at line 7)"),
    ("events.yaml", "faction: sna\n", "faction: snA\n",
     "events.yaml:20:14: unknown faction 'snA'; known: government, hts, sna, sdf, russia"),
    ("events.yaml", "date: 2024-12-01\n", "date: 2024-02-30\n",
     "events.yaml:18:11: date of event 2024-02-30 is an impossible date (day is out of range for month)"),
    ("events.yaml", "date: 2024-12-01\n", "date: 2099-12-01\n",
     "events.yaml:18:11: date of event 2099-12-01 is in the future (today is " + dt.date.today().isoformat()
     + ")"),
    ("events.yaml", "    source: {outlet: AFP, published: 2024-12-02}\n", "",
     "events.yaml:17:5: event is missing required field 'source'"),
    ("events.yaml", "  - place: tal-rifaat\n", "  - place: tal-rifat\n",
     "events.yaml:17:12: unknown place 'tal-rifat'; did you mean 'tal-rifaat'?"),
    ("factions.yaml", "  - id: hts\n", "  - id: government\n",
     "factions.yaml:6:9: duplicate faction id 'government' (first at line 2)"),
]


@pytest.mark.parametrize("case", BAD, ids=[case[3].split(": ", 1)[1][:40] for case in BAD])
def test_each_problem_is_one_located_line_and_exit_1(
    capsys: pytest.CaptureFixture[str], data_dir: Path, case: tuple[str, str, str, str],
) -> None:
    name, old, new, message = case
    _edit(data_dir / name, old, new)
    code, out, err = _run(capsys, "--data", str(data_dir))
    assert code == 1
    assert f"{data_dir}/{message}" in out
    assert len(err) == 1
    assert err[0].startswith("failed: ")
    assert not any("Traceback" in line for line in out + err)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("places.yaml", b"a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b]\n",
     "places.yaml:1:4: anchors and aliases (&name, *name) are not allowed; write the value out"),
    ("places.yaml", b"places:\n  - id: caf\xe9\n",
     "places.yaml:2:12: invalid UTF-8: byte 0xe9 at byte offset 19; save the file as UTF-8"),
    ("events.yaml", b"",
     "events.yaml:1:1: file is empty; expected a mapping with an 'events:' list at the top"),
])
def test_whole_file_problems(capsys: pytest.CaptureFixture[str], data_dir: Path, name: str, content: bytes,
                             message: str) -> None:
    (data_dir / name).write_bytes(content)
    code, out, _ = _run(capsys, "--data", str(data_dir))
    assert code == 1
    assert f"{data_dir}/{message}" in out


def test_a_missing_file_and_a_missing_folder(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    (data_dir / "factions.yaml").unlink()
    code, out, _ = _run(capsys, "--data", str(data_dir))
    assert code == 1
    assert f"{data_dir}/factions.yaml:1:1: file not found" in out
    code, out, _ = _run(capsys, "--data", str(data_dir / "nope"))
    assert (code, out) == (1, [f"{data_dir / 'nope'}:1:1: data folder not found"])


def test_a_broken_place_does_not_cascade_into_its_events(capsys: pytest.CaptureFixture[str],
                                                        data_dir: Path) -> None:
    _edit(data_dir / "places.yaml", "    lat: 36.4723\n", "    lat: 136.4723\n")
    _, out, _ = _run(capsys, "--data", str(data_dir))
    assert not any("unknown place" in line for line in out)


def test_warnings_do_not_fail_and_are_limited(capsys: pytest.CaptureFixture[str], data_dir: Path) -> None:
    extra = "".join(f"  - id: far-{i}\n    name: Far {i}\n    kind: village\n    lat: 48.{i}\n    lon: 37.1\n"
                    for i in range(30))
    with (data_dir / "places.yaml").open("a", encoding="utf-8") as f:
        f.write(extra)
    code, out, _ = _run(capsys, "--data", str(data_dir))
    assert code == 0
    assert len(out) == 26
    assert out[0].endswith("warning: place 'far-0' at 48, 37.1 is outside the Syria region (31.8..37.9 N, "
                           "35.2..42.9 E)")
    assert out[-1].startswith("ok: 34 places, 5 factions, 3 events in ")
    assert out[-1].endswith("; 30 warnings (5 not shown; --all-warnings shows them)")
    _, out, _ = _run(capsys, "--data", str(data_dir), "--all-warnings")
    assert len(out) == 31
    _, out, _ = _run(capsys, "--data", str(data_dir), "-q")
    assert len(out) == 1
    code, out, err = _run(capsys, "--data", str(data_dir), "-q", "--strict")
    assert (code, out, len(err)) == (1, [], 1)


def test_validate_reads_the_environment_folder(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICT_MAP_DATA", str(data_dir))
    code, out, _ = _run(capsys)
    assert code == 0
    assert out[0].startswith("ok: 4 places")


def test_the_report_carries_the_loaded_data(data_dir: Path) -> None:
    report = validate_data(data_dir)
    assert report.ok
    assert report.gazetteer is not None
    assert report.factions is not None
    assert report.events is not None
    assert report.counts == {"places": 4, "factions": 5, "events": 3}


def test_validate_does_not_import_the_ui_libraries(data_dir: Path) -> None:
    code = ("import sys\nfrom dashboard.cli import main\nrc = main(['validate', '--data', sys.argv[1]])\n"
            "print(sorted(m for m in ('streamlit', 'folium', 'geopy', 'ruamel.yaml') if m in sys.modules))\n"
            "sys.exit(rc)\n")
    done = subprocess.run([sys.executable, "-c", code, str(data_dir)], capture_output=True, text=True,
                          check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "[]"


def test_an_event_contradicting_the_log_is_warned_about(capsys: pytest.CaptureFixture[str],
                                                       data_dir: Path) -> None:
    with (data_dir / "events.yaml").open("a", encoding="utf-8") as f:
        f.write("  - place: tal-rifaat\n    date: 2024-12-05\n    kind: captured\n    faction: hts\n"
                "    previous: government\n    source: {outlet: AFP}\n"
                "  - place: aleppo\n    date: 2024-12-03\n    kind: held\n    faction: hts\n"
                "    previous: government\n    source: {outlet: SOHR}\n")
    code, out, _ = _run(capsys, "--data", str(data_dir))
    assert code == 0
    assert out[:-1] == [f"{data_dir}/events.yaml:23:1: warning: event says 'government' held tal-rifaat "
                        "before 2024-12-05, but the log has it held by sna since 2024-12-01 (line 17)"]


def _ev(spec: str, line: int) -> ControlEvent:
    """An event from ``"place day kind faction previous"``, ``-`` for none."""
    place, day, kind, faction, previous = spec.split()
    return ControlEvent(place, dt.date(2024, 12, int(day)), kind, None if faction == "-" else faction,
                        Source("AFP"), previous=None if previous == "-" else previous, line=line)


# (events, warnings): only events after a place's first day can contradict the log, and only that place's
# own events count (the check builds its timeline from the places it has to look at).
CONTRADICTIONS = [
    ([_ev("a 1 captured sna hts", 1), _ev("a 1 captured sna sdf", 2)], []),
    ([_ev("a 1 held sna -", 1), _ev("a 3 captured hts sna", 2)], []),
    ([_ev("a 1 held sna -", 1), _ev("a 3 captured hts sdf", 2)],
     ["e.yaml:2:1: warning: event says 'sdf' held a before 2024-12-03, but the log has it held by sna since "
      "2024-12-01 (line 1)"]),
    ([_ev("b 1 held sdf -", 1), _ev("a 2 held sna -", 2),
      _ev("a 3 captured hts sdf", 3), _ev("b 3 captured hts sdf", 4)],
     ["e.yaml:3:1: warning: event says 'sdf' held a before 2024-12-03, but the log has it held by sna since "
      "2024-12-02 (line 2)"]),
    ([_ev("a 3 captured hts sdf", 1), _ev("a 1 held sna -", 2)],
     ["e.yaml:1:1: warning: event says 'sdf' held a before 2024-12-03, but the log has it held by sna since "
      "2024-12-01 (line 2)"]),
    ([_ev("a 1 withdrew - sna", 1), _ev("a 2 captured hts sdf", 2)], []),
]


@pytest.mark.parametrize(("events", "expected"), CONTRADICTIONS)
def test_contradictions_are_read_against_each_places_own_history(events: list[ControlEvent],
                                                                 expected: list[str]) -> None:
    assert [w.render() for w in validation._contradicted("e.yaml", events)] == expected
