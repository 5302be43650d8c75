"""A loopback HTTP server that answers like Nominatim's /search, with scripted faults for tests."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Behaviour = Callable[[BaseHTTPRequestHandler, threading.Event], None]


def place(
    name: str,
    lat: float,
    lon: float,
    *,
    kind: str = "village",
    state: str = "Aleppo Governorate",
    name_ar: str | None = None,
    place_id: int = 1,
) -> dict[str, Any]:
    """One Nominatim search result with address and name details, as jsonv2/json sends it."""
    names: dict[str, str] = {"name": name, "name:en": name}
    if name_ar:
        names["name:ar"] = name_ar
    return {
        "place_id": place_id,
        "licence": "test data",
        "osm_type": "node",
        "osm_id": place_id,
        "lat": f"{lat:.7f}",
        "lon": f"{lon:.7f}",
        "class": "place",
        "type": kind,
        "addresstype": kind,
        "name": name,
        "display_name": f"{name}, {state}, Syria",
        "address": {kind: name, "state": state, "country": "Syria", "country_code": "sy"},
        "namedetails": names,
    }


def photon_feature(
    name: str, lat: float, lon: float, *, kind: str = "village", state: str = "Aleppo Governorate"
) -> dict[str, Any]:
    """One Photon (komoot) GeoJSON feature, as its /api endpoint sends it."""
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "name": name,
            "osm_key": "place",
            "osm_value": kind,
            "state": state,
            "country": "Syria",
        },
    }


def found_photon(*features: dict[str, Any]) -> Behaviour:
    """Answer like Photon: a GeoJSON FeatureCollection."""
    body = json.dumps({"type": "FeatureCollection", "features": list(features)}).encode("utf-8")
    return lambda handler, _stop: send(handler, 200, body)


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json; charset=utf-8",
) -> None:
    """Write a whole HTTP response."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    handler.wfile.write(body)


def found(*places: dict[str, Any]) -> Behaviour:
    """Answer with these places (none: the empty list Nominatim sends for an unknown name)."""
    body = json.dumps(list(places)).encode("utf-8")
    return lambda handler, _stop: send(handler, 200, body)


NOT_FOUND = found()


def status(code: int, headers: dict[str, str] | None = None, body: bytes = b"{}") -> Behaviour:
    """Answer with an HTTP error status (429 with Retry-After, 500, 403...)."""
    return lambda handler, _stop: send(handler, code, body, headers)


MALFORMED = status(200, body=b"<html>Service temporarily down</html>")
WRONG_SHAPE = status(200, body=b'[{"lat": "north", "lon": "east", "display_name": 3}]')


def hang(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Accept the request and never answer (until the stub stops)."""
    stop.wait(60)


def drip(handler: BaseHTTPRequestHandler, stop: threading.Event) -> None:
    """Send headers, then one body byte every 0.2 s: each read succeeds, the answer never ends."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    try:
        while not stop.wait(0.2):
            handler.wfile.write(b" ")
            handler.wfile.flush()
    except OSError:
        return


@dataclass
class Request:
    """What the stub saw: when (by the stub's clock), the query, all parameters and the user agent."""

    at: float
    query: str
    params: dict[str, str]
    user_agent: str


@dataclass
class NominatimStub:
    """Scripted answers by query (``answers``), a default, and a log of every request."""

    answers: dict[str, Behaviour] = field(default_factory=dict)
    default: Behaviour = NOT_FOUND
    clock: Callable[[], float] = time.monotonic
    requests: list[Request] = field(default_factory=list)
    url: str = ""
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        """Log the request and play the scripted behaviour."""
        parts = urlsplit(handler.path)
        params = {k: v[0] for k, v in parse_qs(parts.query).items()}
        query = params.get("q", "")
        with self._lock:
            self.requests.append(Request(self.clock(), query, params, handler.headers.get("User-Agent", "")))
        if parts.path.rstrip("/") not in ("/search", "/api"):  # Nominatim's and Photon's
            send(handler, 404, b'{"error": "unknown endpoint"}')
            return
        self.answers.get(query, self.default)(handler, self._stop)

    def queries(self) -> list[str]:
        """The queries received, in order."""
        with self._lock:
            return [r.query for r in self.requests]


@contextmanager
def running(stub: NominatimStub) -> Iterator[NominatimStub]:
    """Serve the stub on a free 127.0.0.1 port for the duration of the block."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            stub.handle(self)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield stub
    finally:
        stub._stop.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def refused_url() -> str:
    """A loopback URL where nothing listens (the port was free a moment ago), so connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
