"""``conflict-map ingest``: find places and control changes in news reports; optionally log the changes."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from dashboard.errors import IngestError
from dashboard.models import ControlEvent
from dashboard.paths import EVENTS_FILE, FACTIONS_FILE, PLACES_FILE, data_dir


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the ingest options."""
    parser.add_argument("files", nargs="+", metavar="FILE", help="plain-text news reports (UTF-8)")
    parser.add_argument("--published", metavar="YYYY-MM-DD",
                        help="publication date; a '# published:' line in a file works too (the flag wins)")
    parser.add_argument("--outlet", help="outlet name for the source (default: the file's '# outlet:' line)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per file")
    parser.add_argument("--write", action="store_true",
                        help="append the proposed changes to events.yaml (origin extracted, reviewed false), "
                             "skipping any already there")
    parser.add_argument("--data", metavar="DIR", help="data folder (default: $CONFLICT_MAP_DATA, else data/)")


def _published(value: str | None) -> dt.date | None:
    from dashboard.dates import parse_published  # noqa: PLC0415

    if value is None:
        return None
    try:
        return parse_published(value)
    except ValueError as exc:
        raise IngestError(f"--published: {exc}") from None


def mention_json(m: Any) -> dict[str, Any]:
    """A mention as in DESIGN.md."""
    return {"text": m.text, "start": m.start, "end": m.end, "place": m.place, "lat": m.lat, "lon": m.lon,
            "kind": m.kind}


def change_json(ev: ControlEvent) -> dict[str, Any]:
    """A proposed change as in DESIGN.md, plus ``previous`` (the side that lost the place, or null)."""
    return {"place": ev.place, "faction": ev.faction, "date": ev.date.isoformat(), "kind": ev.kind,
            "confidence": ev.confidence, "quote": ev.quote, "previous": ev.previous}


def result_json(file: str, result: Any) -> dict[str, Any]:
    """The JSON object printed for one report."""
    return {
        "file": file,
        "published": result.article.published.isoformat(),
        "mentions": [mention_json(m) for m in result.mentions],
        "changes": [change_json(ev) for ev in result.changes],
        "unresolved": [{"text": u.text, "start": u.start, "end": u.end} for u in result.unresolved],
    }


def _print_text(file: str, result: Any, names: dict[str, str]) -> None:
    """A readable summary: where each place is, then each proposed change with its quote."""
    art = result.article
    print(f"{file}  (published {art.published.isoformat()}, outlet {art.outlet or 'unknown'})")
    counts: dict[str, int] = {}
    for m in result.mentions:
        counts[m.place] = counts.get(m.place, 0) + 1
    if counts:
        listed = ", ".join(f"{names.get(p, p)}" + (f" x{n}" if n > 1 else "") for p, n in counts.items())
        print(f"  places ({len(result.mentions)} mention(s)): {listed}")
    else:
        print("  places: none found")
    if result.changes:
        print(f"  changes ({len(result.changes)}):")
        for ev in result.changes:
            prev = f" from {ev.previous}" if ev.previous else ""
            note = " (date not in the text)" if ev.note else ""
            print(f"    {ev.date.isoformat()}  {names.get(ev.place, ev.place)}: {ev.kind} by "
                  f"{ev.faction or '(nobody named)'}{prev}, {ev.confidence}{note}")
            print(f"      \"{ev.quote}\"")
    else:
        print("  changes: none")
    if result.unresolved:
        print("  not in the gazetteer: " + ", ".join(sorted({u.text for u in result.unresolved})))


def run(args: argparse.Namespace) -> int:
    """Ingest each file; print text or JSON; with --write append new changes; 1 if any file failed."""
    from dashboard.articles import read_article  # noqa: PLC0415 - keeps `--help` instant
    from dashboard.extract import ingest  # noqa: PLC0415
    from dashboard.factions import load_factions  # noqa: PLC0415
    from dashboard.gazetteer import load_gazetteer  # noqa: PLC0415

    folder = data_dir(args.data)
    published = _published(args.published)
    gazetteer = load_gazetteer(folder / PLACES_FILE)
    factions = load_factions(folder / FACTIONS_FILE)
    names = {pid: p.name for pid, p in gazetteer.places.items()}
    failed = 0
    proposed: list[ControlEvent] = []
    for file in args.files:
        try:
            article = read_article(file, published=published, outlet=args.outlet)
        except IngestError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed += 1
            continue
        _warn_if_dates_differ(file, published)
        result = ingest(article, gazetteer, factions)
        proposed.extend(result.changes)
        if args.json:
            print(json.dumps(result_json(file, result), ensure_ascii=False))
        else:
            _print_text(file, result, names)
    if args.write and proposed:
        added, skipped = write_changes(folder / EVENTS_FILE, proposed, gazetteer, factions)
        print(f"{folder / EVENTS_FILE}: appended {added} change(s), skipped {skipped} already logged",
              file=sys.stderr)
    return 1 if failed else 0


def _warn_if_dates_differ(file: str, published: dt.date | None) -> None:
    """Say so when --published overrides a different '# published:' line in the file."""
    from dashboard.articles import split_headers  # noqa: PLC0415
    from dashboard.dates import parse_published  # noqa: PLC0415

    if published is None:
        return
    try:
        raw = Path(file).read_text(encoding="utf-8").removeprefix("\ufeff")
        header = split_headers(raw.replace("\r\n", "\n"))[0].get("published")
        if header and parse_published(header) != published:
            print(f"warning: {file}: --published {published.isoformat()} overrides its '# published: "
                  f"{header}' line", file=sys.stderr)
    except (OSError, UnicodeDecodeError, ValueError):
        return


def write_changes(
    path: Path, events: Sequence[ControlEvent], gazetteer: Any, factions: Any,
) -> tuple[int, int]:
    """Append events not already logged (same place, date, kind, faction, outlet); return (added, skipped)."""
    from dashboard.events import event_to_mapping, load_events  # noqa: PLC0415
    from dashboard.writer import append_events  # noqa: PLC0415

    sha: str | None = None
    known: set[tuple[Any, ...]] = set()
    if path.exists():
        log = load_events(path, gazetteer, factions)
        sha = log.sha256
        known = {ev.key() for ev in log.events}
    fresh: list[ControlEvent] = []
    for ev in events:
        if ev.key() in known:
            continue
        known.add(ev.key())
        fresh.append(ev)
    if fresh:
        append_events(path, [event_to_mapping(ev) for ev in fresh], expected_sha256=sha)
    return len(fresh), len(events) - len(fresh)
