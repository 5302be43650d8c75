"""Changes page: what changed hands between two dates, filtered by faction, with CSV and GeoJSON downloads."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from dashboard import exporting
from dashboard.control import ControlTimeline
from dashboard.exporting import ChangeRow
from dashboard.models import CONFIDENCES, ControlEvent, Faction
from dashboard.safe_html import safe_url
from dashboard.ui_data import Bundle, load_bundle

ARROW = " → "
MAP_PATH = "/"  # the Map page is the default page, served at the root (its url_path only names it)
UNKNOWN_HOLDER = "?"
# Query-string names for the page's dates, so a "what changed between" view can be shared as a link.
QP_FROM, QP_TO = "from", "to"


def parse_day(text: str | None) -> dt.date | None:
    """Read a YYYY-MM-DD query-string value; None for anything else."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def clamp(day: dt.date | None, low: dt.date, high: dt.date, default: dt.date) -> dt.date:
    """``day`` forced into ``[low, high]``, or ``default`` when missing."""
    if day is None:
        return default
    return min(max(day, low), high)


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    """What the page narrows the change log to; an empty choice means no narrowing. Hashable (cache key)."""

    factions: tuple[str, ...] = ()
    governorates: tuple[str, ...] = ()
    confidences: tuple[str, ...] = ()
    unreviewed_only: bool = False


def filter_rows(rows: Iterable[ChangeRow], chosen: ChangeFilter = ChangeFilter()) -> list[ChangeRow]:
    """Rows where a chosen faction gained or lost a place in a chosen governorate, at a chosen confidence."""
    factions, governorates = set(chosen.factions), set(chosen.governorates)
    confidences = set(chosen.confidences)
    kept: list[ChangeRow] = []
    for row in rows:
        ev = row.event
        if chosen.unreviewed_only and ev.reviewed:
            continue
        if factions and ev.faction not in factions and row.previous not in factions:
            continue
        if governorates and (row.place is None or row.place.admin1 not in governorates):
            continue
        if confidences and ev.confidence not in confidences:
            continue
        kept.append(row)
    return kept


def changes_in(timeline: ControlTimeline, start: dt.date, end: dt.date) -> list[ControlEvent]:
    """Changes dated ``start`` to ``end``, both included (the timeline's own window excludes ``start``)."""
    return timeline.changes_between(start - dt.timedelta(days=1), end)


def _name(factions: Mapping[str, Faction], faction_id: str | None) -> str:
    if faction_id is None:
        return UNKNOWN_HOLDER
    faction = factions.get(faction_id)
    return faction.name if faction else faction_id


def table_records(rows: Iterable[ChangeRow], factions: Mapping[str, Faction]) -> list[dict[str, Any]]:
    """One display record per change: place, date, from → to, kind, confidence, outlet, link, quote."""
    records: list[dict[str, Any]] = []
    for row in rows:
        ev = row.event
        records.append({
            "Date": ev.date,
            "Place": row.place.name if row.place else ev.place,
            "From → to": _name(factions, row.previous) + ARROW + _name(factions, ev.faction),
            "Kind": ev.kind.replace("_", " "),
            "Confidence": ev.confidence,
            "Outlet": ev.source.outlet,
            "Reviewed": ev.reviewed,
            "Source": safe_url(ev.source.url),
            "Map": map_link(ev.place, ev.date),
            "Quote": ev.quote,
        })
    return records


def map_link(place_id: str, day: dt.date) -> str:
    """Link to the Map page showing ``place_id`` on ``day`` (the map reads these query parameters)."""
    return f"{MAP_PATH}?{urlencode({'date': day.isoformat(), 'place': place_id})}"


def balance(rows: Iterable[ChangeRow], factions: Mapping[str, Faction]) -> list[dict[str, Any]]:
    """Places gained and lost per faction over the rows (a change to the same holder counts for neither)."""
    gained: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    for row in rows:
        after, before = row.event.faction, row.previous
        if after == before:
            continue
        if after is not None:
            gained[after] += 1
        if before is not None:
            lost[before] += 1
    ids = sorted(set(gained) | set(lost), key=lambda f: (-(gained[f] - lost[f]), f))
    return [
        {"Faction": _name(factions, f), "Gained": gained[f], "Lost": lost[f], "Net": gained[f] - lost[f]}
        for f in ids
    ]


@st.cache_data(max_entries=16, show_spinner=False)
def _change_exports(
    _bundle: Bundle, key: str, start: dt.date, end: dt.date, chosen: ChangeFilter
) -> tuple[bytes, bytes]:
    """CSV and GeoJSON of the filtered changes; cached per view and data version (``key``)."""
    del key  # only part of the cache key: the bundle itself is not hashed
    timeline = _bundle.timeline
    places, factions = _bundle.gazetteer.places, _bundle.factions.factions
    rows = exporting.change_rows(changes_in(timeline, start, end), places, factions, timeline)
    rows = filter_rows(rows, chosen)
    return (
        exporting.to_excel_bytes(exporting.changes_csv(rows)),
        exporting.dumps_geojson(exporting.changes_geojson(rows, start, end)).encode("utf-8"),
    )


