"""``conflict-map geocode`` end to end: offline answers, --online against a loopback Nominatim, --add."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from nominatim_stub import NominatimStub, found, place, refused_url, running, status

from dashboard import geocode
from dashboard.cli import main
from dashboard.geocode import RequestGate
from dashboard.paths import REPO_ROOT
from dashboard.writer import backups_of

AGENT = "conflict-map-tests/1.0 (tests@example.org)"
SHIPPED = REPO_ROOT / "data"
VILLAGE = place("Kafr Testin", 36.5123, 37.0456, state="Aleppo Governorate", name_ar="كفر تستين")


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user config, no agent from the environment, and a gate that never sleeps for real."""
    monkeypatch.setenv("CONFLICT_MAP_CONFIG", str(tmp_path / "no-config.toml"))
    for name in ("CONFLICT_MAP_USER_AGENT", "CONFLICT_MAP_GEOCODER", "CONFLICT_MAP_GEOCODER_URL"):
        monkeypatch.delenv(name, raising=False)
    now = [0.0]
    monkeypatch.setattr(
        geocode, "GATE", RequestGate(clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the shipped data folder."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("places.yaml", "factions.yaml", "events.yaml"):
        shutil.copy2(SHIPPED / name, folder / name)
    return folder


@pytest.fixture
def stub() -> Iterator[NominatimStub]:
    with running(NominatimStub()) as server:
        yield server


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["geocode", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def online_args(stub: NominatimStub, data: Path) -> list[str]:
    return ["--online", "--user-agent", AGENT, "--geocoder-url", stub.url, "--data", str(data)]


def test_tell_refaat_resolves_offline_to_tal_rifaat(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "Tell Refaat", "--json", "--data", str(SHIPPED))
    assert (code, err) == (0, "")
    [answer] = json.loads(out)
    assert answer["query"] == "Tell Refaat"
    assert answer["status"] == "found"
    first = answer["candidates"][0]
    assert {k: first[k] for k in ("name", "kind", "source", "place")} == {
        "name": "Tal Rifaat",
        "kind": "town",
        "source": "gazetteer",
        "place": "tal-rifaat",
    }
    assert (round(first["lat"], 1), round(first["lon"], 1)) == (36.5, 37.1)


def test_text_output_lists_candidates_and_says_what_was_not_found(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "Tell Refaat", "Qqqzzz", "--data", str(SHIPPED))
    assert code == 0
    assert out.splitlines()[0] == "Tell Refaat: found"
    assert out.splitlines()[1].startswith("  1. Tal Rifaat (tal-rifaat), town, 36.4")
    assert out.splitlines()[2] == (
        "Qqqzzz: not found in the gazetteer or offline GeoNames (add --online to ask an online geocoder)"
    )


SMALL = """\
# A small gazetteer: one placed town, one town still waiting for coordinates.
places:
  - id: idlib-governorate
    name: Idlib Governorate
    kind: governorate
    lat: 35.8
    lon: 36.6

  - id: sarmada
    name: Sarmada
    kind: town
    admin1: idlib-governorate
    lat: null
    lon: null
    coords_source: manual
    note: Coordinates still to be found.
"""


@pytest.fixture
def small(tmp_path: Path) -> Path:
    """A data folder whose gazetteer lacks most places and has one without coordinates."""
    folder = tmp_path / "small"
    folder.mkdir()
    (folder / "places.yaml").write_text(SMALL, encoding="utf-8")
    return folder


def test_offline_geonames_finds_what_the_gazetteer_lacks(
    capsys: pytest.CaptureFixture[str], small: Path
) -> None:
    code, out, _ = run(capsys, "Tell Refaat", "--json", "--data", str(small))
    assert code == 0
    first = json.loads(out)[0]["candidates"][0]
    assert (first["name"], first["source"], first["place"], first["geonames"]) == (
        "Tall Rif‘at",
        "geonames",
        None,
        163476,
    )


def test_add_from_offline_geonames_records_its_id_and_population(
    capsys: pytest.CaptureFixture[str], small: Path
) -> None:
    code, _, err = run(capsys, "Tell Refaat", "--add", "--data", str(small))
    assert (code, err) == (0, "")
    assert (small / "places.yaml").read_text(encoding="utf-8") == SMALL + (
        "\n"
        "  - id: tall-rifat\n"
        "    name: Tall Rif‘at\n"
        "    name_ar: تل رفعت\n"
        "    aliases: [Tell Refaat]\n"
        "    kind: town\n"  # no admin1: this gazetteer has no Aleppo governorate to point at
        "    lat: 36.47229\n"
        "    lon: 37.09471\n"
        "    population: 25658\n"
        "    geonames: 163476\n"
        "    coords_source: geonames\n"
        "    reviewed: false\n"
        f"    note: Added by conflict-map geocode --add on {dt.date.today().isoformat()} from geonames "
        "for the query 'Tell Refaat'; check the coordinates and the kind.\n"
    )


def test_online_without_a_user_agent_is_refused(
    capsys: pytest.CaptureFixture[str], stub: NominatimStub
) -> None:
    code, _, err = run(capsys, "Kafr Testin", "--online", "--geocoder-url", stub.url, "--data", str(SHIPPED))
    assert code == 1
    assert err.startswith("error: no user agent is set; geocoding services ask each application")
    assert "--user-agent" in err
    assert "CONFLICT_MAP_USER_AGENT" in err
    assert "[geocode]" in err
    assert stub.requests == []


def test_online_with_a_sample_user_agent_is_refused(
    capsys: pytest.CaptureFixture[str], stub: NominatimStub
) -> None:
    code, _, err = run(
        capsys,
        "X",
        "--online",
        "--user-agent",
        "my-application",
        "--geocoder-url",
        stub.url,
        "--data",
        str(SHIPPED),
    )
    assert code == 1
    assert "the user agent 'my-application' is geopy's default or a documentation sample" in err


def test_add_puts_a_new_village_into_a_copy_keeping_every_line_and_validate_clean(
    capsys: pytest.CaptureFixture[str], stub: NominatimStub, data: Path
) -> None:
    assert main(["validate", "--data", str(data)]) == 0
    validate_before = capsys.readouterr().out.splitlines()
    stub.answers["Kafr Testin"] = found(VILLAGE)
    before = (data / "places.yaml").read_text(encoding="utf-8")
    code, out, err = run(capsys, "Kafr Testin", "--add", *online_args(stub, data))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "Kafr Testin: found"
    assert out.splitlines()[-1].startswith(f"Kafr Testin: added 'kafr-testin' to {data / 'places.yaml'}")
    after = (data / "places.yaml").read_text(encoding="utf-8")
    assert after.startswith(before)  # every existing line and comment, byte for byte
    assert after[len(before) :] == (
        "\n"  # a blank line between places, as in the rest of the file
        "  - id: kafr-testin\n"
        "    name: Kafr Testin\n"
        "    name_ar: كفر تستين\n"
        "    kind: village\n"
        "    admin1: aleppo-governorate\n"
        "    lat: 36.5123\n"
        "    lon: 37.0456\n"
        "    coords_source: nominatim\n"
        "    reviewed: false\n"
        f"    note: Added by conflict-map geocode --add on {dt.date.today().isoformat()} "
        "from nominatim for the query 'Kafr Testin'; check the coordinates and the kind.\n"
    )
    assert len(backups_of(data / "places.yaml")) == 1
    assert main(["validate", "--data", str(data)]) == 0
    validate_after = capsys.readouterr().out.splitlines()
    assert validate_after[:-1] == validate_before[:-1]  # no new warning either
    # The new place now resolves from the gazetteer, without asking the server again.
    code, out, _ = run(capsys, "Kafr Testin", "--json", *online_args(stub, data))
    assert json.loads(out)[0]["candidates"][0]["place"] == "kafr-testin"
    assert stub.queries() == ["Kafr Testin"]


def test_ambiguous_answers_are_never_written_without_a_choice(
    capsys: pytest.CaptureFixture[str], stub: NominatimStub, data: Path
) -> None:
    stub.answers["Tell Testin"] = found(
        place("Tell Testin", 36.61, 37.21, state="Aleppo Governorate", place_id=1),
        place("Tell Testin", 35.11, 36.71, state="Hama Governorate", place_id=2),
    )
    before = (data / "places.yaml").read_bytes()
    code, out, err = run(capsys, "Tell Testin", "--add", *online_args(stub, data))
    assert code == 1
    assert out.splitlines()[0] == "Tell Testin: 2 candidates; choose with --add --pick N"
    assert err == (
        "error: Tell Testin: 2 candidates; nothing was written. Run again with --add --pick N (1-2) "
        "to choose one.\n"
    )
    assert (data / "places.yaml").read_bytes() == before
    code, out, err = run(capsys, "Tell Testin", "--add", "--pick", "2", *online_args(stub, data))
    assert (code, err) == (0, "")
    text = (data / "places.yaml").read_text(encoding="utf-8")
    assert (
        "  - id: tell-testin\n    name: Tell Testin\n    kind: village\n    admin1: hama-governorate\n"
        in text
    )
    assert len(stub.requests) == 1  # the second run came from the cache


def test_a_known_place_without_coordinates_gets_them_from_the_service(
    capsys: pytest.CaptureFixture[str], stub: NominatimStub, small: Path
) -> None:
    stub.answers["Sarmada"] = found(
        place("Sarmada", 36.1789, 36.7223, kind="town", state="Idlib Governorate")
    )
    code, out, err = run(capsys, "Sarmada", *online_args(stub, small))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Sarmada: found",
        "  1. Sarmada (sarmada), town, no coordinates yet [gazetteer]",
        "  2. Sarmada (not in the gazetteer), town, 36.17890, 36.72230 [nominatim]; "
        "Sarmada, Idlib Governorate, Syria",
    ]
    code, out, err = run(capsys, "Sarmada", "--add", *online_args(stub, small))
    assert (code, err) == (0, "")
    assert "sarmada: coordinates 36.1789, 36.7223 from nominatim saved to" in out
    assert (small / "places.yaml").read_text(encoding="utf-8") == SMALL.replace(
        "    lat: null\n    lon: null\n    coords_source: manual\n",
        "    lat: 36.1789\n    lon: 36.7223\n    coords_source: nominatim\n    reviewed: false\n",
    )


def test_add_for_a_place_already_in_the_gazetteer_writes_nothing(
    capsys: pytest.CaptureFixture[str], data: Path
) -> None:
    before = (data / "places.yaml").read_bytes()
    code, _, err = run(capsys, "Tell Refaat", "--add", "--data", str(data))
    assert code == 0
    assert err == "Tell Refaat: already in the gazetteer as 'tal-rifaat'; nothing added\n"
    assert (data / "places.yaml").read_bytes() == before


@pytest.mark.timeout(15)
@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        (status(500), "answered with a server error (HTTP 500); try again later"),
        (
            status(429, {"Retry-After": "120"}),
            "is rate limiting this program (HTTP 429); not asking it again for 120 s",
        ),
    ],
    ids=["500", "429"],
)
def test_a_service_failure_exits_1_with_a_message_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], stub: NominatimStub, data: Path, behaviour: object, message: str
) -> None:
    stub.default = behaviour  # type: ignore[assignment]
    before = (data / "places.yaml").read_bytes()
    code, out, err = run(capsys, "Kafr Testin", "--add", *online_args(stub, data))
    assert code == 1
    assert out == "Kafr Testin: failed (see the error below)\n"
    assert err.startswith(f"error: Kafr Testin: nominatim at {stub.url} {message}")
    assert "Traceback" not in err
    assert (data / "places.yaml").read_bytes() == before


@pytest.mark.timeout(15)
def test_connection_refused_exits_1(capsys: pytest.CaptureFixture[str], data: Path) -> None:
    url = refused_url()
    code, _, err = run(
        capsys,
        "Kafr Testin",
        "--json",
        "--online",
        "--user-agent",
        AGENT,
        "--geocoder-url",
        url,
        "--data",
        str(data),
    )
    assert code == 1
    assert err == (
        f"error: Kafr Testin: nominatim at {url} is unreachable: connection refused "
        "(is the server running?)\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["X", "--pick", "1"], "error: --pick chooses the candidate for --add; use it together with --add\n"),
        (
            ["X", "Y", "--add", "--pick", "1"],
            "error: --pick applies to one name; run --add --pick once per name\n",
        ),
        (
            ["X", "--online", "--user-agent", AGENT, "--geocoder-url", "localhost:8080"],
            "error: geocoder URL must look like https://host[:port][/path]; got 'localhost:8080'\n",
        ),
    ],
)
def test_option_mistakes_are_explained(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run(capsys, *argv, "--data", str(SHIPPED))
    assert (code, err) == (1, message)
