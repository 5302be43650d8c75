"""Resolve place names: the gazetteer, then offline GeoNames, then (only when asked) a geocoder via geopy.

The online step follows Nominatim's usage policy: a real user agent, at most one request per second for the
whole process (all threads and Streamlit sessions), Retry-After honoured, and a disk cache so that a name is
never asked twice. Every failure becomes a ``GeocodeError`` with a message a user can act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import math
import os
import secrets
import threading
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

import geopy.exc
import geopy.geocoders
from geopy.adapters import AdapterHTTPError, URLLibAdapter

from dashboard.errors import ConfigurationError, GeocodeError
from dashboard.geonames_offline import OfflineGeoNames
from dashboard.paths import data_dir

DEFAULT_SERVICE: Final = "nominatim"
# One call (connect, send, wait, read) ends within this many seconds whatever the server does.
DEFAULT_TIMEOUT_S: Final = 8.0
MAX_TIMEOUT_S: Final = 10.0
MIN_INTERVAL_S: Final = 1.0  # Nominatim's policy: one request per second for the whole application
DEFAULT_RETRY_AFTER_S: Final = 60.0  # a 429 without Retry-After still means "back off"
CACHE_DIR_NAME: Final = ".geocode-cache"
BLOCKS_FILE: Final = "rate-limits.json"  # in the cache folder: Retry-After deadlines by service
ENV_USER_AGENT: Final = "CONFLICT_MAP_USER_AGENT"
ENV_GEOCODER: Final = "CONFLICT_MAP_GEOCODER"
ENV_GEOCODER_URL: Final = "CONFLICT_MAP_GEOCODER_URL"
ENV_CONFIG: Final = "CONFLICT_MAP_CONFIG"
# geopy's own default agent and the sample agents from geopy's and Nominatim's docs.
SAMPLE_USER_AGENTS: Final = frozenset({
    "my-application", "my_app/1", "my_user_agent/1.0", "specify_your_app_name_here", "myapp", "my-app",
    "geoapiexercises", "test", "user_agent",
})

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class GeoCandidate:
    """One possible location for a name, from the gazetteer, offline GeoNames or an online service."""

    name: str
    lat: float | None  # None: a gazetteer place that still needs coordinates
    lon: float | None
    kind: str
    source: str
    place: str | None = None  # the gazetteer id, when the gazetteer has this place
    score: float = 0.0
    matched: str | None = None
    name_ar: str | None = None
    admin1: str | None = None  # governorate id when known
    region: str | None = None  # the service's own name for the province, to map to admin1
    population: int | None = None
    geonames: int | None = None
    display: str | None = None
    how: str = "exact"

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON shape: name, lat, lon, kind, source, place, plus details for choosing."""
        return {
            "name": self.name, "lat": self.lat, "lon": self.lon, "kind": self.kind, "source": self.source,
            "place": self.place, "match": self.how, "admin1": self.admin1, "geonames": self.geonames,
            "display": self.display,
        }


