"""The control timeline: who holds each place on any date, computed from the dated control log."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from typing import Protocol

from dashboard.models import ControlEvent, Place, Status

# Within one day, the claim that says most about who holds the place wins when only one faction is named.
_STRENGTH = {"captured": 3, "held": 3, "captured_partial": 2, "entered": 1, "withdrew": 0}


class _HasPlaces(Protocol):
    places: dict[str, Place]


class ControlTimeline:
    """Status of every place on any date, from a control log.

    Semantics, per place:

    - Before its first event a place is ``unknown``. On date d, the events of the latest day <= d decide,
      read against the status of the day before them.
    - ``captured`` and ``held`` make the place ``held`` by their faction (``held`` asserts a status without
      claiming a change: a baseline). ``captured_partial`` makes it ``partial``: the faction holds most;
      the part it does not hold belongs to the other holders among the place's children when there are any
      (Aleppo's Kurdish districts), else to the previous holder (``previous``, else whoever held it before).
      ``entered`` makes it ``contested`` between the entering faction and the previous holder(s) until a
      later day says more.
      ``withdrew`` (no successor named) makes it ``abandoned``, unless the place was contested, partial or
      mixed and other factions remain there; then those remain (``held`` if one is left).
    - Several events on one day that name one faction are a progression (entered, then captured): the
      strongest claim wins. Events on one day that name different holders (two sources disagreeing) make
      the place ``contested`` among all of them, and every event stays in ``Status.events``.
    - A place whose children (places with ``parent`` = it, such as a city's neighbourhoods) are held by
      factions other than its own holders is ``mixed``, listing its own holders first.
    - ``Status.since`` is the first day of the current streak; ``Status.events`` are the events of that
      streak (the change and the later assertions that confirmed it). Unreviewed events count like
      reviewed ones; their ``reviewed`` flag is kept on the events for the UI to mark.

    ``changes_between(start, end)`` returns events with ``start < date <= end``: every kind except
    ``held``, plus ``held`` assertions that changed an already known status on a day with no other event.
    """

    def __init__(self, events: Iterable[ControlEvent],
                 places: _HasPlaces | Mapping[str, Place] | None = None) -> None:
        place_map: Mapping[str, Place] = {}
        if isinstance(places, Mapping):
            place_map = places
        elif places is not None:
            place_map = places.places
        self._events = sorted(events, key=lambda e: e.date)  # stable: file order within a day
        self._dates = [e.date for e in self._events]
        by_place: dict[str, list[ControlEvent]] = {}
        for ev in self._events:
            by_place.setdefault(ev.place, []).append(ev)
        self._history = by_place
        self._changes: list[ControlEvent] = []
        self._days: dict[str, list[dt.date]] = {}
        self._states: dict[str, list[Status]] = {}
        for pid, evs in by_place.items():
            self._resolve(pid, evs)
        self._changes.sort(key=lambda e: e.date)
        self._change_dates = [e.date for e in self._changes]
        # Every known place appears in a snapshot; places only named by events come after them.
        self._ids = list(place_map) + [p for p in by_place if p not in place_map]
        self._unknown = {pid: Status(pid, "unknown") for pid in self._ids}
        children: dict[str, list[str]] = {}
        for pid, place in place_map.items():
            if place.parent and place.parent in place_map and place.parent != pid:
                children.setdefault(place.parent, []).append(pid)
        self._children = children
        self._parents_order = _deepest_first(children, place_map)
        self._rows = [(pid, self._days[pid], self._states[pid]) for pid in by_place]

    # ---- building ----

    def _resolve(self, pid: str, evs: list[ControlEvent]) -> None:
        """Fold one place's events, day by day, into the status that holds from each day on."""
        days: list[dt.date] = []
        states: list[Status] = []
        prev = Status(pid, "unknown")
        i = 0
        while i < len(evs):
            day = evs[i].date
            j = i
            while j < len(evs) and evs[j].date == day:
                j += 1
            todays = evs[i:j]
            state, factions = _day_status(todays, prev)
            if state == prev.state and factions == prev.factions:
                status = Status(pid, state, factions, prev.since, prev.events + tuple(todays))
                self._changes.extend(e for e in todays if e.kind != "held")
            else:
                status = Status(pid, state, factions, day, tuple(todays))
                # A baseline that contradicts an already known status is a change the log did not spell out;
                # it counts only when no other event of that day says so.
                moves = [e for e in todays if e.kind != "held"]
                self._changes.extend(moves or (todays if prev.state != "unknown" else []))
            days.append(day)
            states.append(status)
            prev = status
            i = j
        self._days[pid] = days
        self._states[pid] = states

    # ---- queries ----

    def _base(self, pid: str, when: dt.date) -> Status:
        days = self._days.get(pid)
        if not days:
            return self._unknown.get(pid) or Status(pid, "unknown")
        k = bisect_right(days, when) - 1
        if k < 0:
            return self._unknown.get(pid) or Status(pid, "unknown")
        return self._states[pid][k]

    def status_at(self, place_id: str, when: dt.date) -> Status:
        """The status of one place on a date (including ``mixed`` from its children)."""
        return self._with_children(place_id, when, set())

    def _with_children(self, pid: str, when: dt.date, seen: set[str]) -> Status:
        own = self._base(pid, when)
        kids = self._children.get(pid)
        if not kids or pid in seen:
            return own
        seen.add(pid)
        return _mixed(own, [self._with_children(k, when, seen) for k in kids])

    def snapshot(self, when: dt.date) -> dict[str, Status]:
        """The status of every place on a date, in gazetteer order."""
        out = self._unknown.copy()  # gazetteer order; places with events are overwritten in place
        for pid, days, states in self._rows:
            k = bisect_right(days, when) - 1
            if k >= 0:
                out[pid] = states[k]
        for pid in self._parents_order:  # children before parents, so nested places roll up
            out[pid] = _mixed(out[pid], [out[k] for k in self._children[pid]])
        return out

    def history(self, place_id: str) -> list[ControlEvent]:
        """Every event about a place, by date then file order."""
        return list(self._history.get(place_id, ()))

    def changes_between(self, start: dt.date, end: dt.date) -> list[ControlEvent]:
        """Changes with ``start < date <= end`` (not baselines), by date then file order."""
        lo = bisect_right(self._change_dates, start)
        hi = bisect_right(self._change_dates, end)
        return self._changes[lo:hi]

    def change_dates(self) -> list[dt.date]:
        """Every distinct date on which some event can change the map, ascending."""
        return sorted(set(self._dates))

    def span(self) -> tuple[dt.date, dt.date] | None:
        """The first and last event dates, or None for an empty log."""
        if not self._dates:
            return None
        return self._dates[0], self._dates[-1]

    def events_on(self, when: dt.date) -> list[ControlEvent]:
        """Every event dated exactly ``when``, in file order."""
        return self._events[bisect_left(self._dates, when):bisect_right(self._dates, when)]


def _day_status(todays: list[ControlEvent], prev: Status) -> tuple[str, tuple[str, ...]]:
    """State and factions after one day's events, given the status before that day."""
    holders: list[str] = []
    ordered = todays if len(todays) == 1 else sorted(todays, key=lambda e: -_STRENGTH.get(e.kind, 0))
    for ev in ordered:
        if ev.faction is not None and ev.faction not in holders:
            holders.append(ev.faction)
    if len(holders) > 1:
        return "contested", tuple(holders)
    if not holders:  # only withdrawals
        leaving = {e.previous for e in todays if e.previous}
        remaining = tuple(f for f in prev.factions if f not in leaving)
        if prev.state in ("contested", "partial", "mixed") and leaving and remaining:
            return ("held" if len(remaining) == 1 else "contested"), remaining
        return "abandoned", ()
    faction = holders[0]
    kind = ordered[0].kind if len(ordered) == 1 else max(
        todays, key=lambda e: _STRENGTH.get(e.kind, 0) if e.faction == faction else -1).kind
    if kind in ("captured", "held"):
        return "held", (faction,)
    named = [e.previous for e in todays if e.previous and e.previous != faction]
    others = named or [f for f in prev.factions if f != faction]
    others = list(dict.fromkeys(others))
    if kind == "captured_partial":
        return "partial", (faction, *others)
    return ("contested", (faction, *others)) if others else ("contested", (faction,))


def _mixed(own: Status, kids: list[Status]) -> Status:
    """Roll children up into their parent: other holders among the children make the parent ``mixed``."""
    known = [k for k in kids if k.factions]
    if not known:
        return own
    if own.state == "partial" and own.factions:
        # Children name who keeps the part the capturer does not hold (Aleppo's Kurdish districts); that is
        # better evidence than the guess from ``previous``, which is often the side that lost the rest.
        lead = own.factions[0]
        rest: list[str] = []
        for k in known:
            rest.extend(f for f in k.factions if f != lead and f not in rest)
        if not rest:
            return own
        since = max((s.since for s in (own, *known) if s.since is not None), default=None)
        events = own.events + tuple(e for k in known for e in k.events)
        return Status(own.place, "partial", (lead, *rest), since, events)
    extra: list[str] = []
    for k in known:
        extra.extend(f for f in k.factions if f not in own.factions and f not in extra)
    if not extra:
        return own
    if not own.factions and len({f for k in known for f in k.factions}) < 2:
        return own  # the children agree and the place itself says nothing: no mix to report
    since = max((s.since for s in (own, *known) if s.since is not None), default=None)
    events = own.events + tuple(e for k in known for e in k.events)
    return Status(own.place, "mixed", (*own.factions, *extra), since, events)


def _deepest_first(children: dict[str, list[str]], places: Mapping[str, Place]) -> list[str]:
    """Parents ordered so every child's own roll-up is computed before its parent's."""
    def depth(pid: str) -> int:
        n, seen = 0, {pid}
        current = places[pid].parent if pid in places else None
        while current is not None and current in places and current not in seen:
            seen.add(current)
            n += 1
            current = places[current].parent
        return n
    return sorted(children, key=depth, reverse=True)
