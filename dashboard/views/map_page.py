"""Map page: who held which place on the chosen date, on whose word; timeline, filters, place history."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import streamlit as st

from dashboard import assets, mapping, ui_data
from dashboard.control import ControlTimeline
from dashboard.models import CONFIDENCES, ControlEvent, Place, Status
from dashboard.safe_html import escape_markdown, safe_url, shorten

PLAY_STEP_SECONDS = 0.8
SEARCH_ZOOM = 10
SNAPSHOT_CACHE = 32
HOW_TO_READ = """
- **Colour**: who holds the place on the chosen date (the legend counts places per faction).
- **Size**: cities are the largest dots, then towns, then villages and neighbourhoods.
- **Hatched** dot: contested; fighting inside, both sides' colours.
- **Ring** in a second colour: mostly held by the fill colour, part held by the ring's.
- **Split** dot: mixed control; its neighbourhoods are held by different factions.
- **Dashed outer ring**: the latest change comes from a machine-read report nobody has reviewed yet.
- **Grey** dot: abandoned, no holder named; **white** dot: status unknown (shown on request).
- Click a dot for the place's names, holder and the sourced history behind it.
"""
QUERY_KEYS = ("date", "factions", "gov", "kind", "conf", "unreviewed", "unknown", "place")
WIDGET_KEYS = ("date", "factions", "gov", "kind", "conf", "unreviewed", "unknown", "search")


@dataclass
class Derived:
    """Everything computed once per bundle: geometry, the rendered base map, option lists, snapshots."""

    geometry: mapping.PlaceGeometry
    places_json: bytes
    parts: ui_data.MapParts
    reviewed_timeline: ControlTimeline
    change_dates: tuple[dt.date, ...]
    span: tuple[dt.date, dt.date]
    kinds: tuple[str, ...]
    governorates: tuple[str, ...]
    search_ids: tuple[str, ...]
    search_labels: Mapping[str, str]
    snapshots: OrderedDict[tuple[dt.date, bool], Mapping[str, Status]] = field(default_factory=OrderedDict)
    # Shared by every session (st.cache_resource): reruns of different sessions run on different threads.
    lock: threading.Lock = field(default_factory=threading.Lock)


@st.cache_resource(max_entries=4, show_spinner="Preparing the map…")
def derive(key: str, _bundle: ui_data.Bundle) -> Derived:
    """Build the per-bundle structures once; ``key`` is the bundle's content key."""
    places = _bundle.gazetteer.places
    geometry = mapping.place_geometry(places.values())
    places_json = mapping.geometry_json(geometry).encode()
    parts = ui_data.render_map_parts(
        mapping.build_base_map(geometry, places_url=assets.publish_data(places_json)))
    reviewed = ControlTimeline([e for e in _bundle.events.events if e.reviewed], places=places)
    span = _bundle.timeline.span()
    today = dt.date.today()
    start, end = span if span is not None else (today, today)
    if start == end:  # a slider needs two distinct ends
        start = end - dt.timedelta(days=1)
    drawn = [places[i] for i in geometry.ids]
    kinds = tuple(k for k in mapping.KIND_SIZE if any(p.kind == k for p in drawn))
    kinds += tuple(sorted({p.kind for p in drawn} - set(kinds)))
    governorates = tuple(sorted({p.admin1 for p in drawn if p.admin1}, key=lambda g: _place_name(places, g)))
    # Every place can be looked up, also those not drawn (no coordinates yet): their history still shows.
    search_ids = tuple(sorted(places, key=lambda i: places[i].name.casefold()))
    labels = {i: _search_label(places[i]) for i in search_ids}
    return Derived(geometry, places_json, parts, reviewed, tuple(_bundle.timeline.change_dates()),
                   (start, end), kinds, governorates, search_ids, labels)


def _place_name(places: Mapping[str, Place], place_id: str) -> str:
    place = places.get(place_id)
    return place.name if place else place_id


def _search_label(place: Place) -> str:
    """Label for the search box: the name, then the Arabic name and aliases so typing any of them finds it."""
    others = [n for n in place.names()[1:] if n != place.name][:6]
    return f"{place.name} ({', '.join(others)})" if others else place.name