@dataclass(frozen=True, slots=True)
class Resolution:
    """What the resolver found for one query; ``error`` is set only when an online service failed."""

    query: str
    candidates: tuple[GeoCandidate, ...] = ()
    error: str | None = None

    @property
    def status(self) -> str:
        """found, ambiguous, suggested (near spellings), unplaced (no coordinates), not_found or failed."""
        if self.error is not None and all(c.lat is None for c in self.candidates):
            return "failed"
        if not self.candidates:
            return "not_found"
        if all(c.lat is None for c in self.candidates):
            return "unplaced"
        if all(c.how == "fuzzy" for c in self.candidates):
            return "suggested"
        if len(self.candidates) == 1 or self.candidates[0].score > self.candidates[1].score:
            return "found"
        return "ambiguous"

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON shape for one query."""
        out: dict[str, Any] = {
            "query": self.query, "status": self.status, "candidates": [c.to_json() for c in self.candidates],
        }
        if self.error is not None:
            out["error"] = self.error
        return out


# ---------------------------------------------------------------------------------------------------------
# The process-wide request gate


class RequestGate:
    """Spaces requests at least ``min_interval`` apart for the whole process, and remembers Retry-After."""

    def __init__(
        self, min_interval: float = MIN_INTERVAL_S, *, clock: Clock = time.monotonic,
        sleep: Callable[[float], None] = time.sleep, wall: Clock = time.time,
    ) -> None:
        self.min_interval = min_interval
        self._clock = clock
        self._sleep = sleep
        self._wall = wall
        self._turn = threading.Lock()  # held while a caller waits for its slot: slots go out in turn
        self._state = threading.Lock()  # guards the two times below; never held while sleeping
        self._next_slot = -math.inf
        self._blocked_until = -math.inf
        self._blocked_by = ""

    def acquire(self) -> None:
        """Wait for this caller's slot; raise ``GeocodeError`` at once while the service says stop."""
        with self._turn:
            while True:
                with self._state:
                    now = self._clock()
                    self._refuse_if_blocked(now)
                    wait = self._next_slot - now
                    if wait <= 0:
                        self._next_slot = now + self.min_interval
                        return
                self._sleep(wait)

    def block(self, seconds: float, who: str) -> None:
        """Stop every caller from asking ``who`` for ``seconds`` (a 429 answer's Retry-After)."""
        with self._state:
            until = self._clock() + max(seconds, self.min_interval)
            if until > self._blocked_until:
                self._blocked_until, self._blocked_by = until, who

    def now(self) -> float:
        """Epoch seconds by this gate's wall clock (for blocks that outlive the process)."""
        return self._wall()

    def blocked_for(self) -> float:
        """Seconds left before requests are allowed again (0 when not blocked)."""
        with self._state:
            return max(0.0, self._blocked_until - self._clock())

    def reset(self) -> None:
        """Forget all timing (for tests and for a user who changed the geocoder URL)."""
        with self._state:
            self._next_slot = self._blocked_until = -math.inf

    def _refuse_if_blocked(self, now: float) -> None:
        left = self._blocked_until - now
        if left > 0:
            until = dt.datetime.fromtimestamp(self._wall() + left, dt.UTC).strftime("%H:%M:%S UTC")
            raise GeocodeError(
                f"{self._blocked_by} rate-limited this program; not asking it again for {math.ceil(left)} s "
                f"(until {until}). Cached and offline names still resolve."
            )


GATE = RequestGate()  # the one gate of this process; tests may swap it


# ---------------------------------------------------------------------------------------------------------
# HTTP with a hard deadline


class DeadlineAdapter(URLLibAdapter):  # type: ignore[misc]
    """geopy's urllib adapter (no hidden retries) with a wall-clock deadline on the whole call.

    A socket timeout alone does not bound a call: a server that sends one byte every few seconds keeps
    every read alive. The request runs on a daemon thread and the caller stops waiting at the deadline.
    """

    def __init__(self, *, proxies: Any, ssl_context: Any, deadline: float) -> None:
        super().__init__(proxies=proxies, ssl_context=ssl_context)
        self.deadline = deadline

    def get_text(self, url: str, *, timeout: float, headers: Mapping[str, str]) -> str:
        """Fetch ``url`` as text, or raise geopy's errors; never takes longer than the deadline."""
        box: dict[str, Any] = {}

        def fetch() -> None:
            try:
                box["text"] = URLLibAdapter.get_text(self, url, timeout=timeout, headers=headers)
            except BaseException as exc:  # handed to the caller's thread below
                box["error"] = exc

        worker = threading.Thread(target=fetch, name="geocoder-request", daemon=True)
        worker.start()
        worker.join(self.deadline)
        if worker.is_alive():
            raise geopy.exc.GeocoderTimedOut(f"no complete answer within {self.deadline:g} s")
        if "error" in box:
            raise box["error"]
        text: str = box["text"]
        return text


# ---------------------------------------------------------------------------------------------------------
# Settings


@dataclass(frozen=True, slots=True)
class GeocodeSettings:
    """Where and how to geocode online; built from flags, then environment, then the config file."""

    user_agent: str | None = None
    service: str = DEFAULT_SERVICE
    url: str | None = None
    cache_dir: Path | None = None
    timeout: float = DEFAULT_TIMEOUT_S
    config_file: Path | None = None


def config_path() -> Path:
    """The config file: ``CONFLICT_MAP_CONFIG``, else ``$XDG_CONFIG_HOME/conflict-map/config.toml``."""
    explicit = os.environ.get(ENV_CONFIG)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "conflict-map" / "config.toml"


