"""Safe YAML reading: size cap, strict UTF-8, one document, no anchors, aliases, tags or duplicate keys.

The reader builds a light node tree with 1-based line and column on every node and converts nothing by
itself: every scalar stays the raw string it was written as, and the schema code converts it with the typed
getters below (so ``NO`` stays ``"NO"`` for a name, and ``2024-02-30`` is a located error, not a crash).
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
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
_INT_RE = re.compile(r"[-+]?[0-9]+")
_FLOAT_RE = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
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
        size = p.stat().st_size
    except FileNotFoundError:
        raise DataError("file not found", file, 1, 1) from None
    except OSError as exc:
        raise DataError(f"cannot read file: {exc.strerror or exc}", file, 1, 1) from None
    if p.is_dir():
        raise DataError("is a directory, not a YAML file", file, 1, 1)
    if size > max_bytes:
        raise DataError(f"file is {size:,} bytes; the limit is {max_bytes:,}", file, 1, 1)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read file: {exc.strerror or exc}", file, 1, 1) from None
    if len(data) > max_bytes:  # the file grew between stat and read
        raise DataError(f"file is {len(data):,} bytes; the limit is {max_bytes:,}", file, 1, 1)
    return parse_yaml(data, file)


def parse_yaml(data: bytes | str, file: str) -> YamlDoc:
    """Parse YAML bytes or text already in memory (an editor's buffer, a test) into a ``YamlDoc``."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    digest = hashlib.sha256(raw).hexdigest()
    text = _decode(raw, file)
    body = text.encode("utf-8")
    return YamlDoc(file, _parse_events(body, file), digest)


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
                if type(top) is SeqNode:
                    top.items.append(node)
                else:
                    key = keys[-1]
                    if key is None:
                        if type(node) is not ScalarNode:
                            raise DataError("mapping keys must be plain strings", file, node.line, node.col)
                        keys[-1] = node
                    else:
                        _put(top, key, node, file)  # type: ignore[arg-type]
                        keys[-1] = None
            if type(node) is not ScalarNode:
                if len(stack) >= MAX_DEPTH:
                    raise DataError(f"nesting deeper than {MAX_DEPTH} levels", file, node.line, node.col)
                stack.append(node)  # type: ignore[arg-type]
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
    if isinstance(node, ScalarNode) and node.plain and _INT_RE.fullmatch(node.value):
        return int(node.value)
    raise DataError(f"{label} must be a whole number, not {describe(node)}", file, node.line, node.col)


def as_float(node: Node, file: str, label: str) -> float:
    """A plain finite number; nan and inf are refused."""
    if isinstance(node, ScalarNode) and node.plain:
        if _FLOAT_RE.fullmatch(node.value):
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
        m = _DATE_RE.fullmatch(node.value.strip())
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
        out.append((text, item))  # type: ignore[arg-type]
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
    expected = f"expected a mapping with a '{key}:' list at the top"
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
