"""The gazetteer: load and validate data/places.yaml, index every name by its folded form, look names up."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from dashboard.errors import DataError, DataErrors
from dashboard.models import COORDS_SOURCES, PLACE_KINDS, Place
from dashboard.names import fold, skeleton
from dashboard.yamlio import (
    FALSES,
    FLOAT_RE,
    INT_RE,
    NULLS,
    TRUES,
    DataWarning,
    MapNode,
    Node,
    ScalarNode,
    SeqNode,
    YamlDoc,
    as_bool,
    as_float,
    as_int,
    as_opt_str,
    as_str,
    as_str_list,
    describe,
    missing_fields,
    parse_yaml,
    paused_gc,
    read_yaml,
    text_of,
    top_list,
    unknown_fields,
)

# Syria plus a margin for border crossings and places just across the border (south, west, north, east).
REGION_BBOX: tuple[float, float, float, float] = (31.8, 35.2, 37.9, 42.9)
REGION_NAME = "the Syria region"
PLACE_FIELDS: tuple[str, ...] = (
    "id", "name", "name_ar", "aliases", "kind", "admin1", "parent", "lat", "lon",
    "population", "geonames", "coords_source", "reviewed", "note",
)
REQUIRED_FIELDS: tuple[str, ...] = ("id", "name", "kind", "lat", "lon")
ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Administrative units are routinely named after their seat (Idlib city, district and governorate).
ADMIN_KINDS = frozenset({"governorate", "district", "region"})
# Lookup ranking among equally good matches: a bare name in the news most often means the settlement.
KIND_RANK = {kind: i for i, kind in enumerate(
    ("city", "town", "village", "neighbourhood", "facility", "district", "governorate", "region"))}
T = TypeVar("T")
_FIELD_SET = frozenset(PLACE_FIELDS)
_REQUIRED_SET = frozenset(REQUIRED_FIELDS)
_KIND_SET = frozenset(PLACE_KINDS)
_BOOLS = TRUES | FALSES
_OPTIONAL_TEXT = ("name_ar", "admin1", "parent", "coords_source", "note")
# Two places sharing a name this close together are probably one place entered twice.
DUPLICATE_KM = 3.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible place for a name; ``how`` is exact, folded, skeleton or fuzzy; higher score is better."""

    place: Place
    score: float
    matched: str
    how: str