def read_config(path: Path | None = None) -> dict[str, Any]:
    """The ``[geocode]`` table of the config file, or ``{}`` when there is no file."""
    path = path or config_path()
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{path}: cannot read the config file: {exc}") from None
    table = doc.get("geocode", {})
    if not isinstance(table, dict):
        raise ConfigurationError(f"{path}: [geocode] must be a table")
    known = {"user_agent", "geocoder", "url", "cache_dir", "timeout"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigurationError(
            f"{path}: unknown setting(s) under [geocode]: {', '.join(unknown)}; "
            f"known: {', '.join(sorted(known))}"
        )
    return table


def load_settings(
    *, user_agent: str | None = None, service: str | None = None, url: str | None = None,
    data: str | Path | None = None, timeout: float | None = None,
) -> GeocodeSettings:
    """Combine flags (arguments), environment variables and the config file, in that order of precedence."""
    path = config_path()
    config = read_config(path)
    cache = config.get("cache_dir")
    value = timeout if timeout is not None else config.get("timeout", DEFAULT_TIMEOUT_S)
    if not isinstance(value, (int, float)) or not 0 < value <= MAX_TIMEOUT_S:
        raise ConfigurationError(f"geocoder timeout must be a number of seconds in (0, {MAX_TIMEOUT_S:g}]; "
                                 f"got {value!r}")
    return GeocodeSettings(
        user_agent=user_agent or os.environ.get(ENV_USER_AGENT) or config.get("user_agent"),
        service=(service or os.environ.get(ENV_GEOCODER) or config.get("geocoder") or DEFAULT_SERVICE)
        .lower(),
        url=url or os.environ.get(ENV_GEOCODER_URL) or config.get("url"),
        cache_dir=Path(cache) if cache else data_dir(data) / CACHE_DIR_NAME,
        timeout=float(value),
        config_file=path,
    )


def check_user_agent(user_agent: str | None, config_file: Path | None = None) -> str:
    """Return the agent; refuse a missing one, geopy's default and sample agents, saying how to set one."""
    agent = (user_agent or "").strip()
    problem = None
    if not agent:
        problem = "no user agent is set"
    elif agent.casefold() in SAMPLE_USER_AGENTS or agent.casefold().startswith("geopy/"):
        problem = f"the user agent {agent!r} is geopy's default or a documentation sample"
    if problem is None:
        return agent
    where = config_file or config_path()
    raise ConfigurationError(
        f"{problem}; geocoding services ask each application to identify itself. Set one that names this "
        "project and a contact, e.g. 'conflict-map/0.1 (you@example.org)', with --user-agent, "
        f"the environment variable {ENV_USER_AGENT}, or user_agent under [geocode] in {where}."
    )


def parse_service_url(url: str) -> tuple[str, str]:
    """Split ``http://host:port[/path]`` into geopy's (scheme, domain)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigurationError(
            f"geocoder URL must look like https://host[:port][/path]; got {url!r}"
        )
    return parts.scheme, parts.netloc + parts.path.rstrip("/")


# ---------------------------------------------------------------------------------------------------------
# Disk cache


class GeocodeCache:
    """Answers (also "nothing found") keyed by service and normalised query; failures are never stored."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._memory: dict[str, list[GeoCandidate]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key(service: str, query: str) -> str:
        """Cache key: the service identity and the query, case- and space-normalised."""
        return f"{service}\n{' '.join(query.split()).casefold()}"

    def _file(self, key: str) -> Path:
        return self.folder / (hashlib.sha256(key.encode("utf-8")).hexdigest()[:40] + ".json")

    def get(self, key: str) -> list[GeoCandidate] | None:
        """The stored answer, or None when this query was never answered."""
        with self._lock:
            if key in self._memory:
                return list(self._memory[key])
        try:
            doc = json.loads(self._file(key).read_text(encoding="utf-8"))
            if doc.get("key") != key:
                return None
            found = [GeoCandidate(**c) for c in doc["candidates"]]
        except (OSError, ValueError, TypeError, KeyError):
            return None  # missing or damaged: ask again and overwrite
        with self._lock:
            self._memory[key] = found
        return list(found)

    def blocked_until(self, service: str) -> float:
        """Epoch seconds until which ``service`` asked us to stop (0 when it did not)."""
        try:
            doc = json.loads((self.folder / BLOCKS_FILE).read_text(encoding="utf-8"))
            return float(doc.get(service, 0.0))
        except (OSError, ValueError, TypeError, AttributeError):
            return 0.0

    def block(self, service: str, until: float) -> None:
        """Remember a Retry-After on disk, so the next process does not ask before it either."""
        try:
            doc = json.loads((self.folder / BLOCKS_FILE).read_text(encoding="utf-8"))
            if not isinstance(doc, dict):
                doc = {}
        except (OSError, ValueError):
            doc = {}
        doc[service] = until
        self._write(self.folder / BLOCKS_FILE, doc)

    def _write(self, target: Path, doc: Any) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".tmp-{target.name}.{os.getpid()}.{secrets.token_hex(4)}")
            tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
            os.replace(tmp, target)
        except OSError:
            pass  # a read-only cache folder costs a repeat request later, not a failure now

    def put(self, key: str, candidates: list[GeoCandidate]) -> None:
        """Store an answer atomically (a half-written cache file must never be read as an answer)."""
        with self._lock:
            self._memory[key] = list(candidates)
        doc = {"key": key, "saved": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "candidates": [asdict(c) for c in candidates]}
        self._write(self._file(key), doc)


