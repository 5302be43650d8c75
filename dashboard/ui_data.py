"""Streamlit-side data access: the data folder, one cached bundle of the three files, and cache clearing."""

from __future__ import annotations

import hashlib
import importlib.metadata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import folium
import streamlit as st
import streamlit_folium as _sf

from dashboard import paths
from dashboard.control import ControlTimeline
from dashboard.errors import ConfigurationError, DashboardError, DataError, DataErrors
from dashboard.events import EventLog, load_events
from dashboard.factions import FactionSet, load_factions
from dashboard.gazetteer import Gazetteer, load_gazetteer

DATA_FILES = (paths.PLACES_FILE, paths.FACTIONS_FILE, paths.EVENTS_FILE)
MISSING = "missing"


@dataclass(frozen=True)
class Bundle:
    """Everything the pages draw from: the three parsed files, the timeline, and what went wrong."""

    data_dir: Path
    gazetteer: Gazetteer
    factions: FactionSet
    events: EventLog
    timeline: ControlTimeline
    key: str
    warnings: tuple[str, ...] = ()
    # Set when the files on disk are broken and this bundle is the last good one, kept on screen.
    errors: tuple[DataError, ...] = field(default=())
    stale: bool = False


def data_dir() -> Path:
    """Return the data folder: ``CONFLICT_MAP_DATA`` when set, else the repository's ``data/``."""
    return paths.data_dir()


def file_digests(folder: Path) -> tuple[str, str, str]:
    """Return the sha256 of places, factions and events (``missing`` for an absent file)."""
    digests: list[str] = []
    for name in DATA_FILES:
        try:
            digests.append(hashlib.sha256((folder / name).read_bytes()).hexdigest())
        except FileNotFoundError:
            digests.append(MISSING)
        except OSError as exc:
            # A directory or unreadable file: give it a digest of its own so the parse reports it.
            digests.append(f"unreadable:{exc.errno}")
    return digests[0], digests[1], digests[2]


def _as_errors(exc: DashboardError, file: Path) -> list[DataError]:
    """Turn any of our errors into a list of located data errors."""
    if isinstance(exc, DataErrors):
        return list(exc.errors)
    if isinstance(exc, DataError):
        return [exc]
    return [DataError(str(exc), file)]


def parse_bundle(folder: Path, key: str) -> Bundle:
    """Parse the three files of ``folder`` into a Bundle; raise DataErrors listing every problem found."""
    errors: list[DataError] = []
    gazetteer = factions = None
    try:
        gazetteer = load_gazetteer(folder / paths.PLACES_FILE)
    except DashboardError as exc:
        errors.extend(_as_errors(exc, folder / paths.PLACES_FILE))
    except OSError as exc:
        errors.append(DataError(f"cannot read: {exc.strerror or exc}", folder / paths.PLACES_FILE))
    try:
        factions = load_factions(folder / paths.FACTIONS_FILE)
    except DashboardError as exc:
        errors.extend(_as_errors(exc, folder / paths.FACTIONS_FILE))
    except OSError as exc:
        errors.append(DataError(f"cannot read: {exc.strerror or exc}", folder / paths.FACTIONS_FILE))
    if gazetteer is None or factions is None:
        raise DataErrors(errors)
    try:
        events = load_events(folder / paths.EVENTS_FILE, places=gazetteer.places, factions=factions)
    except DashboardError as exc:
        raise DataErrors(errors + _as_errors(exc, folder / paths.EVENTS_FILE)) from exc
    except OSError as exc:
        errors.append(DataError(f"cannot read: {exc.strerror or exc}", folder / paths.EVENTS_FILE))
        raise DataErrors(errors) from exc
    timeline = ControlTimeline(events.events, places=gazetteer.places)
    warnings = tuple(w.render() for w in gazetteer.warnings)
    return Bundle(folder, gazetteer, factions, events, timeline, key, warnings)


@st.cache_resource(max_entries=8, show_spinner=False)
def _cached_bundle(folder: str, places_sha: str, factions_sha: str, events_sha: str) -> Bundle:
    """Parse once per distinct file contents; the returned bundle is shared and must not be mutated."""
    key = hashlib.sha256(f"{places_sha}:{factions_sha}:{events_sha}".encode()).hexdigest()[:16]
    return parse_bundle(Path(folder), key)


@st.cache_resource(show_spinner=False)
def _last_good() -> dict[str, Bundle]:
    """Per data folder, the last bundle that parsed, shown while the files on disk are broken."""
    return {}


