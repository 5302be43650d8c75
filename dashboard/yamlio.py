"""Safe YAML reading: size cap, strict UTF-8, one document, no anchors, aliases, tags or duplicate keys.

The reader builds a light node tree with 1-based line and column on every node and converts nothing by
itself: every scalar stays the raw string it was written as, and the schema code converts it with the typed
getters below (so ``NO`` stays ``"NO"`` for a name, and ``2024-02-30`` is a located error, not a crash).
"""

from __future__ import annotations

import datetime as dt
import difflib
import gc
import hashlib
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dashboard.errors import DataError

# Large enough for ~50,000 sourced events; small enough that a runaway file is refused before parsing.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
MAX_DEPTH = 32
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
TRUES = frozenset({"true", "True", "TRUE"})
FALSES = frozenset({"false", "False", "FALSE"})
INT_RE = re.compile(r"[-+]?[0-9]+")
FLOAT_RE = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_NONFINITE = frozenset({
    ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
    "nan", "NaN", "inf", "-inf", "+inf", "Infinity", "-Infinity",
})


class DataWarning(DataError):
    """A data problem that does not stop loading, rendered as ``FILE:LINE:COL: warning: message``."""

    def render(self) -> str:
        """Return the warning with its location and a ``warning:`` prefix."""
        where = f"{self.file}:{self.line}:{self.col}: " if self.file is not None else ""
        return f"{where}warning: {self.message}"


@dataclass(slots=True)
class ScalarNode:
    """A scalar exactly as written; ``plain`` is False for quoted and block scalars."""

    value: str
    plain: bool
    line: int
    col: int

    @property
    def is_null(self) -> bool:
        """True for an unquoted ``null``, ``~`` or empty value."""
        return self.plain and self.value in NULLS


@dataclass(slots=True)
class MapNode:
    """A mapping with string keys in file order; ``entries[key] = (key node, value node)``."""

    line: int
    col: int
    entries: dict[str, tuple[ScalarNode, Node]] = field(default_factory=dict)

    def get(self, key: str) -> Node | None:
        """Return the value node for ``key``, or None when the key is absent."""
        entry = self.entries.get(key)
        return entry[1] if entry is not None else None

    def key_node(self, key: str) -> ScalarNode | None:
        """Return the key node for ``key`` (its position is where a field is reported)."""
        entry = self.entries.get(key)
        return entry[0] if entry is not None else None


@dataclass(slots=True)
class SeqNode:
    """A sequence of nodes in file order."""

    line: int
    col: int
    items: list[Node] = field(default_factory=list)


Node = ScalarNode | MapNode | SeqNode


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """One parsed file: display name, root node (None for an empty file), sha256 of the raw bytes."""

    file: str
    root: Node | None
    sha256: str


