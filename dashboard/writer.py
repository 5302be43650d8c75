"""Safe edits to hand-written YAML files: round-trip, validated, locked, hash-checked, atomic, backed up."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import difflib
import hashlib
import importlib
import io
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import yaml
from filelock import FileLock, Timeout
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString
from ruamel.yaml.tokens import CommentToken

from dashboard.errors import DataError, DataErrors, WriteConflictError

BOM: Final = "\ufeff"
BACKUP_DIR: Final = ".backups"
BACKUPS_KEPT: Final = 20
LOCK_TIMEOUT_S = 10.0  # how long a writer waits for another one; tests shorten it
# Temp files start with ".tmp-" so .gitignore hides them and a crashed writer's leftovers are easy to find.
TMP_PREFIX: Final = ".tmp-"
MISSING: Final = "missing"

PLACE_FIELDS: Final = (
    "id", "name", "name_ar", "aliases", "kind", "admin1", "parent", "lat", "lon", "population", "geonames",
    "coords_source", "reviewed", "note",
)
EVENT_FIELDS: Final = (
    "place", "date", "kind", "faction", "previous", "confidence", "source", "quote", "origin", "reviewed",
    "note",
)
DATE_KEYS: Final = frozenset({"date", "published"})
MAX_BYTES: Final = 20_000_000  # a data file larger than this is a mistake, not a gazetteer


def _safe_load(text: str) -> Any:
    """Plain data via libyaml's safe loader when built in (milliseconds for the gazetteer), else PyYAML's."""
    # Only the safe loaders are ever named here, so no tag can build an object.
    loader = (yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader)(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _refuse_aliases(text: str, path: Path) -> None:
    """Refuse anchors and aliases: a data file never needs them, and an alias bomb would expand on read."""
    loader = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader
    try:
        for event in yaml.parse(text, Loader=loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                mark = event.start_mark
                line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
                raise DataError("anchors and aliases (&name, *name) are not allowed in data files",
                                path, line, col)
    except yaml.YAMLError:
        return  # ruamel reports the syntax error with its own position

Validator = Callable[[str], None]


class _Remove:
    """Marker for ``update_places``: delete this key from the place."""

    def __repr__(self) -> str:
        return "REMOVE"


REMOVE: Final = _Remove()


def _represent_none(representer: RoundTripRepresenter, _data: None) -> Any:
    # ruamel writes None as an empty value; the data files spell it `null` (parent: null, url: null).
    return representer.represent_scalar("tag:yaml.org,2002:null", "null")


def _yaml() -> YAML:
    """A round-trip YAML instance with the settings that reproduce the shipped files byte for byte."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a long quote onto a second line
    yaml.representer.add_representer(type(None), _represent_none)
    return yaml


def sha256_bytes(raw: bytes | None) -> str:
    """Return the hex sha256 of a file's bytes, or ``missing`` for a file that does not exist."""
    return MISSING if raw is None else hashlib.sha256(raw).hexdigest()


def _read_bytes(path: Path) -> bytes | None:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DataError(f"file is {size:,} bytes; the limit for a data file is {MAX_BYTES:,}", path, 0, 0)
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise DataError("expected a YAML file, found a directory", path, 0, 0) from None
    except OSError as exc:
        raise DataError(f"cannot read the file: {exc.strerror or exc}", path, 0, 0) from None


