"""``conflict-map validate``: check every data file and the references between them."""

from __future__ import annotations

import argparse
import sys

from dashboard.paths import data_dir

# Enough to see the kinds of warnings without burying the errors; --all-warnings shows every one.
WARNING_LIMIT = 25


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Register the validate options."""
    parser.add_argument("--data", metavar="DIR", help="data folder (default: $CONFLICT_MAP_DATA, else data/)")
    parser.add_argument("--all-warnings", action="store_true", help=f"print every warning, not the first "
                        f"{WARNING_LIMIT}")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only, no warnings")
    parser.add_argument("--strict", action="store_true", help="exit 1 on warnings too (CI on data changes)")


def run(args: argparse.Namespace) -> int:
    """Print one ``FILE:LINE:COL: message`` line per problem, then a summary; 1 when there are errors."""
    from dashboard.validation import validate_data  # noqa: PLC0415 - keeps `--help` instant
    from dashboard.yamlio import DataWarning  # noqa: PLC0415

    report = validate_data(data_dir(args.data))
    shown = 0
    hidden = 0
    for problem in report.problems():
        is_warning = isinstance(problem, DataWarning)
        if is_warning and (args.quiet or (shown >= WARNING_LIMIT and not args.all_warnings)):
            hidden += 1
            continue
        shown += is_warning
        print(problem.render())
    summary = report.summary()
    if hidden and not args.quiet:
        summary += f" ({hidden} not shown; --all-warnings shows them)"
    failed = not report.ok or (args.strict and bool(report.warnings))
    print(summary, file=sys.stderr if failed else sys.stdout)
    return 1 if failed else 0