def snapshot_bytes(bundle: Bundle, on: dt.date, fmt: str) -> bytes:
    """The whole map on ``on`` as a download (CSV with a BOM, or GeoJSON)."""
    places, factions = bundle.gazetteer.places, bundle.factions.factions
    snapshot = bundle.timeline.snapshot(on)
    if fmt == "csv":
        return exporting.to_excel_bytes(exporting.snapshot_csv(places, snapshot, on, factions))
    return exporting.dumps_geojson(exporting.snapshot_geojson(places, snapshot, on, factions)).encode("utf-8")


def _initial_dates(span: tuple[dt.date, dt.date]) -> None:
    """Seed the two date inputs once per session from the URL (or the log's span)."""
    low, high = span
    if "changes_from" not in st.session_state:
        st.session_state["changes_from"] = clamp(parse_day(st.query_params.get(QP_FROM)), low, high, low)
    if "changes_to" not in st.session_state:
        st.session_state["changes_to"] = clamp(parse_day(st.query_params.get(QP_TO)), low, high, high)


def main() -> None:
    """Draw the page."""
    st.title("What changed hands")
    bundle = load_bundle()
    span = bundle.timeline.span()
    if span is None:
        st.info("The control log is empty: add events in data/events.yaml or on the Ingest page.")
        return
    factions = bundle.factions.factions
    _initial_dates(span)
    places = bundle.gazetteer.places
    col_from, col_to, col_unreviewed = st.columns([1, 1, 2], vertical_alignment="bottom")
    start = col_from.date_input("From", key="changes_from", min_value=span[0], max_value=span[1],
                                format="YYYY-MM-DD")
    end = col_to.date_input("To", key="changes_to", min_value=span[0], max_value=span[1], format="YYYY-MM-DD")
    unreviewed = col_unreviewed.toggle("Only changes nobody has reviewed yet", key="changes_unreviewed")
    col_factions, col_gov, col_conf = st.columns([3, 2, 2])
    ground = [f for f, fac in factions.items() if fac.holds_ground]
    chosen_factions = col_factions.multiselect(
        "Factions", ground, key="changes_factions", format_func=lambda f: _name(factions, f),
        placeholder="All factions", help="Show changes where one of these factions gained or lost a place.",
    )
    governorates = [pid for pid, p in places.items() if p.kind == "governorate"]
    chosen_govs = col_gov.multiselect("Governorates", governorates, key="changes_gov",
                                      format_func=lambda g: places[g].name, placeholder="All governorates")
    chosen_conf = col_conf.multiselect("Confidence", CONFIDENCES, key="changes_conf", placeholder="Any")
    chosen = ChangeFilter(tuple(chosen_factions), tuple(chosen_govs), tuple(chosen_conf), bool(unreviewed))
    if start > end:
        st.warning(f"“From” ({start:%d %b %Y}) is after “To” ({end:%d %b %Y}); swap them to see changes.")
        return
    st.query_params[QP_FROM] = start.isoformat()
    st.query_params[QP_TO] = end.isoformat()

    all_rows = exporting.change_rows(
        changes_in(bundle.timeline, start, end), bundle.gazetteer.places, factions, bundle.timeline
    )
    rows = filter_rows(all_rows, chosen)
    unreviewed_count = sum(1 for r in rows if not r.event.reviewed)
    st.caption(
        f"{len(rows)} change(s) between {start:%d %b %Y} and {end:%d %b %Y}"
        f" ({unreviewed_count} not reviewed yet)."
    )
    if rows:
        st.dataframe(
            table_records(rows, factions), key="changes_table", hide_index=True, width="stretch",
            column_config={
                "Date": st.column_config.DateColumn(format="YYYY-MM-DD"),
                "Reviewed": st.column_config.CheckboxColumn(help="Checked by a person, not only extracted"),
                "Source": st.column_config.LinkColumn(display_text="source"),
                "Map": st.column_config.LinkColumn(display_text="on the map", help="Opens in a new tab"),
                "Quote": st.column_config.TextColumn(width="large"),
            },
        )
        st.subheader("Balance")
        st.dataframe(balance(rows, factions), key="changes_balance", hide_index=True)
    else:
        st.info("Nothing changed hands in this range with these filters.")

    changes_csv, changes_json = _change_exports(bundle, bundle.key, start, end, chosen)
    stem = f"changes-{start.isoformat()}-to-{end.isoformat()}"
    st.subheader("Download")
    c1, c2, c3, c4 = st.columns(4)
    c1.download_button("Changes (CSV)", changes_csv, f"{stem}.csv", "text/csv", key="dl_changes_csv",
                       on_click="ignore")
    c2.download_button("Changes (GeoJSON)", changes_json, f"{stem}.geojson", "application/geo+json",
                       key="dl_changes_geojson", on_click="ignore")
    # The whole-map snapshot is built only when clicked: at 10,000 places it costs a few hundred ms.
    day = end.isoformat()
    c3.download_button(f"Map on {day} (CSV)", functools.partial(snapshot_bytes, bundle, end, "csv"),
                       f"control-{day}.csv", "text/csv", key="dl_snapshot_csv", on_click="ignore")
    c4.download_button(f"Map on {day} (GeoJSON)", functools.partial(snapshot_bytes, bundle, end, "geojson"),
                       f"control-{day}.geojson", "application/geo+json", key="dl_snapshot_geojson",
                       on_click="ignore")
    st.caption("CSV files are UTF-8 with a byte-order mark so spreadsheets show Arabic names; cells that a "
               "spreadsheet would run as a formula start with an apostrophe.")


if __name__ == "__main__":
    main()
