"""``conflict-map export``: who held what on a date, or what changed hands since a date, as GeoJSON or CSV."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

from dashboard import exporting
from dashboard.control import ControlTimeline
from dashboard.events import load_events
from dashboard.factions import load_factions
from dashboard.gazetteer import load_gazetteer
from dashboard.paths import EVENTS_FILE, FACTIONS_FILE, PLACES_FILE, data_dir


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the export options."""
    parser.add_argument("--date", required=True, type=_iso_date, metavar="YYYY-MM-DD",
                        help="the day to describe (status at the end of that day)")
    parser.add_argument("--format", required=True, choices=("geojson", "csv"), dest="fmt",
                        help="GeoJSON FeatureCollection or long-format CSV (one row per place and holder)")
    parser.add_argument("--changes-since", type=_iso_date, metavar="YYYY-MM-DD", default=None,
                        help="export the changes dated from this day to --date (inclusive), not a snapshot")
    parser.add_argument("--include-unknown", action="store_true",
                        help="also list places whose status on the date is unknown (snapshot only)")
    parser.add_argument("--data", metavar="DIR", default=None,
                        help="data folder (default: $CONFLICT_MAP_DATA, then the repository's data/)")
    parser.add_argument("--output", "-o", metavar="FILE", default=None,
                        help="write to FILE (replaced atomically) instead of standard output")


def render_export(
    folder: Path,
    on: dt.date,
    fmt: str,
    *,
    since: dt.date | None = None,
    include_unknown: bool = False,
) -> str:
    """Load the data folder and return the export text; raises the DataError family on bad data."""
    gazetteer = load_gazetteer(folder / PLACES_FILE)
    factions = load_factions(folder / FACTIONS_FILE)
    log = load_events(folder / EVENTS_FILE, gazetteer.places, factions)
    timeline = ControlTimeline(log.events, gazetteer)
    if since is not None:
        rows = exporting.change_rows(
            timeline.changes_between(since - dt.timedelta(days=1), on),
            gazetteer.places, factions.factions, timeline,
        )
        if fmt == "csv":
            return exporting.changes_csv(rows)
        return exporting.dumps_geojson(exporting.changes_geojson(rows, since, on))
    snapshot = timeline.snapshot(on)
    if fmt == "csv":
        return exporting.snapshot_csv(
            gazetteer.places, snapshot, on, factions.factions, include_unknown=include_unknown
        )
    collection = exporting.snapshot_geojson(
        gazetteer.places, snapshot, on, factions.factions, include_unknown=include_unknown
    )
    return exporting.dumps_geojson(collection)


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 next to ``path`` and rename it over, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    """Run the export; 0 on success, 1 when the output cannot be written, 2 on a bad date range."""
    since: dt.date | None = args.changes_since
    if since is not None and since > args.date:
        print(f"error: --changes-since {since} is after --date {args.date}", file=sys.stderr)
        return 2
    text = render_export(
        data_dir(args.data), args.date, args.fmt, since=since, include_unknown=args.include_unknown
    )
    if args.output:
        try:
            write_atomically(Path(args.output), text)
        except OSError as exc:
            print(f"error: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0
