"""Validate a whole data folder: every file on its own, then the references between them."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

from dashboard.control import ControlTimeline
from dashboard.errors import DataError
from dashboard.events import EventLog, check_events
from dashboard.factions import FactionSet, check_factions
from dashboard.gazetteer import Gazetteer, check_places_indexed
from dashboard.models import ControlEvent
from dashboard.paths import EVENTS_FILE, FACTIONS_FILE, PLACES_FILE
from dashboard.yamlio import DataWarning, MapNode, ScalarNode, YamlDoc, paused_gc, read_yaml


@dataclass
class Report:
    """What validating a data folder found, plus the loaded data when a file was clean enough to use."""

    data_dir: str
    errors: list[DataError] = field(default_factory=list)
    warnings: list[DataError] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    gazetteer: Gazetteer | None = None
    factions: FactionSet | None = None
    events: EventLog | None = None

    @property
    def ok(self) -> bool:
        """True when no errors were found (warnings allowed)."""
        return not self.errors

    def problems(self) -> list[DataError]:
        """Errors and warnings together, in file order (places, factions, events) and then line order."""
        order = {name: i for i, name in enumerate((PLACES_FILE, FACTIONS_FILE, EVENTS_FILE))}
        return sorted(self.errors + self.warnings,
                      key=lambda e: (order.get(Path(e.file or "").name, 9), e.file or "", e.line, e.col))

    def summary(self) -> str:
        """One line: ``ok: 312 places, 13 factions, 187 events in data/ (0.12 s)`` or the failure counts."""
        what = (f"{self.counts.get('places', 0)} places, {self.counts.get('factions', 0)} factions, "
                f"{self.counts.get('events', 0)} events in {self.data_dir}")
        warned = f"; {_plural(len(self.warnings), 'warning')}" if self.warnings else ""
        if self.ok:
            return f"ok: {what} ({self.seconds:.2f} s){warned}"
        failed = _plural(len(self.errors), "error")
        return f"failed: {failed}{warned} in {self.data_dir} ({self.seconds:.2f} s)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def display_path(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def validate_data(data_dir: str | Path, *, today: dt.date | None = None) -> Report:
    """Check places, factions and events in ``data_dir`` and the references between them."""
    with paused_gc():
        return _validate(data_dir, today)


def _validate(data_dir: str | Path, today: dt.date | None) -> Report:
    start = time.perf_counter()
    root = Path(data_dir)
    shown = display_path(root)
    report = Report(data_dir=shown + ("" if shown.endswith("/") else "/"))
    if not root.is_dir():
        what = "is not a folder" if root.exists() else "not found"
        report.errors.append(DataError(f"data folder {what}", shown, 1, 1))
        report.seconds = time.perf_counter() - start
        return report

    def read(name: str) -> YamlDoc | None:
        try:
            return read_yaml(Path(shown) / name)
        except DataError as exc:
            report.errors.append(exc)
            return None

    places_doc, factions_doc, events_doc = read(PLACES_FILE), read(FACTIONS_FILE), read(EVENTS_FILE)
    place_ids: set[str] | None = None
    if places_doc is not None:
        places, errors, warnings, index = check_places_indexed(places_doc)
        report.errors += errors
        report.warnings += warnings
        report.counts["places"] = len(places)
        if not errors:
            report.gazetteer = Gazetteer(places, file=places_doc.file, sha256=places_doc.sha256,
                                         warnings=warnings, index=index)
        # Entries with their own errors still count as declared, so events naming them do not cascade.
        place_ids = _declared_ids(places_doc, "places") if errors else set(places)
    faction_set: FactionSet | None = None
    faction_ids: list[str] | None = None
    if factions_doc is not None:
        factions, errors, warnings = check_factions(factions_doc)
        report.errors += errors
        report.warnings += warnings
        report.counts["factions"] = len(factions)
        faction_set = FactionSet(factions, file=factions_doc.file, sha256=factions_doc.sha256)
        if not errors:
            report.factions = faction_set
        else:
            faction_ids = sorted(_declared_ids(factions_doc, "factions"))
    if events_doc is not None:
        refs = faction_set if faction_ids is None else faction_ids
        events, errors, warnings = check_events(events_doc, place_ids, refs, today=today)
        report.errors += errors
        report.warnings += warnings
        report.counts["events"] = len(events)
        if not errors:
            report.events = EventLog(events, file=events_doc.file, sha256=events_doc.sha256,
                                     warnings=warnings)
        if report.gazetteer is not None:
            report.warnings += _unplaced(events_doc.file, events, report.gazetteer)
        report.warnings += _contradicted(events_doc.file, events)
    report.seconds = time.perf_counter() - start
    return report


_ONE_DAY = dt.timedelta(days=1)


def _contradicted(file: str, events: list[ControlEvent]) -> list[DataError]:
    """Events whose ``previous`` holder is not who the log itself says held the place the day before."""
    # Catches a log that contradicts itself: a capture "from the government" of a town the log gives to
    # the SDF. Repeated reports of one change (AFP two days after TRT) are not contradictions.
    # Before a place's first dated event the log knows no holder, so those events cannot contradict it.
    # Only places with an event to check need a timeline, and without places (no children to roll up) a
    # place's status depends on its own events alone: the timeline is built from those places' events only.
    opened: dict[str, dt.date] = {}
    for ev in events:
        seen = opened.get(ev.place)
        if seen is None or ev.date < seen:
            opened[ev.place] = ev.date
    checked = [ev for ev in events if ev.previous is not None and ev.date > opened[ev.place]]
    needed = {ev.place for ev in checked}
    timeline = ControlTimeline(ev for ev in events if ev.place in needed)
    out: list[DataError] = []
    for ev in checked:
        before = timeline.status_at(ev.place, ev.date - _ONE_DAY)
        if before.state in ("unknown", "abandoned") or ev.previous in before.factions:
            continue
        if ev.faction in before.factions:
            continue  # a later report of a change the log already has (another source, another date)
        holders = " and ".join(before.factions)
        first = before.events[0].line if before.events else 0
        out.append(DataWarning(
            f"event says '{ev.previous}' held {ev.place} before {ev.date}, but the log has it {before.state} "
            f"by {holders} since {before.since} (line {first})", file, ev.line, 1))
    return out


def _declared_ids(doc: YamlDoc, key: str) -> set[str]:
    """Every ``id:`` written in a file's list, valid or not."""
    root = doc.root
    seq = root.get(key) if isinstance(root, MapNode) else None
    out: set[str] = set()
    for item in getattr(seq, "items", ()):
        node = item.get("id") if isinstance(item, MapNode) else None
        if isinstance(node, ScalarNode):
            out.add(node.value.strip())
    return out


def _unplaced(file: str, events: list[ControlEvent], gazetteer: Gazetteer) -> list[DataError]:
    """One warning per place that has events but no coordinates yet (it cannot be drawn)."""
    out: list[DataError] = []
    seen: set[str] = set()
    for ev in events:
        place = gazetteer.get(ev.place)
        if place is not None and place.lat is None and ev.place not in seen:
            seen.add(ev.place)
            out.append(DataWarning(f"place '{ev.place}' has events but no coordinates yet; it is not drawn "
                                   "until it is geocoded", file, ev.line, 1))
    return out