class Gazetteer:
    """Validated places in file order with a folded-name index for lookups."""

    def __init__(
        self,
        places: dict[str, Place],
        *,
        file: str = "",
        sha256: str = "",
        warnings: Sequence[DataError] = (),
        index: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.places = places
        self.file = file
        self.sha256 = sha256
        self.warnings = list(warnings)
        self._order = {pid: i for i, pid in enumerate(places)}
        # ``index`` is build_index(places) already computed by the caller (checking shared names builds it).
        self.index = build_index(places) if index is None else index
        self._skeletons: dict[str, tuple[str, ...]] | None = None  # built on the first lookup that needs it
        self._by_initial: dict[str, list[str]] | None = None

    def _secondary(self) -> tuple[dict[str, tuple[str, ...]], dict[str, list[str]]]:
        """Skeleton and first-letter indexes, built lazily: validation and geoparsing never need them."""
        if self._skeletons is None or self._by_initial is None:
            skeletons: dict[str, list[str]] = {}
            by_initial: dict[str, list[str]] = {}
            for key, owners in self.index.items():
                bucket = skeletons.setdefault(skeleton(key), [])
                bucket.extend(i for i in owners if i not in bucket)
                by_initial.setdefault(key[0], []).append(key)
            self._skeletons = {k: tuple(v) for k, v in skeletons.items()}
            self._by_initial = by_initial
        return self._skeletons, self._by_initial

    def __len__(self) -> int:
        return len(self.places)

    def __contains__(self, place_id: object) -> bool:
        return place_id in self.places

    def get(self, place_id: str) -> Place | None:
        """The place with this id, or None."""
        return self.places.get(place_id)

    def ids_for_folded(self, folded: str) -> tuple[str, ...]:
        """Place ids whose name, Arabic name or an alias folds to ``folded`` (file order)."""
        return self.index.get(folded, ())

    def lookup(self, name: str, kinds: Iterable[str] | None = None) -> list[Candidate]:
        """Ranked candidates: exact or folded spellings first, then the same consonants, then close ones."""
        key = fold(name)
        if not key:
            return []
        wanted = frozenset(kinds) if kinds is not None else None
        plain = " ".join(name.split()).casefold()
        found: dict[str, Candidate] = {}

        def add(ids: Iterable[str], folded: str, score: float, how: str) -> None:
            for pid in ids:
                place = self.places[pid]
                if pid in found or (wanted is not None and place.kind not in wanted):
                    continue
                exact = next((n for n in place.names() if " ".join(n.split()).casefold() == plain), None)
                if exact is not None:
                    found[pid] = Candidate(place, 1.0, exact, "exact")
                else:
                    spelling = next((n for n in place.names() if fold_cached(n) == folded), place.name)
                    found[pid] = Candidate(place, score, spelling, how)

        add(self.index.get(key, ()), key, 0.95, "folded")
        skeletons, by_initial = self._secondary()
        skel = skeleton(key)
        for pid in skeletons.get(skel, ()):
            keys = (fold_cached(n) for n in self.places[pid].names())
            folded = next((k for k in keys if skeleton(k) == skel), key)
            add((pid,), folded, 0.8, "skeleton")
        if not found:
            pool = by_initial.get(key[0], [])
            for close in difflib.get_close_matches(key, pool, n=5, cutoff=0.8):
                ratio = difflib.SequenceMatcher(None, key, close).ratio()
                add(self.index[close], close, round(0.7 * ratio, 3), "fuzzy")
        return sorted(found.values(), key=self._rank)

    def _rank(self, c: Candidate) -> tuple[float, int, int, int]:
        place = c.place
        return (-c.score, KIND_RANK.get(place.kind, 99), -(place.population or 0), self._order[place.id])


# Folding is pure and names repeat between validation, the index and lookups; a bounded cache keeps it cheap.
fold_cached = lru_cache(maxsize=1 << 18)(fold)


def build_index(places: Mapping[str, Place]) -> dict[str, tuple[str, ...]]:
    """Folded name -> ids of the places known by it, in file order."""
    index: dict[str, list[str]] = {}
    for pid, place in places.items():
        for name in place.names():
            key = fold_cached(name)
            if not key:
                continue
            ids = index.get(key)
            if ids is None:
                index[key] = [pid]
            elif pid not in ids:
                ids.append(pid)
    return {k: tuple(v) for k, v in index.items()}


def load_gazetteer(path: str | Path) -> Gazetteer:
    """Read and validate a places file; raise ``DataError``/``DataErrors`` listing every problem."""
    with paused_gc():
        doc = read_yaml(path)
        places, errors, warnings, index = check_places_indexed(doc)
        if errors:
            raise DataErrors(errors)
        return Gazetteer(places, file=doc.file, sha256=doc.sha256, warnings=warnings, index=index)


def validate_places_text(text: str, file: str) -> tuple[dict[str, Place], list[DataError], list[DataError]]:
    """Validate an editor's buffer; return (places, errors, warnings) without raising."""
    try:
        doc = parse_yaml(text, file)
    except DataError as exc:
        return {}, [exc], []
    return check_places(doc)


def check_places(
    doc: YamlDoc, bbox: tuple[float, float, float, float] = REGION_BBOX,
) -> tuple[dict[str, Place], list[DataError], list[DataError]]:
    """Validate a parsed places document: fields, ids, coordinates, references and shared names."""
    places, errors, warnings, _ = check_places_indexed(doc, bbox)
    return places, errors, warnings


def check_places_indexed(
    doc: YamlDoc, bbox: tuple[float, float, float, float] = REGION_BBOX,
) -> tuple[dict[str, Place], list[DataError], list[DataError], dict[str, tuple[str, ...]]]:
    """``check_places`` plus the folded-name index of the places, which checking shared names builds.

    Pass the index to ``Gazetteer(index=...)`` instead of letting it fold every name again (about 40 ms for
    10,000 places).
    """
    file = doc.file
    try:
        seq = top_list(doc, "places")
    except DataError as exc:
        return {}, [exc], [], {}
    errors: list[DataError] = []
    warnings: list[DataError] = []
    places: dict[str, Place] = {}
    nodes: dict[str, MapNode] = {}
    first_line: dict[str, int] = {}
    for item in seq.items:
        place = _fast_place(item, first_line, bbox) if type(item) is MapNode else None
        if place is None:
            place = _read_place(item, file=file, errors=errors, first_line=first_line, bbox=bbox,
                                warnings=warnings)
        if place is not None and isinstance(item, MapNode):
            places[place.id] = place
            nodes[place.id] = item
    _check_references(places, nodes, file, errors, warnings)
    index = _check_shared_names(places, nodes, file, warnings)
    errors.sort(key=lambda e: (e.line, e.col))
    warnings.sort(key=lambda e: (e.line, e.col))
    return places, errors, warnings, index


def _fast_place(
    item: MapNode, first_line: dict[str, int], bbox: tuple[float, float, float, float],
) -> Place | None:
    """The common, valid case in straight-line code; None sends the entry through ``_read_place``."""
    # text_of() and is_null are written out here: this runs once per place (10,000 in the bench).
    e = item.entries
    keys = e.keys()
    if not (keys <= _FIELD_SET and keys >= _REQUIRED_SET):
        return None
    pid = text_of(e["id"][1])
    name = text_of(e["name"][1])
    node = e["kind"][1]
    # No null spelling is a kind, so membership alone decides it.
    if pid is None or name is None or type(node) is not ScalarNode or pid in first_line:
        return None
    kind = node.value.strip()
    if kind not in _KIND_SET or not ID_RE.fullmatch(pid):
        return None
    lat_node, lon_node = e["lat"][1], e["lon"][1]
    if type(lat_node) is not ScalarNode or type(lon_node) is not ScalarNode:
        return None
    lat = lon = None
    if not (lat_node.plain and lat_node.value in NULLS and lon_node.plain and lon_node.value in NULLS):
        if not (lat_node.plain and lon_node.plain and FLOAT_RE.fullmatch(lat_node.value)
                and FLOAT_RE.fullmatch(lon_node.value)):
            return None
        lat, lon = float(lat_node.value), float(lon_node.value)
        south, west, north, east = bbox
        if not (south <= lat <= north and west <= lon <= east):
            return None  # the checked path explains it (a warning, or an error when out of range)
    aliases: tuple[str, ...] = ()
    entry = e.get("aliases")
    if entry is not None:
        node = entry[1]
        if type(node) is SeqNode:
            names = [text_of(a) for a in node.items]
            if None in names:
                return None
            aliases = tuple(n for n in names if n is not None)
        elif not (type(node) is ScalarNode and node.plain and node.value in NULLS):
            return None
    opt: dict[str, str | None] = {}
    for key in _OPTIONAL_TEXT:
        entry = e.get(key)
        if entry is None:
            continue
        node = entry[1]
        if type(node) is not ScalarNode:
            return None
        if node.plain and node.value in NULLS:
            opt[key] = None
            continue
        value = node.value.strip()
        if not value:
            return None
        opt[key] = value
    for key in ("admin1", "parent"):
        ref = opt.get(key)
        if ref is not None and not ID_RE.fullmatch(ref):
            return None
    source = opt.get("coords_source")
    if source is not None and source not in COORDS_SOURCES:
        return None
    numbers: dict[str, int | None] = {}
    for key, minimum in (("population", 0), ("geonames", 1)):
        entry = e.get(key)
        if entry is None:
            continue
        node = entry[1]
        if type(node) is not ScalarNode:
            return None
        if node.plain and node.value in NULLS:
            numbers[key] = None
            continue
        if not (node.plain and INT_RE.fullmatch(node.value)):
            return None
        number = int(node.value)
        if number < minimum:
            return None
        numbers[key] = number
    reviewed = True
    entry = e.get("reviewed")
    if entry is not None:
        node = entry[1]
        if type(node) is not ScalarNode or not node.plain or node.value not in _BOOLS:
            return None
        reviewed = node.value in TRUES
    first_line[pid] = item.line
    return Place(pid, name, kind, lat, lon, aliases, opt.get("name_ar"), opt.get("admin1"), opt.get("parent"),
                 numbers.get("population"), numbers.get("geonames"), source, reviewed, item.line)


def _read_place(
    item: Node,
    *,
    file: str,
    errors: list[DataError],
    first_line: dict[str, int],
    bbox: tuple[float, float, float, float],
    warnings: list[DataError],
) -> Place | None:
    """Convert one list entry to a Place, appending every problem found; None when it cannot be used."""
    if not isinstance(item, MapNode):
        errors.append(DataError(f"each place must be a mapping of fields, not {describe(item)}",
                                file, item.line, item.col))
        return None
    pid = _read_id(item, file, errors, first_line, "place")
    what = f"place '{pid}'" if pid else "place"
    before = len(errors)
    errors.extend(unknown_fields(item, PLACE_FIELDS, file, what))
    errors.extend(missing_fields(item, REQUIRED_FIELDS, file, what))

    def field(key: str, convert: Callable[[Node], T]) -> T | None:
        return _field(item, key, convert, errors)

    name = field("name", lambda n: as_str(n, file, f"name of {what}"))
    name_ar = field("name_ar", lambda n: as_opt_str(n, file, f"name_ar of {what}"))
    aliases = field("aliases", lambda n: [a for a, _ in as_str_list(n, file, f"aliases of {what}")])
    kind = field("kind", lambda n: choice(n, file, "kind", what, PLACE_KINDS))
    admin1 = field("admin1", lambda n: _opt_ref(n, file, f"admin1 of {what}"))
    parent = field("parent", lambda n: _opt_ref(n, file, f"parent of {what}"))
    population = field("population", lambda n: _opt_count(n, file, f"population of {what}", 0))
    geonames = field("geonames", lambda n: _opt_count(n, file, f"geonames id of {what}", 1))
    coords_source = field("coords_source",
                          lambda n: _opt_choice(n, file, "coords_source", what, COORDS_SOURCES))
    reviewed = field("reviewed", lambda n: as_bool(n, file, f"reviewed of {what}"))
    field("note", lambda n: as_opt_str(n, file, f"note of {what}"))
    lat, lon = _read_coords(item, file=file, what=what, errors=errors, bbox=bbox, warnings=warnings)
    if len(errors) > before or not pid:
        return None
    return Place(
        id=pid,
        name=name or "",
        kind=kind or "",
        lat=lat,
        lon=lon,
        aliases=tuple(aliases or ()),
        name_ar=name_ar,
        admin1=admin1,
        parent=parent,
        population=population,
        geonames=geonames,
        coords_source=coords_source,
        reviewed=True if reviewed is None else reviewed,
        line=item.line,
    )


def _field(item: MapNode, key: str, convert: Callable[[Node], T], errors: list[DataError]) -> T | None:
    """Convert one optional field, recording its error instead of raising."""
    node = item.get(key)
    if node is None:
        return None
    try:
        return convert(node)
    except DataError as exc:
        errors.append(exc)
        return None


def _read_id(item: MapNode, file: str, errors: list[DataError], first_line: dict[str, int], what: str) -> str:
    """The entry's slug id ('' when missing or bad), refusing one already used earlier in the file."""
    node = item.get("id")
    if node is None:
        return ""
    try:
        pid = as_str(node, file, f"id of {what}")
    except DataError as exc:
        errors.append(exc)
        return ""
    if not ID_RE.fullmatch(pid):
        errors.append(DataError(f"{what} id {pid!r} must be a lowercase slug like 'tal-rifaat' "
                                "(a-z, 0-9, single hyphens)", file, node.line, node.col))
        return ""
    if pid in first_line:
        errors.append(DataError(f"duplicate {what} id '{pid}' (first at line {first_line[pid]})",
                                file, node.line, node.col))
        return ""
    first_line[pid] = item.line
    return pid


def choice(node: Node, file: str, key: str, what: str, allowed: Sequence[str]) -> str:
    """A value from a fixed list, with a did-you-mean hint (``key`` names the field, ``what`` its owner)."""
    value = as_str(node, file, f"{key} of {what}")
    if value in allowed:
        return value
    close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else "expected one of: " + ", ".join(allowed)
    raise DataError(f"{what} has unknown {key} '{value}'; {hint}", file, node.line, node.col)


def _opt_choice(node: Node, file: str, key: str, what: str, allowed: Sequence[str]) -> str | None:
    if isinstance(node, ScalarNode) and node.is_null:
        return None
    return choice(node, file, key, what, allowed)


def _opt_ref(node: Node, file: str, label: str) -> str | None:
    """An optional place id reference (checked against the file later)."""
    value = as_opt_str(node, file, label)
    if value is not None and not ID_RE.fullmatch(value):
        raise DataError(f"{label} {value!r} is not a place id (a lowercase slug)", file, node.line, node.col)
    return value


def _opt_count(node: Node, file: str, label: str, minimum: int) -> int | None:
    if isinstance(node, ScalarNode) and node.is_null:
        return None
    value = as_int(node, file, label)
    if value < minimum:
        raise DataError(f"{label} must be at least {minimum}, not {value}", file, node.line, node.col)
    return value


def _in_bbox(lat: float, lon: float, bbox: tuple[float, float, float, float]) -> bool:
    south, west, north, east = bbox
    return south <= lat <= north and west <= lon <= east


def _read_coords(
    item: MapNode,
    *,
    file: str,
    what: str,
    errors: list[DataError],
    bbox: tuple[float, float, float, float],
    warnings: list[DataError],
) -> tuple[float | None, float | None]:
    """Latitude and longitude: both numbers in range, or both null for a place awaiting geocoding."""
    lat_node, lon_node = item.get("lat"), item.get("lon")
    if lat_node is None or lon_node is None:
        return None, None  # reported as a missing field
    lat_null = isinstance(lat_node, ScalarNode) and lat_node.is_null
    lon_null = isinstance(lon_node, ScalarNode) and lon_node.is_null
    if lat_null and lon_null:
        return None, None
    if lat_null != lon_null:
        node = lat_node if lat_null else lon_node
        errors.append(DataError(f"{what} has {'lon' if lat_null else 'lat'} but no "
                                f"{'lat' if lat_null else 'lon'}; give both, or both null while awaiting "
                                "geocoding", file, node.line, node.col))
        return None, None
    try:
        lat = as_float(lat_node, file, f"latitude of {what}")
        lon = as_float(lon_node, file, f"longitude of {what}")
    except DataError as exc:
        errors.append(exc)
        return None, None
    swapped = _in_bbox(lon, lat, bbox)
    hint = " (lat and lon swapped?)" if swapped else ""
    bad = False
    if not -90 <= lat <= 90:
        errors.append(DataError(f"{what} has latitude {lat:g}; expected -90..90{hint}",
                                file, lat_node.line, lat_node.col))
        bad = True
    if not -180 <= lon <= 180:
        errors.append(DataError(f"{what} has longitude {lon:g}; expected -180..180{hint}",
                                file, lon_node.line, lon_node.col))
        bad = True
    if not bad and not _in_bbox(lat, lon, bbox):
        south, west, north, east = bbox
        warnings.append(DataWarning(
            f"{what} at {lat:g}, {lon:g} is outside {REGION_NAME} "
            f"({south:g}..{north:g} N, {west:g}..{east:g} E){hint}", file, lat_node.line, lat_node.col))
    return lat, lon


def _check_references(
    places: dict[str, Place],
    nodes: dict[str, MapNode],
    file: str,
    errors: list[DataError],
    warnings: list[DataError],
) -> None:
    """admin1 and parent must name places in the file; parent chains must not loop."""
    for pid, place in places.items():
        item = nodes[pid]
        for key, target in (("admin1", place.admin1), ("parent", place.parent)):
            if target is None:
                continue
            node = item.get(key)
            line, col = (node.line, node.col) if node is not None else (item.line, item.col)
            if target == pid:
                errors.append(DataError(f"place '{pid}' names itself as its {key}", file, line, col))
            elif target not in places:
                close = difflib.get_close_matches(target, list(places), n=1, cutoff=0.6)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                errors.append(DataError(f"{key} '{target}' of place '{pid}' is not a place id in this file"
                                        f"{hint}", file, line, col))
            elif key == "admin1" and places[target].kind != "governorate":
                warnings.append(DataWarning(f"admin1 '{target}' of place '{pid}' is a {places[target].kind}, "
                                            "not a governorate", file, line, col))
    for pid, place in places.items():
        chain = [pid]
        current = place.parent
        while current is not None and current in places and current != pid and current not in chain:
            chain.append(current)
            current = places[current].parent
        if current == pid and len(chain) > 1:
            node = nodes[pid].get("parent")
            line, col = (node.line, node.col) if node is not None else (nodes[pid].line, nodes[pid].col)
            loop = " -> ".join([*chain, pid])
            errors.append(DataError(f"parent chain of place '{pid}' loops back to it ({loop})",
                                    file, line, col))


def _ancestors(place: Place, places: dict[str, Place]) -> set[str]:
    out: set[str] = set()
    stack = [x for x in (place.parent, place.admin1) if x]
    while stack:
        current = stack.pop()
        if current in out or current not in places:
            continue
        out.add(current)
        stack.extend(x for x in (places[current].parent, places[current].admin1) if x)
    return out


def _km(a: Place, b: Place) -> float | None:
    """Great-circle distance in km, or None when either place has no coordinates."""
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _check_shared_names(
    places: dict[str, Place], nodes: dict[str, MapNode], file: str, warnings: list[DataError],
) -> dict[str, tuple[str, ...]]:
    """One warning per name shared by unrelated settlements (a town and units named after it are fine).

    Returns the folded-name index (``build_index``), which this check builds on the way.
    """
    index: dict[str, list[str]] = {}
    spelled: dict[str, list[str]] = {}  # for each folded name, the spelling each owner first had it in
    for pid, place in places.items():
        for name in place.names():
            key = fold_cached(name)
            if not key:
                warnings.append(DataWarning(f"name {name!r} of place '{pid}' has no letters left after "
                                            "folding; it can never be matched",
                                            file, nodes[pid].line, nodes[pid].col))
                continue
            ids = index.get(key)
            if ids is None:
                index[key] = [pid]
                spelled[key] = [name]
            elif ids[-1] != pid:  # one place's names come together, so an earlier owner is never this one
                ids.append(pid)
                spelled[key].append(name)
    reported: set[tuple[str, ...]] = set()  # one warning per group of places, however many names they share
    for key, owner_ids in index.items():
        if len(owner_ids) < 2:
            continue
        entry = list(zip(owner_ids, spelled[key], strict=True))
        settlements = [(pid, name) for pid, name in entry if places[pid].kind not in ADMIN_KINDS]
        if len(settlements) < 2:
            continue
        # A neighbourhood named like its own city is the same kind of expected overlap.
        group_ids = {pid for pid, _ in settlements}
        settlements = [(pid, name) for pid, name in settlements
                       if not (group_ids & _ancestors(places[pid], places))]
        group = tuple(sorted(pid for pid, _ in settlements))
        if len(settlements) < 2 or group in reported:
            continue
        reported.add(group)
        first = places[settlements[0][0]]
        pid, name = settlements[-1]
        node = _name_node(nodes[pid], name)
        listed = ", ".join(f"'{p}' (line {places[p].line})" for p, _ in settlements[:-1])
        close = [d for d in (_km(first, places[p]) for p, _ in settlements[1:]) if d is not None]
        tail = (f"; only {min(close):.1f} km apart: the same place entered twice?"
                if close and min(close) <= DUPLICATE_KM else "; lookups will return all of them")
        warnings.append(DataWarning(f"name {name!r} of place '{pid}' is also a name of {listed}{tail}",
                                    file, node.line, node.col))
    return {k: tuple(v) for k, v in index.items()}


def _name_node(item: MapNode, name: str) -> Node:
    """The node holding one of a place's names (for the warning's position)."""
    for key in ("name", "name_ar"):
        node = item.get(key)
        if isinstance(node, ScalarNode) and node.value.strip() == name:
            return node
    aliases = item.get("aliases")
    if isinstance(aliases, SeqNode):
        for node in aliases.items:
            if isinstance(node, ScalarNode) and node.value.strip() == name:
                return node
    return item
