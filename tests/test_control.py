"""The control timeline: what each kind of event means, day-level disagreements, roll-ups, and invariants."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.control import ControlTimeline
from dashboard.models import ControlEvent, Place, Source

D = dt.date


def ev(place: str, day: int, kind: str, faction: str | None, *, previous: str | None = None,
       outlet: str = "AFP", reviewed: bool = True) -> ControlEvent:
    """An event in late 2024: ``day`` counts from 1 November."""
    return ControlEvent(place, D(2024, 11, 1) + dt.timedelta(days=day - 1), kind, faction, Source(outlet),
                        previous=previous, reviewed=reviewed)


def day(n: int) -> dt.date:
    return D(2024, 11, 1) + dt.timedelta(days=n - 1)


PLACES = {
    "aleppo": Place("aleppo", "Aleppo", "city", 36.2, 37.16),
    "sheikh-maqsoud": Place("sheikh-maqsoud", "Sheikh Maqsoud", "neighbourhood", 36.22, 37.15,
                            parent="aleppo"),
    "ashrafieh": Place("ashrafieh", "Ashrafieh", "neighbourhood", 36.22, 37.14, parent="aleppo"),
    "tal-rifaat": Place("tal-rifaat", "Tal Rifaat", "town", 36.47, 37.09),
}


@pytest.mark.parametrize(("events", "on", "state", "factions", "since"), [
    ([], 5, "unknown", (), None),
    ([ev("x", 5, "captured", "hts")], 4, "unknown", (), None),
    ([ev("x", 5, "captured", "hts")], 5, "held", ("hts",), day(5)),
    ([ev("x", 1, "held", "government"), ev("x", 9, "held", "government")], 20, "held", ("government",),
     day(1)),
    ([ev("x", 1, "held", "government"), ev("x", 5, "entered", "hts")], 6, "contested", ("hts", "government"),
     day(5)),
    ([ev("x", 5, "entered", "hts", previous="sdf")], 6, "contested", ("hts", "sdf"), day(5)),
    ([ev("x", 1, "held", "government"), ev("x", 5, "entered", "hts"), ev("x", 7, "captured", "hts")], 7,
     "held", ("hts",), day(7)),
    ([ev("x", 1, "held", "sdf"), ev("x", 5, "captured_partial", "sna")], 5, "partial", ("sna", "sdf"),
     day(5)),
    ([ev("x", 5, "captured_partial", "sna", previous="sdf")], 5, "partial", ("sna", "sdf"), day(5)),
    ([ev("x", 1, "held", "government"), ev("x", 5, "withdrew", None, previous="government")], 6, "abandoned",
     (), day(5)),
    # Contested between two, one leaves: the other holds it.
    ([ev("x", 1, "held", "government"), ev("x", 3, "entered", "hts"),
      ev("x", 5, "withdrew", None, previous="government")], 6, "held", ("hts",), day(5)),
    # Two sources disagree on one day: contested, leading with the first strong claim.
    ([ev("x", 5, "captured", "sna", outlet="AFP"), ev("x", 5, "captured", "sdf", outlet="SOHR")], 5,
     "contested", ("sna", "sdf"), day(5)),
    # One faction, several reports on one day: the strongest claim wins.
    ([ev("x", 5, "entered", "hts"), ev("x", 5, "captured", "hts", outlet="Reuters")], 5, "held", ("hts",),
     day(5)),
    ([ev("x", 5, "withdrew", None, previous="government"), ev("x", 5, "captured", "hts")], 5, "held",
     ("hts",), day(5)),
])
def test_status_follows_the_latest_day_on_or_before_the_date(
    events: list[ControlEvent], on: int, state: str, factions: tuple[str, ...], since: dt.date | None,
) -> None:
    status = ControlTimeline(events).status_at("x", day(on))
    assert (status.state, status.factions, status.since) == (state, factions, since)


def test_a_disagreement_keeps_both_events_visible() -> None:
    a, b = ev("x", 5, "captured", "sna", outlet="AFP"), ev("x", 5, "captured", "sdf", outlet="SOHR")
    assert ControlTimeline([a, b]).status_at("x", day(6)).events == (a, b)


def test_a_streak_keeps_the_change_and_the_assertions_that_confirmed_it() -> None:
    events = [ev("x", 1, "captured", "hts"), ev("x", 4, "held", "hts", reviewed=False)]
    status = ControlTimeline(events).status_at("x", day(9))
    assert status.events == tuple(events)
    assert status.since == day(1)
    assert [e.reviewed for e in status.events] == [True, False]


def test_a_city_whose_neighbourhoods_differ_is_mixed() -> None:
    timeline = ControlTimeline([
        ev("aleppo", 1, "held", "government"), ev("sheikh-maqsoud", 1, "held", "sdf"),
        ev("ashrafieh", 1, "held", "sdf"), ev("aleppo", 30, "captured", "hts"),
        ev("sheikh-maqsoud", 35, "captured", "hts"), ev("ashrafieh", 35, "captured", "hts"),
    ], PLACES)
    mixed = timeline.status_at("aleppo", day(2))
    assert (mixed.state, mixed.factions) == ("mixed", ("government", "sdf"))
    assert (timeline.status_at("aleppo", day(31)).factions) == ("hts", "sdf")
    assert timeline.status_at("aleppo", day(35)).state == "held"
    assert timeline.status_at("sheikh-maqsoud", day(2)).state == "held"


def test_children_that_agree_do_not_invent_a_status_for_their_city() -> None:
    timeline = ControlTimeline([ev("sheikh-maqsoud", 1, "held", "sdf"), ev("ashrafieh", 1, "held", "sdf")],
                               PLACES)
    assert timeline.status_at("aleppo", day(2)).state == "unknown"


def test_snapshot_lists_every_place_in_gazetteer_order_and_matches_status_at() -> None:
    events = [ev("aleppo", 1, "held", "government"), ev("sheikh-maqsoud", 1, "held", "sdf"),
              ev("idlib", 2, "captured", "hts")]
    timeline = ControlTimeline(events, PLACES)
    snap = timeline.snapshot(day(3))
    assert list(snap) == [*PLACES, "idlib"]
    assert all(snap[p] == timeline.status_at(p, day(3)) for p in snap)
    assert snap["tal-rifaat"].state == "unknown"


def test_history_and_changes() -> None:
    events = [ev("x", 3, "captured", "hts"), ev("x", 1, "held", "government"), ev("y", 1, "held", "sdf"),
              ev("y", 3, "held", "sna"), ev("x", 3, "held", "hts", outlet="SOHR"), ev("x", 5, "held", "hts")]
    timeline = ControlTimeline(events)
    assert timeline.history("x") == [events[1], events[0], events[4], events[5]]
    assert timeline.history("nowhere") == []
    # Baselines are not changes, except one that contradicts a known status (y from sdf to sna).
    assert timeline.changes_between(day(0), day(9)) == [events[0], events[3]]
    # A capture confirmed the same day by a baseline is one change, not two.
    assert timeline.changes_between(day(3), day(9)) == []  # start is exclusive
    assert timeline.changes_between(day(2), day(3)) == [events[0], events[3]]  # end is inclusive
    assert timeline.change_dates() == [day(1), day(3), day(5)]
    assert timeline.span() == (day(1), day(5))
    assert timeline.events_on(day(3)) == [events[0], events[3], events[4]]
    assert ControlTimeline([]).span() is None


# ---- invariants ----

_FACTIONS = st.sampled_from(["government", "hts", "sna", "sdf"])
_KINDS = st.sampled_from(["captured", "captured_partial", "entered", "withdrew", "held"])


@st.composite
def _event(draw: st.DrawFn, kinds: st.SearchStrategy[str] = _KINDS) -> ControlEvent:
    kind = draw(kinds)
    faction = None if kind == "withdrew" else draw(_FACTIONS)
    previous = draw(st.one_of(st.none(), _FACTIONS))
    return ev(draw(st.sampled_from(list(PLACES))), draw(st.integers(1, 40)), kind, faction, previous=previous,
              outlet=draw(st.sampled_from(["AFP", "SOHR"])))


@settings(max_examples=200, deadline=None)
@given(st.lists(_event(), max_size=25), st.integers(0, 45))
def test_the_status_is_decided_by_the_latest_day_on_or_before_the_date(
    events: list[ControlEvent], on: int,
) -> None:
    timeline = ControlTimeline(events)  # no parents: no roll-up, each place on its own
    when = day(on)
    for place in PLACES:
        before = [e for e in events if e.place == place and e.date <= when]
        status = timeline.status_at(place, when)
        if not before:
            assert status.state == "unknown"
            continue
        latest = max(e.date for e in before)
        assert status.since is not None
        assert status.since <= latest
        assert {e for e in before if e.date == latest} <= set(status.events)
        assert all(e.date <= when for e in status.events)


@settings(max_examples=200, deadline=None)
@given(st.lists(_event(st.sampled_from(["captured", "held"])), max_size=25,
                unique_by=lambda e: (e.place, e.date)),
       st.integers(0, 45))
def test_with_one_report_a_day_the_holder_is_the_last_faction_named(
    events: list[ControlEvent], on: int,
) -> None:
    timeline = ControlTimeline(events)
    for place in PLACES:
        before = sorted((e for e in events if e.place == place and e.date <= day(on)), key=lambda e: e.date)
        status = timeline.status_at(place, day(on))
        assert status.factions == ((before[-1].faction,) if before else ())


@settings(max_examples=200, deadline=None)
@given(st.lists(_event(), max_size=25), st.integers(0, 40), _event())
def test_an_event_after_a_date_never_changes_that_date(events: list[ControlEvent], on: int,
                                                       extra: ControlEvent) -> None:
    when = day(on)
    later = ControlEvent(extra.place, when + dt.timedelta(days=1 + extra.date.day % 5), extra.kind,
                         extra.faction, extra.source, previous=extra.previous)
    before = ControlTimeline(events, PLACES).snapshot(when)
    after = ControlTimeline([*events, later], PLACES).snapshot(when)
    assert before == after


def test_partial_capture_leaves_the_part_to_the_children_holders_not_the_loser() -> None:
    """Aleppo on 30 Nov 2024: HTS takes most of the city, Kurdish districts stay SDF, the army is gone."""
    src = Source("Wire", dt.date(2024, 12, 2))
    places = {
        "city": Place("city", "City", "city", 36.2, 37.1),
        "district": Place("district", "District", "neighbourhood", 36.22, 37.15, parent="city"),
        "old-town": Place("old-town", "Old Town", "neighbourhood", 36.2, 37.16, parent="city"),
    }
    events = [
        ControlEvent("city", dt.date(2024, 11, 26), "held", "government", src),
        ControlEvent("district", dt.date(2024, 11, 26), "held", "sdf", src),
        ControlEvent("old-town", dt.date(2024, 11, 26), "held", "government", src),
        ControlEvent("city", dt.date(2024, 11, 30), "captured_partial", "hts", src, previous="government"),
        ControlEvent("old-town", dt.date(2024, 11, 30), "captured", "hts", src, previous="government"),
    ]
    timeline = ControlTimeline(events, places)
    before = timeline.status_at("city", dt.date(2024, 11, 29))
    after = timeline.status_at("city", dt.date(2024, 12, 1))
    assert (before.state, before.factions) == ("mixed", ("government", "sdf"))
    assert (after.state, after.factions) == ("partial", ("hts", "sdf"))
    assert timeline.snapshot(dt.date(2024, 12, 1))["city"].factions == ("hts", "sdf")