# ---------------------------------------------------------------------------------------------------------
# The online geocoder


# Service place types -> gazetteer kinds; anything else is a village (news rarely names hamlets or farms).
_KINDS: Final = {
    "city": "city", "town": "town", "village": "village", "hamlet": "village",
    "isolated_dwelling": "village", "locality": "village", "suburb": "neighbourhood",
    "neighbourhood": "neighbourhood", "quarter": "neighbourhood", "city_district": "neighbourhood",
    "borough": "neighbourhood", "state": "governorate", "province": "governorate",
    "county": "district", "district": "district", "municipality": "district", "region": "region",
    "military": "facility", "airport": "facility", "aerodrome": "facility", "dam": "facility",
}


class OnlineGeocoder:
    """A geopy geocoder behind the process-wide gate, the disk cache and clear error messages.

    Parameters: ``user_agent`` (required, sample agents refused); ``service`` (a geopy service name such as
    ``nominatim`` or ``photon``); ``url`` (scheme, host and port of another server); ``cache_dir``;
    ``timeout`` (seconds for one whole call); ``gate`` (the rate limiter; the process-wide one by default).
    """

    def __init__(
        self, *, user_agent: str | None, service: str = DEFAULT_SERVICE, url: str | None = None,
        cache_dir: Path | None = None, timeout: float = DEFAULT_TIMEOUT_S, gate: RequestGate | None = None,
        country_codes: str | None = "sy", limit: int = 5, config_file: Path | None = None,
    ) -> None:
        self.user_agent = check_user_agent(user_agent, config_file)
        self.service = service.lower()
        self.url = url
        self.timeout = min(timeout, MAX_TIMEOUT_S)
        self.gate = gate if gate is not None else GATE
        self.cache = GeocodeCache(cache_dir) if cache_dir is not None else None
        self.label = f"{self.service} at {url}" if url else self.service
        self._geocoder = self._build(url)
        self._params: dict[str, Any] = {}
        if self.service == "nominatim":
            self._params = {"limit": limit, "addressdetails": True, "namedetails": True}
            if country_codes:
                self._params["country_codes"] = country_codes
        elif self.service == "photon":
            self._params = {"limit": limit}

    @classmethod
    def from_settings(cls, settings: GeocodeSettings, **kwargs: Any) -> OnlineGeocoder:
        """Build from ``GeocodeSettings`` (flags, environment, config file)."""
        return cls(user_agent=settings.user_agent, service=settings.service, url=settings.url,
                   cache_dir=settings.cache_dir, timeout=settings.timeout, config_file=settings.config_file,
                   **kwargs)

    def _build(self, url: str | None) -> Any:
        try:
            geocoder_cls = geopy.geocoders.get_geocoder_for_service(self.service)
        except geopy.exc.GeocoderNotFound:
            raise ConfigurationError(
                f"unknown geocoder {self.service!r}; use a geopy service name such as nominatim or photon"
            ) from None
        kwargs: dict[str, Any] = {
            "user_agent": self.user_agent, "timeout": self.timeout,
            "adapter_factory": partial(DeadlineAdapter, deadline=self.timeout),
        }
        accepted = inspect.signature(geocoder_cls.__init__).parameters
        if url:
            if "domain" not in accepted:
                raise ConfigurationError(f"geocoder {self.service!r} cannot be pointed at another server")
            kwargs["scheme"], kwargs["domain"] = parse_service_url(url)
        try:
            return geocoder_cls(**kwargs)
        except (TypeError, ValueError, geopy.exc.ConfigurationError) as exc:
            raise ConfigurationError(
                f"geocoder {self.service!r} needs settings this program does not pass ({exc}); "
                "use nominatim or photon"
            ) from None

    def cache_key(self, query: str) -> str:
        """The cache key for a query on this service (and server)."""
        return GeocodeCache.key(self.label, query)

    def search(self, query: str) -> list[GeoCandidate]:
        """Candidates for ``query`` (an empty list means not found); raise ``GeocodeError`` on any failure."""
        key = self.cache_key(query)
        if self.cache is not None:
            cached = self.cache.get(key)
            if cached is not None:
                return cached
        if self.cache is not None:
            # A Retry-After received by an earlier run (another CLI call) still holds.
            left = self.cache.blocked_until(self.label) - self.gate.now()
            if left > 0:
                self.gate.block(left, self.label)
        self.gate.acquire()
        try:
            found = self._geocoder.geocode(query, exactly_one=False, **self._params)
            candidates = [
                self._candidate(loc.raw, loc.latitude, loc.longitude, loc.address) for loc in found or []
            ]
        except geopy.exc.GeopyError as exc:
            raise self._failure(exc) from None
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            raise GeocodeError(f"{self.label} sent a malformed reply (not a list of places)") from None
        if self.cache is not None:
            self.cache.put(key, candidates)
        return candidates

    def _candidate(self, raw: Any, lat: Any, lon: Any, address: Any) -> GeoCandidate:
        if not isinstance(raw, Mapping):
            raise TypeError("place is not a mapping")
        lat, lon = float(lat), float(lon)
        if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError("coordinates out of range")
        props: Mapping[str, Any] = _mapping(raw.get("properties")) or raw  # Photon nests its fields
        names: Mapping[str, Any] = _mapping(raw.get("namedetails")) or {}
        details: Mapping[str, Any] = _mapping(raw.get("address")) or props
        display = str(address) if address else None
        name = names.get("name:en") or props.get("name") or (display or "").split(",")[0].strip()
        kind_key = props.get("addresstype") or props.get("osm_value") or props.get("type") or ""
        return GeoCandidate(
            name=str(name), lat=round(lat, 6), lon=round(lon, 6), kind=_KINDS.get(str(kind_key), "village"),
            source=self.service, score=0.9, matched=str(name), name_ar=names.get("name:ar"),
            region=details.get("state") or details.get("province"), display=display, how="online",
        )

    def _failure(self, exc: geopy.exc.GeopyError) -> GeocodeError:
        where = self.label
        status = exc.__cause__.status_code if isinstance(exc.__cause__, AdapterHTTPError) else None
        message = str(exc)
        if isinstance(exc, geopy.exc.GeocoderRateLimited):
            seconds = exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER_S
            self.gate.block(seconds, where)
            wait = math.ceil(self.gate.blocked_for())
            if self.cache is not None:
                self.cache.block(where, self.gate.now() + wait)
            return GeocodeError(
                f"{where} is rate limiting this program (HTTP 429); not asking it again for {wait} s. "
                "Cached and offline names still resolve."
            )
        if isinstance(exc, geopy.exc.GeocoderTimedOut) and status is None:
            return GeocodeError(f"{where} timed out: no complete answer within {self.timeout:g} s")
        if isinstance(exc, geopy.exc.GeocoderParseError):
            return GeocodeError(f"{where} sent a malformed reply (not JSON)")
        if isinstance(exc, geopy.exc.GeocoderInsufficientPrivileges):
            return GeocodeError(
                f"{where} refused access (HTTP 403): check the user agent; the service may have blocked "
                "this address for exceeding its usage policy"
            )
        if status is not None:
            kind = "server error" if status >= 500 else "request refused"
            return GeocodeError(f"{where} answered with a {kind} (HTTP {status}); try again later")
        lowered = message.casefold()
        if "refused" in lowered:
            return GeocodeError(f"{where} is unreachable: connection refused (is the server running?)")
        if "name or service not known" in lowered or "nodename nor servname" in lowered:
            return GeocodeError(f"{where} is unreachable: the host name does not resolve (no network?)")
        if isinstance(exc, geopy.exc.GeocoderTimedOut) or "timed out" in lowered:
            return GeocodeError(f"{where} timed out: no complete answer within {self.timeout:g} s")
        if isinstance(exc, geopy.exc.ConfigurationError):
            return GeocodeError(f"{where} cannot be used: {message}")
        return GeocodeError(f"{where} is unreachable or failed: {message}")


