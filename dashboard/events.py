"""The control log: load and validate data/events.yaml against the places and factions it refers to."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from dashboard.errors import DataError, DataErrors
from dashboard.factions import FactionSet
from dashboard.gazetteer import choice
from dashboard.models import CONFIDENCES, EVENT_KINDS, ORIGINS, ControlEvent, Place, Source
from dashboard.yamlio import (
    DATE_RE,
    FALSES,
    NULLS,
    TRUES,
    DataWarning,
    MapNode,
    Node,
    ScalarNode,
    YamlDoc,
    as_bool,
    as_date,
    as_opt_str,
    as_str,
    describe,
    missing_fields,
    paused_gc,
    read_yaml,
    text_of,
    top_list,
    unknown_fields,
)

EVENT_FIELDS: tuple[str, ...] = (
    "place", "date", "kind", "faction", "previous", "confidence", "source", "quote", "origin", "reviewed",
    "note",
)
REQUIRED_FIELDS: tuple[str, ...] = ("place", "date", "kind", "source")
SOURCE_FIELDS: tuple[str, ...] = ("outlet", "published", "url", "article")
URL_RE = re.compile(r"https?://[^\s/?#]+[^\s]*", re.IGNORECASE)
T = TypeVar("T")
_EVENT_SET = frozenset(EVENT_FIELDS)
_REQUIRED_SET = frozenset(REQUIRED_FIELDS)
_SOURCE_SET = frozenset(SOURCE_FIELDS)
_KIND_SET = frozenset(EVENT_KINDS)
_CONFIDENCE_SET = frozenset(CONFIDENCES)
_ORIGIN_SET = frozenset(ORIGINS)
_BOOLS = TRUES | FALSES
# Kinds that say who holds the place afterwards, so they need a faction.
HOLDING_KINDS = frozenset({"captured", "captured_partial", "entered", "held"})


class EventLog:
    """Validated control events in file order."""

    def __init__(self, events: list[ControlEvent], *, file: str = "", sha256: str = "",
                 warnings: Sequence[DataError] = ()) -> None:
        self.events = events
        self.file = file
        self.sha256 = sha256
        self.warnings = list(warnings)

    def __len__(self) -> int:
        return len(self.events)


def load_events(
    path: str | Path,
    places: Collection[str] | Mapping[str, Place] | None = None,
    factions: FactionSet | Collection[str] | None = None,
    *,
    today: dt.date | None = None,
) -> EventLog:
    """Read and validate an events file; raise ``DataError``/``DataErrors`` listing every problem.

    ``places`` and ``factions`` (a Gazetteer, FactionSet or any collection of ids) enable the reference
    checks; ``today`` is the limit for dates (the real date when omitted).
    """
    with paused_gc():
        doc = read_yaml(path)
        events, errors, warnings = check_events(doc, places, factions, today=today)
        if errors:
            raise DataErrors(errors)
        return EventLog(events, file=doc.file, sha256=doc.sha256, warnings=warnings)


def check_events(
    doc: YamlDoc,
    places: Collection[str] | Mapping[str, Place] | None = None,
    factions: FactionSet | Collection[str] | None = None,
    *,
    today: dt.date | None = None,
) -> tuple[list[ControlEvent], list[DataError], list[DataError]]:
    """Validate a parsed events document: fields, dates, sources, references and duplicates."""
    file = doc.file
    try:
        seq = top_list(doc, "events")
    except DataError as exc:
        return [], [exc], []
    ctx = _Context(file, places, factions, today or dt.date.today())
    events: list[ControlEvent] = []
    seen: dict[tuple[str, dt.date, str, str | None, str], int] = {}
    for item in seq.items:
        event = ctx.read(item)
        if event is None:
            continue
        key = event.key()
        first = seen.get(key)
        if first is not None:
            ctx.errors.append(DataError(
                f"duplicate event: {event.place} {event.date} {event.kind} {event.faction or 'null'} from "
                f"{event.source.outlet} is already at line {first}", file, item.line, item.col))
            continue
        seen[key] = item.line
        events.append(event)
    ctx.errors.sort(key=lambda e: (e.line, e.col))
    ctx.warnings.sort(key=lambda e: (e.line, e.col))
    return events, ctx.errors, ctx.warnings


class _Context:
    """What checking one events file needs: the references, today, and where problems are collected."""

    def __init__(self, file: str, places: Collection[str] | Mapping[str, Place] | None,
                 factions: FactionSet | Collection[str] | None, today: dt.date) -> None:
        self.file = file
        # A Gazetteer is not a Mapping but holds one; difflib suggestions need the ids themselves.
        self.places = getattr(places, "places", places)
        self.faction_ids: list[str] | None = None
        self.ground: set[str] | None = None
        if isinstance(factions, FactionSet):
            self.faction_ids = factions.ids()
            self.ground = {f.id for f in factions.map_factions()}
        elif factions is not None:
            self.faction_ids = list(factions)
        self.faction_set = set(self.faction_ids) if self.faction_ids is not None else None
        self.today = today
        # A report dated in Damascus can be a day ahead of this machine's calendar; later is an error.
        self.latest = today + dt.timedelta(days=1)
        self._date_cache: dict[str, dt.date] = {}
        self.errors: list[DataError] = []
        self.warnings: list[DataError] = []

    def read(self, item: Node) -> ControlEvent | None:
        """Convert one list entry into a ControlEvent, recording every problem; None when unusable."""
        if type(item) is MapNode:
            event = self._fast(item)
            if event is not None:
                return event if self._consistent(event, item) else None
        return self._read_checked(item)

    def _fast(self, item: MapNode) -> ControlEvent | None:
        """The common, valid case in straight-line code; None sends the entry through ``_read_checked``."""
        e = item.entries
        keys = e.keys()
        if not (keys <= _EVENT_SET and keys >= _REQUIRED_SET):
            return None
        # text_of() written out for the fields read here: this runs once per event (20,000 in the bench).
        node = e["place"][1]
        if type(node) is not ScalarNode or (node.plain and node.value in NULLS):
            return None
        place = node.value.strip()
        if not place or (self.places is not None and place not in self.places):
            return None
        date = self._fast_date(e["date"][1])
        node = e["kind"][1]
        # No null spelling is a kind, confidence or origin, so membership alone decides those three.
        if date is None or type(node) is not ScalarNode or node.value.strip() not in _KIND_SET:
            return None
        kind = node.value.strip()
        faction = self._fast_ref(e.get("faction"))
        previous = self._fast_ref(e.get("previous"))
        source = self._fast_source(e["source"][1])
        if faction == "" or previous == "" or source is None:
            return None
        confidence, origin, quote, reviewed = "reported", "manual", "", True
        entry = e.get("confidence")
        if entry is not None:
            node = entry[1]
            if type(node) is not ScalarNode:
                return None
            confidence = node.value.strip()
            if confidence not in _CONFIDENCE_SET:
                return None
        entry = e.get("origin")
        if entry is not None:
            node = entry[1]
            if type(node) is not ScalarNode:
                return None
            origin = node.value.strip()
            if origin not in _ORIGIN_SET:
                return None
        entry = e.get("quote")
        if entry is not None:
            node = entry[1]
            if type(node) is not ScalarNode:
                return None
            quote = "" if node.plain and node.value in NULLS else node.value.strip()
        entry = e.get("reviewed")
        if entry is not None:
            node = entry[1]
            if type(node) is not ScalarNode or not node.plain or node.value not in _BOOLS:
                return None
            reviewed = node.value in TRUES
        note = None
        if "note" in e:
            node = e["note"][1]
            if type(node) is not ScalarNode:
                return None
            if not node.is_null:
                note = text_of(node)
                if note is None:
                    return None
        return ControlEvent(place, date, kind, faction, source, confidence, previous, quote, origin, reviewed,
                            note, item.line)

    def _fast_date(self, node: Node) -> dt.date | None:
        """A valid, not future date from a cache keyed by its text (a log repeats few dates)."""
        if type(node) is not ScalarNode:
            return None
        value = node.value
        cached = self._date_cache.get(value)
        if cached is None:
            m = DATE_RE.fullmatch(value)
            if m is None:
                return None
            try:
                cached = dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                return None
            if cached > self.latest:
                return None
            self._date_cache[value] = cached
        return cached

    def _fast_ref(self, entry: tuple[ScalarNode, Node] | None) -> str | None:
        """A faction reference: None when absent or null, '' when it needs the checked path."""
        if entry is None:
            return None
        node = entry[1]
        if type(node) is not ScalarNode:
            return ""
        if node.plain and node.value in NULLS:
            return None
        value = node.value.strip()
        if self.faction_set is not None and value not in self.faction_set:
            return ""
        return value

    def _fast_source(self, node: Node) -> Source | None:
        if type(node) is not MapNode:
            return None
        e = node.entries
        if "outlet" not in e or not e.keys() <= _SOURCE_SET:
            return None
        onode = e["outlet"][1]
        if type(onode) is not ScalarNode or (onode.plain and onode.value in NULLS):
            return None
        outlet = onode.value.strip()
        if not outlet:
            return None
        published = url = article = None
        entry = e.get("published")
        if entry is not None:
            pub = entry[1]
            if not (type(pub) is ScalarNode and pub.plain and pub.value in NULLS):
                published = self._fast_date(pub)
                if published is None:
                    return None
        entry = e.get("url")
        if entry is not None:
            unode = entry[1]
            if type(unode) is not ScalarNode:
                return None
            if not (unode.plain and unode.value in NULLS):
                url = unode.value.strip()
                if not URL_RE.fullmatch(url):
                    return None
        entry = e.get("article")
        if entry is not None:
            anode = entry[1]
            if type(anode) is not ScalarNode:
                return None
            if not (anode.plain and anode.value in NULLS):
                article = anode.value.strip()
                if not article:
                    return None
        return Source(outlet, published, url, article)

    def _read_checked(self, item: Node) -> ControlEvent | None:
        """The thorough path: every field checked and every problem recorded with its position."""
        file = self.file
        if not isinstance(item, MapNode):
            self.errors.append(DataError(f"each event must be a mapping of fields, not {describe(item)}",
                                         file, item.line, item.col))
            return None
        before = len(self.errors)
        self.errors.extend(unknown_fields(item, EVENT_FIELDS, file, "event"))
        self.errors.extend(missing_fields(item, REQUIRED_FIELDS, file, "event"))
        get = self._get
        place = get(item, "place", self._place)
        date = get(item, "date", self._date, "date of event")
        kind = get(item, "kind", choice, file, "kind", "event", EVENT_KINDS)
        faction = get(item, "faction", self._faction, "faction")
        previous = get(item, "previous", self._faction, "previous")
        confidence = get(item, "confidence", choice, file, "confidence", "event", CONFIDENCES)
        source = get(item, "source", self._source)
        quote = get(item, "quote", as_str, file, "quote of event", allow_empty=True)
        origin = get(item, "origin", choice, file, "origin", "event", ORIGINS)
        reviewed = get(item, "reviewed", as_bool, file, "reviewed of event")
        note = get(item, "note", as_opt_str, file, "note of event")
        if len(self.errors) > before or place is None or date is None or kind is None or source is None:
            return None
        event = ControlEvent(
            place=place, date=date, kind=kind, faction=faction, source=source,
            confidence=confidence or "reported", previous=previous, quote=quote or "",
            origin=origin or "manual", reviewed=True if reviewed is None else reviewed, note=note,
            line=item.line,
        )
        return event if self._consistent(event, item) else None

    def _consistent(self, ev: ControlEvent, item: MapNode) -> bool:
        """Checks across fields: a holder where the kind needs one, none for withdrew, sane source dates."""
        file = self.file
        fnode = item.get("faction")
        at = fnode if fnode is not None else item
        if ev.kind in HOLDING_KINDS and ev.faction is None:
            self.errors.append(DataError(f"a '{ev.kind}' event needs the faction that holds {ev.place} "
                                         "afterwards", file, at.line, at.col))
            return False
        if ev.kind == "withdrew" and ev.faction is not None:
            self.errors.append(DataError(
                f"a 'withdrew' event names no successor: put '{ev.faction}' under 'previous' and leave "
                "'faction' null, or use 'captured' if another faction took over", file, at.line, at.col))
            return False
        if ev.faction is not None and ev.faction == ev.previous and ev.kind.startswith("captured"):
            self.warnings.append(DataWarning(f"event says '{ev.faction}' {ev.kind.replace('_', ' ')} "
                                             f"{ev.place} from itself", file, at.line, at.col))
        if self.ground is not None and ev.faction is not None and ev.faction not in self.ground:
            self.warnings.append(DataWarning(
                f"faction '{ev.faction}' does not hold ground (holds_ground: false); {ev.place} will not be "
                "coloured for it", file, at.line, at.col))
        published = ev.source.published
        if published is not None and published < ev.date:
            src = item.get("source")
            node = src.get("published") if isinstance(src, MapNode) else None
            where = node or item
            self.warnings.append(DataWarning(f"source published {published} is before the event date "
                                             f"{ev.date}", file, where.line, where.col))
        return True

    def _get(self, item: MapNode, key: str, convert: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """Convert one field if present, recording its error instead of raising."""
        node = item.get(key)
        if node is None:
            return None
        try:
            return convert(node, *args, **kwargs)
        except DataError as exc:
            self.errors.append(exc)
            return None

    def _date(self, node: Node, label: str) -> dt.date:
        value = as_date(node, self.file, label)
        if value > self.latest:
            raise DataError(f"{label} {value} is in the future (today is {self.today})",
                            self.file, node.line, node.col)
        return value

    def _place(self, node: Node) -> str:
        pid = as_str(node, self.file, "place of event")
        if self.places is not None and pid not in self.places:
            close = difflib.get_close_matches(pid, list(self.places), n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else "; add it to places.yaml first"
            raise DataError(f"unknown place '{pid}'{hint}", self.file, node.line, node.col)
        return pid

    def _faction(self, node: Node, key: str) -> str | None:
        if isinstance(node, ScalarNode) and node.is_null:
            return None
        fid = as_str(node, self.file, f"{key} of event")
        if self.faction_ids is not None and fid not in self.faction_ids:
            raise DataError(f"unknown faction '{fid}'; known: {', '.join(self.faction_ids)}",
                            self.file, node.line, node.col)
        return fid

    def _source(self, node: Node) -> Source:
        file = self.file
        if not isinstance(node, MapNode):
            if isinstance(node, ScalarNode) and not node.is_null:
                raise DataError("source must be a mapping like {outlet: AFP, published: 2024-12-02}, "
                                f"not {describe(node)}", file, node.line, node.col)
            raise DataError("every event needs a source with at least an outlet", file, node.line, node.col)
        problems = unknown_fields(node, SOURCE_FIELDS, file, "source")
        problems += missing_fields(node, ("outlet",), file, "source")
        if problems:
            self.errors.extend(problems[:-1])
            raise problems[-1]
        outlet = as_str(node.entries["outlet"][1], file, "outlet of source")
        pub = node.get("published")
        published = None
        if pub is not None and not (isinstance(pub, ScalarNode) and pub.is_null):
            published = self._date(pub, "published date of source")
        url = as_opt_str(node.get("url"), file, "url of source")
        if url is not None and not URL_RE.fullmatch(url):
            unode = node.get("url")
            assert unode is not None
            raise DataError(f"url of source must start with http:// or https://, not {url!r}",
                            file, unode.line, unode.col)
        article = as_opt_str(node.get("article"), file, "article of source")
        return Source(outlet=outlet, published=published, url=url, article=article)


def event_to_mapping(ev: ControlEvent) -> dict[str, Any]:
    """A YAML-ready mapping in the documented field order; optional fields only when they are set."""
    out: dict[str, Any] = {"place": ev.place, "date": ev.date, "kind": ev.kind, "faction": ev.faction}
    if ev.previous is not None:
        out["previous"] = ev.previous
    out["confidence"] = ev.confidence
    out["source"] = {
        "outlet": ev.source.outlet,
        "published": ev.source.published,
        "url": ev.source.url,
        "article": ev.source.article,
    }
    out["quote"] = ev.quote
    out["origin"] = ev.origin
    out["reviewed"] = ev.reviewed
    if ev.note:
        out["note"] = ev.note
    return out
