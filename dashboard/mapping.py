"""Folium map building: a static offline base map with all places, plus a tiny per-rerun status layer.

The base map (Leaflet from local assets, country outlines, every place's position and escaped name) depends
only on the gazetteer, so streamlit-folium sees the same script on every rerun and never remounts the map.
What changes with the date and the filters travels as a compact status payload (one code per place into a
small style table) that ``static/cmap.js`` applies to the canvas in place, keeping zoom and pan.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
from branca.element import MacroElement
from folium.template import Template

from dashboard import assets
from dashboard.models import ControlEvent, Faction, Place, Status
from dashboard.safe_html import escape, script_json

CMAP_JS = Path(__file__).resolve().parent / "static" / "cmap.js"
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = "&copy; OpenStreetMap contributors"
# Index into cmap.js RADII: drawn size by kind; anything else with coordinates gets the last size.
KIND_SIZE = {"city": 0, "town": 1, "village": 2, "neighbourhood": 3}
OTHER_SIZE = 4
# Areas are not points on this map; they have no single holder to colour.
AREA_KINDS = frozenset({"governorate", "district", "region"})
STATE_TYPES = {"held": 0, "contested": 1, "partial": 2, "mixed": 3, "unknown": 4, "abandoned": 5}
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
HIDDEN = "-"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
GREY = "#888888"
SYRIA_CENTER = (35.0, 38.5)
SYRIA_ZOOM = 7
# South-west and north-east corners of Syria: the first view fits them whatever the map's size.
SYRIA_BOUNDS = ((32.3, 35.7), (37.35, 42.4))


def _asset_version(path: Path) -> str:
    """Short content hash used as a cache-busting query string for our own static files."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()[:10]
    except OSError:
        return "0"


class OfflineMap(folium.Map):
    """A folium Map whose Leaflet comes from our static folder: no CDN link anywhere in the page."""

    # Class-level on purpose: folium and streamlit-folium both read these to emit <script>/<link> tags.
    default_js = [  # noqa: RUF012
        ("leaflet", assets.LEAFLET_JS),
        ("cmap", f"{assets.STATIC_URL}/cmap.js?v={_asset_version(CMAP_JS)}"),
    ]
    default_css = [("leaflet_css", assets.LEAFLET_CSS)]  # noqa: RUF012

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("tiles", None)
        # Without a tile layer Leaflet has no maxZoom, which some controls need.
        kwargs.setdefault("maxZoom", 18)
        super().__init__(*args, **kwargs)


@dataclass(frozen=True)
class PlaceGeometry:
    """Every drawable place once, in draw order (small kinds first so cities stay on top)."""

    ids: tuple[str, ...]
    lat: tuple[float, ...]
    lon: tuple[float, ...]
    size: tuple[int, ...]
    names: tuple[str, ...]
    index: Mapping[str, int] = field(default_factory=dict)
    by_position: Mapping[tuple[float, float], int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    def at(self, lat: float, lon: float) -> str | None:
        """Return the id of the place drawn exactly at ``(lat, lon)``, as reported by a click."""
        i = self.by_position.get((round(lat, 5), round(lon, 5)))
        return self.ids[i] if i is not None else None


def display_name(place: Place) -> str:
    """The name shown on the map: the usual name, with the Arabic one after it when known."""
    return f"{place.name} · {place.name_ar}" if place.name_ar else place.name


def place_geometry(places: Iterable[Place]) -> PlaceGeometry:
    """Collect the places that can be drawn (point kinds with coordinates) into compact arrays."""
    drawable = [p for p in places if p.lat is not None and p.lon is not None and p.kind not in AREA_KINDS]
    # Stable sort: bigger sizes have smaller indices, so draw villages first and cities last.
    drawable.sort(key=lambda p: -KIND_SIZE.get(p.kind, OTHER_SIZE))
    lat = tuple(round(float(p.lat), 5) for p in drawable)  # type: ignore[arg-type]
    lon = tuple(round(float(p.lon), 5) for p in drawable)  # type: ignore[arg-type]
    by_position: dict[tuple[float, float], int] = {}
    for i, key in enumerate(zip(lat, lon, strict=True)):
        by_position.setdefault(key, i)
    return PlaceGeometry(
        ids=tuple(p.id for p in drawable),
        lat=lat,
        lon=lon,
        size=tuple(KIND_SIZE.get(p.kind, OTHER_SIZE) for p in drawable),
        names=tuple(escape(display_name(p)) for p in drawable),
        index={p.id: i for i, p in enumerate(drawable)},
        by_position=by_position,
    )


def geometry_json(geometry: PlaceGeometry) -> str:
    """The places file cmap.js fetches once: positions, size classes and escaped names, in draw order."""
    return script_json({"lat": geometry.lat, "lon": geometry.lon, "r": geometry.size, "n": geometry.names})


class PlacesLayer(MacroElement):
    """Creates the places layer (filled from a static file), outlines, layer switcher and legend."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        ConflictMap.init({{ this._parent.get_name() }}, {{ this.options }});
        {% endmacro %}
        """
    )

    def __init__(self, places_url: str, *, basemap: bool = True, osm: bool = True) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ConflictPlaces"
        self.options = script_json({
            "places": places_url,
            "basemap": assets.BASEMAP_URL if basemap else None,
            "osm": OSM_TILES if osm else None,
            "osmAttribution": OSM_ATTRIBUTION,
            "fit": SYRIA_BOUNDS,
        })