def read_yaml(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> YamlDoc:
    """Read and parse one YAML file safely; raise ``DataError`` with a location on any problem."""
    file = str(path)
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        raise DataError("file not found", file, 1, 1) from None
    except OSError as exc:
        raise DataError(f"cannot read file: {exc.strerror or exc}", file, 1, 1) from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError("is a directory, not a YAML file", file, 1, 1)
    if not stat.S_ISREG(info.st_mode):  # a device or pipe could stream forever
        raise DataError("is not a regular file", file, 1, 1)
    if info.st_size > max_bytes:
        raise DataError(f"file is {info.st_size:,} bytes; the limit is {max_bytes:,}", file, 1, 1)
    try:
        with p.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # never more than the cap, even if the file grows meanwhile
    except OSError as exc:
        raise DataError(f"cannot read file: {exc.strerror or exc}", file, 1, 1) from None
    if len(data) > max_bytes:
        raise DataError(f"file is over the limit of {max_bytes:,} bytes", file, 1, 1)
    return parse_yaml(data, file)


def parse_yaml(data: bytes | str, file: str) -> YamlDoc:
    """Parse YAML bytes or text already in memory (an editor's buffer, a test) into a ``YamlDoc``."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    digest = hashlib.sha256(raw).hexdigest()
    text = _decode(raw, file)
    body = text.encode("utf-8")
    with paused_gc():
        root = _parse_lines(text, body) if len(body) >= FAST_MIN_BYTES else None
        if root is None:
            root = _parse_events(body, file)
    return YamlDoc(file, root, digest)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small acyclic objects.

    A tree of 300,000 nodes otherwise triggers repeated full collections that scan every node built so
    far; pausing it makes loading 10,000 places and 20,000 events about 2.5x faster. Nothing built here
    forms a cycle, so nothing is leaked. Callers that build a lot from the tree should pause around the
    whole job and drop the tree before resuming (as the loaders do): the first pass after resuming walks
    every object still alive that was made while paused.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _decode(raw: bytes, file: str) -> str:
    """Decode strict UTF-8 (a BOM is dropped), reporting the first bad byte with its line and column."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _byte_position(raw, exc.start)
        bad = raw[exc.start]
        raise DataError(f"invalid UTF-8: byte 0x{bad:02x} at byte offset {exc.start}; save the file as UTF-8",
                        file, line, col) from None
    if "\ufeff" in text:
        line, col = _char_position(text, text.index("\ufeff"))
        raise DataError("a byte order mark (U+FEFF) is allowed only at the start of the file",
                        file, line, col)
    return text


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a byte offset."""
    start = raw.rfind(b"\n", 0, offset) + 1
    col = len(raw[start:offset].decode("utf-8", "replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, col


def _char_position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - start + 1


def _parse_events(body: bytes, file: str) -> Node | None:
    """Build the node tree from libyaml's event stream, refusing what the data files never need."""
    # CSafeLoader is libyaml's parser; only its event stream is used, never its constructor.
    get: Callable[[], Any] = yaml.CSafeLoader(body).get_event
    scalar_t, map_t, seq_t = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    stack: list[MapNode | SeqNode] = []
    keys: list[ScalarNode | None] = []
    root: Node | None = None
    try:
        get()  # stream start
        ev = get()
        if type(ev) is yaml.StreamEndEvent:
            return None
        while True:
            ev = get()
            t = type(ev)
            node: Node
            if t is scalar_t:
                if ev.anchor is not None or ev.tag is not None:
                    _refuse(ev, file)
                mark = ev.start_mark
                node = ScalarNode(ev.value, not ev.style, mark.line + 1, mark.column + 1)
            elif t is map_t or t is seq_t:
                if ev.anchor is not None or ev.tag is not None:
                    _refuse(ev, file)
                mark = ev.start_mark
                node = MapNode(mark.line + 1, mark.column + 1) if t is map_t else SeqNode(mark.line + 1,
                                                                                         mark.column + 1)
            elif t is yaml.MappingEndEvent or t is yaml.SequenceEndEvent:
                stack.pop()
                keys.pop()
                continue
            elif t is yaml.DocumentEndEvent:
                break
            else:
                _refuse(ev, file)
            if not stack:
                root = node
            else:
                top = stack[-1]
                if isinstance(top, SeqNode):
                    top.items.append(node)
                else:
                    key = keys[-1]
                    if key is None:
                        if not isinstance(node, ScalarNode):
                            raise DataError("mapping keys must be plain strings", file, node.line, node.col)
                        keys[-1] = node
                    else:
                        _put(top, key, node, file)
                        keys[-1] = None
            if not isinstance(node, ScalarNode):
                if len(stack) >= MAX_DEPTH:
                    raise DataError(f"nesting deeper than {MAX_DEPTH} levels", file, node.line, node.col)
                stack.append(node)
                keys.append(None)
        ev = get()
        if type(ev) is not yaml.StreamEndEvent:
            mark = ev.start_mark
            raise DataError("only one YAML document is allowed per file (found a second '---')",
                            file, mark.line + 1, mark.column + 1)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, file, body) from None
    except yaml.reader.ReaderError as exc:
        line, col = _byte_position(body, exc.position)
        char = chr(exc.character) if isinstance(exc.character, int) else str(exc.character)
        raise DataError(f"invalid character {char!r}: {exc.reason}", file, line, col) from None
    return root