def snapshot(
    derived: Derived, bundle: ui_data.Bundle, on: dt.date, with_unreviewed: bool
) -> Mapping[str, Status]:
    """The status of every place on ``on``, from all events or from reviewed ones only (small LRU cache)."""
    key = (on, with_unreviewed)
    cache = derived.snapshots
    with derived.lock:
        if key in cache:
            cache.move_to_end(key)
            return cache[key]
    timeline = bundle.timeline if with_unreviewed else derived.reviewed_timeline
    result: Mapping[str, Status] = timeline.snapshot(on)
    with derived.lock:
        cache[key] = result
        while len(cache) > SNAPSHOT_CACHE:
            cache.popitem(last=False)
    return result


# --- state: defaults, query parameters, callbacks -----------------------------------------------------


def _split(value: str | None, allowed: Sequence[str]) -> list[str]:
    if not value:
        return []
    return [v for v in value.split(",") if v in allowed]


def init_state(derived: Derived, bundle: ui_data.Bundle, faction_ids: Sequence[str]) -> None:
    """Give every widget its value before it is created: query parameters on first load, else defaults."""
    ss = st.session_state
    places = bundle.gazetteer.places
    start, end = derived.span
    if not ss.get("_map_ready"):
        qp = st.query_params
        try:
            wanted = dt.date.fromisoformat(qp.get("date", ""))
        except ValueError:
            wanted = end
        ss["date"] = min(max(wanted, start), end)
        ss["factions"] = _split(qp.get("factions"), faction_ids) or list(faction_ids)
        ss["gov"] = _split(qp.get("gov"), derived.governorates)
        ss["kind"] = _split(qp.get("kind"), derived.kinds) or list(derived.kinds)
        ss["conf"] = _split(qp.get("conf"), CONFIDENCES) or list(CONFIDENCES)
        ss["unreviewed"] = qp.get("unreviewed", "1") != "0"
        ss["unknown"] = qp.get("unknown", "0") == "1"
        place = qp.get("place")
        ss["place"] = place if place in places else None
        ss["search"] = ss["place"]
        if ss["search"]:
            _centre_on(places[ss["search"]])
        ss["_map_ready"] = True
    else:
        # Streamlit forgets a widget's value while another page is shown; bring the view back.
        saved = ss.get("_view", {})
        for key in WIDGET_KEYS:
            if key not in ss and key in saved:
                ss[key] = saved[key]
    ss.setdefault("conf", list(CONFIDENCES))
    ss.setdefault("unreviewed", True)
    ss.setdefault("unknown", False)
    ss["conf"] = [c for c in ss["conf"] if c in CONFIDENCES]
    # Values left over from other data (a file edited by hand) must not break the widgets.
    if not isinstance(ss.get("date"), dt.date) or not start <= ss["date"] <= end:
        ss["date"] = end
    if "_pending_date" in ss:
        ss["date"] = min(max(ss.pop("_pending_date"), start), end)
    ss["factions"] = [f for f in ss.get("factions", faction_ids) if f in faction_ids]
    ss["gov"] = [g for g in ss.get("gov", []) if g in derived.governorates]
    ss["kind"] = [k for k in ss.get("kind", derived.kinds) if k in derived.kinds]
    if "_pending_place" in ss:
        ss["place"] = ss.pop("_pending_place")
        ss["search"] = ss["place"]
    if ss.get("place") not in places:
        ss["place"] = None
    if ss.get("search") not in places:
        ss["search"] = None


def _centre_on(place: Place) -> None:
    ss = st.session_state
    if place.lat is not None and place.lon is not None:
        # The map only moves when the requested centre differs from the last one it was sent; a
        # sub-millimetre nudge makes a second search for the same place bring it back into view.
        nudge = 1e-9 if ss.get("_center") == (place.lat, place.lon) else 0.0
        ss["_center"] = (place.lat + nudge, place.lon)
        ss["_zoom"] = SEARCH_ZOOM


