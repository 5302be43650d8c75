"""The safe YAML writer: byte-identical round trips, kept lines, conflicts, validation, backups, modes."""

from __future__ import annotations

import os
import re
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import writer
from dashboard.errors import DataError, DataErrors, WriteConflictError
from dashboard.writer import REMOVE, SafeYamlFile, add_place, append_events, backups_of, update_places

# A golden gazetteer in the house style, with the things hand editors write: comments everywhere, blank lines,
# three spellings of null, quoted and unquoted strings, flow lists, Arabic script, a folded block.
GOLDEN = """\
# Gazetteer: hand-edited. Keep one place per block.
places:
  - id: tal-rifaat   # the town, not the district
    name: Tal Rifaat
    aliases: [Tell Rifaat, 'Tall Rifat', "Tel Rifaat", تل رفعت]
    kind: town          # city | town | village
    admin1: aleppo-governorate
    parent: null
    lat: 36.4726
    lon: 37.0969
    population: 20514
    geonames: 163476
    coords_source: geonames

  # Villages north of Aleppo
  - id: sheikh-issa
    name: "Sheikh Issa"
    aliases: []
    kind: village
    parent: ~
    note:
    lat: 36.4330
    lon: 37.1500
    reviewed: false
    description: >-
      Written by hand,
      on two lines.
"""

EVENTS = """\
events:
  - place: tal-rifaat
    date: 2024-12-01
    kind: captured
    faction: sna
    confidence: reported
    source: {outlet: AFP, published: 2024-12-02, url: null}
    quote: "Turkish-backed groups took the town"
    origin: extracted
    reviewed: false
"""


def no_check(_text: str) -> None:
    """A validator that accepts everything, so these tests do not depend on the gazetteer's rules."""


def write(path: Path, text: str, *, bom: bool = False, crlf: bool = False) -> bytes:
    """Write text as the given byte layout and return the bytes."""
    if crlf:
        text = text.replace("\n", "\r\n")
    raw = (("\ufeff" if bom else "") + text).encode("utf-8")
    path.write_bytes(raw)
    return raw


def is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    """True if every needle line appears in the haystack in the same order."""
    it = iter(haystack)
    return all(any(n == h for h in it) for n in needles)


LAYOUTS = [(False, False), (True, False), (False, True), (True, True)]
DOCUMENTS = [GOLDEN, EVENTS, "# only a comment\n", "places: []\n"]


@pytest.mark.parametrize(("bom", "crlf"), LAYOUTS, ids=["lf", "bom", "crlf", "both"])
@pytest.mark.parametrize("text", DOCUMENTS, ids=["golden", "events", "comment", "empty"])
def test_load_and_save_without_change_is_byte_identical(
    tmp_path: Path, text: str, bom: bool, crlf: bool
) -> None:
    path = tmp_path / "places.yaml"
    raw = write(path, text, bom=bom, crlf=crlf)
    file = SafeYamlFile.open(path)
    assert file.render() == text
    assert file.save(no_check) == file.sha256
    assert path.read_bytes() == raw
    assert backups_of(path) == []  # nothing changed, so nothing to back up


def test_rendering_the_golden_tree_again_differs_only_in_the_null_spellings() -> None:
    # Guards the ruamel settings: if they drift, more than the two normalised lines would differ.
    dumped = writer._dump(writer._load(GOLDEN, Path("golden.yaml")))
    changed = [(a, b) for a, b in zip(GOLDEN.splitlines(), dumped.splitlines(), strict=True) if a != b]
    assert changed == [("    parent: ~", "    parent: null"), ("    note:", "    note: null")]


@pytest.mark.parametrize(("bom", "crlf"), [(False, False), (True, True)])
def test_add_place_keeps_every_existing_line_byte_for_byte(tmp_path: Path, bom: bool, crlf: bool) -> None:
    path = tmp_path / "places.yaml"
    write(path, GOLDEN, bom=bom, crlf=crlf)
    new = {
        "name": "Kafr Naya",
        "id": "kafr-naya",
        "kind": "village",
        "lat": 36.43,
        "lon": 37.03,
        "aliases": ["Kfar Naya", "Kafr Nayeh"],
        "coords_source": "nominatim",
        "reviewed": False,
    }
    add_place(path, new, validate=no_check)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    assert (b"\r\n" in raw) == crlf
    text = raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    assert text == GOLDEN + (
        "\n"  # places are separated by a blank line in this file
        "  - id: kafr-naya\n"
        "    name: Kafr Naya\n"
        "    aliases: [Kfar Naya, Kafr Nayeh]\n"
        "    kind: village\n"
        "    lat: 36.43\n"
        "    lon: 37.03\n"
        "    coords_source: nominatim\n"
        "    reviewed: false\n"
    )


