"""The ``conflict-map`` command: dispatches to one module per subcommand and turns errors into exit codes."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import Protocol

from dashboard.errors import DashboardError

# Subcommand modules are imported lazily so `validate` does not pay for folium or geopy.
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("dashboard.cmd_validate", "check every data file and the references between them"),
    "ingest": ("dashboard.cmd_ingest", "find places and control changes in news reports"),
    "geocode": ("dashboard.cmd_geocode", "resolve place names: gazetteer, offline GeoNames, then online"),
    "export": ("dashboard.cmd_export", "write the control snapshot of a date as GeoJSON or CSV"),
}


class Command(Protocol):
    """What each ``dashboard.cmd_*`` module provides."""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...  # pragma: no cover

    def run(self, args: argparse.Namespace) -> int: ...  # pragma: no cover


def _load(name: str) -> Command:
    module: Command = importlib.import_module(COMMANDS[name][0])
    return module


def build_parser(argv: Sequence[str]) -> argparse.ArgumentParser:
    """Build the parser, importing only the module of the subcommand being run."""
    parser = argparse.ArgumentParser(prog="conflict-map", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    for name, (_, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            _load(name).add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(args_list)
    args = parser.parse_args(args_list)
    try:
        return _load(args.command).run(args)
    except DashboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
