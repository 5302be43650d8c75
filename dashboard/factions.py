"""Factions: load and validate data/factions.yaml, and resolve the words news uses to a faction id."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from dashboard.errors import DataError, DataErrors
from dashboard.gazetteer import ID_RE
from dashboard.models import Faction
from dashboard.names import fold
from dashboard.yamlio import (
    MapNode,
    Node,
    ScalarNode,
    YamlDoc,
    as_bool,
    as_opt_str,
    as_str,
    as_str_list,
    describe,
    missing_fields,
    paused_gc,
    read_yaml,
    top_list,
    unknown_fields,
)

FACTION_FIELDS: tuple[str, ...] = ("id", "name", "color", "aliases", "holds_ground", "description")
REQUIRED_FIELDS: tuple[str, ...] = ("id", "name", "color")
COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}")


class FactionSet:
    """Validated factions in file order, with every id, name and alias folded into one index."""

    def __init__(self, factions: dict[str, Faction], *, file: str = "", sha256: str = "",
                 warnings: Sequence[DataError] = ()) -> None:
        self.factions = factions
        self.file = file
        self.sha256 = sha256
        self.warnings = list(warnings)
        self.alias_index: dict[str, str] = {}
        for fid, faction in factions.items():
            for name in (fid, faction.name, *faction.aliases):
                key = fold(name)
                if key:
                    self.alias_index.setdefault(key, fid)

    def __len__(self) -> int:
        return len(self.factions)

    def __contains__(self, faction_id: object) -> bool:
        return faction_id in self.factions

    def get(self, faction_id: str) -> Faction | None:
        """The faction with this id, or None."""
        return self.factions.get(faction_id)

    def resolve(self, alias: str) -> str | None:
        """The faction id for an id, name or alias in any spelling that folds the same, else None."""
        if alias in self.factions:
            return alias
        return self.alias_index.get(fold(alias))

    def map_factions(self) -> list[Faction]:
        """Factions that hold ground (the ones that get a map colour), in file order."""
        return [f for f in self.factions.values() if f.holds_ground]

    def ids(self) -> list[str]:
        """Every faction id in file order."""
        return list(self.factions)


def load_factions(path: str | Path) -> FactionSet:
    """Read and validate a factions file; raise ``DataError``/``DataErrors`` listing every problem."""
    with paused_gc():
        doc = read_yaml(path)
        factions, errors, warnings = check_factions(doc)
        if errors:
            raise DataErrors(errors)
        return FactionSet(factions, file=doc.file, sha256=doc.sha256, warnings=warnings)


def check_factions(doc: YamlDoc) -> tuple[dict[str, Faction], list[DataError], list[DataError]]:
    """Validate a parsed factions document: fields, ids, colours and aliases that name one faction only."""
    file = doc.file
    try:
        seq = top_list(doc, "factions")
    except DataError as exc:
        return {}, [exc], []
    errors: list[DataError] = []
    factions: dict[str, Faction] = {}
    first_line: dict[str, int] = {}
    owner: dict[str, tuple[str, int]] = {}  # folded alias -> (faction id, line)
    for item in seq.items:
        faction = _read_faction(item, file, errors, first_line)
        if faction is None:
            continue
        factions[faction.id] = faction
        assert isinstance(item, MapNode)
        for name, node in _names_with_nodes(item, faction):
            key = fold(name)
            if not key:
                errors.append(DataError(f"alias {name!r} of faction '{faction.id}' has no letters left after "
                                        "folding", file, node.line, node.col))
                continue
            other = owner.get(key)
            if other is None:
                owner[key] = (faction.id, node.line)
            elif other[0] != faction.id:
                errors.append(DataError(
                    f"alias {name!r} of faction '{faction.id}' also names faction '{other[0]}' "
                    f"(line {other[1]}); an alias must name one faction", file, node.line, node.col))
    errors.sort(key=lambda e: (e.line, e.col))
    return factions, errors, []


def _read_faction(
    item: Node, file: str, errors: list[DataError], first_line: dict[str, int],
) -> Faction | None:
    """Convert one list entry into a Faction, appending every problem; None when it cannot be used."""
    if not isinstance(item, MapNode):
        errors.append(DataError(f"each faction must be a mapping of fields, not {describe(item)}",
                                file, item.line, item.col))
        return None
    before = len(errors)
    fid = ""
    id_node = item.get("id")
    if id_node is not None:
        try:
            fid = as_str(id_node, file, "id of faction")
        except DataError as exc:
            errors.append(exc)
        if fid and not ID_RE.fullmatch(fid):
            errors.append(DataError(f"faction id {fid!r} must be a lowercase slug like 'sdf'",
                                    file, id_node.line, id_node.col))
        elif fid in first_line:
            errors.append(DataError(f"duplicate faction id '{fid}' (first at line {first_line[fid]})",
                                    file, id_node.line, id_node.col))
        elif fid:
            first_line[fid] = item.line
    what = f"faction '{fid}'" if fid else "faction"
    errors.extend(unknown_fields(item, FACTION_FIELDS, file, what))
    errors.extend(missing_fields(item, REQUIRED_FIELDS, file, what))
    values: dict[str, object] = {}
    for key, convert in (
        ("name", lambda n: as_str(n, file, f"name of {what}")),
        ("color", lambda n: _color(n, file, what)),
        ("aliases", lambda n: tuple(a for a, _ in as_str_list(n, file, f"aliases of {what}"))),
        ("holds_ground", lambda n: as_bool(n, file, f"holds_ground of {what}")),
        ("description", lambda n: as_opt_str(n, file, f"description of {what}") or ""),
    ):
        node = item.get(key)
        if node is None:
            continue
        try:
            values[key] = convert(node)
        except DataError as exc:
            errors.append(exc)
    if len(errors) > before or not fid:
        return None
    aliases = values.get("aliases", ())
    holds = values.get("holds_ground", True)
    return Faction(
        id=fid,
        name=str(values["name"]),
        color=str(values["color"]).lower(),
        aliases=aliases if isinstance(aliases, tuple) else (),
        holds_ground=holds is True,
        description=str(values.get("description", "")),
        line=item.line,
    )


def _color(node: Node, file: str, what: str) -> str:
    if isinstance(node, ScalarNode) and node.is_null:
        raise DataError(f"color of {what} is empty; write it in quotes like \"#1b9e77\" "
                        "(a bare # starts a comment)", file, node.line, node.col)
    value = as_str(node, file, f"color of {what}")
    if not COLOR_RE.fullmatch(value):
        raise DataError(f"color of {what} must look like \"#1b9e77\", not {value!r}",
                        file, node.line, node.col)
    return value


def _names_with_nodes(item: MapNode, faction: Faction) -> list[tuple[str, Node]]:
    """The faction's id, name and aliases with the node each was written at."""
    out: list[tuple[str, Node]] = []
    for key in ("id", "name"):
        node = item.get(key)
        if node is not None:
            out.append((faction.id if key == "id" else faction.name, node))
    aliases = item.get("aliases")
    if aliases is not None:
        out.extend((a, n) for a, n in as_str_list(aliases, "", ""))
    return out