def _decode(raw: bytes, path: Path) -> tuple[str, bool, bool]:
    """Return (text with LF line ends and no BOM, had BOM, had CRLF)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DataError(f"not valid UTF-8 (byte offset {exc.start})", path, line, col) from None
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    crlf = "\r\n" in text
    if crlf:
        text = text.replace("\r\n", "\n")
    return text, bom, crlf


def _encode(text: str, bom: bool, crlf: bool) -> bytes:
    if crlf:
        text = text.replace("\n", "\r\n")
    return ((BOM if bom else "") + text).encode("utf-8")


def _yaml_error(exc: YAMLError, path: Path) -> DataError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
    return DataError(f"YAML syntax: {problem}", path, line, col)


def _load(text: str, path: Path) -> Any:
    try:
        return _yaml().load(text)
    except YAMLError as exc:
        raise _yaml_error(exc, path) from None


def _dump(data: Any) -> str:
    out = io.StringIO()
    _yaml().dump(data, out)
    return out.getvalue()


def _plain(node: Any) -> Any:
    """The data of a ruamel tree as plain Python values, for comparing two documents."""
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _keep_original_lines(original: str, baseline: str, new: str) -> str:
    """Return ``new`` but with every line the edit did not touch taken verbatim from ``original``.

    ruamel normalises a few spellings (``~`` and empty values become ``null``, spacing after a colon).
    ``baseline`` is the unedited tree dumped again; where it lines up one to one with ``original``,
    the lines that the edit left alone are copied from ``original`` so a hand-written line never changes.
    """
    if original == baseline:
        return new
    orig_lines = original.splitlines(keepends=True)
    base_lines = baseline.splitlines(keepends=True)
    if len(orig_lines) != len(base_lines):
        return new
    new_lines = new.splitlines(keepends=True)
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=base_lines, b=new_lines, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        out.extend(orig_lines[a0:a1] if tag == "equal" else new_lines[b0:b1])
    return "".join(out)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _tmp_name(target: Path) -> Path:
    return target.with_name(f"{TMP_PREFIX}{target.name}.{os.getpid()}.{secrets.token_hex(4)}")


def _remove_stale_temps(target: Path) -> None:
    """Delete temp files a crashed writer left next to ``target``; only called while holding its lock."""
    for stale in target.parent.glob(f"{TMP_PREFIX}{target.name}.*"):
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()
    backups = target.parent / BACKUP_DIR
    if backups.is_dir():
        for stale in backups.glob(f"{TMP_PREFIX}{target.stem}.*"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()


def _atomic_write(target: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``target`` so a crash leaves either the old bytes or the new, never a mix."""
    tmp = _tmp_name(target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    _fsync_dir(target.parent)


def _backup(target: Path, raw: bytes, mode: int, keep: int = BACKUPS_KEPT) -> Path:
    """Copy the old bytes to ``.backups/<stem>.<UTC timestamp>.yaml``; keep only the newest ``keep``."""
    folder = target.parent / BACKUP_DIR
    folder.mkdir(exist_ok=True)
    prune_backups(target, keep - 1)  # prune first: a crash right after the copy still leaves at most ``keep``
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    backup = folder / f"{target.stem}.{stamp}{target.suffix or '.yaml'}"
    serial = 1
    while backup.exists():
        serial += 1
        backup = folder / f"{target.stem}.{stamp}-{serial}{target.suffix or '.yaml'}"
    _atomic_write(backup, raw, mode)
    return backup


def backups_of(target: str | Path) -> list[Path]:
    """Return the backups of a data file, oldest first."""
    path = Path(target)
    folder = path.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    # The UTC timestamp sorts as text, so name order is age order.
    return sorted(folder.glob(f"{path.stem}.[0-9]*{path.suffix or '.yaml'}"))


def prune_backups(target: str | Path, keep: int = BACKUPS_KEPT) -> None:
    """Delete all but the newest ``keep`` backups of a data file."""
    old = backups_of(target)
    for stale in old[: max(0, len(old) - keep)]:
        with contextlib.suppress(FileNotFoundError):
            stale.unlink()


def _clean_if_idle(target: Path) -> None:
    """Remove a crashed writer's temp files now if no writer is busy (never waits for the lock)."""
    lock = FileLock(str(target.with_name(target.name + ".lock")), timeout=0, thread_local=False)
    try:
        lock.acquire()
    except (Timeout, OSError):
        return  # busy or read-only folder: the next save cleans up under the lock
    try:
        _remove_stale_temps(target)
    finally:
        lock.release()


@contextlib.contextmanager
def file_lock(target: str | Path, timeout: float | None = None) -> Iterator[None]:
    """Hold the advisory lock of a data file (``<file>.lock`` beside it), shared by every project writer."""
    path = Path(target)
    timeout = LOCK_TIMEOUT_S if timeout is None else timeout
    lock = FileLock(str(path.with_name(path.name + ".lock")), timeout=timeout, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise WriteConflictError(
            f"{path}: another writer has held the lock for more than {timeout:g} s; nothing was written. "
            "Try again in a moment; if it persists, check for a stuck conflict-map or app process."
        ) from None
    try:
        yield
    finally:
        lock.release()


class SafeYamlFile:
    """A YAML data file opened for editing: ``data`` is the round-trip tree, ``sha256`` hashes its bytes."""

    def __init__(self, path: Path, data: Any, text: str, raw: bytes | None, *, bom: bool, crlf: bool) -> None:
        self.path = path
        self.data = data
        self.sha256 = sha256_bytes(raw)
        self.exists = raw is not None
        self._text = text
        self._bom = bom
        self._crlf = crlf
        self._comments_only = raw is not None and data is None
        if data is None:
            self.data = CommentedMap()
        self._loaded = _plain(self.data)  # a detached copy, to tell "edited" from "unchanged" cheaply
        self._baseline = _baseline_of(text, self.data) if self.exists and not self._comments_only else text
        self._last_dump: str | None = None

    @classmethod
    def open(cls, path: str | Path, *, missing_ok: bool = False) -> SafeYamlFile:
        """Read a data file for editing; with ``missing_ok`` a file that does not exist opens as empty."""
        target = Path(os.path.realpath(path))  # a symlinked data file is edited in its real folder
        raw = _read_bytes(target)
        if raw is None:
            if not missing_ok:
                raise DataError("file not found", path, 0, 0)
            return cls(target, None, "", None, bom=False, crlf=False)
        _clean_if_idle(target)
        text, bom, crlf = _decode(raw, target)
        _refuse_aliases(text, target)
        return cls(target, _load(text, target), text, raw, bom=bom, crlf=crlf)

    @property
    def text(self) -> str:
        """The file's text as read (LF line ends, no BOM)."""
        return self._text

    def render(self) -> str:
        """Return the document as it would be written now, keeping every untouched line as it was."""
        if self.exists and _plain(self.data) == self._loaded:
            return self._text  # nothing changed: write back the very same bytes
        new = self._last_dump = _dump(self.data)
        if self._comments_only:
            # ruamel drops the comments of a document without data: keep them on top.
            glue = "" if self._text.endswith("\n") else "\n"
            return self._text + glue + new
        kept = _keep_original_lines(self._text, self._baseline, new)
        if kept != new and _plain(_load(kept, self.path)) != _plain(self.data):
            return new  # the line splice would change the meaning; take ruamel's own output
        return kept

    def save(self, validate: Validator | None = None, *, backup: bool = True) -> str:
        """Validate, then atomically replace the file; return the new sha256.

        Raises ``DataErrors`` if the new document is invalid and ``WriteConflictError`` if the file changed
        on disk since it was read; in both cases nothing is written and ``data`` keeps the pending edit.
        """
        text = self.render()
        if validate is not None:
            validate(text)  # outside the lock: validation can be slow and the lock is shared
        with file_lock(self.path):
            return self._write_locked(text, backup=backup)

    def _write_locked(self, text: str, *, backup: bool) -> str:
        data_sha = _write_checked(self.path, self.sha256, text, bom=self._bom, crlf=self._crlf, backup=backup)
        self._text = text
        self.sha256 = data_sha
        self.exists = True
        self._comments_only = False
        self._loaded = _plain(self.data)
        if text == self._last_dump:
            # ruamel's own output is its own re-dump: remember it so the next open skips a full dump.
            self._baseline = _BASELINES[hashlib.sha256(text.encode("utf-8")).hexdigest()] = text
        else:
            self._baseline = _dump(self.data)
        return self.sha256


# ruamel re-dumps of texts this process has seen; a file last written by ruamel is its own re-dump, and
# remembering that saves a full dump on every edit of a large file.
_BASELINES: dict[str, str] = {}
_BASELINES_MAX = 64


def _baseline_of(text: str, data: Any) -> str:
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    baseline = _BASELINES.get(key)
    if baseline is None:
        baseline = _dump(data)
        if len(_BASELINES) >= _BASELINES_MAX:
            _BASELINES.clear()
        _BASELINES[key] = baseline
    return baseline


def _write_checked(path: Path, expected: str, text: str, *, bom: bool, crlf: bool, backup: bool) -> str:
    """Under the lock: refuse if the file is not the one read, back it up, replace it; return the new hash."""
    _remove_stale_temps(path)
    current = _read_bytes(path)
    if sha256_bytes(current) != expected:
        raise WriteConflictError(_conflict_message(path, expected, current))
    data = _encode(text, bom, crlf)
    if current is not None and data == current:
        return expected
    try:
        mode = _mode_of(path, current)
        if backup and current is not None:
            _backup(path, current, mode)
        path.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(path, data, mode)
    except OSError as exc:
        # Disk full, read-only folder, permissions: the old file is intact and the edit stays pending.
        reason = exc.strerror or str(exc)
        raise DataError(f"could not save: {reason}; the file is unchanged", path, 0, 0) from None
    return sha256_bytes(data)


def _mode_of(path: Path, current: bytes | None) -> int:
    if current is not None:
        return path.stat().st_mode & 0o7777
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _conflict_message(path: Path, expected: str, current: bytes | None) -> str:
    if current is None:
        what = "was deleted"
    elif expected == MISSING:
        what = "was created by someone else"
    else:
        what = "was changed by someone else (an editor, another session or command)"
    return (
        f"{path} {what} since it was read; nothing was written. "
        "Reload the file and apply your edit again (your pending edit has been kept)."
    )


def check_expected(path: Path, file: SafeYamlFile, expected_sha256: str | None) -> None:
    """Refuse the edit if the caller's view of the file (``expected_sha256``) is older than the file."""
    if expected_sha256 is not None and expected_sha256 != file.sha256:
        raise WriteConflictError(
            _conflict_message(path, expected_sha256, file.path.read_bytes() if file.exists else None)
        )


def _as_date(key: str, value: Any) -> Any:
    # `date: "2024-12-01"` would be written quoted; the data files spell dates as plain YYYY-MM-DD.
    if key in DATE_KEYS and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return dt.date.fromisoformat(value) if len(value) == 10 else value
    return value


def to_node(value: Any, *, flow: bool = False) -> Any:
    """Turn plain values into ruamel nodes; lists of scalars and nested mappings go in flow style."""
    if isinstance(value, Mapping):
        node = CommentedMap((str(k), to_node(_as_date(str(k), v), flow=True)) for k, v in value.items())
        if flow:
            node.fa.set_flow_style()
        return node
    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(to_node(v, flow=True) for v in value)
        if all(not isinstance(v, (Mapping, list, tuple)) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _ordered(mapping: Mapping[str, Any], order: Sequence[str]) -> CommentedMap:
    keys = [k for k in order if k in mapping] + [k for k in mapping if k not in order]
    node = CommentedMap()
    for key in keys:
        node[key] = to_node(_as_date(key, mapping[key]), flow=True)
    return node


def _top_list(file: SafeYamlFile, key: str) -> CommentedSeq:
    data = file.data
    if not isinstance(data, CommentedMap):
        raise DataError(f"expected a mapping with a `{key}:` list at the top", file.path, 1, 1)
    if data.get(key) is None:
        data[key] = CommentedSeq()
    seq = data[key]
    if not isinstance(seq, CommentedSeq):
        line, col = data.lc.value(key)
        raise DataError(f"`{key}:` must be a list", file.path, line + 1, col + 1)
    if not seq:
        seq.fa.set_block_style()  # `events: []` grows into a block list, one item per line group
    return seq


def _places_validator(path: Path) -> Validator:
    def validate(text: str) -> None:
        # Imported on use: the writer serves every data file and must not need the gazetteer to load.
        gazetteer = importlib.import_module("dashboard.gazetteer")
        _, errors, _ = gazetteer.validate_places_text(text, str(path))
        if errors:
            raise DataErrors(list(errors))

    return validate


def _edit(
    path: str | Path,
    apply: Callable[[SafeYamlFile], None],
    validate: Callable[[Path], Validator | None],
    expected_sha256: str | None,
) -> str:
    """Open, edit and save; without an expected hash, a conflict with another writer is retried on fresh data.

    The first try holds the lock only for the hash check and the write. If another writer got in first, the
    retry reads, edits and writes under the lock, so a slower writer always gets its turn.
    """
    target = Path(os.path.realpath(path))
    file = SafeYamlFile.open(target, missing_ok=True)
    check_expected(target, file, expected_sha256)
    apply(file)
    try:
        return file.save(validate(file.path))
    except WriteConflictError:
        if expected_sha256 is not None:
            raise
    with file_lock(target):
        file = SafeYamlFile.open(target, missing_ok=True)
        apply(file)
        text = file.render()
        check = validate(file.path)
        if check is not None:
            check(text)
        return file._write_locked(text, backup=True)


_ITEM_RE = re.compile(r"( *)- ")


def _append_text(text: str, key: str, items: Sequence[CommentedMap]) -> str | None:
    """``text`` with ``items`` appended to its top-level ``key:`` list as text, or None to use the tree.

    Appending text keeps every existing byte and skips ruamel's slow parse of a large file. It applies only
    when ``key:`` is the last top-level entry and a non-empty block list; the result is checked by parsing
    old and new text with libyaml: the old items must read the same and the new ones as intended.
    """
    lines = text.split("\n")
    key_line = re.compile(rf"{re.escape(key)}:\s*(#.*)?")
    head = next((i for i, line in enumerate(lines) if key_line.fullmatch(line)), None)
    if head is None or not text.endswith("\n"):
        return None
    body = lines[head + 1 :]
    if any(line and not line.startswith((" ", "#")) for line in body):
        return None  # another top-level key follows, or items at column 0
    first = next((m for line in body if (m := _ITEM_RE.match(line))), None)
    if first is None:
        return None
    indent = len(first.group(1))
    starts = [i for i, line in enumerate(body) if line.startswith(" " * indent + "- ")]
    # Blank-line separated items (the house style): is there a blank line right after the content of the
    # item before the last one? Comment lines in between (a section heading) do not count as content.
    spaced = False
    if len(starts) >= 2:
        end = starts[-1] - 1
        while end > starts[-2] and (not body[end].strip() or body[end].lstrip().startswith("#")):
            end -= 1
        spaced = end + 1 < starts[-1] and not body[end + 1].strip()
    chunks = []
    for item in items:
        rendered = _dump(CommentedMap([(key, CommentedSeq([item]))])).split("\n", 1)[1]
        if any(line and not line.startswith("  ") for line in rendered.split("\n")):
            return None
        chunks.append("".join(" " * indent + line[2:] + "\n" for line in rendered.splitlines()))
    gap = "\n" if spaced else ""
    lead = gap if spaced and not text.endswith("\n\n") else ""
    new_text = text + lead + gap.join(chunks)
    try:
        old_items = _safe_load(text)[key]
        new_items = _safe_load(new_text)[key]
    except (yaml.YAMLError, ValueError, TypeError, KeyError):
        return None
    wanted = [_plain(item) for item in items]
    if new_items[: len(old_items)] != old_items or new_items[len(old_items) :] != wanted:
        return None  # e.g. a name libyaml reads as a boolean: let ruamel write it
    return new_text


def _append(
    path: str | Path, key: str, items: list[CommentedMap], validate: Validator | None, *,
    expected_sha256: str | None, duplicate: Callable[[Any], bool] | None = None,
) -> str | None:
    """The fast path of the append helpers; None when the tree path must do the edit."""
    target = Path(os.path.realpath(path))
    raw = _read_bytes(target)
    if raw is None:
        return None
    text, bom, crlf = _decode(raw, target)
    _refuse_aliases(text, target)
    new_text = _append_text(text, key, items)
    if new_text is None:
        return None
    if duplicate is not None:
        existing = _safe_load(text)[key]
        if any(duplicate(item) for item in existing):
            return None  # the tree path reports it with its line and column
    sha = sha256_bytes(raw)
    if expected_sha256 is not None and expected_sha256 != sha:
        raise WriteConflictError(_conflict_message(target, expected_sha256, raw))
    if validate is not None:
        validate(new_text)
    try:
        with file_lock(target):
            return _write_checked(target, sha, new_text, bom=bom, crlf=crlf, backup=True)
    except WriteConflictError:
        if expected_sha256 is not None:
            raise
        return None  # someone wrote meanwhile: redo the edit on the fresh file


def append_events(
    path: str | Path,
    mappings: Iterable[Mapping[str, Any]],
    expected_sha256: str | None = None,
    validate: Validator | None = None,
) -> str:
    """Append event mappings (from ``events.event_to_mapping``) to ``events.yaml``; return the new sha256."""
    items = [_ordered(m, EVENT_FIELDS) for m in mappings]
    for item in items:
        if isinstance(item.get("source"), CommentedMap):
            item["source"].fa.set_flow_style()

    def apply(file: SafeYamlFile) -> None:
        _append_items(_top_list(file, "events"), copy.deepcopy(items))  # a retry must start clean

    fast = _append(path, "events", items, validate, expected_sha256=expected_sha256)
    return fast if fast is not None else _edit(path, apply, lambda _p: validate, expected_sha256)


def add_place(
    path: str | Path,
    mapping: Mapping[str, Any],
    expected_sha256: str | None = None,
    validate: Validator | None = None,
) -> str:
    """Append one new place to ``places.yaml``, validated by the gazetteer's rules; return the new sha256."""
    item = _ordered(mapping, PLACE_FIELDS)
    place_id = item.get("id")

    def apply(file: SafeYamlFile) -> None:
        places = _top_list(file, "places")
        for index, existing in enumerate(places):
            if isinstance(existing, Mapping) and existing.get("id") == place_id:
                line, col = places.lc.item(index)
                raise DataErrors(
                    [DataError(f"place id {place_id!r} already exists", file.path, line + 1, col + 1)]
                )
        _append_items(places, [copy.deepcopy(item)])  # a retry must start clean

    target = Path(os.path.realpath(path))
    fast = _append(target, "places", [item], validate or _places_validator(target),
                   expected_sha256=expected_sha256,
                   duplicate=lambda other: isinstance(other, dict) and other.get("id") == place_id)
    if fast is not None:
        return fast
    return _edit(path, apply, lambda p: validate or _places_validator(p), expected_sha256)


def update_places(
    path: str | Path,
    changes: Mapping[str, Mapping[str, Any]],
    expected_sha256: str | None,
    validate: Validator | None = None,
) -> str:
    """Change fields of existing places by id (``REMOVE`` deletes a key); return the new sha256.

    Values are replaced in place, so a comment after a changed value stays; new keys go in field order.
    """

    def apply(file: SafeYamlFile) -> None:
        places = _top_list(file, "places")
        by_id = {p.get("id"): p for p in places if isinstance(p, CommentedMap)}
        unknown = [pid for pid in changes if pid not in by_id]
        if unknown:
            raise DataErrors([DataError(f"no place with id {pid!r}", file.path, 0, 0) for pid in unknown])
        for pid, fields in changes.items():
            _update_mapping(by_id[pid], fields)

    return _edit(path, apply, lambda p: validate or _places_validator(p), expected_sha256)


def _update_mapping(node: CommentedMap, fields: Mapping[str, Any]) -> None:
    for key, value in fields.items():
        if value is REMOVE:
            if key in node:
                keys = list(node.keys())
                index = keys.index(key)
                trailer = _detach_trailer(node, key)
                node.pop(key)
                if index > 0:
                    _attach_trailer(node, keys[index - 1], trailer)
            continue
        old = node.get(key)
        new = to_node(value, flow=True)
        if isinstance(old, CommentedSeq) and isinstance(new, CommentedSeq):
            new.fa._flow_style = old.fa.flow_style()  # keep the block/flow layout the author chose
        if key in node:
            node[key] = new
            continue
        keys = list(node.keys())
        if key in PLACE_FIELDS:
            earlier = PLACE_FIELDS[: PLACE_FIELDS.index(key)]
            position = max((i + 1 for i, k in enumerate(keys) if k in earlier), default=0)
        else:
            position = len(keys)
        # Blank lines and comments after the key we insert behind belong after the new key: otherwise the
        # new field would land below the blank line that separates this place from the next one.
        trailer = _detach_trailer(node, keys[position - 1]) if position > 0 else ""
        node.insert(position, key, new)
        _attach_trailer(node, key, trailer)


def _append_items(seq: CommentedSeq, items: Sequence[Any]) -> None:
    """Append items, separated by a blank line when the existing items are (the house style of the files)."""
    for item in items:
        if len(seq) >= 2 and _blank_after(seq[-2]) and not _blank_after(seq[-1]):
            last = seq[-1]
            # A block scalar (| or >) writes its own line ends; a separator there would double the gap.
            if isinstance(last, CommentedMap) and last and not isinstance(
                last[list(last.keys())[-1]], (LiteralScalarString, FoldedScalarString)
            ):
                _attach_trailer(last, list(last.keys())[-1], "\n")
        seq.append(item)


def _blank_after(item: Any) -> bool:
    """True when a blank line follows this mapping item (its last key's comment starts a new line)."""
    if not isinstance(item, CommentedMap) or not item:
        return False
    entry = item.ca.items.get(list(item.keys())[-1])
    token = entry[2] if entry and len(entry) > 2 else None
    if not isinstance(token, CommentToken):
        return False
    value: str = token.value
    end = value.find("\n")
    return end >= 0 and value[end + 1 :].startswith("\n")


def _detach_trailer(node: CommentedMap, key: Any) -> str:
    """Cut the lines after ``key``'s line (blank lines, comment lines) from its comment; return them."""
    entry = node.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if not isinstance(token, CommentToken):
        return ""
    value: str = token.value
    if value.startswith("\n"):  # no comment on the key's own line
        entry[2] = None
        return value[1:]
    end = value.find("\n")
    if end < 0:
        return ""
    token.value = value[: end + 1]  # keep the comment on the key's own line
    return value[end + 1 :]


def _attach_trailer(node: CommentedMap, key: Any, trailer: str) -> None:
    """Put lines cut by ``_detach_trailer`` after ``key``'s line."""
    if not trailer:
        return
    entry = node.ca.items.setdefault(key, [None, None, None, None])
    token = entry[2]
    if isinstance(token, CommentToken):
        token.value = token.value + trailer
    else:
        entry[2] = CommentToken("\n" + trailer, CommentMark(0), None)
