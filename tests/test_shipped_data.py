"""The shipped data folder validates, loads through the fast parser as libyaml reads it, and replays."""

from __future__ import annotations

import pytest

from dashboard import yamlio
from dashboard.control import ControlTimeline
from dashboard.paths import REPO_ROOT
from dashboard.validation import validate_data

DATA = REPO_ROOT / "data"
# Warnings the shipped data may carry: places awaiting coordinates, and names GeoNames gives two places.
ALLOWED_WARNINGS = ("has events but no coordinates yet", "is also a name of")


def test_shipped_data_validates_without_errors() -> None:
    report = validate_data(DATA)
    assert [e.render() for e in report.errors] == []
    assert report.counts["places"] >= 300
    assert report.counts["events"] >= 100
    unexpected = [w.render() for w in report.warnings if not any(a in w.message for a in ALLOWED_WARNINGS)]
    assert unexpected == []


@pytest.mark.parametrize("name", ["places.yaml", "events.yaml", "factions.yaml"])
def test_the_fast_parser_reads_shipped_files_exactly_as_libyaml(name: str) -> None:
    body = (DATA / name).read_bytes()
    text = body.decode("utf-8")
    slow = yamlio._parse_events(body, name)
    fast = yamlio._parse_lines(text, body)
    assert fast is None or fast == slow
    if name != "factions.yaml":  # descriptions there use folded block scalars, which go to libyaml
        assert fast is not None


def test_every_change_date_of_the_shipped_log_has_a_snapshot() -> None:
    report = validate_data(DATA)
    assert report.events is not None
    assert report.gazetteer is not None
    timeline = ControlTimeline(report.events.events, report.gazetteer)
    known_states = {"held", "contested", "partial", "mixed", "unknown", "abandoned"}
    for when in timeline.change_dates():
        snap = timeline.snapshot(when)
        assert set(snap) >= set(report.gazetteer.places)
        assert {s.state for s in snap.values()} <= known_states