def test_update_places_changes_only_the_edited_lines(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    write(path, GOLDEN)
    sha = SafeYamlFile.open(path).sha256
    update_places(
        path,
        {
            "sheikh-issa": {"lat": 36.44, "population": 1200, "note": REMOVE},
            "tal-rifaat": {"aliases": ["Tell Rifaat", "Tall Rifat"], "kind": "city"},
        },
        expected_sha256=sha,
        validate=no_check,
    )
    before, after = GOLDEN.splitlines(), path.read_text(encoding="utf-8").splitlines()
    removed = [line for line in before if line not in after]
    added = [line for line in after if line not in before]
    assert removed == [
        "    aliases: [Tell Rifaat, 'Tall Rifat', \"Tel Rifaat\", تل رفعت]",
        "    kind: town          # city | town | village",
        "    note:",
        "    lat: 36.4330",
    ]
    assert added == [
        "    aliases: [Tell Rifaat, Tall Rifat]",
        "    kind: city          # city | town | village",
        "    lat: 36.44",
        "    population: 1200",
    ]
    # A new key goes in field order, not at the end of the place.
    assert after.index("    population: 1200") == after.index("    lon: 37.1500") + 1
    assert "    parent: ~" in after  # the untouched odd spelling survives


def test_a_change_on_disk_after_reading_refuses_the_save_and_keeps_the_edit(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    write(path, GOLDEN)
    file = SafeYamlFile.open(path)
    file.data["places"][0]["lat"] = 36.5
    hand_edit = GOLDEN.replace("Tal Rifaat\n", "Tal Rifaat (town)\n")
    path.write_text(hand_edit, encoding="utf-8")
    with pytest.raises(WriteConflictError) as caught:
        file.save(no_check)
    assert str(caught.value) == (
        f"{path} was changed by someone else (an editor, another session or command) since it was read; "
        "nothing was written. Reload the file and apply your edit again (your pending edit has been kept)."
    )
    assert path.read_text(encoding="utf-8") == hand_edit
    assert file.data["places"][0]["lat"] == 36.5
    assert backups_of(path) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.unlink(), "was deleted since it was read"),
        (lambda p: p.write_text("places: []\n", encoding="utf-8"), "was changed by someone else"),
    ],
)
def test_helpers_refuse_a_stale_expected_hash(tmp_path: Path, change: object, message: str) -> None:
    path = tmp_path / "places.yaml"
    write(path, GOLDEN)
    sha = SafeYamlFile.open(path).sha256
    change(path)  # type: ignore[operator]
    with pytest.raises(WriteConflictError, match=message):
        update_places(path, {"tal-rifaat": {"lat": 1.0}}, expected_sha256=sha, validate=no_check)