# ---- fast path: the block-style subset the data files use, cross-checked against libyaml ----
#
# Building nodes from libyaml's Python event objects (three objects per event) is the slow part of loading:
# with the garbage collector paused, about 1.5 s of CPU for 10,000 places and 20,000 events. The data files
# use a small regular subset of YAML (block mappings and sequences, one-line flow lists and mappings, plain
# and quoted scalars, comments), which this line parser reads about 1.4x faster. It gives up (None) on
# anything outside that subset, and libyaml's C parser (``raw_parse``: no Python objects, ~0.1 s) must then
# agree on the number of events; any doubt falls back to the event builder, which also words every error.
# tests/test_yamlio.py checks with generated documents that the two never build different trees.

FAST_MIN_BYTES = 4096  # below this the event builder is fast enough and the cross-check is not worth it
_KEY_TEXT = r"[A-Za-z_][A-Za-z0-9_-]*"
_KEY_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)")
_DQ_RE = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"')
_SQ_RE = re.compile(r"'([^']*(?:''[^']*)*)'")
_PLAIN_START_BAD = frozenset("[]{}#&*!|>'\"%@`,?:-")
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
    "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


class _Bail(Exception):
    """The text is outside the fast subset; use the event builder."""


def _unescape(m: re.Match[str]) -> str:
    code = m.group(1)
    if len(code) > 1:
        return chr(int(code[1:], 16))
    if code not in _ESCAPES:
        raise _Bail
    return _ESCAPES[code]


def _scalar(s: str, line: int, col: int) -> tuple[ScalarNode, int]:
    """Read one scalar at the start of ``s``; return it and how many characters it used."""
    c = s[0]
    if c == '"':
        m = _DQ_RE.match(s)
        if m is None:
            raise _Bail
        raw = m.group(1)
        return ScalarNode(_ESCAPE_RE.sub(_unescape, raw) if "\\" in raw else raw, False, line, col), m.end()
    if c == "'":
        m = _SQ_RE.match(s)
        if m is None:
            raise _Bail
        return ScalarNode(m.group(1).replace("''", "'"), False, line, col), m.end()
    if c in _PLAIN_START_BAD and not (c == "-" and s[1:2].isdigit()):
        raise _Bail
    cut = s.find(" #")
    value = (s if cut < 0 else s[:cut]).rstrip(" ")
    if ": " in value or value.endswith(":") or "\t" in value:
        raise _Bail
    return ScalarNode(value, True, line, col), len(s)


def _empty_after(key: ScalarNode) -> ScalarNode:
    """The null value of ``key:`` with nothing after it, placed where libyaml places it."""
    return ScalarNode("", True, key.line, key.col + len(key.value) + 1)


def _rest_is_comment(s: str) -> bool:
    rest = s.lstrip(" ")
    return not rest or (rest[0] == "#" and len(rest) < len(s))


def _value(s: str, line: int, col: int) -> tuple[Node, int]:
    """A block value written on the key's line; the int is how many events it adds."""
    c = s[0]
    if c in "[{":
        simple = _simple_flow(s, line, col)
        if simple is not None:
            return simple
    if c == "[":
        seq = SeqNode(line, col)
        pos = 1
        while True:
            m = _FLOW_ITEM_RE.match(s, pos)
            if m is None:
                break
            seq.items.append(_flow_scalar(m, line, col))
            pos = m.end()
            if m.group(5) == "]":
                return _flow_end(seq, s, pos, 2 + len(seq.items))
        m = _FLOW_CLOSE_RE.match(s, pos)  # "[]" or a trailing comma
        if m is None or m.group(1) != "]":
            raise _Bail
        return _flow_end(seq, s, m.end(), 2 + len(seq.items))
    if c == "{":
        mapping = MapNode(line, col)
        entries = mapping.entries
        pos = 1
        while True:
            m = _FLOW_PAIR_RE.match(s, pos)
            if m is None:
                break
            key = m.group(1)
            if key in entries:
                raise _Bail
            entries[key] = (ScalarNode(key, True, line, col + m.start(1)), _flow_scalar(m, line, col, 1))
            pos = m.end()
            if m.group(6) == "}":
                return _flow_end(mapping, s, pos, 2 + 2 * len(entries))
        m = _FLOW_CLOSE_RE.match(s, pos)
        if m is None or m.group(1) != "}":
            raise _Bail
        return _flow_end(mapping, s, m.end(), 2 + 2 * len(entries))
    scalar, used = _scalar(s, line, col)
    if used < len(s) and not _rest_is_comment(s[used:]):
        raise _Bail
    return scalar, 1


