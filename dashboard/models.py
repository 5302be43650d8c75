"""Frozen value types shared by every layer: places, factions, control events, mentions, statuses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

PlaceKind = Literal[
    "city", "town", "village", "neighbourhood", "governorate", "district", "facility", "region"
]
PLACE_KINDS: tuple[str, ...] = (
    "city", "town", "village", "neighbourhood", "governorate", "district", "facility", "region",
)
EventKind = Literal["captured", "captured_partial", "entered", "withdrew", "held"]
EVENT_KINDS: tuple[str, ...] = ("captured", "captured_partial", "entered", "withdrew", "held")
Confidence = Literal["confirmed", "reported", "claimed"]
CONFIDENCES: tuple[str, ...] = ("confirmed", "reported", "claimed")
Origin = Literal["extracted", "manual"]
ORIGINS: tuple[str, ...] = ("extracted", "manual")
CoordsSource = Literal["geonames", "nominatim", "manual"]
COORDS_SOURCES: tuple[str, ...] = ("geonames", "nominatim", "manual")
# What a place's status can be on a date; "partial" = one faction holds most, another holds part.
StatusState = Literal["held", "contested", "partial", "mixed", "unknown", "abandoned"]


@dataclass(frozen=True, slots=True)
class Place:
    """A named location in the gazetteer."""

    id: str
    name: str
    kind: str
    lat: float | None
    lon: float | None
    aliases: tuple[str, ...] = ()
    name_ar: str | None = None
    admin1: str | None = None
    parent: str | None = None
    population: int | None = None
    geonames: int | None = None
    coords_source: str | None = None
    reviewed: bool = True
    line: int = 0

    def names(self) -> tuple[str, ...]:
        """Every name this place is known by: the name, the Arabic name, then the aliases."""
        extra = (self.name_ar,) if self.name_ar else ()
        return (self.name, *extra, *self.aliases)


@dataclass(frozen=True, slots=True)
class Faction:
    """An armed actor; only factions that hold ground get a map colour."""

    id: str
    name: str
    color: str
    aliases: tuple[str, ...] = ()
    holds_ground: bool = True
    description: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True)
class Source:
    """Where a claim about control comes from."""

    outlet: str
    published: dt.date | None = None
    url: str | None = None
    article: str | None = None


@dataclass(frozen=True, slots=True)
class ControlEvent:
    """One dated statement about who holds a place, with its source and quote."""

    place: str
    date: dt.date
    kind: str
    faction: str | None
    source: Source
    confidence: str = "reported"
    previous: str | None = None
    quote: str = ""
    origin: str = "manual"
    reviewed: bool = True
    note: str | None = None
    line: int = 0

    def key(self) -> tuple[str, dt.date, str, str | None, str]:
        """Identity used to refuse duplicates: same place, day, kind, faction and outlet."""
        return (self.place, self.date, self.kind, self.faction, self.source.outlet.casefold())


@dataclass(frozen=True, slots=True)
class Status:
    """Who holds a place on a date, and why we think so."""

    place: str
    state: str
    factions: tuple[str, ...] = ()
    since: dt.date | None = None
    events: tuple[ControlEvent, ...] = field(default=())

    @property
    def faction(self) -> str | None:
        """The single holder when the state is plain ``held``, else the leading faction if any."""
        return self.factions[0] if self.factions else None


@dataclass(frozen=True, slots=True)
class Mention:
    """A place named in a text: the span, and the gazetteer place it resolved to."""

    text: str
    start: int
    end: int
    place: str
    lat: float | None
    lon: float | None
    kind: str


@dataclass(frozen=True, slots=True)
class Article:
    """A news report to ingest; ``text`` excludes the ``# key: value`` header lines."""

    text: str
    published: dt.date
    file: str | None = None
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
