"""The one place that makes text safe for HTML, JS template literals and JSON embedded in a script."""

from __future__ import annotations

import html
import json
import re
from typing import Any
from urllib.parse import urlsplit

# C0/C1 control characters except tab and newline; they have no business in a name or a quote and some
# (NUL, U+2028/2029) end or corrupt a JavaScript string.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LINE_SEPARATORS = {"\u2028": "&#8232;", "\u2029": "&#8233;"}
# After html.escape these three are the only characters that still mean something inside a JS template
# literal (`...${...}...`) or a JS string: folium puts tooltip and popup text into such literals.
_JS_MEANINGFUL = {"\\": "&#92;", "`": "&#96;", "$": "&#36;"}
_ESCAPE_TABLE = str.maketrans({**_LINE_SEPARATORS, **_JS_MEANINGFUL})
# Inside <script> a JSON literal must not contain `</script`, `<!--`, or raw line separators; escaping the
# template-literal characters too keeps it inert even if some wrapper puts it into backticks.
_JSON_TABLE = str.maketrans({
    "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "`": "\\u0060", "$": "\\u0024",
    "\u2028": "\\u2028", "\u2029": "\\u2029",
})
# Characters that Streamlit's Markdown (CommonMark + GitHub tables + LaTeX + colour directives) reads.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")
ELLIPSIS = "…"
ALLOWED_SCHEMES = frozenset({"http", "https"})


def clean(text: object) -> str:
    """Return ``text`` as a string without control characters and with lone surrogates replaced by U+FFFD."""
    s = text if isinstance(text, str) else str(text)
    s = _SURROGATE.sub("\ufffd", s)
    return _CONTROL.sub("", s)


def escape(text: object) -> str:
    """Escape ``text`` for HTML and for JS template literals; THE one escaping function of the project."""
    return html.escape(clean(text), quote=True).translate(_ESCAPE_TABLE)


def escape_markdown(text: object) -> str:
    """Backslash-escape ``text`` so st.markdown shows it literally (no links, emphasis, HTML or LaTeX)."""
    flat = " ".join(clean(text).split())  # newlines would start new Markdown blocks
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


def shorten(text: str, limit: int = 1000) -> str:
    """Cut ``text`` to at most ``limit`` characters for a popup, ending with an ellipsis when cut."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit!r}")
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + ELLIPSIS


def safe_url(url: object) -> str | None:
    """Return ``url`` if it is an absolute http(s) URL with a host, else None (no javascript:, data:...)."""
    if not isinstance(url, str):
        return None
    candidate = url.strip()
    # Browsers drop tabs and newlines inside URLs (so "java\nscript:" is javascript:); refuse them outright.
    if not candidate or _CONTROL.search(candidate) or any(c.isspace() for c in candidate):
        return None
    if _SURROGATE.search(candidate) or "\\" in candidate:
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        return None
    return candidate


def script_json(value: Any) -> str:
    """Serialise ``value`` as JSON that is safe to place inside a ``<script>`` block or a JS expression."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # A lone surrogate cannot be encoded as UTF-8 on the way to the browser; a \\u escape can.
    text = _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text.translate(_JSON_TABLE)
