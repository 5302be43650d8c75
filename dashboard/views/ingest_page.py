"""Ingest page: paste or upload reports, review the places and proposed changes, write accepted ones."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import streamlit as st

from dashboard import writer
from dashboard.additions import slug
from dashboard.articles import MAX_BYTES, parse_article
from dashboard.errors import DataError, DataErrors, IngestError, WriteConflictError
from dashboard.events import check_events, event_to_mapping
from dashboard.extract import ingest
from dashboard.models import CONFIDENCES, EVENT_KINDS, Article, ControlEvent, Mention
from dashboard.paths import EVENTS_FILE
from dashboard.safe_html import escape, safe_url, shorten
from dashboard.safe_html import escape_markdown as md
from dashboard.ui_data import Bundle, clear_caches, load_bundle
from dashboard.yamlio import parse_yaml

REPORTS = "ing_reports"
GENERATION = "ing_generation"
FLASH = "ing_flash"
WRITE_ERRORS = "ing_write_errors"
# The Gazetteer page reads this to prefill its geocoding box ("geocode this name" from here).
GEOCODE_REQUEST = "gaz_geocode_query"
PASTED = "pasted text"
# A long news report is ~50,000 characters; the cap stops a pasted book from stalling the engine.
MAX_PASTE_CHARS = 200_000
UNNAMED = "<text>"  # how the article reader names text that came from no file
# What the engine writes when neither the report nor the form names the outlet: not a usable source.
UNKNOWN_OUTLET = "unknown"
MARK_STYLE = "background:#fde68a;border-radius:3px;padding:0 2px"
UNRESOLVED_STYLE = "text-decoration:underline dotted #b45309;text-underline-offset:3px"


@dataclass(slots=True)
class Report:
    """One ingested report: the article (or why it could not be read) and what the engine found in it."""

    name: str
    article: Article | None = None
    error: str | None = None
    mentions: list[Mention] = field(default_factory=list)
    changes: list[ControlEvent] = field(default_factory=list)
    unresolved: list[tuple[str, int, int]] = field(default_factory=list)


def decode_upload(name: str, data: bytes, limit: int = MAX_BYTES) -> str:
    """Text of an uploaded report; IngestError for oversized, binary or non-UTF-8 files."""
    if len(data) > limit:
        raise IngestError(f"{name}: {len(data):,} bytes is too large for a news report (limit {limit:,})")
    if b"\x00" in data:
        raise IngestError(f"{name}: looks like a binary file (NUL bytes); expected a plain-text news report")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        message = f"{name}: not UTF-8 text (bad byte at offset {exc.start}); save it as UTF-8"
        raise IngestError(message) from None


def highlight_html(
    text: str, mentions: Iterable[Mention], unresolved: Iterable[tuple[str, int, int]] = ()
) -> str:
    """The text as HTML with place mentions marked; built only from ``safe_html.escape``d pieces."""
    spans: list[tuple[int, int, str]] = []
    for m in mentions:
        title = escape(f"{m.place} ({m.kind})")
        spans.append((m.start, m.end, f'<mark style="{MARK_STYLE}" title="{title}">'))
    for _, start, end in unresolved:
        spans.append((start, end, f'<span style="{UNRESOLVED_STYLE}" title="not in the gazetteer">'))
    out: list[str] = []
    pos = 0
    for start, end, opening in sorted(spans):
        if start < pos or end <= start or end > len(text):
            continue  # overlapping or out of range: leave that stretch plain
        closing = "</mark>" if opening.startswith("<mark") else "</span>"
        out.append(escape(text[pos:start]))
        out.append(opening + escape(text[start:end]) + closing)
        pos = end
    out.append(escape(text[pos:]))
    return '<div style="white-space:pre-wrap;line-height:1.7">' + "".join(out) + "</div>"


def run_engine(article: Article, bundle: Bundle) -> Report:
    """Run the ingest engine on one article and keep what the page shows."""
    result = ingest(article, bundle.gazetteer, bundle.factions)
    return Report(
        name=article.file or PASTED,
        article=article,
        mentions=list(result.mentions),
        changes=list(result.changes),
        unresolved=[(u.text, u.start, u.end) for u in result.unresolved],
    )


def ingest_sources(
    sources: Sequence[tuple[str, bytes | str]],
    bundle: Bundle,
    published: dt.date | None,
    outlet: str | None,
    url: str | None,
) -> list[Report]:
    """Read and ingest each (name, content) pair, showing progress when there are several."""
    reports: list[Report] = []
    bar = st.progress(0.0, text="Reading reports…") if len(sources) > 1 else None
    for index, (name, content) in enumerate(sources):
        try:
            raw = decode_upload(name, content) if isinstance(content, bytes) else content
            # Pasted text has no file: its events then carry no article id (the file stem otherwise).
            # Upload names come from the browser: no path separators, so the file stem is the whole name.
            file = None if name == PASTED else name.replace("/", "-").replace("\\", "-")
            article = parse_article(raw, published=published, file=file, outlet=outlet)
            if url and article.url is None:
                article = dataclasses.replace(article, url=safe_url(url))
            reports.append(run_engine(article, bundle))
        except IngestError as exc:
            message = str(exc)
            if name == PASTED and message.startswith(UNNAMED):
                message = PASTED + message.removeprefix(UNNAMED)
            reports.append(Report(name=name, error=message))
        if bar is not None:
            bar.progress((index + 1) / len(sources), text=f"{index + 1} of {len(sources)}: {name}")
    if bar is not None:
        bar.empty()
    return reports


def change_records(report: Report, bundle: Bundle) -> list[dict[str, Any]]:
    """Editor rows for the proposed changes of one report (accept and reviewed start unticked)."""
    places = bundle.gazetteer.places
    rows: list[dict[str, Any]] = []
    for ev in report.changes:
        place = places.get(ev.place)
        rows.append({
            "accept": False,
            "reviewed": False,
            "place": f"{place.name if place else ev.place} ({ev.place})",
            "faction": ev.faction,
            "previous": ev.previous,
            "kind": ev.kind,
            "date": ev.date,
            "confidence": ev.confidence,
            "quote": ev.quote,
        })
    return rows


def accepted_events(report: Report, rows: Sequence[dict[str, Any]], outlet: str | None) -> list[ControlEvent]:
    """The ticked rows as events: the user's corrections of faction, kind, date and confidence applied."""
    chosen: list[ControlEvent] = []
    for ev, row in zip(report.changes, rows, strict=True):
        if not row.get("accept"):
            continue
        day = row.get("date")
        if isinstance(day, dt.datetime):
            day = day.date()
        source = ev.source
        if outlet and source.outlet in ("", UNKNOWN_OUTLET):
            source = dataclasses.replace(source, outlet=outlet)
        chosen.append(dataclasses.replace(
            ev,
            faction=row.get("faction") or None,
            previous=row.get("previous") or None,
            kind=str(row.get("kind") or ev.kind),
            date=day if isinstance(day, dt.date) else ev.date,
            confidence=str(row.get("confidence") or ev.confidence),
            # The article id comes from the uploaded file's name, which the browser chose: keep a plain slug.
            source=dataclasses.replace(source, url=safe_url(source.url),
                                       article=slug(source.article) or None if source.article else None),
            origin="extracted",
            # Ticking "reviewed" is a person vouching for the change against its quote; accepting is not.
            reviewed=bool(row.get("reviewed")),
        ))
    return chosen