def _mapping(value: Any) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


# ---------------------------------------------------------------------------------------------------------
# The resolver chain


@dataclass
class Resolver:
    """Gazetteer first, then the offline GeoNames extract, then the online geocoder if one is given."""

    gazetteer: Any | None = None  # dashboard.gazetteer.Gazetteer (duck-typed: lookup, places)
    offline: OfflineGeoNames | None = None
    online: OnlineGeocoder | None = None
    _by_geonames: dict[int, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.gazetteer is not None:
            self._by_geonames = {p.geonames: pid for pid, p in self.gazetteer.places.items() if p.geonames}

    def resolve(self, name: str) -> Resolution:
        """Resolve one name; an online failure comes back in ``error``, never as an exception.

        A name the gazetteer knows but has no coordinates for is looked up further too, so it can be placed.
        """
        query = " ".join(name.split())
        weak: list[GeoCandidate] = []
        near: list[GeoCandidate] = []  # same consonants only (Jdeidet/Judaydat): GeoNames may know better
        if self.gazetteer is not None:
            found = [self._from_gazetteer(c) for c in self.gazetteer.lookup(query)]
            strong = [c for c in found if c.how in ("exact", "folded", "skeleton")]
            if any(c.how in ("exact", "folded") for c in strong):
                if all(c.lat is not None for c in strong):
                    return Resolution(query, tuple(strong))
                further = self._beyond_gazetteer(query, [], [], exclude={c.place for c in strong})
                return Resolution(query, tuple(strong) + further.candidates, error=further.error)
            near = [c for c in found if c.how == "skeleton"]
            weak = [c for c in found if c.how == "fuzzy"]
        return self._beyond_gazetteer(query, near, weak, exclude=set())

    def _beyond_gazetteer(
        self, query: str, near: list[GeoCandidate], weak: list[GeoCandidate], exclude: set[str | None],
    ) -> Resolution:
        if self.offline is not None:
            listed = {c.place for c in near} | exclude
            offline = [c for c in map(self._from_geonames, self.offline.lookup(query))
                       if c.place is None or c.place not in listed]
            near = sorted(near + offline, key=lambda c: -c.score)  # stable: gazetteer first on equal scores
        if near:
            return Resolution(query, tuple(near))
        if self.online is not None:
            try:
                online = self.online.search(query)
            except GeocodeError as exc:
                return Resolution(query, tuple(weak), error=str(exc))
            if online:
                return Resolution(query, tuple(self._link(c) for c in online))
        return Resolution(query, tuple(weak))

    def _from_gazetteer(self, cand: Any) -> GeoCandidate:
        place = cand.place
        return GeoCandidate(
            name=place.name, lat=place.lat, lon=place.lon, kind=place.kind, source="gazetteer",
            place=place.id,
            score=cand.score, matched=cand.matched, name_ar=place.name_ar, admin1=place.admin1,
            population=place.population, geonames=place.geonames, how=cand.how,
        )

    def _from_geonames(self, match: Any) -> GeoCandidate:
        gn = match.place
        return GeoCandidate(
            name=gn.name, lat=gn.lat, lon=gn.lon, kind=gn.kind, source="geonames",
            place=self._by_geonames.get(gn.geonameid), score=match.score, matched=match.matched,
            name_ar=gn.name_ar, admin1=gn.admin1, population=gn.population or None, geonames=gn.geonameid,
            how=match.how,
        )

    def _link(self, cand: GeoCandidate) -> GeoCandidate:
        """Name the gazetteer place an online answer already is, and the governorate it lies in."""
        if self.gazetteer is None or cand.lat is None or cand.lon is None:
            return cand
        lat, lon = cand.lat, cand.lon
        admin1 = None
        if cand.region:
            regions = self.gazetteer.lookup(cand.region, kinds=("governorate",))
            admin1 = regions[0].place.id if regions and regions[0].how != "fuzzy" else None
        same = next(
            (c.place.id for c in self.gazetteer.lookup(cand.name)
             if c.how != "fuzzy" and c.place.lat is not None and c.place.lon is not None
             and km(lat, lon, c.place.lat, c.place.lon) <= 5.0),
            None,
        )
        return replace(cand, admin1=admin1 or cand.admin1, place=same)


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))

