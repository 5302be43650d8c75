"""The shipped data keep the product's promises: factions, the 26 Nov 2024 baseline and the AFP changes."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections import Counter
from collections.abc import Callable

import pytest

from dashboard.control import ControlTimeline
from dashboard.events import EventLog, load_events
from dashboard.factions import FactionSet, load_factions
from dashboard.gazetteer import Gazetteer, load_gazetteer
from dashboard.names import fold
from dashboard.paths import REPO_ROOT

DATA = REPO_ROOT / "data"
SOURCES_DOC = REPO_ROOT / "docs" / "SOURCES.md"
BASELINE = dt.date(2024, 11, 26)
AFP_PUBLISHED = dt.date(2024, 12, 2)
# A light grey basemap, as the map draws under the markers; a faction colour must stand out on it.
LIGHT_GREY = "#e5e5e5"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(DATA / "places.yaml")


@pytest.fixture(scope="module")
def factions() -> FactionSet:
    return load_factions(DATA / "factions.yaml")


@pytest.fixture(scope="module")
def log(gazetteer: Gazetteer, factions: FactionSet) -> EventLog:
    return load_events(DATA / "events.yaml", places=gazetteer.places, factions=factions)


@pytest.fixture(scope="module")
def timeline(log: EventLog, gazetteer: Gazetteer) -> ControlTimeline:
    return ControlTimeline(log.events, gazetteer)


# ---- factions ----

def test_shipped_factions_load_without_warnings(factions: FactionSet) -> None:
    assert factions.warnings == []


@pytest.mark.parametrize(("faction_id", "holds_ground"), [
    ("government", True), ("hts", True), ("sna", True), ("sdf", True), ("southern", True), ("isis", True),
    ("opposition", True), ("russia", False), ("iran", False), ("turkey", False), ("us", False),
    ("israel", False), ("hezbollah", False),
])
def test_faction_ids_and_who_holds_ground(factions: FactionSet, faction_id: str, holds_ground: bool) -> None:
    faction = factions.get(faction_id)
    assert faction is not None
    assert faction.holds_ground is holds_ground


@pytest.mark.parametrize(("alias", "faction_id"), [
    ("Islamist-led rebels", "hts"),
    ("HTS", "hts"),
    ("Hayat Tahrir al-Sham", "hts"),
    ("Hay'at Tahrir al-Sham", "hts"),
    ("Military Operations Command", "hts"),
    ("Operation Deterrence of Aggression", "hts"),
    ("pro-Turkey factions", "sna"),
    ("Turkish-backed rebels", "sna"),
    ("Syrian National Army", "sna"),
    ("Ankara-backed factions", "sna"),
    ("Kurdish-led force", "sdf"),
    ("Kurdish fighters", "sdf"),
    ("Kurdish forces", "sdf"),
    ("US-backed Kurdish-led forces", "sdf"),
    ("YPG", "sdf"),
    ("regime forces", "government"),
    ("Assad's army", "government"),
    ("Syrian military", "government"),
    ("the army", "government"),
    ("loyalist forces", "government"),
    ("Southern Operations Room", "southern"),
    ("Islamic State", "isis"),
    ("Daesh", "isis"),
    ("rebels", "opposition"),
    ("insurgents", "opposition"),
    ("anti-regime groups", "opposition"),
    ("Hezbollah", "hezbollah"),
    ("Russian warplanes", "russia"),
])
def test_news_words_resolve_to_their_faction(factions: FactionSet, alias: str, faction_id: str) -> None:
    assert factions.resolve(alias) == faction_id


@pytest.mark.parametrize("ambiguous", ["jihadists", "Islamists", "militants", "Syrian authorities"])
def test_words_that_name_no_single_side_resolve_to_nothing(factions: FactionSet, ambiguous: str) -> None:
    assert factions.resolve(ambiguous) is None


@pytest.mark.parametrize("key", [str.casefold, fold], ids=["casefold", "fold"])
def test_every_alias_names_one_faction_only(factions: FactionSet, key: Callable[[str], str]) -> None:
    counts = Counter(key(a) for f in factions.factions.values() for a in (f.name, *f.aliases))
    assert [k for k, n in counts.items() if n > 1] == []


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(color: str) -> list[float]:
    return [_linear(int(color[i:i + 2], 16)) for i in (1, 3, 5)]


def _luminance(color: str) -> float:
    r, g, b = _rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# Vienot, Brettel & Mollon (1999): how protanopes and deuteranopes see a linear-RGB colour.
_VISION = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.11238, 0.88762, 0), (0.11238, 0.88762, 0), (0.00401, -0.00401, 1)),
    "deuteranopia": ((0.29275, 0.70725, 0), (0.29275, 0.70725, 0), (-0.02234, 0.02234, 1)),
}


def _lab_as_seen(color: str, vision: str) -> tuple[float, float, float]:
    v = _rgb(color)
    r, g, b = (sum(m * x for m, x in zip(row, v, strict=True)) for row in _VISION[vision])
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


@pytest.mark.parametrize("vision", list(_VISION))
def test_map_colours_stay_apart_for_colour_blind_readers(factions: FactionSet, vision: str) -> None:
    colours = {f.id: f.color for f in factions.map_factions()}
    closest = min(
        (math.dist(_lab_as_seen(a, vision), _lab_as_seen(b, vision)), x, y)
        for (x, a), (y, b) in itertools.combinations(colours.items(), 2)
    )
    # 15 CIELAB units is far more than the ~2.3 of a just-noticeable difference.
    assert closest[0] >= 15, closest


def test_map_colours_stand_out_on_a_light_grey_basemap(factions: FactionSet) -> None:
    weak = {f.id: round(_contrast(f.color, LIGHT_GREY), 2) for f in factions.map_factions()
            if _contrast(f.color, LIGHT_GREY) < 1.5}
    assert weak == {}


def test_the_contrast_check_would_catch_pure_yellow() -> None:
    assert _contrast("#F0E442", LIGHT_GREY) < 1.5


# ---- the control log ----

def test_shipped_events_load_against_places_and_factions_without_warnings(log: EventLog) -> None:
    assert [w.render() for w in log.warnings] == []


def test_every_event_is_a_reviewed_manual_entry_with_a_dated_source_and_a_summary(log: EventLog) -> None:
    bad = [
        (ev.line, ev.place) for ev in log.events
        if ev.origin != "manual" or not ev.reviewed or not ev.source.outlet or ev.source.published is None
        or not ev.source.article or not 20 <= len(ev.quote) <= 300
    ]
    assert bad == []


def test_every_source_url_is_documented_in_sources_md(log: EventLog) -> None:
    documented = SOURCES_DOC.read_text(encoding="utf-8")
    urls = {ev.source.url for ev in log.events if ev.source.url}
    assert urls, "expected at least one source with a checked URL"
    assert sorted(u for u in urls if u not in documented) == []


def test_every_article_slug_starts_with_a_publication_date(log: EventLog) -> None:
    bad = {
        ev.source.article for ev in log.events
        if not re.fullmatch(r"[a-z0-9-]+-\d{4}-\d\d-\d\d(-[a-z0-9-]+)?", ev.source.article or "")
    }
    assert bad == set()


def test_baseline_asserts_each_place_once_and_covers_well_over_100_places(log: EventLog) -> None:
    baseline = Counter(ev.place for ev in log.events if ev.kind == "held" and ev.date == BASELINE)
    assert [p for p, n in baseline.items() if n > 1] == []
    assert len(baseline) > 150


@pytest.mark.parametrize("governorate", [
    "idlib-governorate", "aleppo-governorate", "raqqa-governorate", "deir-ez-zor-governorate",
    "hasakah-governorate", "hama-governorate", "homs-governorate", "damascus-governorate",
    "latakia-governorate", "tartus-governorate", "daraa-governorate", "suwayda-governorate",
])
def test_baseline_reaches_every_region_the_map_promises(log: EventLog, gazetteer: Gazetteer,
                                                        governorate: str) -> None:
    places = {ev.place for ev in log.events if ev.kind == "held" and ev.date == BASELINE}
    assert any(gazetteer.places[p].admin1 == governorate for p in places)


@pytest.mark.parametrize(("place", "when", "holder"), [
    ("aleppo", BASELINE, "government"),
    ("khan-sheikhun", BASELINE, "government"),
    ("maaret-al-numan", BASELINE, "government"),
    ("saraqib", BASELINE, "government"),
    ("tal-rifaat", BASELINE, "sdf"),
    ("idlib", BASELINE, "hts"),
    ("afrin", BASELINE, "sna"),
    ("manbij", BASELINE, "sdf"),
    ("raqqa", BASELINE, "sdf"),
    ("deir-ez-zor", BASELINE, "government"),
    ("hama", BASELINE, "government"),
    ("aleppo", AFP_PUBLISHED, "hts"),
    ("khan-sheikhun", AFP_PUBLISHED, "hts"),
    ("maaret-al-numan", AFP_PUBLISHED, "hts"),
    ("tal-rifaat", dt.date(2024, 11, 30), "sdf"),
    ("tal-rifaat", dt.date(2024, 12, 1), "sna"),
    ("tal-rifaat", AFP_PUBLISHED, "sna"),
    # The report describes air raids on Idlib and an advance into Hama province, not changes of hands.
    ("idlib", AFP_PUBLISHED, "hts"),
    ("hama", AFP_PUBLISHED, "government"),
    ("hama", dt.date(2024, 12, 5), "hts"),
    ("saraqib", AFP_PUBLISHED, "hts"),
    ("aleppo-international-airport", AFP_PUBLISHED, "hts"),
])
def test_who_holds_what_on_the_dates_the_dashboard_shows(timeline: ControlTimeline, place: str,
                                                         when: dt.date, holder: str) -> None:
    assert timeline.status_at(place, when).faction == holder


def test_aleppo_is_only_partly_taken_on_the_afp_date(timeline: ControlTimeline) -> None:
    status = timeline.status_at("aleppo", AFP_PUBLISHED)
    assert status.state in ("partial", "mixed")
    assert status.since == dt.date(2024, 11, 30)
    assert [ev.kind for ev in status.events if ev.place == "aleppo"] == ["captured_partial"]


def test_qamishli_with_its_government_held_airport_shows_as_mixed(timeline: ControlTimeline) -> None:
    status = timeline.status_at("qamishli", BASELINE)
    assert (status.state, status.factions) == ("mixed", ("sdf", "government"))


KURDISH_DISTRICTS = ["sheikh-maqsoud", "ashrafiyeh"]


@pytest.mark.parametrize("district", KURDISH_DISTRICTS)
@pytest.mark.parametrize("when", [BASELINE, AFP_PUBLISHED])
def test_aleppo_kurdish_districts_stay_with_the_sdf(timeline: ControlTimeline, gazetteer: Gazetteer,
                                                    district: str, when: dt.date) -> None:
    if district not in gazetteer.places:
        pytest.skip(f"the gazetteer has no '{district}' yet, so its events cannot be entered")
    assert timeline.status_at(district, when).faction == "sdf"


def test_the_afp_report_changes_the_four_towns_it_names(timeline: ControlTimeline) -> None:
    changed = {ev.place for ev in timeline.changes_between(BASELINE, AFP_PUBLISHED)}
    assert {"aleppo", "khan-sheikhun", "maaret-al-numan", "tal-rifaat"} <= changed
    assert {"idlib", "hama"}.isdisjoint(changed)


def _in_aleppo(gazetteer: Gazetteer, place_id: str) -> bool:
    place = gazetteer.places[place_id]
    while place.parent is not None:
        if place.parent == "aleppo":
            return True
        place = gazetteer.places[place.parent]
    return False


def test_afp_changes_are_the_four_towns_it_names_and_aleppo_districts(log: EventLog,
                                                                       gazetteer: Gazetteer) -> None:
    afp = [ev for ev in log.events if ev.source.article == "afp-2024-12-02" and ev.kind != "held"]
    named = {"aleppo", "khan-sheikhun", "maaret-al-numan", "tal-rifaat"}
    assert named <= {ev.place for ev in afp}
    assert [ev.place for ev in afp if ev.place not in named and not _in_aleppo(gazetteer, ev.place)] == []
    assert all(ev.quote.startswith("AFP, citing the Syrian Observatory") for ev in afp)
