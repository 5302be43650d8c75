"""The gazetteer: place validation messages, useful warnings, and ranked lookups under many spellings."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.errors import DataErrors
from dashboard.gazetteer import Gazetteer, load_gazetteer, validate_places_text
from dashboard.models import Place
from dashboard.names import fold

HEAD = "places:\n  - id: aleppo-governorate\n    name: Aleppo Governorate\n    kind: governorate\n" \
       "    lat: 36.2\n    lon: 37.6\n"


def _place(**fields: object) -> str:
    """One place entry (after the governorate in HEAD), fields in the order given; None leaves a field out."""
    base: dict[str, object] = {"id": "x", "name": "X", "kind": "town", "lat": 36.4, "lon": 37.1}
    base.update(fields)
    lines = []
    for key, value in base.items():
        if value is None:
            continue
        lines.append(f"{'  - ' if not lines else '    '}{key}: {value}")
    return "\n".join(lines) + "\n"


def _check(*entries: str) -> tuple[list[str], list[str]]:
    _, errors, warnings = validate_places_text(HEAD + "".join(entries), "data/places.yaml")
    return [e.render() for e in errors], [w.render() for w in warnings]


@pytest.mark.parametrize(("entry", "message"), [
    (_place(lat=137.09), "data/places.yaml:10:10: place 'x' has latitude 137.09; expected -90..90"),
    (_place(lon=237.1), "data/places.yaml:11:10: place 'x' has longitude 237.1; expected -180..180"),
    (_place(lat=".nan"), "data/places.yaml:10:10: latitude of place 'x' must be a finite number, not .nan"),
    (_place(lat='"36.4"'), "data/places.yaml:10:10: latitude of place 'x' must be a number, not '36.4'"),
    (_place(lat="36,4"), "data/places.yaml:10:10: latitude of place 'x' must be a number, not '36,4'"),
    (_place(lat="null"), "data/places.yaml:10:10: place 'x' has lon but no lat; give both, or both null "
                         "while awaiting geocoding"),
    (_place(lng=37.1), "data/places.yaml:12:5: unknown field 'lng' in place 'x'; did you mean 'lon'?"),
    (_place(colour="red"), "data/places.yaml:12:5: unknown field 'colour' in place 'x'; allowed: id, name, "
                           "name_ar, aliases, kind, admin1, parent, lat, lon, population, geonames, "
                           "coords_source, reviewed, note"),
    (_place(kind="cty"), "data/places.yaml:9:11: place 'x' has unknown kind 'cty'; did you mean 'city'?"),
    (_place(kind="hamlet"), "data/places.yaml:9:11: place 'x' has unknown kind 'hamlet'; expected one of: "
                            "city, town, village, neighbourhood, governorate, district, facility, region"),
    (_place(id="Tal_Rifaat"), "data/places.yaml:7:9: place id 'Tal_Rifaat' must be a lowercase slug like "
                              "'tal-rifaat' (a-z, 0-9, single hyphens)"),
    (_place(id="aleppo-governorate"), "data/places.yaml:7:9: duplicate place id 'aleppo-governorate' (first "
                                      "at line 2)"),
    (_place(name="''"), "data/places.yaml:8:11: name of place 'x' must not be empty"),
    (_place(aliases="Tell X"), "data/places.yaml:12:14: aliases of place 'x' must be a list like [A, B], not "
                               "'Tell X'"),
    (_place(aliases="[A, '']"), "data/places.yaml:12:18: each entry of aliases of place 'x' must not be "
                                "empty"),
    (_place(admin1="aleppo-gov"), "data/places.yaml:12:13: admin1 'aleppo-gov' of place 'x' is not a place "
                                  "id in this file; did you mean 'aleppo-governorate'?"),
    (_place(parent="x"), "data/places.yaml:12:13: place 'x' names itself as its parent"),
    (_place(population=-3), "data/places.yaml:12:17: population of place 'x' must be at least 0, not -3"),
    (_place(geonames="abc"), "data/places.yaml:12:15: geonames id of place 'x' must be a whole number, not "
                             "'abc'"),
    (_place(coords_source="google"), "data/places.yaml:12:20: place 'x' has unknown coords_source 'google'; "
                                     "expected one of: geonames, nominatim, manual"),
    (_place(reviewed="yes"),
     "data/places.yaml:12:15: reviewed of place 'x' must be true or false, not 'yes'"),
    ("  - just a name\n", "data/places.yaml:7:5: each place must be a mapping of fields, not 'just a name'"),
])
def test_a_bad_place_is_reported_at_its_field(entry: str, message: str) -> None:
    errors, _ = _check(entry)
    assert errors == [message]


def test_a_misspelt_required_field_gives_both_messages() -> None:
    errors, _ = _check(_place(lng=37.1, lon=None))
    assert errors == [
        "data/places.yaml:7:5: place 'x' is missing required field 'lon'",
        "data/places.yaml:11:5: unknown field 'lng' in place 'x'; did you mean 'lon'?",
    ]


def test_every_problem_in_a_file_is_reported_in_line_order() -> None:
    errors, _ = _check(_place(id="a", lat=137.0), _place(id="b", kind="cty"), _place(id="a"))
    assert errors == [
        "data/places.yaml:10:10: place 'a' has latitude 137; expected -90..90",
        "data/places.yaml:14:11: place 'b' has unknown kind 'cty'; did you mean 'city'?",
        "data/places.yaml:17:9: duplicate place id 'a' (first at line 7)",
    ]


def test_a_parent_loop_is_an_error() -> None:
    errors, _ = _check(_place(id="a", parent="b"), _place(id="b", parent="a"))
    assert errors == [
        "data/places.yaml:12:13: parent chain of place 'a' loops back to it (a -> b -> a)",
        "data/places.yaml:18:13: parent chain of place 'b' loops back to it (b -> a -> b)",
    ]


@pytest.mark.parametrize(("entries", "warnings"), [
    ((_place(lat=48.59, lon=37.1),),
     ["data/places.yaml:10:10: warning: place 'x' at 48.59, 37.1 is outside the Syria region "
      "(31.8..37.9 N, 35.2..42.9 E)"]),
    ((_place(lat=40.1, lon=36.2),),
     ["data/places.yaml:10:10: warning: place 'x' at 40.1, 36.2 is outside the Syria region "
      "(31.8..37.9 N, 35.2..42.9 E) (lat and lon swapped?)"]),
    ((_place(id="a", name="Qabasin", lat=36.4, lon=37.7),
      _place(id="b", name="Qabbasin", lat=36.41, lon=37.71)),
     ["data/places.yaml:13:11: warning: name 'Qabbasin' of place 'b' is also a name of 'a' (line 7); only "
      "1.4 km apart: the same place entered twice?"]),
    ((_place(id="a", name="Suran", lat=36.4, lon=37.7), _place(id="b", name="Suran", lat=35.3, lon=36.7)),
     ["data/places.yaml:13:11: warning: name 'Suran' of place 'b' is also a name of 'a' (line 7); lookups "
      "will return all of them"]),
    ((_place(admin1="x-town"), _place(id="x-town")),
     ["data/places.yaml:12:13: warning: admin1 'x-town' of place 'x' is a town, not a governorate"]),
    # A city, the governorate and the district named after it, and a neighbourhood named like its city.
    ((_place(id="idlib-governorate", name="Idlib", kind="governorate"),
      _place(id="idlib-district", name="Idlib", kind="district", admin1="idlib-governorate"),
      _place(id="idlib", name="Idlib", kind="city", admin1="idlib-governorate"),
      _place(id="old-idlib", name="Idlib", kind="neighbourhood", parent="idlib")), []),
])
def test_warnings_are_few_and_useful(entries: tuple[str, ...], warnings: list[str]) -> None:
    errors, found = _check(*entries)
    assert errors == []
    assert found == warnings


def test_null_coordinates_together_mean_awaiting_geocoding() -> None:
    places, errors, warnings = validate_places_text(HEAD + _place(lat="null", lon="null"), "p.yaml")
    assert errors == []
    assert warnings == []
    assert places["x"].lat is None
    assert places["x"].lon is None


def test_optional_fields_are_read() -> None:
    entry = _place(id="tal-rifaat", name="Tal Rifaat", aliases="[Tell Rifaat, NO]", name_ar="تل رفعت",
                   admin1="aleppo-governorate", population=20514, geonames=163476, coords_source="geonames",
                   reviewed="false", note='"GeoNames position"')
    places, errors, _ = validate_places_text(HEAD + entry, "p.yaml")
    assert errors == []
    assert places["tal-rifaat"] == Place(
        id="tal-rifaat", name="Tal Rifaat", kind="town", lat=36.4, lon=37.1, aliases=("Tell Rifaat", "NO"),
        name_ar="تل رفعت", admin1="aleppo-governorate", population=20514, geonames=163476,
        coords_source="geonames", reviewed=False, line=7,
    )


def test_load_gazetteer_raises_every_error_at_once(write: Callable[[str, str], Path]) -> None:
    path = write("places.yaml", HEAD + _place(id="a", lat=99) + _place(id="b", kind="cty"))
    with pytest.raises(DataErrors) as info:
        load_gazetteer(path)
    assert [e.line for e in info.value.errors] == [10, 14]


def test_load_gazetteer_keeps_file_order_hash_and_warnings(write: Callable[[str, str], Path]) -> None:
    path = write("places.yaml", HEAD + _place(id="far", lat=48.0, lon=37.0) + _place(id="near", name="Y"))
    gaz = load_gazetteer(path)
    assert list(gaz.places) == ["aleppo-governorate", "far", "near"]
    assert len(gaz.sha256) == 64
    assert [w.line for w in gaz.warnings] == [10]


# ---- lookups ----

def _gazetteer() -> Gazetteer:
    places = [
        Place("idlib-governorate", "Idlib Governorate", "governorate", 35.8, 36.6, aliases=("Idlib",)),
        Place("idlib", "Idlib", "city", 35.93, 36.63, aliases=("Idleb", "إدلب"), admin1="idlib-governorate",
              population=165000),
        Place("tal-rifaat", "Tal Rifaat", "town", 36.47, 37.09, aliases=("Tell Rifaat", "تل رفعت")),
        Place("maaret-al-numan", "Maaret al-Numan", "town", 35.65, 36.68, aliases=("Maarrat al-Nu'man",)),
        Place("saraqib", "Saraqib", "town", 35.86, 36.81),
    ]
    return Gazetteer({p.id: p for p in places})


@pytest.mark.parametrize(("query", "expected"), [
    ("Idlib", [("idlib", "exact"), ("idlib-governorate", "exact")]),
    ("IDLEB", [("idlib", "exact"), ("idlib-governorate", "skeleton")]),
    ("idlib governorate", [("idlib-governorate", "exact")]),
    ("Tall Rif'at", [("tal-rifaat", "folded")]),
    ("تل رفعت", [("tal-rifaat", "exact")]),
    ("Ma'arrat an-Nu'man", [("maaret-al-numan", "folded")]),
    ("Maarat al-Nouman", [("maaret-al-numan", "folded")]),
    ("Sarakib", [("saraqib", "skeleton")]),
    ("Saraqibb", [("saraqib", "folded")]),
    ("Saraqeeb", [("saraqib", "folded")]),
    ("Sarmada", []),
    ("Damascus", []),
    ("", []),
])
def test_lookup_ranks_candidates(query: str, expected: list[tuple[str, str]]) -> None:
    assert [(c.place.id, c.how) for c in _gazetteer().lookup(query)] == expected


def test_lookup_falls_back_to_close_spellings() -> None:
    found = _gazetteer().lookup("Saraqin")
    assert [(c.place.id, c.how) for c in found] == [("saraqib", "fuzzy")]
    assert 0 < found[0].score < 0.8


def test_lookup_filters_by_kind_and_reports_the_spelling_matched() -> None:
    gaz = _gazetteer()
    assert [c.place.id for c in gaz.lookup("Idlib", kinds=["governorate"])] == ["idlib-governorate"]
    assert gaz.lookup("tell rifaat")[0].matched == "Tell Rifaat"
    assert gaz.ids_for_folded(fold("Idleb")) == ("idlib",)
    assert gaz.ids_for_folded("nowhere") == ()
    assert "idlib" in gaz
    assert gaz.get("nowhere") is None
    assert len(gaz) == 5


_LETTERS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9)


@settings(max_examples=200, deadline=None)
@given(st.lists(_LETTERS, min_size=1, max_size=3), st.sampled_from(["upper", "title", "accents", "spaces"]))
def test_lookup_is_case_and_diacritic_insensitive(words: list[str], variant: str) -> None:
    name = " ".join(words)
    if not fold(name):
        return  # the name is only articles (al, el...): it can never be matched, which validation warns about
    gaz = Gazetteer({"p": Place("p", name, "village", 35.0, 37.0)})
    if variant == "upper":
        query = name.upper()
    elif variant == "title":
        query = name.title()
    elif variant == "accents":
        query = unicodedata.normalize("NFC", "".join(c + "\u0301" if c in "aeiou" else c for c in name))
    else:
        query = "  " + name.replace(" ", "   ") + " "
    assert [c.place.id for c in gaz.lookup(query)] == ["p"]
    assert fold(fold(name)) == fold(name)