def split_duplicates(
    candidates: Iterable[ControlEvent], existing: Iterable[ControlEvent]
) -> tuple[list[ControlEvent], list[ControlEvent]]:
    """(new, duplicates): an event whose key is already in the log or earlier in the batch is a duplicate."""
    seen = {ev.key() for ev in existing}
    new: list[ControlEvent] = []
    dupes: list[ControlEvent] = []
    for ev in candidates:
        if ev.key() in seen:
            dupes.append(ev)
            continue
        seen.add(ev.key())
        new.append(ev)
    return new, dupes


def write_events(bundle: Bundle, events: Sequence[ControlEvent]) -> None:
    """Append events to events.yaml through the safe writer, validating the whole new log first."""
    path = Path(bundle.data_dir) / EVENTS_FILE

    def validate(text: str) -> None:
        _, errors, _ = check_events(parse_yaml(text, str(path)), bundle.gazetteer.places, bundle.factions)
        if errors:
            raise DataErrors(list(errors))

    # No expected hash: appending never overwrites someone else's edit, and validation refuses duplicates.
    writer.append_events(path, [event_to_mapping(ev) for ev in events], validate=validate)


def _editor_key(report_index: int) -> str:
    return f"ing_changes_{st.session_state[GENERATION]}_{report_index}"