def test_a_file_created_meanwhile_is_a_conflict(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    file = SafeYamlFile.open(path, missing_ok=True)
    file.data["events"] = [{"place": "x"}]
    path.write_text("events: []\n", encoding="utf-8")
    with pytest.raises(WriteConflictError, match="was created by someone else since it was read"):
        file.save()


def test_invalid_new_document_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    raw = write(path, GOLDEN)

    def refuse(text: str) -> None:
        assert "kafr-naya" in text  # the validator sees the whole new document
        raise DataErrors([DataError("latitude 200.0 out of range", "places.yaml", 30, 10)])

    with pytest.raises(DataErrors, match=r"^places.yaml:30:10: latitude 200.0 out of range$"):
        add_place(
            path,
            {"id": "kafr-naya", "name": "Kafr Naya", "kind": "village", "lat": 200.0, "lon": 1.0},
            validate=refuse,
        )
    assert path.read_bytes() == raw
    assert backups_of(path) == []


def test_adding_an_existing_id_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    write(path, GOLDEN)
    with pytest.raises(DataErrors) as caught:
        add_place(path, {"id": "sheikh-issa", "name": "Sheikh Issa", "kind": "village"}, validate=no_check)
    assert str(caught.value) == f"{path}:16:5: place id 'sheikh-issa' already exists"


def test_update_of_an_unknown_id_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    write(path, GOLDEN)
    with pytest.raises(DataErrors, match=r"no place with id 'nowhere'$"):
        update_places(path, {"nowhere": {"lat": 1.0}}, expected_sha256=None, validate=no_check)


def test_append_events_to_a_missing_file_creates_it(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    event = {
        "quote": "a quote: with a colon",
        "place": "tal-rifaat",
        "date": "2024-12-01",
        "kind": "captured",
        "faction": "sna",
        "source": {"outlet": "AFP", "published": "2024-12-02", "url": None},
        "confidence": "reported",
        "origin": "extracted",
        "reviewed": False,
    }
    append_events(path, [event])
    assert path.read_text(encoding="utf-8") == (
        "events:\n"
        "  - place: tal-rifaat\n"
        "    date: 2024-12-01\n"
        "    kind: captured\n"
        "    faction: sna\n"
        "    confidence: reported\n"
        "    source: {outlet: AFP, published: 2024-12-02, url: null}\n"
        "    quote: 'a quote: with a colon'\n"
        "    origin: extracted\n"
        "    reviewed: false\n"
    )


def test_append_events_turns_an_empty_flow_list_into_a_block_list(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    write(path, "# the control log\nevents: []\n")
    append_events(path, [{"place": "a", "date": "2024-12-01"}, {"place": "b", "date": "2024-12-02"}])
    assert path.read_text(encoding="utf-8") == (
        "# the control log\nevents:\n  - place: a\n    date: 2024-12-01\n  - place: b\n    date: 2024-12-02\n"
    )


def test_append_events_keeps_the_existing_log(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    write(path, EVENTS)
    append_events(path, [{"place": "b", "date": "2024-12-02"}])
    assert path.read_text(encoding="utf-8") == EVENTS + "  - place: b\n    date: 2024-12-02\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("places:\n  - id: a\n   name: b\n", ":3:4: YAML syntax: "),
        ("places:\n  - id: a\n    id: b\n", ":3:5: YAML syntax: "),
        ("places: [\n", ":2:1: YAML syntax: "),
    ],
    ids=["indent", "duplicate-key", "unclosed"],
)
def test_syntax_errors_are_located(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "places.yaml"
    write(path, text)
    with pytest.raises(DataError) as caught:
        SafeYamlFile.open(path)
    assert str(caught.value).startswith(str(path) + message)


def test_invalid_utf8_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    path.write_bytes(b"places:\n  - id: caf\xe9\n")
    with pytest.raises(DataError) as caught:
        SafeYamlFile.open(path)
    assert str(caught.value) == f"{path}:2:12: not valid UTF-8 (byte offset 19)"


def test_missing_file_is_an_error_unless_allowed(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"places\.yaml:0:0: file not found$"):
        SafeYamlFile.open(tmp_path / "places.yaml")


def test_backups_hold_the_previous_bytes_and_only_the_last_twenty(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    write(path, "places: []\nversion: 0\n")
    seen = []
    for version in range(1, 26):
        seen.append(path.read_bytes())
        file = SafeYamlFile.open(path)
        file.data["version"] = version
        file.save()
    backups = backups_of(path)
    assert len(backups) == 20
    assert [b.read_bytes() for b in backups] == seen[-20:]
    assert all(re.fullmatch(r"places\.\d{8}T\d{6}\.\d{6}Z(-\d+)?\.yaml", b.name) for b in backups)
    assert backups[0].parent == tmp_path / ".backups"


def test_the_file_mode_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    write(path, GOLDEN)
    path.chmod(0o640)
    add_place(path, {"id": "x", "name": "X", "kind": "village"}, validate=no_check)
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_symlinked_file_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "places.yaml"
    real.parent.mkdir()
    write(real, GOLDEN)
    link = tmp_path / "places.yaml"
    link.symlink_to(real)
    add_place(link, {"id": "x", "name": "X", "kind": "village"}, validate=no_check)
    assert link.is_symlink()
    assert "  - id: x\n" in real.read_text(encoding="utf-8")


def test_stale_temp_files_are_removed_on_open(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    write(path, GOLDEN)
    (tmp_path / ".tmp-places.yaml.999.dead").write_text("places: [half", encoding="utf-8")
    (tmp_path / ".tmp-other.yaml.999.dead").write_text("not ours", encoding="utf-8")
    SafeYamlFile.open(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".tmp-other.yaml.999.dead",
        "places.yaml",
        "places.yaml.lock",
    ]


def test_a_failed_write_leaves_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "places.yaml"
    raw = write(path, GOLDEN)

    def disk_full(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer.os, "replace", disk_full)
    file = SafeYamlFile.open(path)
    file.data["places"][0]["lat"] = 1.0
    with pytest.raises(DataError, match=r"places.yaml:0:0: could not save: No space left on device; "):
        file.save(backup=False)
    assert path.read_bytes() == raw
    assert not list(tmp_path.glob(".tmp-*"))
    assert file.data["places"][0]["lat"] == 1.0


def test_a_held_lock_times_out_with_a_clear_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "places.yaml"
    write(path, GOLDEN)
    monkeypatch.setattr(writer, "LOCK_TIMEOUT_S", 0.2)
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with writer.file_lock(path):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        held.wait(10)
        with pytest.raises(WriteConflictError, match=r"held the lock for more than 0\.2 s"):
            add_place(path, {"id": "x", "name": "X", "kind": "village"}, validate=no_check)
    finally:
        release.set()
        thread.join()


def test_two_saves_in_a_row_from_one_handle_work(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    write(path, GOLDEN)
    file = SafeYamlFile.open(path)
    file.data["places"][0]["lat"] = 1.0
    first = file.save(no_check)
    file.data["places"][0]["lat"] = 2.0
    second = file.save(no_check)
    assert first != second == SafeYamlFile.open(path).sha256
    assert "    lat: 2.0\n" in path.read_text(encoding="utf-8")


def test_new_files_get_the_umask_mode(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    old = os.umask(0o027)
    try:
        append_events(path, [{"place": "a"}])
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o640


def test_a_file_of_only_comments_keeps_them_when_the_first_item_arrives(tmp_path: Path) -> None:
    path = tmp_path / "events.yaml"
    write(path, "# the control log\n# one event per change\n")
    append_events(path, [{"place": "a"}])
    expected = "# the control log\n# one event per change\nevents:\n  - place: a\n"
    assert path.read_text(encoding="utf-8") == expected


def test_add_place_without_a_validator_uses_the_gazetteer_rules(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    raw = write(path, "places:\n  - id: azaz\n    name: Azaz\n    kind: town\n    lat: 36.5\n    lon: 37.0\n")
    with pytest.raises(DataErrors) as caught:
        add_place(path, {"id": "kafr-naya", "name": "Kafr Naya", "kind": "village", "lat": 200.0, "lon": 7.0})
    assert [(e.line, e.message[:35]) for e in caught.value.errors] == [
        (10, "place 'kafr-naya' has latitude 200;")
    ]
    assert path.read_bytes() == raw


# Names that YAML could read as something else, or that need quoting, plus Arabic script.
TRICKY = st.one_of(
    st.sampled_from(
        [
            "NO",
            "yes",
            "null",
            "~",
            "123",
            "1e3",
            "2024-12-01",
            "- x",
            "a: b",
            "#x",
            "'q'",
            '"q"',
            "x #y",
            "[a]",
            "{a}",
            "@x",
            "`x`",
            "%x",
            "تل رفعت",
            " lead",
            "trail ",
            "a\tb",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20),
)


@settings(max_examples=25, deadline=None)
@given(names=st.lists(TRICKY, min_size=1, max_size=4), aliases=st.lists(TRICKY, max_size=3))
def test_any_names_written_read_back_identically_and_round_trip_byte_for_byte(
    names: list[str], aliases: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "places.yaml"
        write(path, GOLDEN)
        for i, name in enumerate(names):
            place = {"id": f"p{i}", "name": name, "aliases": aliases, "note": name}
            add_place(path, place, validate=no_check)
        raw = path.read_bytes()
        file = SafeYamlFile.open(path)
        added = file.data["places"][2:]
        assert [(p["name"], list(p.get("aliases", [])), p["note"]) for p in added] == [
            (n, aliases, n) for n in names
        ]
        file.save(no_check)
        assert path.read_bytes() == raw
        assert raw.decode("utf-8").startswith(GOLDEN)


SPACED = """\
places:
  - id: a
    name: A
    lon: 37.1   # approximate

  - id: b
    name: B
    note: temporary

  # Section two
  - id: c
    name: C
"""


def test_new_fields_stay_above_the_blank_line_and_section_comments_survive_removal(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    write(path, SPACED)
    update_places(
        path, {"a": {"reviewed": False}, "b": {"note": REMOVE, "population": 5}}, None, validate=no_check
    )
    assert path.read_text(encoding="utf-8") == (
        "places:\n"
        "  - id: a\n"
        "    name: A\n"
        "    lon: 37.1   # approximate\n"
        "    reviewed: false\n"
        "\n"
        "  - id: b\n"
        "    name: B\n"
        "    population: 5\n"
        "\n"
        "  # Section two\n"
        "  - id: c\n"
        "    name: C\n"
    )


@pytest.mark.parametrize(
    ("text", "gap"),
    [
        ("places:\n  - id: a\n    name: A\n\n  - id: b\n    name: B\n", "\n"),  # blank-separated: keep it so
        ("places:\n  - id: a\n    name: A\n  - id: b\n    name: B\n", ""),  # packed: stay packed
    ],
    ids=["spaced", "packed"],
)
def test_appended_items_follow_the_files_spacing(tmp_path: Path, text: str, gap: str) -> None:
    path = tmp_path / "places.yaml"
    write(path, text)
    add_place(path, {"id": "c", "name": "C"}, validate=no_check)
    assert path.read_text(encoding="utf-8") == text + gap + "  - id: c\n    name: C\n"


@pytest.mark.parametrize("name", ["places.yaml", "factions.yaml", "events.yaml"])
def test_the_shipped_data_files_round_trip_byte_for_byte(tmp_path: Path, name: str) -> None:
    shipped = Path(__file__).resolve().parent.parent / "data" / name
    copy = tmp_path / name
    copy.write_bytes(shipped.read_bytes())
    file = SafeYamlFile.open(copy)
    file.save(no_check)
    assert copy.read_bytes() == shipped.read_bytes()
    # ruamel's own rendering matches too, so an edit changes only the edited lines (no normalising splice).
    assert writer._dump(file.data) == file.text


SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data"
NEW_PLACE = {
    "id": "kafr-naya",
    "name": "Kafr Naya",
    "aliases": ["Kfar Naya"],
    "kind": "village",
    "lat": 36.43,
    "lon": 37.03,
    "coords_source": "nominatim",
    "reviewed": False,
}
NEW_EVENT = {
    "place": "tal-rifaat",
    "date": "2024-12-03",
    "kind": "captured",
    "faction": "sna",
    "source": {"outlet": "AFP", "published": "2024-12-03", "url": None},
    "quote": "took: the town",
}


@pytest.mark.parametrize(
    ("text", "key", "item"),
    [
        (GOLDEN, "places", NEW_PLACE),
        (SPACED, "places", NEW_PLACE),
        (EVENTS, "events", NEW_EVENT),
        ((SHIPPED_DIR / "places.yaml").read_text(encoding="utf-8"), "places", NEW_PLACE),
        ((SHIPPED_DIR / "events.yaml").read_text(encoding="utf-8"), "events", NEW_EVENT),
    ],
    ids=["golden", "spaced", "events", "shipped-places", "shipped-events"],
)
def test_the_fast_text_append_writes_what_the_tree_edit_writes(
    text: str, key: str, item: dict[str, object]
) -> None:
    order = writer.PLACE_FIELDS if key == "places" else writer.EVENT_FIELDS
    node = writer._ordered(item, order)
    fast = writer._append_text(text, key, [node])
    tree = SafeYamlFile(
        Path("x.yaml"), writer._load(text, Path("x.yaml")), text, text.encode(), bom=False, crlf=False
    )
    writer._append_items(tree.data[key], [writer._ordered(item, order)])
    expected = tree.render()
    if text is GOLDEN:
        # GOLDEN ends in a folded block (>-); the tree edit leaves out the separating blank line there,
        # because ruamel would write two. The text append can write exactly one.
        expected = text + "\n" + expected[len(text) :]
    assert fast is not None
    assert fast == expected
    assert fast.startswith(text)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("places:\n  - id: a\nversion: 1\n", "another top-level key follows"),
        ("places: []\n", "an empty flow list"),
        ("places:\n- id: a\n", "items at column 0"),
    ],
)
def test_the_fast_append_steps_aside_when_the_layout_is_unusual(text: str, why: str) -> None:
    assert writer._append_text(text, "places", [writer._ordered({"id": "b"}, writer.PLACE_FIELDS)]) is None, (
        why
    )


def test_a_name_libyaml_would_misread_goes_through_the_tree(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    write(path, "places:\n  - id: a\n    name: A\n")
    node = writer._ordered({"id": "no", "name": "NO"}, writer.PLACE_FIELDS)
    assert writer._append_text(path.read_text(encoding="utf-8"), "places", [node]) is None
    add_place(path, {"id": "no", "name": "NO"}, validate=no_check)
    assert SafeYamlFile.open(path).data["places"][1]["name"] == "NO"


def test_anchors_and_aliases_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "places.yaml"
    write(path, "base: &b {kind: town}\nplaces:\n  - id: a\n    extra: *b\n")
    with pytest.raises(DataError) as caught:
        SafeYamlFile.open(path)
    assert (
        str(caught.value) == f"{path}:1:7: anchors and aliases (&name, *name) are not allowed in data files"
    )