def build_base_map(
    geometry: PlaceGeometry,
    *,
    places_url: str | None = None,
    basemap: bool = True,
    osm: bool = True,
    center: tuple[float, float] = SYRIA_CENTER,
    zoom: int = SYRIA_ZOOM,
) -> OfflineMap:
    """Return the static base map: offline Leaflet, canvas, country outlines and the places layer.

    The places travel as a static file (published here unless ``places_url`` is given), so the map's
    script is small and identical on every rerun.
    """
    if places_url is None:
        places_url = assets.publish_data(geometry_json(geometry).encode())
    fmap = OfflineMap(location=center, zoom_start=zoom, prefer_canvas=True, control_scale=True, zoomSnap=0.25)
    PlacesLayer(places_url, basemap=basemap, osm=osm).add_to(fmap)
    return fmap


# --- the per-rerun status ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusPayload:
    """What changes on a rerun: one code per place, the style table, the legend and the selection."""

    width: int
    codes: str
    styles: tuple[tuple[Any, ...], ...]
    legend: tuple[tuple[str, str, int], ...]
    notes: tuple[str, ...]
    title: str
    selected: int
    shown: int
    counts: Mapping[str, int]
    faction_counts: Mapping[str, int] = field(default_factory=dict)

    def as_json(self) -> str:
        """The payload as script-safe JSON for ``ConflictMap.apply``."""
        return script_json({
            "w": self.width, "c": self.codes, "s": [list(s) for s in self.styles],
            "legend": [list(x) for x in self.legend], "notes": list(self.notes), "title": self.title,
            "sel": self.selected,
        })


def faction_color(faction: Faction | None) -> str:
    """The faction's colour if it is a plain ``#rrggbb`` value, else neutral grey."""
    if faction is None or not _HEX.match(faction.color):
        return GREY
    return faction.color


def evidence(status: Status) -> ControlEvent | None:
    """The latest event behind a status (the one whose source and review state it carries)."""
    if not status.events:
        return None
    return max(status.events, key=lambda e: (e.date, e.line))


def _encode(index: int, width: int) -> str:
    """Encode a style index as ``width`` characters of the alphabet."""
    chars = []
    for _ in range(width):
        index, digit = divmod(index, len(ALPHABET))
        chars.append(ALPHABET[digit])
    return "".join(reversed(chars))


