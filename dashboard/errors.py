"""One error family for the whole project; every data error knows its file, line and column."""

from __future__ import annotations

from pathlib import Path


class DashboardError(Exception):
    """Root of every error the project raises on purpose."""


class DataError(DashboardError, ValueError):
    """A problem in a data file, reported as ``FILE:LINE:COL: message``."""

    def __init__(self, message: str, file: str | Path | None = None, line: int = 0, col: int = 0) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.col = col
        super().__init__(self.render())

    def render(self) -> str:
        """Return the error as ``FILE:LINE:COL: message`` (or just the message when no file is known)."""
        if self.file is None:
            return self.message
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class DataErrors(DashboardError):
    """Several data problems found in one pass; ``errors`` keeps them in file order."""

    def __init__(self, errors: list[DataError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.render() for e in errors))


class WriteConflictError(DashboardError):
    """The file changed on disk since it was read; the pending edit was not written."""


class GeocodeError(DashboardError):
    """A geocoding service failed (unreachable, timeout, rate limit, bad reply); not the same as not found."""


class ConfigurationError(DashboardError, ValueError):
    """A setting is missing or wrong (for example a geocoder user agent)."""


class IngestError(DashboardError):
    """An article could not be read (binary, empty, undated)."""
