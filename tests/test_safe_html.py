"""Escaping: the one HTML/JS escaping function, URL checks, script-safe JSON and Markdown escaping."""

from __future__ import annotations

import html
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.safe_html import clean, escape, escape_markdown, safe_url, script_json, shorten

# Every code point, lone surrogates and control characters included (Hypothesis leaves surrogates out
# by default).
ANY_TEXT = st.text(st.characters(exclude_categories=()))
HOSTILE = [
    "<img src=x onerror=alert(1)>",
    "${alert(document.domain)}",
    "Tal`Rifaat",
    "</script><script>alert(3)</script>",
    "ends with a backslash \\",
    "\\`${x}",
    "line\u2028separator\u2029",
    "nul\x00byte",
    "lone \ud800 surrogate",
    "javascript:alert(1)",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aleppo", "Aleppo"),
        ("تل رفعت", "تل رفعت"),
        ("Ma'arrat \"al\" & <Numan>", "Ma&#x27;arrat &quot;al&quot; &amp; &lt;Numan&gt;"),
        ("`${x}`", "&#96;&#36;{x}&#96;"),
        ("a\\b", "a&#92;b"),
        ("a\u2028b\u2029c", "a&#8232;b&#8233;c"),
        ("a\x00b\x1bc\x7fd\x85e", "abcde"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("lone \ud800", "lone \ufffd"),
        (12, "12"),
    ],
)
def test_escape_table(text: object, expected: str) -> None:
    assert escape(text) == expected


@given(ANY_TEXT)
def test_escaped_text_cannot_open_tags_or_template_expressions(text: str) -> None:
    out = escape(text)
    for bad in ("<", ">", "`", "${", "$", "\\", "</script", "\u2028", "\u2029", "\x00"):
        assert bad not in out
    out.encode("utf-8")  # no lone surrogate survives


@given(ANY_TEXT)
def test_escaped_text_shows_the_cleaned_text_literally(text: str) -> None:
    assert html.unescape(escape(text)) == clean(text)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=c#d", "https://example.org/a?b=c#d"),
        ("  http://example.org  ", "http://example.org"),
        ("HTTPS://EXAMPLE.ORG/", "HTTPS://EXAMPLE.ORG/"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("java\nscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox", None),
        ("https:/no-host", None),
        ("https:\\\\evil.example", None),
        ("//example.org/protocol-relative", None),
        ("https://exa mple.org", None),
        ("ftp://example.org/file", None),
        ("", None),
        (None, None),
        (42, None),
    ],
)
def test_safe_url_allows_only_absolute_http_links(url: object, expected: str | None) -> None:
    assert safe_url(url) == expected


@given(ANY_TEXT)
def test_safe_url_never_returns_a_non_http_scheme(url: str) -> None:
    result = safe_url(url)
    assert result is None or result.lower().startswith(("http://", "https://"))


def test_script_json_escapes_everything_that_ends_a_script() -> None:
    out = script_json({"name": "</script><!-- `${x}` \u2028 & \ud800"})
    assert out == (
        '{"name":"\\u003c/script\\u003e\\u003c!-- \\u0060\\u0024{x}\\u0060 \\u2028 \\u0026 \\ud800"}'
    )


@given(st.recursive(
    st.none() | st.booleans() | st.integers() | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
))
def test_script_json_round_trips_and_stays_inert(value: object) -> None:
    out = script_json(value)
    for bad in ("<", ">", "`", "$", "\u2028", "\u2029"):
        assert bad not in out
    out.encode("utf-8")
    assert json.loads(out) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aleppo", "Aleppo"),
        ("[x](javascript:alert(1))", "\\[x\\]\\(javascript\\:alert\\(1\\)\\)"),
        ("$E=mc^2$ and :red[alarm]", "\\$E\\=mc^2\\$ and \\:red\\[alarm\\]"),
        ("**bold** <b>tag</b>", "\\*\\*bold\\*\\* \\<b\\>tag\\</b\\>"),
        ("# heading\n- item", "\\# heading \\- item"),
        ("a\\b", "a\\\\b"),
    ],
)
def test_escape_markdown_table(text: str, expected: str) -> None:
    assert escape_markdown(text) == expected


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("exactly ten", 11, "exactly ten"),
        ("a long quote here", 8, "a long…"),
        ("x" * 100_000, 1000, "x" * 999 + "…"),
    ],
)
def test_shorten_cuts_long_quotes_with_an_ellipsis(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected


def test_shorten_refuses_a_useless_limit() -> None:
    with pytest.raises(ValueError, match="limit must be at least 1, got 0"):
        shorten("text", 0)


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_corpus_is_inert_after_escape(text: str) -> None:
    out = escape(text)
    assert "<" not in out
    assert "`" not in out
    assert "${" not in out
