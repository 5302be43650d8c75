"""Safe YAML: every bad input is a located error, scalars stay raw, the fast path agrees with libyaml."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import yamlio
from dashboard.errors import DataError
from dashboard.yamlio import (
    MapNode,
    ScalarNode,
    SeqNode,
    as_bool,
    as_date,
    as_float,
    as_int,
    as_str,
    as_str_list,
    parse_yaml,
    read_yaml,
    top_list,
)

BOMB = b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b]\n"


@pytest.mark.parametrize(("data", "message"), [
    (b"a: 1\nb: [1, 2\n", "f.yaml:3:1: YAML syntax error: did not find expected ',' or ']' "
                          "(while parsing a flow sequence started at line 2)"),
    (b"a: b: c\n", "f.yaml:1:5: YAML syntax error: mapping values are not allowed in this context"),
    (b"a:\n\tb: 1\n", "f.yaml:2:1: YAML syntax error: found character that cannot start any token (while "
                      "scanning for the next token started at line 2); use spaces, not tabs, to indent"),
    (b"a: 'open\n", "f.yaml:2:1: YAML syntax error: found unexpected end of stream (while scanning a quoted "
                    "scalar started at line 1)"),
    (b"lat: 1\nlon: 2\nlat: 3\n", "f.yaml:3:1: duplicate key 'lat' (first at line 1)"),
    (b"a: 1\n---\nb: 2\n", "f.yaml:2:1: only one YAML document is allowed per file (found a second '---')"),
    (b"a: &x 1\nb: *x\n",
     "f.yaml:1:4: anchors and aliases (&name, *name) are not allowed; write the value out"),
    (BOMB, "f.yaml:1:4: anchors and aliases (&name, *name) are not allowed; write the value out"),
    (b"a: !!python/object/apply:os.system [ls]\n",
     "f.yaml:1:4: tags such as '!!python/object/apply:os.system' are not allowed; the schema decides each "
     "value's type"),
    (b"a: !!str NO\n",
     "f.yaml:1:4: tags such as '!!str' are not allowed; the schema decides each value's type"),
    (b"name: caf\xe9\n", "f.yaml:1:10: invalid UTF-8: byte 0xe9 at byte offset 9; save the file as UTF-8"),
    ("x: حلب\n".encode() + b"y: \xff\n",
     "f.yaml:2:4: invalid UTF-8: byte 0xff at byte offset 13; save the file as UTF-8"),
    ("a: مم \x07\n".encode(), "f.yaml:1:7: invalid character '\\x07': control characters are not allowed"),
    (b"a: 1\n\xef\xbb\xbfb: 2\n", "f.yaml:2:1: a byte order mark (U+FEFF) is allowed only at the start of "
                                  "the file"),
    (b"a: " + b"[" * 40 + b"]" * 40 + b"\n", "f.yaml:1:35: nesting deeper than 32 levels"),
    (b"? [a]\n: 1\n", "f.yaml:1:3: mapping keys must be plain strings"),
])
def test_bad_yaml_is_a_located_error(data: bytes, message: str) -> None:
    with pytest.raises(DataError) as info:
        parse_yaml(data, "f.yaml")
    assert str(info.value) == message


def test_bom_and_crlf_are_accepted() -> None:
    doc = parse_yaml(b"\xef\xbb\xbfname: Aleppo\r\nkind: city\r\n", "f.yaml")
    assert isinstance(doc.root, MapNode)
    assert as_str(doc.root.entries["kind"][1], "f.yaml", "kind") == "city"
    assert doc.root.entries["kind"][0].line == 2


@pytest.mark.parametrize(("text", "expected"), [
    ("name: NO", "NO"),
    ("name: yes", "yes"),
    ("name: 012", "012"),
    ("name: 1e3", "1e3"),
    ("name: 2024-12-01", "2024-12-01"),
    ("name: 'null'", "null"),
    ("name: \"Ma'arrat an-Nu'man\"", "Ma'arrat an-Nu'man"),
])
def test_names_stay_the_text_written(text: str, expected: str) -> None:
    doc = parse_yaml(text, "f.yaml")
    assert isinstance(doc.root, MapNode)
    assert as_str(doc.root.entries["name"][1], "f.yaml", "name") == expected


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_an_empty_file_has_no_root_and_top_list_says_so(text: str) -> None:
    doc = parse_yaml(text, "f.yaml")
    assert doc.root is None
    with pytest.raises(DataError) as info:
        top_list(doc, "places")
    assert str(info.value) == "f.yaml:1:1: file is empty; expected a mapping with a 'places:' list at the top"


@pytest.mark.parametrize(("text", "message"), [
    ("- a\n- b\n", "f.yaml:1:1: expected a mapping with a 'places:' list at the top, found a list"),
    ("place:\n  - a\n", "f.yaml:1:1: unknown field 'place' in the top level; did you mean 'places'?"),
    ("places: 3\n", "f.yaml:1:9: 'places' must be a list (entries start with '- '), not '3'"),
])
def test_top_list_refuses_other_shapes(text: str, message: str) -> None:
    with pytest.raises(DataError) as info:
        top_list(parse_yaml(text, "f.yaml"), "places")
    assert str(info.value) == message


def _scalar(text: str) -> ScalarNode:
    doc = parse_yaml(f"v: {text}\n", "f.yaml")
    assert isinstance(doc.root, MapNode)
    node = doc.root.entries["v"][1]
    assert isinstance(node, ScalarNode)
    return node


@pytest.mark.parametrize(("getter", "text", "message"), [
    (as_int, "12.5", "f.yaml:1:4: population must be a whole number, not '12.5'"),
    (as_int, "'12'", "f.yaml:1:4: population must be a whole number, not '12'"),
    (as_float, ".nan", "f.yaml:1:4: population must be a finite number, not .nan"),
    (as_float, "-.inf", "f.yaml:1:4: population must be a finite number, not -.inf"),
    (as_float, "48,59", "f.yaml:1:4: population must be a number, not '48,59'"),
    (as_float, "null", "f.yaml:1:4: population must be a number, not null"),
    (as_bool, "yes", "f.yaml:1:4: population must be true or false, not 'yes'"),
    (as_date, "2024-02-30",
     "f.yaml:1:4: population 2024-02-30 is an impossible date (day is out of range for month)"),
    (as_date, "2024-13-01",
     "f.yaml:1:4: population 2024-13-01 is an impossible date (month must be in 1..12)"),
    (as_date, "1 Dec 2024", "f.yaml:1:4: population must be a date YYYY-MM-DD, not '1 Dec 2024'"),
    (as_str, "null", "f.yaml:1:4: population must not be empty"),
    (as_str, "''", "f.yaml:1:4: population must not be empty"),
    (as_str, "[a]", "f.yaml:1:4: population must be text, not a list"),
    (as_str_list, "Halab", "f.yaml:1:4: population must be a list like [A, B], not 'Halab'"),
])
def test_typed_getters_report_the_value_position(
    getter: Callable[..., object], text: str, message: str,
) -> None:
    doc = parse_yaml(f"v: {text}\n", "f.yaml")
    assert isinstance(doc.root, MapNode)
    with pytest.raises(DataError) as info:
        getter(doc.root.entries["v"][1], "f.yaml", "population")
    assert str(info.value) == message


@pytest.mark.parametrize(("getter", "text", "value"), [
    (as_int, "20514", 20514),
    (as_float, "36.4726", 36.4726),
    (as_float, "-3", -3.0),
    (as_bool, "false", False),
    (as_date, "2024-12-01", dt.date(2024, 12, 1)),
    (as_date, "'2024-12-01'", dt.date(2024, 12, 1)),
])
def test_typed_getters_convert_good_values(getter: Callable[..., object], text: str, value: object) -> None:
    assert getter(_scalar(text), "f.yaml", "x") == value


def test_read_yaml_refuses_missing_files_folders_and_big_files(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        read_yaml(tmp_path / "nope.yaml")
    assert str(info.value) == f"{tmp_path / 'nope.yaml'}:1:1: file not found"
    with pytest.raises(DataError) as info:
        read_yaml(tmp_path)
    assert str(info.value) == f"{tmp_path}:1:1: is a directory, not a YAML file"
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 200 + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_yaml(big, max_bytes=100)
    assert str(info.value) == f"{big}:1:1: file is 204 bytes; the limit is 100"


def test_the_sha256_is_of_the_bytes_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_bytes(b"\xef\xbb\xbfa: 1\r\n")
    assert read_yaml(path).sha256 == hashlib.sha256(b"\xef\xbb\xbfa: 1\r\n").hexdigest()


# ---- the fast line parser must agree with the libyaml event builder ----

SHAPED = [
    "places:\n  - id: a\n    name: A\n    aliases: [B, 'C''s', \"D\\u00e9\"]\n    lat: 36.1\n",
    "places:\n- id: a\n  aliases:\n  - x\n  - y\n  note:\n- id: b\n",
    "events:\n  - place: a\n    source: {outlet: AFP, url: https://x.org/a?b=1:2, article: null}\n"
    "    quote: \"He said: \\\"go\\\"\"  # trailing comment\n",
    "a:\n  b:\n    c: 1\n  d: [ ]\ne: {}\n",
    "a: x # comment\nb: 'y' # c\n# full line\n\nc: -5\n",
    "a:\n  - [1, 2]\n  - {k: v}\n  - plain text here\n",
    "a: b\n  c\n",  # a multi-line plain scalar: outside the subset
    "a: |\n  text\n",  # block scalar: outside the subset
    "a: {b: {c: 1}}\n",  # nested flow: outside the subset
    "a: [x,]\nb: {k: v,}\n",
    "k: \"\\x41\\t\"\n",
]


def _both(text: str) -> tuple[object, object]:
    body = text.encode()
    fast = yamlio._parse_lines(text, body)
    try:
        slow: object = yamlio._parse_events(body, "f.yaml")
    except DataError as exc:
        slow = exc
    return fast, slow


@pytest.mark.parametrize("text", SHAPED)
def test_fast_parser_agrees_with_libyaml_or_steps_aside(text: str) -> None:
    fast, slow = _both(text)
    assert fast is None or fast == slow


@pytest.mark.parametrize("text", SHAPED[:6])
def test_fast_parser_takes_the_shapes_the_data_files_use(text: str) -> None:
    assert yamlio._parse_lines(text, text.encode()) is not None


_WORD = st.text(alphabet="aZ09 :#-'\"[]{},&*!|>?%@`\\é", min_size=0, max_size=8)


def _render_scalar(value: str, style: int) -> str:
    if style == 0:
        return value
    if style == 1:
        return json.dumps(value, ensure_ascii=False)
    return "'" + value.replace("'", "''") + "'"


@st.composite
def _documents(draw: st.DrawFn) -> str:
    """Block documents with random keys, nesting and scalar styles, valid YAML or not."""
    lines: list[str] = []

    def block(indent: int, depth: int) -> None:
        for _ in range(draw(st.integers(1, 3))):
            key = draw(st.sampled_from(["id", "name", "lat", "a-b", "k_2", "x y", "id"]))
            shape = draw(st.integers(0, 5 if depth < 2 else 2))
            pad = " " * indent
            if shape <= 2:
                value = _render_scalar(draw(_WORD), shape)
                lines.append(f"{pad}{key}: {value}".rstrip() if value else f"{pad}{key}:")
            elif shape == 3:
                items = ", ".join(_render_scalar(draw(_WORD), draw(st.integers(0, 2)))
                                  for _ in range(draw(st.integers(0, 3))))
                lines.append(f"{pad}{key}: [{items}]")
            elif shape == 4:
                lines.append(f"{pad}{key}:")
                for _ in range(draw(st.integers(1, 2))):
                    lines.append(f"{pad}{' ' * draw(st.integers(0, 2))}- ")
                    lines[-1] += _render_scalar(draw(_WORD), draw(st.integers(0, 2)))
            else:
                lines.append(f"{pad}{key}:")
                block(indent + draw(st.integers(1, 3)), depth + 1)

    block(0, 0)
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(_documents())
def test_fast_parser_never_disagrees_with_libyaml(text: str) -> None:
    fast, slow = _both(text)
    assert fast is None or fast == slow


def test_parse_yaml_uses_the_fast_path_for_big_regular_files(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "places:\n" + "".join(f"  - id: p{i}\n    name: Place {i}\n    lat: 36.{i}\n" for i in range(300))

    def refuse(body: bytes, file: str) -> None:
        raise AssertionError("fell back to the event builder")

    monkeypatch.setattr(yamlio, "_parse_events", refuse)
    doc = parse_yaml(text, "f.yaml")
    seq = top_list(doc, "places")
    assert len(seq.items) == 300
    assert isinstance(seq, SeqNode)


def test_read_yaml_refuses_a_device(tmp_path: Path) -> None:
    link = tmp_path / "places.yaml"
    link.symlink_to("/dev/zero")
    with pytest.raises(DataError) as info:
        read_yaml(link)
    assert str(info.value) == f"{link}:1:1: is not a regular file"


# A regular prefix big enough for parse_yaml to try the fast path first.
PREFIX = "places:\n" + "".join(f"  - id: p{i}\n    name: Place {i}\n    lat: 36.{i}\n" for i in range(200))
PREFIX_LINES = PREFIX.count("\n")


@pytest.mark.parametrize(("tail", "line", "message"), [
    ("  - id: a\n    lat: 1\n    lat: 2\n", 3, ":5: duplicate key 'lat' (first at line {first})"),
    ("  - id: &x a\n", 1, ":9: anchors and aliases (&name, *name) are not allowed; write the value out"),
    ("  - id: a\n\tname: b\n", 2,
     ":1: YAML syntax error: found a tab character that violates indentation (while scanning a plain scalar "
     "started at line {first}); use spaces, not tabs, to indent"),
    ("  - id: a\n    note: !!python/name:os.system\n", 2,
     ":11: tags such as '!!python/name:os.system' are not allowed; the schema decides each value's type"),
    ("---\nother: 1\n", 1, ":1: only one YAML document is allowed per file (found a second '---')"),
])
def test_big_files_report_the_same_errors(tail: str, line: int, message: str) -> None:
    assert len(PREFIX) > yamlio.FAST_MIN_BYTES
    here = PREFIX_LINES + line
    with pytest.raises(DataError) as info:
        parse_yaml(PREFIX + tail, "f.yaml")
    assert str(info.value) == f"f.yaml:{here}" + message.format(first=here - 1, here=here)


def test_big_crlf_and_bom_files_read_like_plain_ones() -> None:
    plain = parse_yaml(PREFIX, "f.yaml")
    windows = parse_yaml(b"\xef\xbb\xbf" + PREFIX.replace("\n", "\r\n").encode(), "f.yaml")
    assert windows.root == plain.root
    assert windows.sha256 != plain.sha256


# One-line flow collections: the strict ", "/": " form is read by splitting, anything else by the general
# flow regexes; both must give the tree libyaml gives.
FLOW_LINES = [
    ("{outlet: AFP, published: 2024-12-02, url: https://x.org/a?b=1:2, article: art-1}", True),
    ("[Tal Rifaat 2, Tell Refaat]", True),
    ("[x]", True),
    ("{k: -5, q: a:b, r: x-y}", True),
    ("{k: a  b, l: c}", True),
    ("{a: x, a: y}", False),  # duplicate key: refused by both paths
    ("{a: x,b: y}", False),
    ("{a:  x, b: y}", False),
    ("[a , b]", False),
    ("[a,b]", False),
    ("[a, 'b c']", False),
    ("{a: x}  # comment", False),
    ("{a: x, }", False),
    ("[]", False),
    ("{}", False),
    ("[a, - b]", False),
    ("{a: x #y}", False),
]


@pytest.mark.parametrize(("flow", "strict"), FLOW_LINES)
def test_flow_collections_read_as_libyaml_reads_them(flow: str, strict: bool) -> None:
    text = f"a: 1\nv: {flow}\nz: [q]\n"
    fast, slow = _both(text)
    assert fast is None or fast == slow
    assert (yamlio._simple_flow(flow, 2, 4) is not None) is strict
    if strict:
        assert fast is not None