def _column_config(bundle: Bundle) -> dict[str, Any]:
    cc = st.column_config
    factions = bundle.factions.factions

    def name_of(faction_id: Any) -> str:
        return factions[faction_id].name if faction_id in factions else str(faction_id)

    return {
        "accept": cc.CheckboxColumn("accept", help="Write this change to the control log"),
        "reviewed": cc.CheckboxColumn("reviewed", help="I checked it against the quote and the source"),
        "place": cc.TextColumn("place", disabled=True),
        "faction": cc.SelectboxColumn("faction", options=list(factions), format_func=name_of,
                                      help="Who holds the place after the change"),
        "previous": cc.SelectboxColumn("from", options=list(factions), format_func=name_of,
                                       help="Who held it before, if the report says"),
        "kind": cc.SelectboxColumn("kind", options=list(EVENT_KINDS), required=True),
        "date": cc.DateColumn("date", format="YYYY-MM-DD", required=True),
        "confidence": cc.SelectboxColumn("confidence", options=list(CONFIDENCES), required=True),
        "quote": cc.TextColumn("quote", disabled=True, width="large"),
    }


def _inputs() -> tuple[list[tuple[str, bytes | str]], dt.date | None, str | None, str | None, bool]:
    """The form: text, files, date, outlet and link; returns the sources and whether Run was pressed."""
    text = st.text_area("Paste a report", key="ing_text", height=220, max_chars=MAX_PASTE_CHARS,
                        placeholder="# published: 2024-12-02\n# outlet: AFP\nRebels seized …")
    files = st.file_uploader("…or upload reports (.txt, UTF-8)", type=["txt"], accept_multiple_files=True,
                             key="ing_files")
    col_date, col_outlet, col_url = st.columns([1, 1, 2])
    published = col_date.date_input("Published", value=None, key="ing_published", format="YYYY-MM-DD",
                                    help="Needed unless the report has a '# published: YYYY-MM-DD' line.")
    outlet = col_outlet.text_input("Outlet", key="ing_outlet", placeholder="AFP")
    url = col_url.text_input("Link to the report", key="ing_url", placeholder="https://…")
    run = st.button("Find places and changes", key="ing_run", type="primary")
    sources: list[tuple[str, bytes | str]] = []
    if text and text.strip():
        sources.append((PASTED, text))
    for upload in files or ():
        sources.append((upload.name, upload.getvalue()))
    return sources, published, outlet.strip() or None, url.strip() or None, run


def _show_report(index: int, report: Report, bundle: Bundle) -> list[dict[str, Any]]:
    """Draw one report; return its (possibly edited) change rows."""
    if report.error is not None or report.article is None:
        st.error(md(report.error or "the report could not be read"))
        return []
    article = report.article
    st.caption(f"Published {article.published:%d %b %Y} · {len(report.mentions)} place mention(s) · "
               f"{len(report.changes)} proposed change(s)")
    with st.expander("Text with the places found", expanded=len(report.changes) == 0):
        st.html(highlight_html(article.text, report.mentions,
                               [u for u in report.unresolved if u[1] >= 0]))
    if report.unresolved:
        st.warning(f"{len(report.unresolved)} name(s) look like places but are not in the gazetteer.")
        names = sorted({u[0] for u in report.unresolved})
        for n, name in enumerate(names):
            if st.button(f"Geocode {md(repr(name))} on the Gazetteer page", key=f"ing_geocode_{index}_{n}"):
                st.session_state[GEOCODE_REQUEST] = name
                st.switch_page("views/gazetteer_page.py")
    rows = change_records(report, bundle)
    if not rows:
        st.info("No control changes found in this report.")
        return []
    edited: list[dict[str, Any]] = st.data_editor(
        rows, key=_editor_key(index), hide_index=True, num_rows="fixed", width="stretch",
        column_config=_column_config(bundle),
    )
    return edited


