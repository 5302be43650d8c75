"""Read a news report: ``# key: value`` header lines, then the text; binary and empty files refused."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from dashboard.dates import parse_published
from dashboard.errors import IngestError
from dashboard.models import Article

# Articles are short; anything bigger is almost certainly the wrong file.
MAX_BYTES = 5_000_000
# Keys are lowercase words so a Markdown title such as "# Syria: rebels advance" stays text.
_HEADER = re.compile(r"#[ \t]*([a-z][a-z_-]*)[ \t]*:[ \t]*(.*?)[ \t]*(?:\n|\Z)")


def split_headers(raw: str) -> tuple[dict[str, str], str]:
    """Split leading ``# key: value`` lines from the text that follows them."""
    headers: dict[str, str] = {}
    pos = 0
    while True:
        m = _HEADER.match(raw, pos)
        if m is None or m.end() == pos:
            break
        headers.setdefault(m.group(1), m.group(2))
        pos = m.end()
    return headers, raw[pos:]


def _is_url(value: str) -> bool:
    """True for http(s) URLs, the only kind that may become a link."""
    return re.match(r"https?://\S+$", value, re.IGNORECASE) is not None


def parse_article(
    raw: str,
    published: dt.date | None = None,
    file: str | None = None,
    outlet: str | None = None,
) -> Article:
    """Build an Article from text with optional headers; an explicit ``published`` wins over the header."""
    name = file or "<text>"
    if "\x00" in raw:
        raise IngestError(f"{name}: looks like a binary file (NUL bytes); expected a plain-text news report")
    raw = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    headers, text = split_headers(raw)
    if not text.strip():
        raise IngestError(f"{name}: the report is empty; expected text after any '# key: value' lines")
    when = published
    if when is None and "published" in headers:
        try:
            when = parse_published(headers["published"])
        except ValueError as exc:
            raise IngestError(f"{name}: '# published:' header: {exc}") from None
    if when is None:
        raise IngestError(
            f"{name}: no publication date; give --published YYYY-MM-DD or a '# published: YYYY-MM-DD' line"
        )
    source = headers.get("source") or headers.get("url") or ""
    title = headers.get("title") or next((line.strip() for line in text.splitlines() if line.strip()), None)
    return Article(
        text=text,
        published=when,
        file=file,
        outlet=outlet or headers.get("outlet") or None,
        url=source if _is_url(source) else None,
        title=title,
    )


def read_article(path: str | Path, published: dt.date | None = None, outlet: str | None = None) -> Article:
    """Read a report file; raise IngestError for missing, binary, empty, oversized or undated files."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise IngestError(f"{p}: no such file") from None
    except IsADirectoryError:
        raise IngestError(f"{p}: is a directory; expected a text file") from None
    except OSError as exc:
        raise IngestError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise IngestError(f"{p}: {len(data):,} bytes is too large for a news report (limit {MAX_BYTES:,})")
    if b"\x00" in data:
        raise IngestError(f"{p}: looks like a binary file (NUL bytes); expected a plain-text news report")
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        msg = f"{p}: not UTF-8 text (bad byte at offset {exc.start}); save the report as UTF-8"
        raise IngestError(msg) from None
    return parse_article(raw, published=published, file=str(p), outlet=outlet)
