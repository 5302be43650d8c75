"""Factions and the control log: validation messages, alias resolution, reference and date checks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from dashboard.errors import DataError, DataErrors
from dashboard.events import check_events, event_to_mapping, load_events
from dashboard.factions import check_factions, load_factions
from dashboard.gazetteer import load_gazetteer
from dashboard.models import ControlEvent, Source
from dashboard.yamlio import parse_yaml

TODAY = dt.date(2026, 11, 25)
FACTION_IDS = ["government", "hts", "sna", "sdf", "russia"]


def _factions(text: str) -> tuple[list[str], list[str]]:
    factions, errors, _ = check_factions(parse_yaml("factions:\n" + text, "data/factions.yaml"))
    return list(factions), [e.render() for e in errors]


@pytest.mark.parametrize(("text", "message"), [
    ("  - {id: a, name: A, color: red}\n",
     "data/factions.yaml:2:29: color of faction 'a' must look like \"#1b9e77\", not 'red'"),
    ("  - id: a\n    name: A\n    color: #d55e00\n",
     "data/factions.yaml:4:11: color of faction 'a' is empty; write it in quotes like \"#1b9e77\" (a bare # "
     "starts a comment)"),
    ("  - {id: a, name: A, color: '#000000'}\n  - {id: a, name: B, color: '#000000'}\n",
     "data/factions.yaml:3:10: duplicate faction id 'a' (first at line 2)"),
    ("  - {id: a, name: A, color: '#000000', aliases: [rebels]}\n"
     "  - {id: b, name: B, color: '#000000', aliases: [Rebels]}\n",
     "data/factions.yaml:3:50: alias 'Rebels' of faction 'b' also names faction 'a' (line 2); an alias must "
     "name one faction"),
    ("  - {id: a, name: A, colour: '#000000'}\n",
     "data/factions.yaml:2:5: faction 'a' is missing required field 'color'"),
    ("  - {id: a, name: A, color: '#000000', holds_ground: no}\n",
     "data/factions.yaml:2:54: holds_ground of faction 'a' must be true or false, not 'no'"),
    ("  - {id: SNA, name: A, color: '#000000'}\n",
     "data/factions.yaml:2:10: faction id 'SNA' must be a lowercase slug like 'sdf'"),
])
def test_a_bad_faction_is_reported(text: str, message: str) -> None:
    _, errors = _factions(text)
    assert message in errors


def test_unknown_faction_field_suggests_the_right_one() -> None:
    _, errors = _factions("  - {id: a, name: A, colour: '#000000', color: '#000000'}\n")
    assert errors == ["data/factions.yaml:2:22: unknown field 'colour' in faction 'a'; did you mean 'color'?"]


def test_factions_resolve_any_spelling_of_their_aliases(data_dir: Path) -> None:
    factions = load_factions(data_dir / "factions.yaml")
    assert factions.resolve("HTS") == "hts"
    assert factions.resolve("hayat tahrir al sham") == "hts"
    assert factions.resolve("Regime forces") == "government"
    assert factions.resolve("sdf") == "sdf"
    assert factions.resolve("Turkish backed factions") == "sna"
    assert factions.resolve("rebels") is None
    assert [f.id for f in factions.map_factions()] == ["government", "hts", "sna", "sdf"]
    assert factions.factions["government"].color == "#d55e00"
    assert factions.alias_index["syrian army"] == "government"


# ---- events ----

PLACES = {"aleppo", "tal-rifaat", "idlib"}
GOOD = {"place": "aleppo", "date": "2024-11-30", "kind": "captured", "faction": "hts",
        "source": "{outlet: AFP, published: 2024-12-02}"}


def _event(**fields: object) -> str:
    values: dict[str, object] = dict(GOOD)
    values.update(fields)
    lines = []
    for key, value in values.items():
        if value is None:
            continue
        lines.append(f"{'  - ' if not lines else '    '}{key}: {value}")
    return "\n".join(lines) + "\n"


def _events(
    *entries: str, factions: list[str] | None = None,
) -> tuple[list[ControlEvent], list[str], list[str]]:
    doc = parse_yaml("events:\n" + "".join(entries), "data/events.yaml")
    events, errors, warnings = check_events(doc, PLACES, factions or FACTION_IDS, today=TODAY)
    return events, [e.render() for e in errors], [w.render() for w in warnings]


@pytest.mark.parametrize(("entry", "message"), [
    (_event(faction="snA"),
     "data/events.yaml:5:14: unknown faction 'snA'; known: government, hts, sna, sdf, russia"),
    (_event(previous="isis"),
     "data/events.yaml:7:15: unknown faction 'isis'; known: government, hts, sna, sdf, russia"),
    (_event(place="tal-rifat"),
     "data/events.yaml:2:12: unknown place 'tal-rifat'; did you mean 'tal-rifaat'?"),
    (_event(place="homs"), "data/events.yaml:2:12: unknown place 'homs'; add it to places.yaml first"),
    (_event(date="2024-02-30"),
     "data/events.yaml:3:11: date of event 2024-02-30 is an impossible date (day is out of range for "
     "month)"),
    (_event(date="2027-01-01"),
     "data/events.yaml:3:11: date of event 2027-01-01 is in the future (today is 2026-11-25)"),
    (_event(date="30 Nov 2024"),
     "data/events.yaml:3:11: date of event must be a date YYYY-MM-DD, not '30 Nov 2024'"),
    (_event(kind="seized"),
     "data/events.yaml:4:11: event has unknown kind 'seized'; expected one of: captured, "
     "captured_partial, entered, withdrew, held"),
    (_event(kind="capture"),
     "data/events.yaml:4:11: event has unknown kind 'capture'; did you mean 'captured'?"),
    (_event(confidence="sure"),
     "data/events.yaml:7:17: event has unknown confidence 'sure'; expected one of: confirmed, reported, "
     "claimed"),
    (_event(origin="robot"),
     "data/events.yaml:7:13: event has unknown origin 'robot'; expected one of: extracted, manual"),
    (_event(source=None), "data/events.yaml:2:5: event is missing required field 'source'"),
    (_event(source="AFP"),
     "data/events.yaml:6:13: source must be a mapping like {outlet: AFP, published: 2024-12-02}, not "
     "'AFP'"),
    (_event(source="null"), "data/events.yaml:6:13: every event needs a source with at least an outlet"),
    (_event(source="{published: 2024-12-02}"),
     "data/events.yaml:6:13: source is missing required field 'outlet'"),
    (_event(source="{outlet: AFP, link: x}"),
     "data/events.yaml:6:27: unknown field 'link' in source; allowed: outlet, published, url, article"),
    (_event(source="{outlet: AFP, url: 'javascript:alert(1)'}"),
     "data/events.yaml:6:32: url of source must start with http:// or https://, not 'javascript:alert(1)'"),
    (_event(source="{outlet: AFP, published: 2027-01-02}"),
     "data/events.yaml:6:38: published date of source 2027-01-02 is in the future (today is 2026-11-25)"),
    (_event(faction="null"),
     "data/events.yaml:5:14: a 'captured' event needs the faction that holds aleppo afterwards"),
    (_event(kind="withdrew"),
     "data/events.yaml:5:14: a 'withdrew' event names no successor: put 'hts' under 'previous' and "
     "leave 'faction' null, or use 'captured' if another faction took over"),
    (_event(quote="[a, b]"), "data/events.yaml:7:12: quote of event must be text, not a list"),
    (_event(reviewed="yes"), "data/events.yaml:7:15: reviewed of event must be true or false, not 'yes'"),
    (_event(sources="x"), "data/events.yaml:7:5: unknown field 'sources' in event; did you mean 'source'?"),
    ("  - [aleppo, 2024-11-30]\n",
     "data/events.yaml:2:5: each event must be a mapping of fields, not a list"),
])
def test_a_bad_event_is_reported_at_its_field(entry: str, message: str) -> None:
    events, errors, _ = _events(entry)
    assert errors == [message]
    assert events == []


def test_a_date_one_day_ahead_is_allowed_for_time_zones() -> None:
    events, errors, _ = _events(_event(date="2026-11-26", source="{outlet: AFP, published: 2026-11-26}"))
    assert errors == []
    assert events[0].date == dt.date(2026, 11, 26)


def test_a_duplicate_event_is_refused_with_the_first_line() -> None:
    events, errors, _ = _events(_event(), _event(source="{outlet: afp}"), _event(source="{outlet: SOHR}"))
    assert errors == ["data/events.yaml:7:5: duplicate event: aleppo 2024-11-30 captured hts from afp is "
                      "already at line 2"]
    assert [e.source.outlet for e in events] == ["AFP", "SOHR"]


@pytest.mark.parametrize(("entry", "warning"), [
    (_event(source="{outlet: AFP, published: 2024-11-29}"),
     "data/events.yaml:6:38: warning: source published 2024-11-29 is before the event date 2024-11-30"),
    (_event(faction="russia"),
     "data/events.yaml:5:14: warning: faction 'russia' does not hold ground (holds_ground: false); aleppo "
     "will not be coloured for it"),
    (_event(previous="hts"), "data/events.yaml:5:14: warning: event says 'hts' captured aleppo from itself"),
])
def test_suspicious_events_are_warned_about(entry: str, warning: str, data_dir: Path) -> None:
    doc = parse_yaml("events:\n" + entry, "data/events.yaml")
    factions = load_factions(data_dir / "factions.yaml")
    events, errors, warnings = check_events(doc, PLACES, factions, today=TODAY)
    assert errors == []
    assert [w.render() for w in warnings] == [warning]
    assert len(events) == 1


def test_events_read_every_field_and_defaults() -> None:
    full = _event(previous="government", confidence="confirmed", quote='"Rebels took the city."',
                  origin="extracted", reviewed="false", note="a note",
                  source="{outlet: AFP, published: 2024-12-02, url: 'https://example.org/a', article: afp-1}")
    withdrew = _event(place="idlib", kind="withdrew", faction="null", previous="government")
    events, errors, _ = _events(full, withdrew)
    assert errors == []
    assert events[0] == ControlEvent(
        place="aleppo", date=dt.date(2024, 11, 30), kind="captured", faction="hts",
        source=Source("AFP", dt.date(2024, 12, 2), "https://example.org/a", "afp-1"), confidence="confirmed",
        previous="government", quote="Rebels took the city.", origin="extracted", reviewed=False,
        note="a note", line=2,
    )
    assert (events[1].faction, events[1].confidence, events[1].origin, events[1].reviewed) == (
        None, "reported", "manual", True)


def test_event_to_mapping_keeps_the_documented_field_order() -> None:
    events, _, _ = _events(_event(previous="government", quote="q"))
    mapping = event_to_mapping(events[0])
    assert list(mapping) == ["place", "date", "kind", "faction", "previous", "confidence", "source", "quote",
                             "origin", "reviewed"]
    assert mapping["source"] == {"outlet": "AFP", "published": dt.date(2024, 12, 2), "url": None,
                                 "article": None}


def test_load_events_checks_against_loaded_places_and_factions(data_dir: Path,
                                                               write: Callable[[str, str], Path]) -> None:
    gazetteer = load_gazetteer(data_dir / "places.yaml")
    factions = load_factions(data_dir / "factions.yaml")
    log = load_events(data_dir / "events.yaml", gazetteer, factions, today=TODAY)
    assert [e.place for e in log.events] == ["aleppo", "aleppo", "tal-rifaat"]
    assert len(log.sha256) == 64
    bad = write("bad.yaml", "events:\n" + _event(place="alepo") + _event(faction="isis"))
    with pytest.raises(DataErrors) as info:
        load_events(bad, gazetteer, factions, today=TODAY)
    assert [e.render() for e in info.value.errors] == [
        f"{bad}:2:12: unknown place 'alepo'; did you mean 'aleppo'?",
        f"{bad}:10:14: unknown faction 'isis'; known: government, hts, sna, sdf, russia",
    ]


def test_load_events_without_references_checks_only_the_file(write: Callable[[str, str], Path]) -> None:
    path = write("events.yaml", "events:\n" + _event(place="anywhere", faction="anyone"))
    assert load_events(path).events[0].faction == "anyone"
    with pytest.raises(DataErrors) as info:
        load_events(write("empty.yaml", ""))
    assert str(info.value).endswith(
        "empty.yaml:1:1: file is empty; expected a mapping with an 'events:' list at the top")
    with pytest.raises(DataError) as missing:
        load_events(path.parent / "missing.yaml")
    assert str(missing.value).endswith("missing.yaml:1:1: file not found")