def main() -> None:
    """Draw the page."""
    st.title("Ingest a report")
    st.session_state.setdefault(GENERATION, 0)
    bundle = load_bundle()
    # Kept until the next run of the engine: the editors remounting after a write cause one more rerun.
    flash_slot = st.empty()
    sources, published, outlet, url, run = _inputs()
    if run:
        st.session_state.pop(FLASH, None)
    flash = st.session_state.get(FLASH)
    if flash:
        flash_slot.success(md(flash))
    if run:
        if not sources:
            st.warning("Paste a report or upload at least one file first.")
        else:
            st.session_state[REPORTS] = ingest_sources(sources, bundle, published, outlet, url)
            st.session_state[GENERATION] += 1
    reports: list[Report] = st.session_state.get(REPORTS, [])
    if not reports:
        return
    st.divider()
    edited_by_report: list[list[dict[str, Any]]] = []
    for index, report in enumerate(reports):
        title = report.article.title if report.article and report.article.title else report.name
        st.subheader(md(shorten(title, 140)), anchor=False)
        edited_by_report.append(_show_report(index, report, bundle))
    for problem in st.session_state.get(WRITE_ERRORS, []):
        st.error(md(problem))
    ticked = sum(1 for rows in edited_by_report for row in rows if row.get("accept"))
    st.caption("Accepted changes are written with origin `extracted`; they count as reviewed only when the "
               "reviewed box is ticked, and the map marks the others as unreviewed.")
    label = f"Write {ticked} accepted change(s) to the control log"
    if bundle.stale:
        st.warning("The data files on disk are broken; fix them before writing from here.")
    if st.button(label, key="ing_write", disabled=not ticked or bundle.stale, type="primary"):
        _write_accepted(bundle, reports, edited_by_report, outlet)
        st.rerun()


def _write_accepted(
    bundle: Bundle, reports: list[Report], edited: list[list[dict[str, Any]]], outlet: str | None
) -> None:
    """Collect the ticked changes, drop duplicates, write the rest; record the outcome for the next run."""
    st.session_state[WRITE_ERRORS] = []
    chosen = [ev for report, rows in zip(reports, edited, strict=True) if rows
              for ev in accepted_events(report, rows, outlet)]
    missing_outlet = [ev for ev in chosen if ev.source.outlet in ("", UNKNOWN_OUTLET)]
    if missing_outlet:
        st.session_state[WRITE_ERRORS] = ["Give the outlet (or an '# outlet:' line in the report) first."]
        return
    new, dupes = split_duplicates(chosen, bundle.events.events)
    try:
        if new:
            write_events(bundle, new)
    except (DataErrors, DataError, WriteConflictError) as exc:
        errors = exc.errors if isinstance(exc, DataErrors) else [exc]
        st.session_state[WRITE_ERRORS] = [
            "Nothing was written:", *(e.render() if isinstance(e, DataError) else str(e) for e in errors)
        ]
        return
    clear_caches()
    written = {ev.key() for ev in new}
    for report, rows in zip(reports, edited, strict=True):
        # Keep the rest of each report on screen; what was written (or already there) is done.
        if rows:
            pairs = zip(report.changes, rows, strict=True)
            report.changes = [ev for ev, row in pairs if not row.get("accept")]
    st.session_state[GENERATION] += 1
    note = f" {len(dupes)} already in the log were skipped." if dupes else ""
    st.session_state[FLASH] = f"Wrote {len(written)} change(s) to {EVENTS_FILE}.{note}"


if __name__ == "__main__":
    main()