def status_payload(
    geometry: PlaceGeometry,
    snapshot: Mapping[str, Status],
    factions: Mapping[str, Faction],
    *,
    visible: Iterable[str] | None = None,
    selected: str | None = None,
    show_unknown: bool = False,
    title: str = "",
) -> StatusPayload:
    """Encode the snapshot for the places in ``visible`` (all when None) as a compact status payload."""
    wanted = None if visible is None else set(visible)
    style_index: dict[tuple[str, tuple[str, ...], bool], int] = {}
    styles: list[tuple[Any, ...]] = []
    place_styles: list[int] = []
    per_style: Counter[int] = Counter()
    for place_id in geometry.ids:
        status = snapshot.get(place_id)
        if status is None or (wanted is not None and place_id not in wanted):
            if status is None and show_unknown and (wanted is None or place_id in wanted):
                status = Status(place_id, "unknown")
            else:
                place_styles.append(-1)
                continue
        state = status.state
        if state == "unknown" and not show_unknown:
            place_styles.append(-1)
            continue
        ev = evidence(status)
        key = (state, status.factions, bool(ev is not None and not ev.reviewed))
        index = style_index.get(key)
        if index is None:
            index = style_index[key] = len(styles)
            styles.append(_style(key, factions))
        place_styles.append(index)
        per_style[index] += 1
    # Counts come per distinct style, not per place: a few dozen additions instead of thousands.
    per_faction: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for (state, holders, unreviewed), index in style_index.items():
        n = per_style[index]
        counts[state] += n
        counts["shown"] += n
        if unreviewed:
            counts["unreviewed"] += n
        for f in holders:
            per_faction[f] += n
    width = 1 if len(style_index) <= len(ALPHABET) else 2
    codes = "".join(HIDDEN * width if s < 0 else _encode(s, width) for s in place_styles)
    ranked = sorted(per_faction.items(), key=lambda kv: (-kv[1], kv[0]))
    legend = tuple(
        (escape(factions[f].name if f in factions else f), faction_color(factions.get(f)), n)
        for f, n in ranked
    )
    notes = tuple(
        escape(text) for key, text in (
            ("contested", f"{counts['contested']} contested (hatched)"),
            ("partial", f"{counts['partial']} partly held (ring)"),
            ("mixed", f"{counts['mixed']} mixed control (split)"),
            ("abandoned", f"{counts['abandoned']} abandoned, holder unknown (grey)"),
            ("unreviewed", f"{counts['unreviewed']} unreviewed (dashed ring)"),
        ) if counts[key]
    )
    return StatusPayload(
        width=width,
        codes=codes,
        styles=tuple(styles),
        legend=legend,
        notes=notes,
        title=escape(title),
        selected=geometry.index.get(selected, -1) if selected else -1,
        shown=counts["shown"],
        counts=dict(counts),
        faction_counts=dict(ranked),
    )


def _style(key: tuple[str, tuple[str, ...], bool], factions: Mapping[str, Faction]) -> tuple[Any, ...]:
    """The style table row cmap.js draws: type, up to three colours, unreviewed flag, tooltip label."""
    state, holders, unreviewed = key
    colours: list[str | None] = [faction_color(factions.get(f)) for f in holders[:3]]
    colours += [None] * (3 - len(colours))
    label = _status_label(state, holders, factions, unreviewed)
    return (STATE_TYPES.get(state, 4), *colours, 1 if unreviewed else 0, label)


def _status_label(
    state: str, holders: Sequence[str], factions: Mapping[str, Faction], unreviewed: bool
) -> str:
    """Short escaped text for the tooltip: who holds the place and how."""
    names = [factions[f].name if f in factions else f for f in holders]
    if state == "held" and names:
        text = names[0]
    elif state == "contested":
        text = "contested: " + " / ".join(names)
    elif state == "partial":
        text = f"{names[0]}, partly {' / '.join(names[1:])}" if len(names) > 1 else f"partly {names[0]}"
    elif state == "mixed":
        text = "mixed: " + " / ".join(names)
    elif state == "abandoned":
        text = "abandoned / no holder"
    else:
        text = "status unknown"
    if unreviewed:
        text += " (unreviewed)"
    return escape(text)


class StatusUpdate(MacroElement):
    """The per-rerun script: hands the status payload to the places layer already on the map."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        ConflictMap.apply({{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, payload: StatusPayload) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._name = "ConflictStatus"
        self.payload = payload.as_json()


def status_layer(payload: StatusPayload) -> folium.FeatureGroup:
    """Wrap the payload as the feature group streamlit-folium swaps in on each rerun without a remount."""
    group = folium.FeatureGroup(name="status", control=False)
    StatusUpdate(payload).add_to(group)
    return group


def status_script(payload: StatusPayload) -> str:
    """The JS streamlit-folium runs as its dynamic feature group: apply the payload, register an empty group.

    The empty group keeps the component's bookkeeping (it removes last rerun's groups before adding new
    ones) while the places themselves stay on the base map's canvas.
    """
    return (
        "var feature_group_feature_group_0 = L.featureGroup({});\n"
        f"ConflictMap.apply({payload.as_json()});\n"
        "map_div.addLayer(feature_group_feature_group_0);\n"
        "window.feature_group = window.feature_group || [];\n"
        "window.feature_group.push(feature_group_feature_group_0);\n"
    )