# One flow item: a double-quoted, single-quoted or plain scalar, then "," or the closing bracket. A plain
# flow scalar may hold ":" when a non-space follows (URLs), as libyaml reads it; "#" sends the line to
# libyaml. The run of ordinary characters is possessive (``++``): with a plain ``+`` inside the ``*`` a
# failing match (an alias with an apostrophe) tried every way of splitting the run, which took seconds.
_FLOW_SCALAR = (r"""(?:"([^"\\]*(?:\\.[^"\\]*)*)"|'([^']*(?:''[^']*)*)'"""
                r"""|((?:[^\s,\[\]{}#"'!&*|>%@`?:-]|[-?:](?=[^\s,\[\]{}]))(?:[^,\[\]{}:#\s]++|:(?=[^\s,\[\]{}])"""
                r"""| +(?=[^\s,\[\]{}#]))*))""")
_FLOW_ITEM_RE = re.compile(r" *" + _FLOW_SCALAR + r" *()([,\]])")
_FLOW_PAIR_RE = re.compile(r" *([A-Za-z_][A-Za-z0-9_-]*): +" + _FLOW_SCALAR + r" *()([,}])")
_FLOW_CLOSE_RE = re.compile(r" *([\]}])")


# The usual one-line flow collection, written with exactly ", " and ": " between plain scalars, such as
# ``{outlet: AFP, published: 2024-12-02, url: https://...}``: one regex checks the whole of it, and the
# separators then give every column, instead of one regex match and several group calls per item (this
# cut parsing a 20,000-event log by about a third).
_PLAIN_FLOW = _FLOW_SCALAR[_FLOW_SCALAR.index("|((?:") + 2:-2]  # the plain branch, without its group
_SIMPLE_SEQ_RE = re.compile(rf"\[{_PLAIN_FLOW}(?:, {_PLAIN_FLOW})*\]")
_SIMPLE_MAP_RE = re.compile(rf"\{{{_KEY_TEXT}: {_PLAIN_FLOW}(?:, {_KEY_TEXT}: {_PLAIN_FLOW})*\}}")


def _simple_flow(s: str, line: int, col: int) -> tuple[Node, int] | None:
    """``s`` read as a flow list or mapping of plain scalars in the strict form above, else None."""
    if s[0] == "[":
        if _SIMPLE_SEQ_RE.fullmatch(s) is None:
            return None
        seq = SeqNode(line, col)
        items = seq.items
        at = col + 1
        for part in s[1:-1].split(", "):
            items.append(ScalarNode(part, True, line, at))
            at += len(part) + 2
        return seq, 2 + len(items)
    if _SIMPLE_MAP_RE.fullmatch(s) is None:
        return None
    mapping = MapNode(line, col)
    entries = mapping.entries
    at = col + 1
    for part in s[1:-1].split(", "):
        key, _, value = part.partition(": ")
        if key in entries:
            return None  # the general path refuses it the same way
        entries[key] = (ScalarNode(key, True, line, at), ScalarNode(value, True, line, at + len(key) + 2))
        at += len(part) + 2
    return mapping, 2 + 2 * len(entries)


def _flow_scalar(m: re.Match[str], line: int, col: int, shift: int = 0) -> ScalarNode:
    """The scalar captured by ``_FLOW_SCALAR`` (groups shifted by ``shift``), with its column."""
    dq, sq, plain = m.group(1 + shift), m.group(2 + shift), m.group(3 + shift)
    if dq is not None:
        value = _ESCAPE_RE.sub(_unescape, dq) if "\\" in dq else dq
        return ScalarNode(value, False, line, col + m.start(1 + shift) - 1)
    if sq is not None:
        return ScalarNode(sq.replace("''", "'"), False, line, col + m.start(2 + shift) - 1)
    if not plain:
        raise _Bail
    return ScalarNode(plain, True, line, col + m.start(3 + shift))


def _flow_end(node: Node, s: str, pos: int, count: int) -> tuple[Node, int]:
    """Finish a one-line flow collection: only a comment may follow it."""
    if pos < len(s) and not _rest_is_comment(s[pos:]):
        raise _Bail
    return node, count


