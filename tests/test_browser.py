"""Real browser: Debian chromium drives a real `streamlit run` with every non-loopback request blocked."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from dashboard import mapping
from dashboard.gazetteer import load_gazetteer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "map"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FRAME = 'iframe[title="streamlit_folium.st_folium"]'
# Chromium's own notices about iframe sandbox/permission-policy features; they come from Streamlit's
# component iframe attributes, not from our page, and are warnings rather than errors.
IGNORED_CONSOLE = ("Unrecognized feature", "allow-scripts and allow-same-origin")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    data: Path
    process: subprocess.Popen[bytes]

    def index_of(self, place_id: str) -> int:
        places = load_gazetteer(self.data / "places.yaml").places
        return mapping.place_geometry(places.values()).index[place_id]


def start_server(data: Path) -> Server:
    port = free_port()
    env = {**os.environ, "CONFLICT_MAP_DATA": str(data)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as reply:
                if reply.read() == b"ok":
                    return Server(url, data, process)
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("streamlit did not start within 30 s")


@pytest.fixture(scope="module")
def basic_server() -> Iterator[Server]:
    server = start_server(FIXTURES / "basic")
    yield server
    server.process.terminate()
    server.process.wait(timeout=10)


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[Server]:
    server = start_server(FIXTURES / "hostile")
    yield server
    server.process.terminate()
    server.process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (scripts/test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@dataclass
class Session:
    page: Any
    frame: Any
    outside: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def applied(self) -> int:
        count: int = self.frame.evaluate("window.__cmap.applied")
        return count

    def style_of(self, index: int) -> Any:
        return self.frame.evaluate("(i) => ConflictMap.styleOf(i)", index)


def open_map(browser: Any, server: Server, query: str = "") -> Session:
    page = browser.new_page(viewport={"width": 1400, "height": 950})
    session = Session(page, None)

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith(server.url):
            request_route.continue_()
        else:
            session.outside.append(request_route.request.url)
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: session.problems.append(f"{m.type}: {m.text}")
            if m.type == "error" and not any(s in m.text for s in IGNORED_CONSOLE) else None)
    page.on("pageerror", lambda e: session.problems.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (session.dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server.url}/{query}")
    page.locator(FRAME).wait_for(timeout=30_000)
    session.frame = next(f for f in page.frames if "st_folium" in f.url)
    session.frame.wait_for_function(
        "window.__cmap && window.__cmap.applied > 0 && window.__cmap.basemapLoaded", timeout=30_000)
    return session


def place_point(session: Session, index: int) -> tuple[float, float]:
    """Page coordinates of a place's dot."""
    box = session.page.locator(FRAME).bounding_box()
    x, y = session.frame.evaluate(
        """(i) => { const p = ConflictMap.pointOf(i);
                    const r = window.__cmap.map.getContainer().getBoundingClientRect();
                    return [p[0] + r.left, p[1] + r.top]; }""", index)
    return box["x"] + x, box["y"] + y


def click_place(session: Session, index: int) -> None:
    session.page.mouse.click(*place_point(session, index))


def test_map_renders_offline_without_console_errors(browser: Any, basic_server: Server) -> None:
    session = open_map(browser, basic_server)
    shown = session.frame.evaluate("ConflictMap.shown()")
    assert shown == 4
    legend = session.frame.evaluate("document.querySelector('.cmap-legend').textContent")
    assert legend.startswith("02 Dec 2024")
    # Something is really drawn: the places canvas has non-transparent pixels.
    painted = session.frame.evaluate(
        """() => { const c = window.__cmap.layer._canvas, d = c.getContext('2d')
                   .getImageData(0, 0, c.width, c.height).data;
                   let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }""")
    assert painted > 50
    assert session.outside == []
    assert session.problems == []
    session.page.close()


def test_slider_move_recolours_in_place(browser: Any, basic_server: Server) -> None:
    session = open_map(browser, basic_server)
    bravo = basic_server.index_of("bravo")
    assert session.style_of(bravo)[5] == "HTS"
    session.frame.evaluate("window.__probe = 'same iframe'")
    before = session.applied()
    handle = session.page.get_by_role("slider")
    handle.focus()
    handle.press("Home")
    session.frame.wait_for_function(f"window.__cmap.applied > {before}", timeout=15_000)
    session.page.get_by_text("26 Nov 2024 · 4 of 5 places shown").wait_for(timeout=15_000)
    session.frame.wait_for_function(f"ConflictMap.styleOf({bravo})[5] === 'Government'", timeout=15_000)
    assert session.frame.evaluate("window.__probe") == "same iframe"  # not remounted: zoom and pan kept
    assert "date=2024-11-26" in session.page.url
    assert session.outside == []
    assert session.problems == []
    session.page.close()


def test_clicking_a_place_shows_its_history(browser: Any, basic_server: Server) -> None:
    session = open_map(browser, basic_server)
    click_place(session, basic_server.index_of("alpha"))
    session.page.get_by_role("heading", name="Alpha City").wait_for(timeout=15_000)
    session.page.get_by_text("Held by HTS since 02 Dec 2024.").wait_for(timeout=15_000)
    session.page.get_by_text("The city was described as fully in rebel hands.").wait_for(timeout=15_000)
    assert "place=alpha" in session.page.url
    session.frame.wait_for_function("window.__cmap.selected >= 0", timeout=15_000)
    assert session.problems == []
    session.page.close()


def test_hostile_data_runs_no_script(browser: Any, hostile_server: Server) -> None:
    session = open_map(browser, hostile_server)
    assert session.frame.evaluate("ConflictMap.shown()") == 4
    # Hovering shows the name in the tooltip, as text.
    x, y = place_point(session, hostile_server.index_of("script"))
    tooltip = session.frame.locator(".leaflet-tooltip")
    for attempt in range(20):
        session.page.mouse.move(x + attempt % 2, y)
        if tooltip.count():
            break
        session.page.wait_for_timeout(250)
    assert "</script><script>window.__pwned=2</script>" in tooltip.text_content()
    # Clicking shows names, quotes and outlets as text in the page.
    click_place(session, hostile_server.index_of("tick"))
    session.page.get_by_text("${window.__pwned=7}", exact=False).wait_for(timeout=15_000)
    outlet = session.page.get_by_text("<img src=x onerror=window.__pwned=5>", exact=False).first
    outlet.wait_for(timeout=15_000)
    click_place(session, hostile_server.index_of("script"))
    heading = session.page.get_by_role("heading", name="</script><script>window.__pwned=2</script>")
    heading.wait_for(timeout=15_000)
    assert session.page.evaluate("window.__pwned") is None
    assert session.frame.evaluate("window.__pwned") is None
    assert session.dialogs == []
    assert session.outside == []
    assert session.problems == []
    session.page.close()


@pytest.mark.parametrize(("path", "heading"), [("changes", "What changed hands"), ("gazetteer", "Gazetteer")])
def test_a_shared_link_to_another_page_opens_it_without_a_not_found_dialog(
        browser: Any, basic_server: Server, path: str, heading: str) -> None:
    # Streamlit treats a folder named pages/ beside the script as legacy pages and answered these links with
    # "Page not found" before running the right page; the views live in dashboard/views/ for that reason.
    page = browser.new_page(viewport={"width": 1400, "height": 950})
    page.goto(f"{basic_server.url}/{path}")
    page.get_by_role("heading", name=heading).wait_for(timeout=30_000)
    page.wait_for_timeout(1_000)  # the dialog, when it comes, follows the first render
    assert page.get_by_text("Page not found").count() == 0
    page.close()
