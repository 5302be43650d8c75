"""Finding the Syrian places a text names: spellings, cues, metonymy, factions, foreign places."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.factions import FactionSet, load_factions
from dashboard.gazetteer import Gazetteer, load_gazetteer
from dashboard.geoparse import Geoparser, find_mentions

FIXTURES = Path(__file__).parent / "devset" / "fixtures"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(FIXTURES / "places.yaml")


@pytest.fixture(scope="module")
def factions() -> FactionSet:
    return load_factions(FIXTURES / "factions.yaml")


@pytest.fixture(scope="module")
def parser(gazetteer: Gazetteer, factions: FactionSet) -> Geoparser:
    return Geoparser(gazetteer, factions)


def found(parser: Geoparser, text: str) -> list[tuple[str, str]]:
    return [(m.text, m.place) for m in parser.parse(text).mentions]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # spellings: possessives, hyphen and apostrophe variants, doubled letters, Arabic script
        ("Rebels patrolled Aleppo's streets.", [("Aleppo's", "aleppo")]),
        ("Fighting near Maarrat al-Nu'man and Maarat al Numan.",
         [("Maarrat al-Nu'man", "maaret-al-numan"), ("Maarat al Numan", "maaret-al-numan")]),
        ("The town of Tell Rifaat fell; Tal-Rifaat was quiet.",
         [("Tell Rifaat", "tal-rifaat"), ("Tal-Rifaat", "tal-rifaat")]),
        ("Khan Shaykhun and Deir Ezzor.",
         [("Khan Shaykhun", "khan-sheikhun"), ("Deir Ezzor", "deir-ez-zor")]),
        ("Shelling hit Hamah.", [("Hamah", "hama")]),
        ("اشتباكات في حلب", [("حلب", "aleppo")]),
        ("They took al-Bab.", [("al-Bab", "al-bab")]),
        # cues: governorate, countryside, city
        ("Air raids on several areas of Idlib province.", [("Idlib province", "idlib-governorate")]),
        # a pair sharing one plural area word: both are governorates
        ("Clashes spread across Idlib and Aleppo provinces.",
         [("Idlib", "idlib-governorate"), ("Aleppo", "aleppo-governorate")]),
        ("Clashes in Idlib and Aleppo, the provinces' capitals.", [("Idlib", "idlib"), ("Aleppo", "aleppo")]),
        # a comma list sharing one plural area word: every name is a governorate
        ("Hostilities continue across Aleppo, Idlib and Hama governorates.",
         [("Aleppo", "aleppo-governorate"), ("Idlib", "idlib-governorate"), ("Hama", "hama-governorate")]),
        ("Aleppo, Idlib and Hama were calm.", [("Aleppo", "aleppo"), ("Idlib", "idlib"), ("Hama", "hama")]),
        ("Aleppo, where the front is quiet, and Idlib provinces", [("Aleppo", "aleppo"),
                                                                  ("Idlib", "idlib-governorate")]),
        # "the countryside of X" is the area, "the countryside of X city" names the city
        ("Clashes in the countryside of Manbij city.", [("Manbij", "manbij")]),
        ("Clashes in the countryside of Hama.", [("Hama", "hama-governorate")]),
        # "the X countryside" is the land around the city: a bare "X" elsewhere stays the city
        ("In Aleppo, calm. Jets hit towns in the Aleppo countryside.",
         [("Aleppo", "aleppo"), ("Aleppo countryside", "aleppo-governorate")]),
        # a cue word does not reach across a sentence end
        ("Jets hit the western Aleppo countryside. Hama stayed calm.",
         [("Aleppo countryside", "aleppo-governorate"), ("Hama", "hama")]),
        ("Troops pulled back to the provinces of Idlib and Hama.",
         [("Idlib", "idlib-governorate"), ("Hama", "hama-governorate")]),
        ("Villages in the western Aleppo countryside.", [("Aleppo countryside", "aleppo-governorate")]),
        ("Clashes in the Hama countryside.", [("Hama", "hama-governorate")]),
        ("They took over Aleppo city.", [("Aleppo", "aleppo")]),
        ("Strikes on Idlib city.", [("Idlib", "idlib")]),
        ("Fighting in the countryside of Hama.", [("Hama", "hama-governorate")]),
        ("the city of Daraa", [("Daraa", "daraa")]),
        # New Aleppo is its own place, never Aleppo
        ("Rebels reached New Aleppo.", [("New Aleppo", "new-aleppo")]),
        # metonymy: a city standing for a government is not a place on the map
        ("Damascus said the army had regrouped.", []),
        ("A Damascus ally, Iran, called for calm.", []),
        ("The Damascus government denied it.", []),
        ("Pro-Damascus militias withdrew.", []),
        ("Damascus-backed forces advanced.", []),
        ("The embassy in Damascus said it was closing.", [("Damascus", "damascus")]),
        ("Crowds gathered in Damascus.", [("Damascus", "damascus")]),
        ("Residents of Hama and Homs said the streets were calm.", [("Hama", "hama"), ("Homs", "homs")]),
        # faction names that contain a place
        ("The Deir ez-Zor Military Council said it held the bridge.", []),
        ("The Manbij Military Council withdrew from Manbij.", [("Manbij", "manbij")]),
        # foreign places are not Syrian map places
        ("Hezbollah officials in Beirut and diplomats in Moscow and Ankara.", []),
        ("Talks in Tehran and Baghdad.", []),
        # a compass adjective before a governorate seat names the area; before a town, the town
        ("Two towns in southern Idlib fell to HTS.", [("Idlib", "idlib-governorate")]),
        ("Rebels entered northern Rastan.", [("Rastan", "rastan")]),
        ("Jets struck the Hama and Idlib countrysides.", [("Hama", "hama-governorate"),
                                                        ("Idlib", "idlib-governorate")]),
        # a place name with a number is an outlet's name
        ("Fighters entered Hama, Daraa 24 reported.", [("Hama", "hama")]),
        ("Homs, according to Aleppo 24, fell.", [("Homs", "homs")]),
        ("Daraa 24 said the army left Homs.", [("Homs", "homs")]),
        # people and common words are not places
        ("President Bashar al-Assad spoke to Hussein Ahmed.", []),
        ("the aleppo pine grows here", []),
    ],
)
def test_mentions(parser: Geoparser, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(parser, text) == expected


def test_mention_carries_span_coordinates_and_kind(gazetteer: Gazetteer) -> None:
    text = "Turkish-backed factions seized Tal Rifaat on Sunday."
    (m,) = find_mentions(text, gazetteer)
    assert (m.text, m.start, m.end, m.place, m.kind) == ("Tal Rifaat", 31, 41, "tal-rifaat", "town")
    assert text[m.start: m.end] == "Tal Rifaat"
    assert (m.lat, m.lon) == (36.47, 37.09)


def test_bare_name_follows_the_articles_province_cue_only_where_an_area_fits(parser: Geoparser) -> None:
    text = ("Saraqib in Idlib province fell. Jets struck rebel positions in Idlib. "
            "A convoy left Idlib at dawn.")
    assert [m.place for m in parser.parse(text).mentions] == [
        "saraqib", "idlib-governorate", "idlib-governorate", "idlib"]


def test_context_resolves_a_sentence_from_the_whole_article(parser: Geoparser) -> None:
    article = "Rebels advanced across Idlib province. Jets struck positions in Idlib."
    sentence = "Jets struck positions in Idlib."
    assert [m.place for m in parser.parse(sentence).mentions] == ["idlib"]
    assert [m.place for m in parser.parse(sentence, context=article).mentions] == ["idlib-governorate"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rebels captured Suran north of Hama and then Rastan.", "suran"),
        ("Turkish-backed factions took Suran near al-Bab and Manbij.", "suran-aleppo"),
    ],
)
def test_namesake_towns_resolve_to_the_one_near_the_other_places(
    parser: Geoparser, text: str, expected: str,
) -> None:
    assert [m.place for m in parser.parse(text).mentions if m.text == "Suran"] == [expected]


def test_faction_names_are_found_with_their_spans(parser: Geoparser) -> None:
    result = parser.parse("HTS and the Kurdish-led forces clashed; IS cells hid. It is late.")
    assert [(h.faction, h.generic) for h in result.factions] == [
        ("hts", False), ("sdf", False), ("isis", False)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "anti-X" forces are the unnamed opposition to X, with the prefix in their span
        ("Anti-regime forces entered the town.", [("Anti-regime forces", "opposition", True)]),
        ("Anti-government forces and regime forces clashed.",
         [("Anti-government forces", "opposition", True), ("regime forces", "government", False)]),
        ("The militants withdrew.", [("militants", "opposition", True)]),
    ],
)
def test_anti_and_generic_fighters_are_the_unnamed_opposition(
    parser: Geoparser, text: str, expected: list[tuple[str, str, bool]],
) -> None:
    result = parser.parse(text)
    assert [(text[h.start: h.end], h.faction, h.generic) for h in result.factions] == expected


def test_unresolved_collects_place_like_names_the_gazetteer_lacks(parser: Geoparser) -> None:
    text = ("Rebels seized the villages of Urum al-Sughra and Anjara, including Kafr Basha, Saraqib and "
            "Sheikh Aqil, near Beirut.")
    result = parser.parse(text)
    assert [u.text for u in result.unresolved] == ["Urum al-Sughra", "Anjara", "Kafr Basha", "Sheikh Aqil"]
    assert [m.place for m in result.mentions] == ["saraqib"]


def test_geoparser_is_cached_per_gazetteer(gazetteer: Gazetteer, factions: FactionSet) -> None:
    from dashboard.geoparse import geoparser_for

    assert geoparser_for(gazetteer, factions) is geoparser_for(gazetteer, factions)
    assert geoparser_for(gazetteer) is not geoparser_for(gazetteer, factions)


def test_a_region_named_in_full_resolves_its_bare_name_near_the_other_places(
    tmp_path: Path, factions: FactionSet,
) -> None:
    extra = (
        "  - {id: shahba-region, name: Shahba region, kind: region, admin1: aleppo-governorate, lat: 36.45,"
        " lon: 37.12}\n"
        "  - {id: shahba, name: Shahba, kind: town, lat: 32.85, lon: 36.63}\n"
    )
    path = tmp_path / "places.yaml"
    path.write_text((FIXTURES / "places.yaml").read_text(encoding="utf-8") + extra, encoding="utf-8")
    parser = Geoparser(load_gazetteer(path), factions)
    north = "Families from Shahba reached Manbij. The SNA took Tal Rifaat in the Shahba region."
    assert [m.place for m in parser.parse(north).mentions if m.text == "Shahba"] == ["shahba-region"]
    # without the region named, or near the town, the bare name is the town
    assert [m.place for m in parser.parse("Families from Shahba reached Manbij.").mentions
            if m.text == "Shahba"] == ["shahba"]
    south = "Druze fighters held Shahba and Daraa. Talks on the Shahba region were held in Daraa."
    assert [m.place for m in parser.parse(south).mentions if m.text == "Shahba"] == ["shahba"]