def _parse_lines(text: str, body: bytes) -> Node | None:
    """Parse the block-style subset line by line; None when the text is outside it or libyaml disagrees."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    if "\t" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        return None
    try:
        root, count = _build_lines(text)
    except _Bail:
        return None
    if root is None:
        return None
    try:
        agreed = yaml.CSafeLoader(body).raw_parse() == count
    except yaml.YAMLError:
        return None
    return root if agreed else None


# One line: indent, a "- " item marker, a "key:" and the rest; every line, even an empty one, is one match.
_LINE_RE = re.compile(r"^( *)(?:(-)(?: +|$))?(?:([A-Za-z_][A-Za-z0-9_-]*):(?: +|$))?(.*)$", re.MULTILINE)


def _build_lines(text: str) -> tuple[Node | None, int]:
    """The line parser proper; raises ``_Bail`` outside the subset. Returns the root and its event count."""
    root: MapNode | None = None
    stack: list[tuple[int, MapNode | SeqNode]] = []
    pending: tuple[MapNode, ScalarNode, int] | None = None  # a key whose value is on the next lines
    count = 4  # stream and document start and end
    special = _PLAIN_START_BAD
    top_map: MapNode | None = None  # the innermost open mapping when it is the top of the stack
    top_c = -1
    line = 0
    for m in _LINE_RE.finditer(text):
        line += 1
        indent, dash, key_text, rest = m.groups()
        if key_text is None and dash is None:
            if not rest or rest[0] == "#":
                continue  # a blank or comment line
            raise _Bail  # "---", a continuation line, "key:value"...: libyaml decides
        c = len(indent)
        if dash is None and c == top_c and pending is None and top_map is not None:
            # Hot path: another "key: value" line in the mapping being filled.
            entries = top_map.entries
            if key_text in entries:
                raise _Bail
            key = ScalarNode(key_text, True, line, c + 1)
            vcol = m.start(4) - m.start() + 1
            if rest and rest[0] not in special and " #" not in rest and ": " not in rest and rest[-1] != ":":
                entries[key_text] = (key, ScalarNode(rest.rstrip(" "), True, line, vcol))
                count += 2
                continue
            if rest and rest[0] == '"':
                dq = _DQ_RE.match(rest)
                if dq is not None and dq.end() == len(rest.rstrip(" ")):
                    raw_value = dq.group(1)
                    if "\\" in raw_value:
                        raw_value = _ESCAPE_RE.sub(_unescape, raw_value)
                    entries[key_text] = (key, ScalarNode(raw_value, False, line, vcol))
                    count += 2
                    continue
            if not rest or rest[0] == "#":
                if len(stack) >= MAX_DEPTH:
                    raise _Bail
                pending = (top_map, key, c)
                entries[key_text] = (key, _empty_after(key))
                count += 2
                continue
            node, n = _value(rest, line, vcol)
            entries[key_text] = (key, node)
            count += n + 1
            continue
        is_dash = dash is not None
        if pending is not None:
            pmap, pkey, pindent = pending
            pending = None
            if is_dash and c >= pindent:
                seq = SeqNode(line, c + 1)
                pmap.entries[pkey.value] = (pkey, seq)
                stack.append((c, seq))
                count += 1  # the null counted for the key becomes the sequence's start and end
            elif not is_dash and c > pindent:
                child = MapNode(line, c + 1)
                pmap.entries[pkey.value] = (pkey, child)
                stack.append((c, child))
                count += 1
        if root is None:
            if c != 0 or is_dash:
                raise _Bail
            root = MapNode(line, 1)
            stack.append((0, root))
            count += 2
        # A sequence may sit at its key's own indent, so a key line at that indent also closes it.
        while stack and (stack[-1][0] > c or (stack[-1][0] == c and not is_dash
                                              and type(stack[-1][1]) is SeqNode)):
            stack.pop()
        if not stack or stack[-1][0] != c:
            raise _Bail
        top = stack[-1][1]
        if is_dash:
            if type(top) is not SeqNode:
                raise _Bail
            if key_text is None:
                if not rest or rest[0] == "#":
                    raise _Bail
                node, n = _value(rest, line, m.start(4) - m.start() + 1)
                top.items.append(node)
                count += n
                top_map, top_c = None, -1
                continue
            c2 = m.start(3) - m.start()
            item = MapNode(line, c2 + 1)
            top.items.append(item)
            if len(stack) >= MAX_DEPTH:
                raise _Bail
            stack.append((c2, item))
            count += 2
            top, c = item, c2
        elif type(top) is not MapNode:
            raise _Bail
        top_map, top_c = top, c
        if key_text in top.entries:
            raise _Bail
        key = ScalarNode(key_text, True, line, c + 1)
        if not rest or rest[0] == "#":
            if len(stack) >= MAX_DEPTH:
                raise _Bail
            pending = (top, key, c)
            top.entries[key_text] = (key, _empty_after(key))
            count += 2
            continue
        vcol = m.start(4) - m.start() + 1
        if rest[0] not in special and " #" not in rest and ": " not in rest and rest[-1] != ":":
            node, n = ScalarNode(rest.rstrip(" "), True, line, vcol), 1  # what _value gives, without calls
        else:
            node, n = _value(rest, line, vcol)
        top.entries[key_text] = (key, node)
        count += n + 1
    return root, count


def _put(top: MapNode, key: ScalarNode, node: Node, file: str) -> None:
    """Add one key to a mapping, refusing a duplicate at the second key's position."""
    first = top.entries.get(key.value)
    if first is not None:
        raise DataError(f"duplicate key '{key.value}' (first at line {first[0].line})",
                        file, key.line, key.col)
    top.entries[key.value] = (key, node)


