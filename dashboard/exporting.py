"""Exports for analysts: the control snapshot of a date and the changes between two dates (GeoJSON, CSV)."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dashboard.models import ControlEvent, Faction, Place, Status
from dashboard.safe_html import safe_url as _check_url

# Many events cite the same article; checking each distinct link once keeps a 10,000-place export fast.
safe_url = functools.lru_cache(maxsize=8192)(_check_url)
# OWASP's list of characters that make a spreadsheet read a cell as a formula (tab and CR included).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

SNAPSHOT_COLUMNS: tuple[str, ...] = (
    "date", "place", "name", "name_ar", "kind", "admin1", "lat", "lon", "state", "faction", "faction_name",
    "since", "confidence", "outlet", "published", "url", "origin", "reviewed",
)
CHANGE_COLUMNS: tuple[str, ...] = (
    "date", "place", "name", "name_ar", "kind", "faction", "faction_name", "previous", "previous_name",
    "confidence", "outlet", "published", "url", "quote", "origin", "reviewed", "admin1", "lat", "lon", "note",
)


class StatusSource(Protocol):
    """The part of ``ControlTimeline`` that exports need to fill in an event's missing ``previous``."""

    def status_at(self, place_id: str, date: dt.date) -> Status: ...  # pragma: no cover


def guard_cell(value: object) -> object:
    """Neutralise a text cell a spreadsheet would run as a formula by prefixing an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _latest(events: Iterable[ControlEvent]) -> ControlEvent | None:
    """The event a status rests on: the newest one, file order breaking ties."""
    return max(events, key=lambda ev: (ev.date, ev.line), default=None)


def _faction_name(factions: Mapping[str, Faction] | None, faction_id: str | None) -> str | None:
    if faction_id is None:
        return None
    if factions and faction_id in factions:
        return factions[faction_id].name
    return faction_id


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


@dataclass(frozen=True, slots=True)
class SnapshotRow:
    """One place and one of its holders on the snapshot date (a contested place gives one row per faction)."""

    date: dt.date
    place: Place
    status: Status
    faction: str | None
    faction_name: str | None
    evidence: ControlEvent | None

    def as_dict(self) -> dict[str, Any]:
        """Flat mapping in ``SNAPSHOT_COLUMNS`` order, JSON-ready (dates as ISO strings)."""
        ev = self.evidence
        return {
            "date": self.date.isoformat(),
            "place": self.place.id,
            "name": self.place.name,
            "name_ar": self.place.name_ar,
            "kind": self.place.kind,
            "admin1": self.place.admin1,
            "lat": self.place.lat,
            "lon": self.place.lon,
            "state": self.status.state,
            "faction": self.faction,
            "faction_name": self.faction_name,
            "since": _iso(self.status.since),
            "confidence": ev.confidence if ev else None,
            "outlet": ev.source.outlet if ev else None,
            "published": _iso(ev.source.published) if ev else None,
            "url": safe_url(ev.source.url) if ev else None,
            "origin": ev.origin if ev else None,
            "reviewed": ev.reviewed if ev else None,
        }


def snapshot_rows(
    places: Mapping[str, Place],
    snapshot: Mapping[str, Status],
    on: dt.date,
    factions: Mapping[str, Faction] | None = None,
    *,
    include_unknown: bool = False,
) -> list[SnapshotRow]:
    """Long-format rows of the snapshot, sorted by place id then holder; unknown places only on request."""
    rows: list[SnapshotRow] = []
    for place_id in sorted(places):
        place = places[place_id]
        status = snapshot.get(place_id) or Status(place=place_id, state="unknown")
        if status.state == "unknown" and not include_unknown:
            continue
        evidence = _latest(status.events)
        holders: Sequence[str | None] = status.factions or (None,)
        for faction in holders:
            rows.append(SnapshotRow(on, place, status, faction, _faction_name(factions, faction), evidence))
    return rows


def _point(place: Place) -> dict[str, Any] | None:
    # RFC 7946 allows a null geometry: a place not yet geocoded is still part of the record.
    if place.lat is None or place.lon is None:
        return None
    return {"type": "Point", "coordinates": [place.lon, place.lat]}


def snapshot_geojson(
    places: Mapping[str, Place],
    snapshot: Mapping[str, Status],
    on: dt.date,
    factions: Mapping[str, Faction] | None = None,
    *,
    include_unknown: bool = False,
) -> dict[str, Any]:
    """FeatureCollection, one Point per place: state, holders, since, confidence and the source behind it."""
    features: list[dict[str, Any]] = []
    by_place: dict[str, list[SnapshotRow]] = {}
    for row in snapshot_rows(places, snapshot, on, factions, include_unknown=include_unknown):
        by_place.setdefault(row.place.id, []).append(row)
    for place_id, rows in by_place.items():
        props = rows[0].as_dict()
        del props["lat"], props["lon"]
        holders = [r.faction for r in rows if r.faction is not None]
        props["factions"] = holders
        props["faction_names"] = [r.faction_name for r in rows if r.faction is not None]
        ev = rows[0].evidence
        props["quote"] = ev.quote if ev else None
        features.append(
            {"type": "Feature", "id": place_id, "geometry": _point(rows[0].place), "properties": props}
        )
    # "date" is a foreign member (RFC 7946 section 6.1): the day this snapshot describes.
    return {"type": "FeatureCollection", "date": on.isoformat(), "features": features}


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One event of the change log with its place and the holder before it resolved."""

    event: ControlEvent
    place: Place | None
    previous: str | None
    faction_name: str | None
    previous_name: str | None

    def as_dict(self) -> dict[str, Any]:
        """Flat mapping in ``CHANGE_COLUMNS`` order, JSON-ready (dates as ISO strings)."""
        ev, place = self.event, self.place
        return {
            "date": ev.date.isoformat(),
            "place": ev.place,
            "name": place.name if place else ev.place,
            "name_ar": place.name_ar if place else None,
            "kind": ev.kind,
            "faction": ev.faction,
            "faction_name": self.faction_name,
            "previous": self.previous,
            "previous_name": self.previous_name,
            "confidence": ev.confidence,
            "outlet": ev.source.outlet,
            "published": _iso(ev.source.published),
            "url": safe_url(ev.source.url),
            "quote": ev.quote,
            "origin": ev.origin,
            "reviewed": ev.reviewed,
            "admin1": place.admin1 if place else None,
            "lat": place.lat if place else None,
            "lon": place.lon if place else None,
            "note": ev.note,
        }