def step(dates: Sequence[dt.date], direction: int) -> None:
    """Callback: move the date slider to the previous (-1) or next (+1) change date."""
    ss = st.session_state
    current = ss["date"]
    if direction < 0:
        earlier = [d for d in dates if d < current]
        if earlier:
            ss["date"] = earlier[-1]
    else:
        later = [d for d in dates if d > current]
        if later:
            ss["date"] = later[0]


def start_play(dates: Sequence[dt.date]) -> None:
    """Callback: walk through the change dates from the current one (from the first when at the end)."""
    ss = st.session_state
    if dates and not any(d > ss["date"] for d in dates):
        ss["date"] = dates[0]
    ss["playing"] = True


def stop_play() -> None:
    """Callback: stop walking through the dates."""
    st.session_state["playing"] = False


def on_search() -> None:
    """Callback: select the place picked in the search box and centre the map on it."""
    ss = st.session_state
    place_id = ss.get("search")
    if place_id:
        ss["place"] = place_id
        place = ss["_places"].get(place_id)
        if place is not None:
            _centre_on(place)


def clear_selection() -> None:
    """Callback: forget the selected place (the map keeps its view)."""
    st.session_state["place"] = None
    st.session_state["search"] = None


def sync_query_params(faction_ids: Sequence[str], derived: Derived) -> None:
    """Mirror the view in the URL so it can be shared; only non-default values are written."""
    ss = st.session_state
    wanted: dict[str, str] = {"date": ss["date"].isoformat()}
    if set(ss["factions"]) != set(faction_ids):
        wanted["factions"] = ",".join(ss["factions"])
    if ss["gov"]:
        wanted["gov"] = ",".join(ss["gov"])
    if set(ss["kind"]) != set(derived.kinds):
        wanted["kind"] = ",".join(ss["kind"])
    if set(ss["conf"]) != set(CONFIDENCES):
        wanted["conf"] = ",".join(ss["conf"])
    if not ss["unreviewed"]:
        wanted["unreviewed"] = "0"
    if ss["unknown"]:
        wanted["unknown"] = "1"
    if ss.get("place"):
        wanted["place"] = ss["place"]
    current = {k: st.query_params.get(k) for k in QUERY_KEYS if k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


# --- filtering ------------------------------------------------------------------------------------------


def visible_places(
    derived: Derived, places: Mapping[str, Place], snap: Mapping[str, Status], all_factions: Sequence[str]
) -> list[str] | None:
    """Ids that pass the filters, or None when no filter narrows anything (the common, fast case)."""
    ss = st.session_state
    factions, govs, kinds, confs = set(ss["factions"]), set(ss["gov"]), set(ss["kind"]), set(ss["conf"])
    everything = factions >= set(all_factions) and kinds >= set(derived.kinds) and confs >= set(CONFIDENCES)
    if everything and not govs:
        return None
    keep: list[str] = []
    for place_id in derived.geometry.ids:
        place = places[place_id]
        if (govs and place.admin1 not in govs) or place.kind not in kinds:
            continue
        status = snap.get(place_id)
        if status is not None and status.factions:
            if not factions.intersection(status.factions):
                continue
            ev = mapping.evidence(status)
            if ev is not None and ev.confidence not in confs:
                continue
        elif len(factions) < len(all_factions):
            continue  # a faction filter shows what that faction holds, not places nobody is known to hold
        keep.append(place_id)
    return keep


# --- the place panel ------------------------------------------------------------------------------------


def faction_name(bundle: ui_data.Bundle, faction_id: str | None) -> str:
    """Display name of a faction id (the id itself when unknown, a dash for none)."""
    if faction_id is None:
        return "—"
    faction = bundle.factions.factions.get(faction_id)
    return faction.name if faction else faction_id


def describe_status(bundle: ui_data.Bundle, status: Status | None) -> str:
    """One plain sentence: who holds the place and since when (not yet Markdown-escaped)."""
    if status is None or status.state == "unknown":
        return "No known status on this date."
    names = [faction_name(bundle, f) for f in status.factions]
    since = f" since {status.since:%d %b %Y}" if status.since else ""
    if status.state == "held" and names:
        return f"Held by {names[0]}{since}."
    if status.state == "contested":
        return f"Contested between {' and '.join(names)}{since}."
    if status.state == "partial":
        rest = f", with {' and '.join(names[1:])} holding part" if len(names) > 1 else ""
        return f"Mostly held by {names[0]}{rest}{since}."
    if status.state == "mixed":
        return f"Mixed control: {', '.join(names)}{since}."
    if status.state == "abandoned":
        return f"No holder after a withdrawal{since}."
    return f"{status.state.capitalize()}{since}."


def history_rows(bundle: ui_data.Bundle, events: Sequence[ControlEvent]) -> list[dict[str, Any]]:
    """Table rows for a place's history, newest first; links only when http(s)."""
    return [
        {
            "date": ev.date,
            "faction": faction_name(bundle, ev.faction),
            "event": ev.kind.replace("_", " "),
            "from": faction_name(bundle, ev.previous) if ev.previous else "",
            "confidence": ev.confidence,
            "outlet": ev.source.outlet,
            "published": ev.source.published,
            "link": safe_url(ev.source.url),
            "reviewed": ev.reviewed,
            "quote": shorten(ev.quote, 300),
        }
        for ev in sorted(events, key=lambda e: (e.date, e.line), reverse=True)
    ]


def place_panel(bundle: ui_data.Bundle, place: Place, on: dt.date, with_unreviewed: bool) -> None:
    """Names, current holder and the whole sourced history of one place, as plain Streamlit elements."""
    places = bundle.gazetteer.places
    title, close = st.columns([3, 1], vertical_alignment="center")
    title.subheader(place.name, anchor=False)
    close.button("Clear", icon=":material/close:", key="clear_place", on_click=clear_selection,
                 help="Clear the selection")
    if place.name_ar:
        st.markdown(f"**{escape_markdown(place.name_ar)}**")
    facts = [place.kind]
    if place.admin1:
        facts.append(_place_name(places, place.admin1))
    if place.lat is not None and place.lon is not None:
        facts.append(f"{place.lat:.4f}, {place.lon:.4f}")
    st.caption(escape_markdown(" · ".join(facts)))
    if place.aliases:
        st.caption("Also: " + escape_markdown(", ".join(place.aliases)))
    timeline = bundle.timeline if with_unreviewed else derived.reviewed_timeline
    status = timeline.status_at(place.id, on)
    st.markdown(f"On **{on:%d %b %Y}**: {escape_markdown(describe_status(bundle, status))}")
    events = bundle.timeline.history(place.id)
    if not events:
        st.info("No control events recorded for this place yet.")
        return
    st.dataframe(
        history_rows(bundle, events),
        hide_index=True,
        width="stretch",
        column_config={
            "date": st.column_config.DateColumn("date", format="YYYY-MM-DD"),
            "published": st.column_config.DateColumn("published", format="YYYY-MM-DD"),
            "link": st.column_config.LinkColumn("source", display_text="open"),
            "reviewed": st.column_config.CheckboxColumn("reviewed"),
            "quote": st.column_config.TextColumn("quote", width="large"),
        },
        key=f"history-{place.id}",
    )
    st.markdown("**On whose word**")
    for ev in sorted(events, key=lambda e: (e.date, e.line), reverse=True):
        url = safe_url(ev.source.url)
        outlet = escape_markdown(ev.source.outlet)
        source = f"[{outlet}]({url.replace(')', '%29')})" if url else outlet
        mark = "" if ev.reviewed else " · *unreviewed*"
        header = (f"{ev.date:%d %b %Y} · {escape_markdown(faction_name(bundle, ev.faction))} · "
                  f"{escape_markdown(ev.kind.replace('_', ' '))} · {escape_markdown(ev.confidence)}")
        st.markdown(f"{header} · {source}{mark}")
        if ev.quote:
            st.markdown(f"> {escape_markdown(shorten(ev.quote, 1000))}")


# --- the page -------------------------------------------------------------------------------------------

bundle = ui_data.load_bundle()
derived = derive(bundle.key, bundle)
assets.publish_data(derived.places_json)  # a hash and a stat; rewrites the file if someone removed it
places = bundle.gazetteer.places
faction_ids = [f.id for f in bundle.factions.map_factions()]
st.session_state["_places"] = places
init_state(derived, bundle, faction_ids)
ss = st.session_state

with st.sidebar:
    st.selectbox(
        "Find a place", derived.search_ids, key="search", index=None,
        placeholder="Name, Arabic name or alias",
        format_func=lambda i: derived.search_labels.get(i, i), on_change=on_search,
    )
    st.multiselect("Factions", faction_ids, key="factions", format_func=lambda f: faction_name(bundle, f))
    st.multiselect("Governorate", derived.governorates, key="gov", placeholder="All governorates",
                   format_func=lambda g: _place_name(places, g))
    st.multiselect("Kind", derived.kinds, key="kind")
    st.multiselect("Confidence", CONFIDENCES, key="conf")
    st.toggle("Show unreviewed changes", key="unreviewed",
              help="Changes a machine extracted from news text that nobody has checked yet (dashed ring).")
    st.toggle("Show places with unknown status", key="unknown")

start, end = derived.span
cols = st.columns([5, 1, 1, 1], vertical_alignment="bottom")
with cols[0]:
    st.slider("Date", min_value=start, max_value=end, key="date", step=dt.timedelta(days=1),
              format="D MMM YYYY")
cols[1].button("Prev", icon=":material/skip_previous:", key="prev", on_click=step,
               args=(derived.change_dates, -1),
               help="Previous date on which something changed hands", width="stretch")
cols[2].button("Next", icon=":material/skip_next:", key="next", on_click=step,
               args=(derived.change_dates, 1),
               help="Next date on which something changed hands", width="stretch")
if ss.get("playing"):
    cols[3].button("Stop", icon=":material/stop:", key="stop", on_click=stop_play, width="stretch")
else:
    cols[3].button("Play", icon=":material/play_arrow:", key="play", on_click=start_play,
                   args=(derived.change_dates,),
                   help="Walk through the change dates", width="stretch")

on: dt.date = ss["date"]
snap = snapshot(derived, bundle, on, ss["unreviewed"])
shown = visible_places(derived, places, snap, faction_ids)
payload = mapping.status_payload(
    derived.geometry, snap, bundle.factions.factions, visible=shown, selected=ss.get("place"),
    show_unknown=ss["unknown"], title=f"{on:%d %b %Y}",
)
summary = f"**{on:%d %b %Y}** · {payload.shown:,} of {len(derived.geometry):,} places shown"
if payload.counts.get("unreviewed"):
    summary += f" · {payload.counts['unreviewed']:,} on unreviewed reports"
st.markdown(summary)

map_col, side_col = st.columns([3, 2])
with map_col:
    result = ui_data.show_map(
        derived.parts, mapping.status_script(payload), key="map", height=640,
        center=ss.get("_center"), zoom=ss.get("_zoom"),
    )
    with st.expander("How to read the map"):
        st.markdown(HOW_TO_READ)
clicked = result.get("last_object_clicked") if result else None
if isinstance(clicked, dict) and clicked != ss.get("_last_click"):
    ss["_last_click"] = clicked
    place_id = derived.geometry.at(float(clicked.get("lat", 0.0)), float(clicked.get("lng", 0.0)))
    if place_id and place_id != ss.get("place"):
        ss["_pending_place"] = place_id
        st.rerun()

with side_col:
    selected = places.get(ss["place"]) if ss.get("place") else None
    if selected is not None:
        place_panel(bundle, selected, on, ss["unreviewed"])
    else:
        st.info("Click a place on the map, or find it in the sidebar, to see who holds it and on whose word.")
        if payload.faction_counts:
            st.dataframe(
                [{"faction": faction_name(bundle, f), "places": n}
                 for f, n in payload.faction_counts.items()],
                hide_index=True, width="stretch", key="legend",
            )

sync_query_params(faction_ids, derived)
ss["_view"] = {key: ss.get(key) for key in WIDGET_KEYS}

if ss.get("playing"):
    later = [d for d in derived.change_dates if d > on]
    if later:
        time.sleep(PLAY_STEP_SECONDS)
        ss["_pending_date"] = later[0]
        st.rerun()
    else:
        ss["playing"] = False
        st.rerun()