def _refuse(ev: Any, file: str) -> None:
    """Raise the error for an anchor, alias or tag, none of which the data files need."""
    mark = ev.start_mark
    line, col = mark.line + 1, mark.column + 1
    if isinstance(ev, yaml.AliasEvent) or getattr(ev, "anchor", None) is not None:
        raise DataError("anchors and aliases (&name, *name) are not allowed; write the value out",
                        file, line, col)
    tag = getattr(ev, "tag", None)
    if tag is not None:
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        raise DataError(f"tags such as '{shown}' are not allowed; the schema decides each value's type",
                        file, line, col)
    raise DataError(f"unexpected YAML {type(ev).__name__}", file, line, col)  # pragma: no cover - defensive


def _syntax_error(exc: yaml.MarkedYAMLError, file: str, body: bytes) -> DataError:
    """Turn a libyaml scanner or parser error into a located ``DataError``."""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    message = f"YAML syntax error: {exc.problem or exc.context}"
    if exc.context and exc.problem and exc.context_mark is not None:
        message += f" ({exc.context} started at line {exc.context_mark.line + 1})"
    lines = body.split(b"\n")
    if 0 < line <= len(lines) and "\t" in lines[line - 1].decode("utf-8", "replace")[:col]:
        message += "; use spaces, not tabs, to indent"
    return DataError(message, file, line, col)


# ---- typed getters: each raises DataError at the node's own position ----

def describe(node: Node) -> str:
    """A short phrase for what a node is, for type errors."""
    if isinstance(node, MapNode):
        return "a mapping"
    if isinstance(node, SeqNode):
        return "a list"
    return "null" if node.is_null else repr(node.value)


def text_of(node: Node) -> str | None:
    """The stripped text of a non-empty scalar, else None (for fast paths that fall back to the getters)."""
    if type(node) is not ScalarNode or (node.plain and node.value in NULLS):
        return None
    return node.value.strip() or None


def as_str(node: Node, file: str, label: str, *, allow_empty: bool = False) -> str:
    """The raw text of a scalar (never a YAML 1.1 bool or number); empty and null are refused by default."""
    if not isinstance(node, ScalarNode):
        raise DataError(f"{label} must be text, not {describe(node)}", file, node.line, node.col)
    if node.is_null and not allow_empty:
        raise DataError(f"{label} must not be empty", file, node.line, node.col)
    value = node.value.strip()
    if not value and not allow_empty:
        raise DataError(f"{label} must not be empty", file, node.line, node.col)
    return "" if node.is_null else value


def as_opt_str(node: Node | None, file: str, label: str) -> str | None:
    """Like ``as_str`` but an absent or null value gives None."""
    if node is None or (isinstance(node, ScalarNode) and node.is_null):
        return None
    return as_str(node, file, label)


