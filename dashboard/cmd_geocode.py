"""``conflict-map geocode``: resolve names offline (gazetteer, GeoNames) or online, and add new places."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from dashboard.additions import coords_source, place_mapping
from dashboard.errors import ConfigurationError, DataError, DataErrors, WriteConflictError
from dashboard.gazetteer import Gazetteer, load_gazetteer
from dashboard.geocode import GeoCandidate, OnlineGeocoder, Resolution, Resolver, load_settings
from dashboard.geonames_offline import load_offline
from dashboard.paths import PLACES_FILE, data_dir
from dashboard.writer import add_place, update_places


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the geocode options."""
    parser.epilog = (
        "Online lookups need a user agent that names you: --user-agent, CONFLICT_MAP_USER_AGENT, or "
        "user_agent under [geocode] in ~/.config/conflict-map/config.toml (CONFLICT_MAP_CONFIG names another "
        "file; it may also set geocoder, url, timeout and cache_dir). At most one request per second is "
        "sent; answers, including 'not found', are cached in DATA/.geocode-cache and never asked twice."
    )
    parser.add_argument("names", nargs="+", metavar="NAME", help="place names to resolve")
    parser.add_argument("--json", action="store_true", help="print a JSON list of {query, candidates}")
    parser.add_argument("--online", action="store_true",
                        help="ask an online geocoder for names the gazetteer and offline GeoNames lack")
    parser.add_argument("--user-agent", metavar="UA",
                        help="identify this program to the geocoder (or set CONFLICT_MAP_USER_AGENT)")
    parser.add_argument("--geocoder", metavar="SERVICE",
                        help="geopy service name (default nominatim; or set CONFLICT_MAP_GEOCODER)")
    parser.add_argument("--geocoder-url", metavar="URL",
                        help="another geocoder server as scheme://host:port (a self-hosted Nominatim)")
    parser.add_argument("--timeout", type=float, metavar="S",
                        help="seconds one online request may take in total (default 8, at most 10)")
    parser.add_argument("--add", action="store_true",
                        help="add the found place to the gazetteer (reviewed: false), or give a gazetteer "
                        "place without coordinates the ones found")
    parser.add_argument("--pick", type=int, metavar="N",
                        help="with --add: which candidate to add (1 = first)")
    parser.add_argument("--data", metavar="DIR", help="data folder (default: CONFLICT_MAP_DATA or data/)")