def load_bundle(folder: Path | None = None, *, show_errors: bool = True) -> Bundle:
    """Return the bundle for ``folder``; when a file is broken, show st.error and return the last good one."""
    folder = folder if folder is not None else data_dir()
    folder_key = str(folder.resolve())
    try:
        bundle = _cached_bundle(folder_key, *file_digests(folder))
    except DataErrors as exc:
        errors = tuple(exc.errors) or (DataError("the data could not be loaded", folder),)
        previous = _last_good().get(folder_key)
        if show_errors:
            lines = "\n".join(f"- `{e.render()}`" for e in errors[:20])
            more = f"\n- … and {len(errors) - 20} more" if len(errors) > 20 else ""
            tail = "Showing the last good data until this is fixed." if previous else "Nothing to show yet."
            st.error(f"The data files have problems:\n{lines}{more}\n\n{tail}")
        if previous is None:
            st.stop()
            raise  # st.stop() raises; this line only satisfies the type checker
        return Bundle(previous.data_dir, previous.gazetteer, previous.factions, previous.events,
                      previous.timeline, previous.key, previous.warnings, errors, stale=True)
    _last_good()[folder_key] = bundle
    return bundle


def clear_caches() -> None:
    """Forget parsed bundles and cached derived data, e.g. after a save, so the next rerun re-reads files."""
    _cached_bundle.clear()
    st.cache_data.clear()


# --- the map component -------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapParts:
    """The base map as streamlit-folium sends it, rendered once per gazetteer instead of once per rerun."""

    script: str
    header: str
    html: str
    map_id: str
    css_links: tuple[str, ...]
    js_links: tuple[str, ...]
    zoom: int | None


# streamlit-folium internals the cached path relies on; tests/test_app_map.py checks that what we send
# stays identical to what st_folium itself sends.
_SF_INTERNALS = ("_component_func", "_get_html", "_get_header", "_get_map_string", "get_full_id",
                 "generate_js_hash")


def _check_streamlit_folium() -> None:
    missing = [name for name in _SF_INTERNALS if not hasattr(_sf, name)]
    if missing:
        version = importlib.metadata.version("streamlit-folium")
        raise ConfigurationError(
            f"streamlit-folium {version} no longer has {', '.join(missing)}; the map was built against "
            "0.22-0.27: install one of those (pip install 'streamlit-folium<0.28')"
        )


def render_map_parts(fmap: folium.Map) -> MapParts:
    """Render ``fmap`` the way ``st_folium`` does, so the result can be cached and reused."""
    _check_streamlit_folium()
    fmap.get_root().render()
    fmap.render()  # type: ignore[no-untyped-call]
    html = _sf._get_html(fmap)
    header = _sf._get_header(fmap)
    script = _sf._get_map_string(fmap)
    css: list[str] = []
    js: list[str] = []
    stack = [fmap]
    while stack:
        element = stack.pop(0)
        css.extend(href for _, href in getattr(element, "default_css", []))
        js.extend(src for _, src in getattr(element, "default_js", []))
        stack.extend(getattr(element, "_children", {}).values())
    zoom = fmap.options.get("zoom")
    return MapParts(script, header, html, _sf.get_full_id(fmap), tuple(dict.fromkeys(css)),
                    tuple(dict.fromkeys(js)), zoom if isinstance(zoom, int) else None)


def show_map(
    parts: MapParts,
    update_script: str,
    *,
    key: str,
    height: int = 620,
    center: tuple[float, float] | None = None,
    zoom: int | None = None,
    returned_objects: tuple[str, ...] = ("last_object_clicked",),
) -> dict[str, Any]:
    """Show the cached base map and run ``update_script`` in it; return what the browser reported.

    This is ``st_folium`` without its per-rerun re-render of the whole map (about 0.1 s at 10,000 places):
    the base map's script is identical on every rerun, so the component keeps its iframe (no flicker, zoom
    and pan kept) and only the update script, run as streamlit-folium's dynamic feature group, changes.
    """
    hash_key = _sf.generate_js_hash(parts.script, key, False)
    value = _sf._component_func(
        script=parts.script,
        header=parts.header,
        html=parts.html,
        id=parts.map_id,
        key=hash_key,
        height=height,
        width=None,
        returned_objects=list(returned_objects),
        default=dict.fromkeys(returned_objects),
        zoom=zoom,
        center=list(center) if center is not None else None,
        feature_group=update_script,
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(parts.css_links),
        js_links=list(parts.js_links),
        wrap_longitude=False,
    )
    return value if isinstance(value, dict) else {}