def _event_order(ev: ControlEvent) -> tuple[dt.date, str, str, str, str, int]:
    return (ev.date, ev.place, ev.kind, ev.faction or "", ev.source.outlet.casefold(), ev.line)


def change_rows(
    events: Iterable[ControlEvent],
    places: Mapping[str, Place],
    factions: Mapping[str, Faction] | None = None,
    timeline: StatusSource | None = None,
) -> list[ChangeRow]:
    """Rows for the change log in date, place, kind, faction, outlet order.

    An event that does not name the previous holder gets it from ``timeline`` (the holder the day before).
    """
    rows: list[ChangeRow] = []
    for ev in sorted(events, key=_event_order):
        previous = ev.previous
        if previous is None and timeline is not None:
            before = timeline.status_at(ev.place, ev.date - dt.timedelta(days=1))
            previous = before.faction if before.state != "unknown" else None
        rows.append(
            ChangeRow(
                event=ev,
                place=places.get(ev.place),
                previous=previous,
                faction_name=_faction_name(factions, ev.faction),
                previous_name=_faction_name(factions, previous),
            )
        )
    return rows


def _sorted_rows(rows: Iterable[ChangeRow]) -> list[ChangeRow]:
    # Rows may come filtered or re-ordered by a UI table; files are always written in one canonical order.
    return sorted(rows, key=lambda r: _event_order(r.event))


def _write_csv(columns: Sequence[str], records: Iterable[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for record in records:
        writer.writerow(["" if record[c] is None else guard_cell(record[c]) for c in columns])
    return out.getvalue()


def snapshot_csv(
    places: Mapping[str, Place],
    snapshot: Mapping[str, Status],
    on: dt.date,
    factions: Mapping[str, Faction] | None = None,
    *,
    include_unknown: bool = False,
) -> str:
    """Long-format CSV of the snapshot: one row per place and holder, formula-guarded text cells."""
    rows = snapshot_rows(places, snapshot, on, factions, include_unknown=include_unknown)
    return _write_csv(SNAPSHOT_COLUMNS, (r.as_dict() for r in rows))


def changes_csv(rows: Iterable[ChangeRow]) -> str:
    """CSV of the change log rows, formula-guarded text cells."""
    return _write_csv(CHANGE_COLUMNS, (r.as_dict() for r in _sorted_rows(rows)))


def changes_geojson(
    rows: Iterable[ChangeRow], start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, Any]:
    """FeatureCollection with one Point per change (null geometry when the place has no coordinates)."""
    features: list[dict[str, Any]] = []
    for row in _sorted_rows(rows):
        props = row.as_dict()
        del props["lat"], props["lon"]
        geometry = _point(row.place) if row.place is not None else None
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    collection: dict[str, Any] = {"type": "FeatureCollection"}
    if start is not None:
        collection["start"] = start.isoformat()
    if end is not None:
        collection["end"] = end.isoformat()
    collection["features"] = features
    return collection


def dumps_geojson(collection: Mapping[str, Any]) -> str:
    """Serialise GeoJSON deterministically: one feature per line, Arabic names as UTF-8 (not \\u escapes)."""
    head = {k: v for k, v in collection.items() if k != "features"}
    # One compact line per feature: diffable, and json's C encoder is ~10x faster than indent= output.
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection.get("features", ())]
    opening = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    body = ",\n".join(lines)
    return f'{opening},"features":[\n{body}\n]}}\n' if lines else f'{opening},"features":[]}}\n'



def to_excel_bytes(text: str) -> bytes:
    """Encode CSV text with a UTF-8 BOM so spreadsheet programs show Arabic names correctly."""
    return text.encode("utf-8-sig")
