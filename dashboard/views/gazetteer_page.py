"""Gazetteer page: edit places in a table, validate the whole file on save, write through the safe writer."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import writer
from dashboard.additions import place_mapping, slug
from dashboard.errors import ConfigurationError, DataError, DataErrors, WriteConflictError
from dashboard.gazetteer import validate_places_text
from dashboard.geocode import GeoCandidate, OnlineGeocoder, Resolution, Resolver, load_settings
from dashboard.geonames_offline import OfflineGeoNames, load_offline
from dashboard.models import COORDS_SOURCES, PLACE_KINDS, Place
from dashboard.names import fold
from dashboard.paths import PLACES_FILE
from dashboard.safe_html import escape_markdown as md
from dashboard.ui_data import Bundle, clear_caches, load_bundle

EDIT_COLUMNS: tuple[str, ...] = (
    "id", "name", "name_ar", "aliases", "kind", "admin1", "parent", "lat", "lon", "coords_source", "reviewed",
)
PROBLEM = "problem"
NULLABLE_REQUIRED = frozenset({"lat", "lon"})
# Past this many rows the table is too long to browse and slows every rerun; the search box narrows it.
MAX_ROWS = 1000
_ALIAS_SPLIT = re.compile(r"[;,]")
# A place entry starts with `- id: x` (block style) or `- {id: x, ...}` (flow style).
_PLACE_START = re.compile(r"""^\s*-\s*\{?\s*id\s*:\s*["']?([^\s"',}]+)""")
_QUOTED_ID = re.compile(r"'([a-z0-9]+(?:-[a-z0-9]+)*)'")

PENDING = "gaz_pending"
BASE_SHA = "gaz_base_sha"
GENERATION = "gaz_generation"
ROW_ERRORS = "gaz_row_errors"
OTHER_ERRORS = "gaz_other_errors"
CONFLICT = "gaz_conflict"
FLASH = "gaz_flash"
GEO_RESULT = "gaz_geo_result"
SAVE_WARNINGS = "gaz_save_warnings"
# Set by the Ingest page: a name to look up here.
GEOCODE_REQUEST = "gaz_geocode_query"
NEW_PLACE = "__new__"
# coords_source values the gazetteer accepts; anything else (gazetteer copies, other services) is manual.
COORDS_FROM = {"geonames": "geonames", "nominatim": "nominatim"}


def split_aliases(text: object) -> list[str]:
    """Aliases typed as one string, separated by commas or semicolons; blanks and repeats dropped."""
    if not isinstance(text, str):
        return []
    seen: dict[str, None] = {}
    for part in _ALIAS_SPLIT.split(text):
        alias = part.strip()
        if alias:
            seen.setdefault(alias, None)
    return list(seen)


def place_record(place: Place) -> dict[str, Any]:
    """The editable fields of a place as one table row."""
    return {
        "id": place.id,
        "name": place.name,
        "name_ar": place.name_ar,
        "aliases": "; ".join(place.aliases),
        "kind": place.kind,
        "admin1": place.admin1,
        "parent": place.parent,
        "lat": place.lat,
        "lon": place.lon,
        "coords_source": place.coords_source,
        "reviewed": place.reviewed,
    }


def normalise(field: str, value: Any) -> Any:
    """A cell value as the data file would hold it: None for blanks and NaN, lists for aliases."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return [] if field == "aliases" else None
    if field == "aliases":
        return split_aliases(value)
    if field in ("lat", "lon"):
        return float(value)
    if field == "reviewed":
        return bool(value)
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return value


def diff_record(original: Mapping[str, Any], edited: Mapping[str, Any]) -> dict[str, Any]:
    """Fields whose normalised value differs between the file's row and the edited row."""
    changed: dict[str, Any] = {}
    for field in EDIT_COLUMNS:
        if field == "id":
            continue
        before, after = normalise(field, original.get(field)), normalise(field, edited.get(field))
        if before != after:
            changed[field] = after
    # Coordinates typed by hand are manual unless the editor also chose where they came from.
    moved = "lat" in changed or "lon" in changed
    if moved and "coords_source" not in changed and original.get("coords_source") != "manual":
        changed["coords_source"] = "manual"
    return changed


def to_writer_changes(pending: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Pending edits as ``writer.update_places`` takes them: a blank removes the key (lat/lon: null)."""
    changes: dict[str, dict[str, Any]] = {}
    for place_id, fields in pending.items():
        out: dict[str, Any] = {}
        for field, value in fields.items():
            blank = value is None or value == []
            # lat and lon are required keys; `null` is how a place awaiting geocoding says so.
            out[field] = writer.REMOVE if blank and field not in NULLABLE_REQUIRED else value
        if out:
            changes[place_id] = out
    return changes


def place_starts(text: str) -> list[tuple[int, str]]:
    """(line, id) for every place entry in a places file's text, in file order (lines are 1-based)."""
    starts: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _PLACE_START.match(line)
        if match:
            starts.append((number, match.group(1)))
    return starts


def place_of_error(error: DataError, starts: list[tuple[int, str]], known: Iterable[str]) -> str | None:
    """The place id an error belongs to: by its line within an entry, else an id quoted in its message."""
    if error.line > 0:
        owner = None
        for line, place_id in starts:
            if line > error.line:
                break
            owner = place_id
        if owner is not None:
            return owner
    ids = set(known)
    for match in _QUOTED_ID.finditer(error.message):
        if match.group(1) in ids:
            return match.group(1)
    return None


def haystack(record: Mapping[str, Any]) -> str:
    """What the search box looks in: id, names, aliases and governorate, folded, one line per field."""
    fields = (record.get("id"), record.get("name"), record.get("name_ar"), record.get("aliases"),
              record.get("admin1"))
    return "\n".join(fold(v) for v in fields if isinstance(v, str))


def matches(record: Mapping[str, Any], query: str, folded: str | None = None) -> bool:
    """Whether a row matches the search box (accent-, case- and spelling-folded, any name or id)."""
    wanted = fold(query)
    if not wanted:
        return True
    return wanted in (folded if folded is not None else haystack(record))


@st.cache_resource(max_entries=4, show_spinner=False)
def _rows_for(_bundle: Bundle, key: str) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """Table rows and folded search text per place, built once per data version; shared, never mutated."""
    del key  # cache key only
    records = {pid: place_record(p) for pid, p in _bundle.gazetteer.places.items()}
    return records, {pid: haystack(r) for pid, r in records.items()}


def editor_key(generation: int, ids: Iterable[str]) -> str:
    """Key of the table editor: new whenever the rows shown change, so an edit never lands on another row."""
    digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:12]
    return f"gaz_editor_{generation}_{digest}"


def _state_defaults() -> None:
    st.session_state.setdefault(PENDING, {})
    st.session_state.setdefault(BASE_SHA, None)
    st.session_state.setdefault(GENERATION, 0)
    st.session_state.setdefault(ROW_ERRORS, {})
    st.session_state.setdefault(OTHER_ERRORS, [])


def _reset_editor() -> None:
    """Forget pending edits and start a fresh editor widget (cell edits live in the old widget's state)."""
    st.session_state[PENDING] = {}
    st.session_state[BASE_SHA] = None
    st.session_state[ROW_ERRORS] = {}
    st.session_state[OTHER_ERRORS] = []
    st.session_state.pop(CONFLICT, None)
    st.session_state[GENERATION] += 1


def _rebase(current_sha: str) -> None:
    """Keep the pending edits but aim them at the file as it is now on disk."""
    st.session_state[BASE_SHA] = current_sha
    st.session_state.pop(CONFLICT, None)


def save_pending(bundle: Bundle) -> bool:
    """Validate and write the pending edits; record per-row errors or a conflict in session state."""
    path = Path(bundle.data_dir) / PLACES_FILE
    pending: dict[str, dict[str, Any]] = st.session_state[PENDING]
    seen_text: list[str] = []
    seen_warnings: list[DataError] = []

    def validate(text: str) -> None:
        seen_text.append(text)
        _, errors, warnings = validate_places_text(text, str(path))
        if errors:
            raise DataErrors(list(errors))
        seen_warnings[:] = warnings

    st.session_state[ROW_ERRORS] = {}
    st.session_state[OTHER_ERRORS] = []
    try:
        writer.update_places(path, to_writer_changes(pending), st.session_state[BASE_SHA], validate=validate)
    except WriteConflictError as exc:
        st.session_state[CONFLICT] = str(exc)
        return False
    except DataErrors as exc:
        _record_errors(exc.errors, seen_text[-1] if seen_text else "", pending)
        return False
    except DataError as exc:
        _record_errors([exc], "", pending)
        return False
    count = len(pending)
    # Warnings do not block a save, but those about the places just edited deserve a look (swapped lat/lon).
    starts = place_starts(seen_text[-1]) if seen_text else []
    notes = [w.render() for w in seen_warnings if place_of_error(w, starts, pending) in pending]
    _reset_editor()
    clear_caches()
    st.session_state[FLASH] = (
        f"Saved changes to {count} place(s). The previous file is kept in {path.parent.name}/.backups/."
    )
    st.session_state[SAVE_WARNINGS] = notes
    return True


def _record_errors(errors: Iterable[DataError], text: str, pending: Mapping[str, Any]) -> None:
    starts = place_starts(text)
    by_row: dict[str, list[str]] = {}
    other: list[str] = []
    for error in errors:
        owner = place_of_error(error, starts, pending)
        if owner is None:
            other.append(error.render())
        else:
            by_row.setdefault(owner, []).append(error.render())
    st.session_state[ROW_ERRORS] = by_row
    st.session_state[OTHER_ERRORS] = other


def _pending_table(
    pending: Mapping[str, Mapping[str, Any]], originals: Mapping[str, Mapping[str, Any]]
) -> None:
    rows = []
    for place_id, fields in pending.items():
        for field, value in fields.items():
            before = normalise(field, originals.get(place_id, {}).get(field))
            rows.append({"place": place_id, "field": field, "before": _shown(before), "after": _shown(value)})
    st.dataframe(rows, key="gaz_pending_table", hide_index=True)


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or "(none)"
    return str(value)


def _column_config() -> dict[str, Any]:
    cc = st.column_config
    return {
        "id": cc.TextColumn("id", disabled=True, help="Ids are permanent: events refer to them."),
        "name": cc.TextColumn("name", required=True),
        "name_ar": cc.TextColumn("Arabic name"),
        "aliases": cc.TextColumn("aliases", help="Other spellings, separated by ; or ,", width="large"),
        "kind": cc.SelectboxColumn("kind", options=list(PLACE_KINDS), required=True),
        "admin1": cc.TextColumn("governorate id"),
        "parent": cc.TextColumn("parent id"),
        "lat": cc.NumberColumn("lat", format="%.5f", min_value=-90.0, max_value=90.0),
        "lon": cc.NumberColumn("lon", format="%.5f", min_value=-180.0, max_value=180.0),
        "coords_source": cc.SelectboxColumn("coords from", options=list(COORDS_SOURCES)),
        "reviewed": cc.CheckboxColumn("reviewed"),
        PROBLEM: cc.TextColumn("problem", disabled=True, width="large"),
    }


def editor_section(bundle: Bundle) -> None:
    """Search box, table editor, pending edits, save and discard."""
    pending: dict[str, dict[str, Any]] = st.session_state[PENDING]
    originals, folded = _rows_for(bundle, bundle.key)
    current_sha = bundle.gazetteer.sha256
    gone = [pid for pid in pending if pid not in originals]
    if gone:
        st.warning("These places are no longer in the file, so their edits were dropped: "
                   + md(", ".join(gone)))
        for pid in gone:
            pending.pop(pid)

    col_query, col_unreviewed, col_nocoords = st.columns([3, 1, 1], vertical_alignment="bottom")
    query = col_query.text_input("Search places", key="gaz_search",
                                 placeholder="name, alias, Arabic name or id")
    # The review queue: entries added by geocoding or ingest wait for a person to check them.
    only_unreviewed = col_unreviewed.toggle("Not reviewed", key="gaz_only_unreviewed")
    only_missing = col_nocoords.toggle("No coordinates", key="gaz_only_missing")
    row_errors: dict[str, list[str]] = st.session_state[ROW_ERRORS]
    view: list[dict[str, Any]] = []
    hidden = 0
    for pid, record in originals.items():
        if not matches(record, query, folded[pid]):
            continue
        if only_unreviewed and record["reviewed"] and pid not in pending:
            continue
        if only_missing and record["lat"] is not None and record["lon"] is not None and pid not in pending:
            continue
        if len(view) >= MAX_ROWS and pid not in pending:
            hidden += 1
            continue
        shown = dict(record)
        for field, value in pending.get(pid, {}).items():
            shown[field] = "; ".join(value) if field == "aliases" else value
        shown[PROBLEM] = " | ".join(row_errors.get(pid, ())) or None
        view.append(shown)
    more = f" The first {MAX_ROWS:,} matches are listed: search to narrow." if hidden else ""
    st.caption(f"{len(view):,} of {len(originals):,} places shown.{more} Nothing is written until you save.")
    ids = [r["id"] for r in view]
    # A list of records keeps pandas out of this module; Streamlit hands back the same shape, edited.
    edited = st.data_editor(
        view, key=editor_key(st.session_state[GENERATION], ids), hide_index=True, num_rows="fixed",
        column_config=_column_config(), width="stretch", disabled=["id", PROBLEM],
    )
    for record, shown in zip(edited, view, strict=True):
        pid = str(record["id"])
        if record == shown and pid not in pending:
            continue  # untouched row (the common case): skip the field-by-field comparison
        changed = diff_record(originals[pid], record)
        if changed:
            pending[pid] = changed
        else:
            pending.pop(pid, None)
    if pending and st.session_state[BASE_SHA] is None:
        st.session_state[BASE_SHA] = current_sha
    if pending:
        st.session_state.pop(FLASH, None)
        st.session_state.pop(SAVE_WARNINGS, None)
    if not pending:
        st.session_state[BASE_SHA] = None

    conflict = st.session_state.get(CONFLICT)
    if conflict:
        st.error(md(conflict))
        st.button("Apply my edits to the current file", key="gaz_rebase", on_click=_rebase,
                  args=(current_sha,),
                  help="Your edits stay as they are; the next save compares against the file on disk now.")
    if row_errors or st.session_state[OTHER_ERRORS]:
        st.error("Not saved: the edited file does not validate. Problems by row:")
        st.dataframe(
            [{"place": pid, "problem": msg} for pid, msgs in row_errors.items() for msg in msgs]
            + [{"place": "", "problem": msg} for msg in st.session_state[OTHER_ERRORS]],
            key="gaz_error_table", hide_index=True,
        )
    if not pending:
        return
    st.subheader(f"Unsaved changes ({len(pending)} place(s))")
    _pending_table(pending, originals)
    col_save, col_discard = st.columns(2)
    save = col_save.button("Save", key="gaz_save", type="primary", disabled=bundle.stale,
                           help="Validate the whole file, then write it (a backup is kept).")
    col_discard.button("Discard my changes", key="gaz_discard", on_click=_reset_editor)
    if bundle.stale:
        st.warning("The places file on disk is broken; fix it by hand before saving from here.")
    if save:
        save_pending(bundle)
        st.rerun()  # draw the outcome (errors by row, conflict or success) with the file as it is now


@st.cache_resource(show_spinner=False)
def _offline_geonames() -> OfflineGeoNames:
    """The offline GeoNames extract, loaded once per process."""
    return load_offline()


def _resolver(bundle: Bundle, online: bool, user_agent: str) -> Resolver:
    """Gazetteer and offline GeoNames always; the online geocoder only when the user switched it on."""
    geocoder = None
    if online:
        settings = load_settings(user_agent=user_agent or None, data=bundle.data_dir)
        geocoder = OnlineGeocoder.from_settings(settings)  # ConfigurationError without a proper agent
    return Resolver(bundle.gazetteer, offline=_offline_geonames(), online=geocoder)


def usable_candidates(resolution: Resolution, target: str | None) -> list[GeoCandidate]:
    """Candidates that can give coordinates: not the target itself, and with both lat and lon."""
    return [c for c in resolution.candidates
            if c.place != target and c.lat is not None and c.lon is not None]


def lookup(resolver: Resolver, name: str, target: str | None) -> tuple[list[GeoCandidate], str | None]:
    """Resolve ``name``; when the gazetteer only knows the target itself (no coordinates), ask past it."""
    resolution = resolver.resolve(name)
    found = usable_candidates(resolution, target)
    if not found and resolution.error is None and any(c.place == target for c in resolution.candidates):
        past = Resolver(None, offline=resolver.offline, online=resolver.online).resolve(name)
        found, resolution = usable_candidates(past, target), past
    return found, resolution.error


def candidate_label(index: int, cand: GeoCandidate) -> str:
    """One plain-text line per candidate for the picker (shown as text, never as markup)."""
    where = f", {cand.admin1}" if cand.admin1 else ""
    known = f", already in the gazetteer as {cand.place}" if cand.place else ""
    return (f"{index + 1}. {cand.name} ({cand.kind}{where}) at {cand.lat:.5f}, {cand.lon:.5f}"
            f" from {cand.source}{known}")


def apply_candidate(bundle: Bundle, target: str | None, query: str, cand: GeoCandidate) -> str:
    """Write the pick: coordinates on an existing place, or a new place; return what was done."""
    path = Path(bundle.data_dir) / PLACES_FILE
    source = COORDS_FROM.get(cand.source, "manual")
    if cand.lat is None or cand.lon is None:  # usable_candidates() keeps these out; never write half a point
        raise DataError(f"candidate {cand.name!r} has no coordinates")
    if target is not None:
        writer.update_places(
            path,
            {target: {"lat": round(cand.lat, 5), "lon": round(cand.lon, 5), "coords_source": source,
                      "reviewed": False}},
            bundle.gazetteer.sha256,
        )
        return f"Coordinates of {target} set from {cand.source} (reviewed: false until someone checks them)."
    if cand.place:
        return f"{cand.place} is already in the gazetteer; nothing was added."
    mapping = place_mapping(cand, query, set(bundle.gazetteer.places), bundle.gazetteer)
    mapping["note"] = (f"Added from the Gazetteer page on {dt.date.today().isoformat()} from {cand.source} "
                       f"for the name {query!r}; check the coordinates and the kind.")
    writer.add_place(path, mapping, bundle.gazetteer.sha256)
    return f"Added {mapping['id']} to the gazetteer (reviewed: false until someone checks it)."


def _prefill_name(places: Mapping[str, Place]) -> None:
    target = st.session_state.get("gaz_geo_target")
    if isinstance(target, str) and target in places:
        st.session_state["gaz_geo_name"] = places[target].name


def geocode_section(bundle: Bundle) -> None:
    """Look up coordinates for a place without them, or for a new name; pick a candidate; write it."""
    st.subheader("Find coordinates")
    places = bundle.gazetteer.places
    request = st.session_state.pop(GEOCODE_REQUEST, None)
    if isinstance(request, str):  # sent from the Ingest page for a name the gazetteer lacks
        st.session_state["gaz_geo_target"] = NEW_PLACE
        st.session_state["gaz_geo_name"] = request
    missing = [pid for pid, p in places.items() if p.lat is None or p.lon is None]
    st.caption(f"{len(missing)} place(s) have no coordinates yet. Lookups use the gazetteer and the offline "
               "GeoNames extract; an online geocoder is asked only if you switch it on below.")
    col_target, col_name = st.columns(2)
    target = col_target.selectbox(
        "Place", [NEW_PLACE, *missing], key="gaz_geo_target", on_change=_prefill_name, args=(places,),
        format_func=lambda pid: "A new place…" if pid == NEW_PLACE else f"{places[pid].name} ({pid})",
    )
    name = col_name.text_input("Name to look up", key="gaz_geo_name")
    col_online, col_agent = st.columns(2)
    online = col_online.toggle("Also ask an online geocoder", key="gaz_geo_online",
                               help="Nominatim by default; at most one request per second, answers cached.")
    agent = ""
    if online:
        agent = col_agent.text_input("User agent", key="gaz_geo_agent",
                                     placeholder="conflict-map/0.1 (you@example.org)",
                                     help="Required by geocoding services; or set CONFLICT_MAP_USER_AGENT.")
    real_target = None if target == NEW_PLACE else target
    if st.button("Look up", key="gaz_geo_lookup", disabled=not name.strip()):
        try:
            found, error = lookup(_resolver(bundle, online, agent), name, real_target)
        except ConfigurationError as exc:
            found, error = [], str(exc)
        st.session_state[GEO_RESULT] = (real_target, name.strip(), found, error)
    result = st.session_state.get(GEO_RESULT)
    if not result or result[0] != real_target:
        return
    _, query, found, error = result
    if error:
        st.warning(md(error))
    if not found:
        hint = "" if online else " Try the online geocoder."
        st.info(f"No coordinates found for {md(repr(query))}.{hint}")
        return
    choice = st.selectbox("Candidates", range(len(found)), key="gaz_geo_pick",
                          format_func=lambda i: candidate_label(i, found[i]))
    if st.button("Use this candidate", key="gaz_geo_apply", disabled=bundle.stale):
        try:
            st.session_state[FLASH] = apply_candidate(bundle, real_target, query, found[choice])
        except (DataErrors, DataError, WriteConflictError) as exc:
            st.error("Nothing was written: " + md(exc))
            return
        st.session_state.pop(GEO_RESULT, None)
        clear_caches()
        st.rerun()


def new_place_mapping(
    fields: Mapping[str, Any], taken: Iterable[str]
) -> dict[str, Any]:
    """The entry for a place typed in by hand: id from the name unless given, null coordinates if blank."""
    name = str(fields.get("name") or "").strip()
    place_id = str(fields.get("id") or "").strip() or slug(name)
    lat, lon = fields.get("lat"), fields.get("lon")
    mapping: dict[str, Any] = {"id": place_id, "name": name}
    name_ar = str(fields.get("name_ar") or "").strip()
    if name_ar:
        mapping["name_ar"] = name_ar
    aliases = split_aliases(fields.get("aliases"))
    if aliases:
        mapping["aliases"] = aliases
    mapping["kind"] = fields.get("kind") or "village"
    if fields.get("admin1"):
        mapping["admin1"] = fields["admin1"]
    mapping["lat"] = float(lat) if lat is not None else None
    mapping["lon"] = float(lon) if lon is not None else None
    if lat is not None and lon is not None:
        mapping["coords_source"] = "manual"
    # The id must be new; the writer refuses a taken one with its line, but say it plainly first.
    if place_id in set(taken):
        raise DataErrors([DataError(f"place id {place_id!r} is already taken; choose another id")])
    return mapping


def add_place_section(bundle: Bundle) -> None:
    """A small form to add a place the lookups do not know, with hand-typed coordinates or none yet."""
    places = bundle.gazetteer.places
    governorates = [pid for pid, p in places.items() if p.kind == "governorate"]
    with st.expander("Add a place by hand"), st.form("gaz_add_form", clear_on_submit=False):
        col_a, col_b = st.columns(2)
        name = col_a.text_input("Name", key="gaz_add_name")
        place_id = col_b.text_input("Id", key="gaz_add_id", placeholder="made from the name if left empty")
        col_c, col_d = st.columns(2)
        name_ar = col_c.text_input("Arabic name", key="gaz_add_name_ar")
        aliases = col_d.text_input("Aliases", key="gaz_add_aliases", placeholder="separated by ; or ,")
        col_e, col_f, col_g, col_h = st.columns(4)
        kind = col_e.selectbox("Kind", PLACE_KINDS, index=PLACE_KINDS.index("village"), key="gaz_add_kind")
        admin1 = col_f.selectbox("Governorate", [None, *governorates], key="gaz_add_admin1",
                                 format_func=lambda g: "—" if g is None else places[g].name)
        lat = col_g.number_input("Latitude", value=None, min_value=-90.0, max_value=90.0, format="%.5f",
                                 key="gaz_add_lat")
        lon = col_h.number_input("Longitude", value=None, min_value=-180.0, max_value=180.0, format="%.5f",
                                 key="gaz_add_lon")
        submitted = st.form_submit_button("Add place", disabled=bundle.stale)
    if not submitted:
        return
    if not name.strip():
        st.error("Give the place a name.")
        return
    fields = {"id": place_id, "name": name, "name_ar": name_ar, "aliases": aliases, "kind": kind,
              "admin1": admin1, "lat": lat, "lon": lon}
    try:
        mapping = new_place_mapping(fields, places)
        writer.add_place(Path(bundle.data_dir) / PLACES_FILE, mapping, bundle.gazetteer.sha256)
    except (DataErrors, DataError, WriteConflictError) as exc:
        errors = exc.errors if isinstance(exc, DataErrors) else [exc]
        st.error("Not added: " + md(" | ".join(e.render() if isinstance(e, DataError) else str(e)
                                               for e in errors)))
        return
    st.session_state[FLASH] = f"Added {mapping['id']} to the gazetteer."
    clear_caches()
    st.rerun()


def main() -> None:
    """Draw the page."""
    st.title("Gazetteer")
    _state_defaults()
    bundle = load_bundle()
    # Kept until the user edits again: the editor remounting after a save causes one more rerun.
    flash = st.session_state.get(FLASH)
    if flash:
        st.success(md(flash))
        for note in st.session_state.get(SAVE_WARNINGS, ()):
            st.warning(md(note))
    editor_section(bundle)
    st.divider()
    geocode_section(bundle)
    add_place_section(bundle)


if __name__ == "__main__":
    main()