def run(args: argparse.Namespace) -> int:
    """Resolve every name; return 1 if a service failed or an --add could not be done."""
    if args.pick is not None and not args.add:
        raise ConfigurationError("--pick chooses the candidate for --add; use it together with --add")
    if args.pick is not None and len(args.names) != 1:
        raise ConfigurationError("--pick applies to one name; run --add --pick once per name")
    folder = data_dir(args.data)
    places_path = folder / PLACES_FILE
    gazetteer = load_gazetteer(places_path)
    online = None
    if args.online:
        settings = load_settings(user_agent=args.user_agent, service=args.geocoder, url=args.geocoder_url,
                                 data=folder, timeout=args.timeout)
        online = OnlineGeocoder.from_settings(settings)
    resolver = Resolver(gazetteer, offline=load_offline(), online=online)
    resolutions = [resolver.resolve(name) for name in args.names]
    if args.json:
        json.dump([r.to_json() for r in resolutions], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        for resolution in resolutions:
            print_resolution(resolution, sys.stdout, online_label=online.label if online else None)
    code = 0
    for resolution in resolutions:
        if resolution.error is not None:
            print(f"error: {resolution.query}: {resolution.error}", file=sys.stderr)
            code = 1
    if args.add:
        sha = gazetteer.sha256
        taken = set(gazetteer.places)
        for resolution in resolutions:
            if resolution.status == "failed":
                continue  # the service failed: nothing trustworthy to write
            result = add_resolution(resolution, places_path, args.pick, sha=sha, taken=taken,
                                    gazetteer=gazetteer)
            if result is None:
                code = 1
            elif result:
                sha = result
    return code


def print_resolution(resolution: Resolution, out: TextIO, online_label: str | None) -> None:
    """Print one resolution for people: the status, then numbered candidates."""
    status = resolution.status
    query = resolution.query
    if status == "failed" and not resolution.candidates:
        out.write(f"{query}: failed (see the error below)\n")
        return
    if status == "not_found":
        hint = "" if online_label else " (add --online to ask an online geocoder)"
        where = f"the gazetteer, offline GeoNames or {online_label}" if online_label else \
            "the gazetteer or offline GeoNames"
        out.write(f"{query}: not found in {where}{hint}\n")
        return
    heading = {
        "found": "found", "ambiguous": f"{len(resolution.candidates)} candidates; choose with --add --pick N",
        "suggested": "no exact match; similar names", "failed": "in the gazetteer without coordinates",
        "unplaced": "in the gazetteer without coordinates"
        + ("" if online_label else " (add --online to look them up)"),
    }[status]
    out.write(f"{query}: {heading}\n")
    for number, cand in enumerate(resolution.candidates, 1):
        out.write(f"  {number}. {describe(cand)}\n")


def describe(cand: GeoCandidate) -> str:
    """One line about a candidate: name, id, kind, coordinates, where it came from."""
    ident = f" ({cand.place})" if cand.place else " (not in the gazetteer)"
    extra = f"; {cand.display}" if cand.display else ""
    matched = f", matched {cand.matched!r}" if cand.matched and cand.matched != cand.name else ""
    where = (f"{cand.lat:.5f}, {cand.lon:.5f}" if cand.lat is not None and cand.lon is not None
             else "no coordinates yet")
    return f"{cand.name}{ident}, {cand.kind}, {where} [{cand.source}{matched}]{extra}"


def add_resolution(
    resolution: Resolution, path: Path, pick: int | None, *, sha: str, taken: set[str], gazetteer: Gazetteer,
) -> str | None:
    """Add or place the chosen candidate; return the new hash, "" if nothing was needed, None if refused.

    A gazetteer place without coordinates gets the chosen candidate's coordinates instead of a new entry.
    """
    query, candidates = resolution.query, resolution.candidates
    unplaced = [c for c in candidates if c.source == "gazetteer" and c.lat is None]
    options = [c for c in candidates if c.lat is not None and (not unplaced or c.source != "gazetteer")]
    if not options and pick is None:
        what = "no coordinates were found" if unplaced else "not found"
        print(f"{query}: nothing to add ({what})", file=sys.stderr)
        return ""
    if pick is not None:
        if not 1 <= pick <= len(candidates):
            print(f"error: {query}: --pick {pick} is not a candidate number (1-{len(candidates)})",
                  file=sys.stderr)
            return None
        chosen = candidates[pick - 1]
    elif len(options) == 1 or (not unplaced and resolution.status == "found"):
        chosen = options[0]
    else:
        print(f"error: {query}: {len(candidates)} candidates; nothing was written. Run again with "
              f"--add --pick N (1-{len(candidates)}) to choose one.", file=sys.stderr)
        return None
    if chosen.lat is None or chosen.lon is None:
        print(f"error: {query}: candidate {candidates.index(chosen) + 1} has no coordinates; pick another",
              file=sys.stderr)
        return None
    if unplaced and chosen.place is None:
        if len(unplaced) > 1:
            ids = ", ".join(str(c.place) for c in unplaced)
            print(f"error: {query}: several gazetteer places need coordinates ({ids}); "
                  f"set them in {path} by hand", file=sys.stderr)
            return None
        return _place_existing(str(unplaced[0].place), chosen, path, sha)
    if chosen.place:
        print(f"{query}: already in the gazetteer as '{chosen.place}'; nothing added", file=sys.stderr)
        return ""
    mapping = place_mapping(chosen, query, taken, gazetteer)
    try:
        new_sha = add_place(path, mapping, expected_sha256=sha)
    except (DataErrors, DataError, WriteConflictError) as exc:
        print(f"error: {query}: not added:\n{exc}", file=sys.stderr)
        return None
    taken.add(str(mapping["id"]))
    print(f"{query}: added '{mapping['id']}' to {path} (coords_source: {mapping['coords_source']}, "
          "reviewed: false); check it, then set reviewed: true")
    return new_sha


def _place_existing(place_id: str, chosen: GeoCandidate, path: Path, sha: str) -> str | None:
    """Give a gazetteer place that has no coordinates the chosen candidate's, marked unreviewed."""
    fields: dict[str, Any] = {
        "lat": round(chosen.lat or 0.0, 5), "lon": round(chosen.lon or 0.0, 5),  # checked by the caller
        "coords_source": coords_source(chosen.source), "reviewed": False,
    }
    if chosen.geonames:
        fields["geonames"] = chosen.geonames
    try:
        new_sha = update_places(path, {place_id: fields}, expected_sha256=sha)
    except (DataErrors, DataError, WriteConflictError) as exc:
        print(f"error: {place_id}: coordinates not saved:\n{exc}", file=sys.stderr)
        return None
    print(f"{place_id}: coordinates {fields['lat']}, {fields['lon']} from {chosen.source} saved to {path} "
          "(reviewed: false); check them, then set reviewed: true")
    return new_sha


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - convenience for python -m
    """Run ``geocode`` alone (the real entry point is ``conflict-map geocode``)."""
    parser = argparse.ArgumentParser(prog="conflict-map geocode")
    add_arguments(parser)
    return run(parser.parse_args(argv))