def as_int(node: Node, file: str, label: str) -> int:
    """A plain integer scalar."""
    if isinstance(node, ScalarNode) and node.plain and INT_RE.fullmatch(node.value):
        return int(node.value)
    raise DataError(f"{label} must be a whole number, not {describe(node)}", file, node.line, node.col)


def as_float(node: Node, file: str, label: str) -> float:
    """A plain finite number; nan and inf are refused."""
    if isinstance(node, ScalarNode) and node.plain:
        if FLOAT_RE.fullmatch(node.value):
            return float(node.value)
        if node.value in _NONFINITE:
            raise DataError(f"{label} must be a finite number, not {node.value}", file, node.line, node.col)
    raise DataError(f"{label} must be a number, not {describe(node)}", file, node.line, node.col)


def as_bool(node: Node, file: str, label: str) -> bool:
    """A plain ``true`` or ``false`` (``yes``/``no`` are refused rather than guessed)."""
    if isinstance(node, ScalarNode) and node.plain:
        if node.value in TRUES:
            return True
        if node.value in FALSES:
            return False
    raise DataError(f"{label} must be true or false, not {describe(node)}", file, node.line, node.col)


def as_date(node: Node, file: str, label: str) -> dt.date:
    """A ``YYYY-MM-DD`` date; an impossible calendar date is a located error."""
    if isinstance(node, ScalarNode) and not node.is_null:
        m = DATE_RE.fullmatch(node.value.strip())
        if m:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError as exc:
                raise DataError(f"{label} {node.value.strip()} is an impossible date ({exc})",
                                file, node.line, node.col) from None
    raise DataError(f"{label} must be a date YYYY-MM-DD, not {describe(node)}", file, node.line, node.col)


def as_str_list(node: Node, file: str, label: str) -> list[tuple[str, ScalarNode]]:
    """A list of non-empty strings, each with its node for later messages."""
    if not isinstance(node, SeqNode):
        if isinstance(node, ScalarNode) and node.is_null:
            return []
        raise DataError(f"{label} must be a list like [A, B], not {describe(node)}",
                        file, node.line, node.col)
    out: list[tuple[str, ScalarNode]] = []
    for item in node.items:
        text = as_str(item, file, f"each entry of {label}")
        assert isinstance(item, ScalarNode)  # as_str refused anything else
        out.append((text, item))
    return out


def unknown_fields(node: MapNode, allowed: Sequence[str], file: str, what: str) -> list[DataError]:
    """One error per key not in ``allowed``, with a did-you-mean hint when a close key exists."""
    errors: list[DataError] = []
    allowed_set = set(allowed)
    for key, (key_node, _) in node.entries.items():
        if key in allowed_set:
            continue
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "allowed: " + ", ".join(allowed)
        errors.append(DataError(f"unknown field '{key}' in {what}; {hint}",
                                file, key_node.line, key_node.col))
    return errors


def missing_fields(node: MapNode, required: Iterable[str], file: str, what: str) -> list[DataError]:
    """One error per required key that is absent, at the mapping's position."""
    return [DataError(f"{what} is missing required field '{key}'", file, node.line, node.col)
            for key in required if key not in node.entries]


def top_list(doc: YamlDoc, key: str) -> SeqNode:
    """The ``key:`` list at the top of a data file; anything else is a clear error."""
    root = doc.root
    article = "an" if key[:1] in "aeiou" else "a"
    expected = f"expected a mapping with {article} '{key}:' list at the top"
    if root is None:
        raise DataError(f"file is empty; {expected}", doc.file, 1, 1)
    if not isinstance(root, MapNode):
        raise DataError(f"{expected}, found {describe(root)}", doc.file, root.line, root.col)
    extra = unknown_fields(root, (key,), doc.file, "the top level")
    if extra:
        raise extra[0]
    node = root.get(key)
    if node is None:
        raise DataError(f"{expected}; '{key}:' is missing", doc.file, root.line, root.col)
    if isinstance(node, ScalarNode) and node.is_null:
        return SeqNode(node.line, node.col)
    if not isinstance(node, SeqNode):
        raise DataError(f"'{key}' must be a list (entries start with '- '), not {describe(node)}",
                        doc.file, node.line, node.col)
    return node
