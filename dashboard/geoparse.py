"""Find the Syrian places a news text names: longest match over folded gazetteer names, with context rules.

The text is tokenised once; each token is folded (cached) and runs of folded tokens are matched, longest
first, against one trie holding place names, faction names and a built-in list of foreign places. A faction
or foreign match shadows the place names inside it ("Deir ez-Zor Military Council", "Beirut"). Then context
decides: "X province" / "the X countryside" mean the governorate, "X city" the city, "New Aleppo" is not
Aleppo, "Damascus said" and "a Damascus ally" are not places on the map.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from dashboard.models import Mention, Place
from dashboard.names import fold, fold_token, tokens

if TYPE_CHECKING:
    from dashboard.factions import FactionSet

# Capitals and neighbours' cities that Syria news names; they shadow any Syrian namesake and are never
# reported as unresolved. Countries are here for the same reason.
FOREIGN_PLACES: tuple[str, ...] = (
    "Beirut", "Tripoli", "Sidon", "Tyre", "Baalbek", "Hermel", "Arsal", "Zahle", "Moscow", "Sochi",
    "Ankara", "Istanbul", "Gaziantep", "Antep", "Hatay", "Antakya", "Kilis", "Reyhanli", "Sanliurfa", "Urfa",
    "Akcakale", "Ceylanpinar", "Nusaybin", "Mardin", "Adana", "Incirlik", "Tehran", "Baghdad", "Mosul",
    "Erbil", "Kirkuk", "Sulaymaniyah", "Sinjar", "al-Qaim", "Ramadi", "Rutba", "Amman", "Irbid", "Mafraq",
    "Zarqa", "Tel Aviv", "Jerusalem", "Haifa", "Gaza", "Washington", "New York", "London", "Paris",
    "Berlin", "Brussels", "Geneva", "Vienna", "Astana", "Riyadh", "Doha", "Cairo", "Dubai", "Abu Dhabi",
    "Kyiv", "Kiev", "Beijing", "Syria", "Lebanon", "Turkey", "Turkiye", "Iraq", "Jordan", "Israel", "Iran",
    "Russia", "Ukraine", "United States", "France", "Germany", "Britain", "United Kingdom", "Qatar",
    "Saudi Arabia", "Egypt", "Yemen", "Libya", "Kurdistan", "Europe", "West Bank", "Golan Heights",
)
# Rebels a report does not name go to this faction; extraction may resolve them to the article's coalition.
GENERIC_FACTION = "opposition"
GENERIC_ACTORS: tuple[str, ...] = (
    "fighters", "rebel fighters", "insurgent fighters", "armed groups", "armed factions", "local factions",
    "local fighters", "factions", "allied factions", "rebel factions", "militants", "jihadists",
    "opposition groups", "armed opposition groups", "rebel units",
    # the state media's words for the same armed opposition
    "terrorists", "terrorist groups", "terrorist organizations", "terrorist organisations",
    "terrorist factions", "armed terrorist groups", "terrorist organization", "terrorist organisation",
)
# Words for a named side that its own or its rivals' media use; added only when the faction file lacks them.
SIDE_ACTORS: dict[str, tuple[str, ...]] = {
    # Kurdish media call the Turkish-backed SNA "the occupation factions" or "mercenaries"
    "sna": ("occupation factions", "Turkish occupation factions", "occupation mercenaries",
            "Turkish occupation mercenaries", "Turkish-backed mercenaries", "Turkish mercenaries"),
    # the south's own rebels, named by region rather than by their operations room
    "southern": ("southern rebel factions", "southern rebel groups", "southern fighters",
                 "rebels in the south", "fighters in the south", "factions in the south",
                 "rebel factions in the south", "southern armed groups",
                 "armed groups in the south", "local factions in the south"),
}
# Plain words for the state's forces in Syria reports ("an army brigade surrendered"), when the faction file
# does not already name them; a longer name wins ("Turkish troops", "US troops").
GOVERNMENT_FACTION = "government"
GOVERNMENT_ACTORS: tuple[str, ...] = (
    "army units", "army unit", "army brigade", "army troops", "army soldiers", "army forces", "troops",
    "soldiers",
)
# Single words that are also names, titles or common words; on their own they never make a mention.
_STOP_WORDS = (
    "al el bab tal tell tall abu umm ain ras deir kafr khan beit jabal jebel sheikh sayyida the new old "
    "city town village camp dam hill base airport north south east west central upper lower great "
    "assad asad ahmed ahmad mohammed muhammad mohammad ali hussein hassan omar khaled khalid bashar "
    "hafez maher jolani sharaa abdullah ibrahim mustafa youssef yusuf salim saleh karim nasser "
    "said army state free liberty victory hope union may march"
)
STOP_SINGLE: frozenset[str] = frozenset(fold_token(w) for w in _STOP_WORDS.split(" "))
# Words after a place name that make it the governorate, the settlement, or part of a faction's name.
_ADMIN_AFTER = frozenset({"province", "provinces", "governorate", "governorates", "countryside",
                          "countrysides", "region", "muhafazat"})
# "southern Idlib", "northern Hama": a compass adjective before a governorate seat means the area.
_COMPASS_BEFORE = frozenset({
    "northern", "southern", "eastern", "western", "northwestern", "northeastern", "southwestern",
    "southeastern", "north-western", "north-eastern", "south-western", "south-eastern", "rural",
})
# "Suwayda 24 reported": a place name followed by a number is an outlet's name, not a place.
_OUTLET_AFTER_RE = re.compile(
    r" \d{1,3}(?:[,.;:)]|\s+(?:reported|reports|said|says|news|network|website|channel|outlet|agency|"
    r"posted|published|showed|cited)\b)", re.IGNORECASE)
_SETTLEMENT_AFTER = frozenset({"city", "town", "village"})
_ADMIN_WORDS = frozenset({
    "province", "provinces", "governorate", "countryside", "region", "muhafazat", "rural", "of",
})
# The same words as folded keys ("countryside" folds to "cuntryside").
_ADMIN_KEYS = frozenset(fold_token(w) for w in _ADMIN_WORDS)
_SETTLEMENT_KEYS = frozenset(fold_token(w) for w in _SETTLEMENT_AFTER)
_AROUND_KEYS = frozenset(fold_token(w) for w in ("countryside", "rural"))
_ADMIN_BEFORE = frozenset({"province", "governorate", "countryside", "rural"})
_SETTLEMENT_BEFORE = frozenset({"city", "town", "village"})
_FACTION_AFTER = frozenset({
    "military", "council", "brigade", "brigades", "division", "front", "battalion", "battalions",
    "regiment", "legion", "shield", "revolutionaries", "martyrs", "hawks", "operations", "movement",
})
# Metonymy: the capital or a city standing for a government or a side ("Damascus said", "a Damascus ally").
_METONYM_VERBS = frozenset({
    "said", "says", "say", "announced", "accused", "denied", "claimed", "insisted", "warned", "rejected",
    "demanded", "urged", "welcomed", "condemned", "stated", "told", "vowed", "pledged", "blamed", "sought",
    "seeks", "wants", "wanted", "responded", "signed", "agreed", "appealed", "called", "hopes", "hoped",
    "believes", "fears", "feared", "considers", "regards", "sees", "views", "backs", "backed", "supports",
    "supported", "sent", "sends", "rushed", "deployed", "cannot", "needs", "reacted", "retaliated",
})
_AUXILIARIES = frozenset({"has", "had", "have", "will", "would", "is", "was", "also", "again", "must"})
_METONYM_NOUNS = frozenset({
    "ally", "allies", "government", "regime", "authorities", "authority", "leadership", "administration",
    "rulers", "envoy", "envoys", "delegation", "negotiators", "officials", "ministry", "diplomats",
    "loyalists", "policy", "backers", "patron", "patrons", "forces", "troops", "army",
})
_METONYM_SUFFIX = frozenset({"backed", "based", "aligned", "allied", "friendly", "led", "controlled", "held"})
_METONYM_PREFIX = frozenset({"pro", "anti"})
_AREA_WORDS = frozenset({"in", "across", "throughout", "into", "over"})
# "the embassy in Damascus said": after these the name locates something, it does not speak.
_LOCATING = frozenset({"in", "at", "from", "near", "of", "outside", "inside", "around", "to"})
# Places named in these relations only locate something else; settlement names stay mentions.
_WORD_RE = re.compile(r"[A-Za-z]+")
_SENTENCE_GAP_RE = re.compile(r"[.!?;:\n]")
_JOIN_GAP_RE = re.compile(r"[\s\-'\u2019\u2018`]*")
_CUE_NOUNS = frozenset({
    "town", "towns", "village", "villages", "city", "cities", "district", "districts", "neighbourhood",
    "neighbourhoods", "neighborhood", "neighborhoods", "suburb", "suburbs", "hill", "hills", "area",
})
_CUE_WORDS = frozenset({
    "including", "near", "captured", "seized", "took", "taken", "overran", "entered", "retook",
    "recaptured", "outside",
})
_CUE_KEYS = frozenset(fold_token(w) for w in (*_CUE_WORDS, "of"))
_CONNECTORS = frozenset({
    "al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ez", "ed", "es", "bin", "ibn",
})
_NOT_PLACE_WORDS = frozenset({
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
    "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "syrian", "kurdish", "turkish", "russian", "iranian", "iraqi", "israeli", "american", "arab", "druze",
    "islamic", "islamist", "the", "a", "an", "and", "its", "their", "his", "her", "but", "government",
    "rebel", "rebels", "president", "army", "state", "observatory", "hts", "sdf", "sna", "afp", "reuters",
})


class PlaceSource(Protocol):
    """What geoparsing needs from a gazetteer: its places and its folded-name index."""

    places: dict[str, Place]
    index: dict[str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Hit:
    """A matched run of tokens: a place (``ids``), a faction (``faction``) or a foreign place."""

    start: int
    end: int
    first_tok: int
    last_tok: int
    key: str
    ids: tuple[str, ...] = ()
    faction: str | None = None
    foreign: bool = False
    generic: bool = False  # "rebels", "fighters": a side the article may name elsewhere


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A place-like name the gazetteer lacks, for later geocoding."""

    text: str
    start: int
    end: int


@dataclass(slots=True)
class ParseResult:
    """Everything one pass over a text finds."""

    mentions: list[Mention] = field(default_factory=list)
    factions: list[Hit] = field(default_factory=list)
    unresolved: list[Unresolved] = field(default_factory=list)
    tokens: list[tuple[str, int, int]] = field(default_factory=list)  # reused by extraction
    folded: list[str] = field(default_factory=list)  # each token folded, also reused


@dataclass(frozen=True, slots=True)
class _Entry:
    rest: tuple[str, ...]
    ids: tuple[str, ...] = ()
    faction: str | None = None
    foreign: bool = False
    acronym: bool = False  # match only an all-capitals spelling ("IS", "US", "SAA")
    generic: bool = False


class _Trie:
    """First folded token -> entries (rest of the tokens), longest first."""

    def __init__(self) -> None:
        self.first: dict[str, list[_Entry]] = {}
        self.single: set[str] = set()  # first tokens that are a whole name on their own
        self.seconds: dict[str, set[str]] = {}  # first token -> the tokens that can follow it in a name
        self.acronyms: set[str] = set()  # first tokens of names matched only in capitals ("IS", "US")
        self.words: set[str] = set()  # first tokens of every other name

    def add(self, key: str, entry: _Entry) -> None:
        parts = key.split(" ")
        entry = _Entry(tuple(parts[1:]), entry.ids, entry.faction, entry.foreign, entry.acronym,
                       entry.generic)
        if entry.acronym:
            self.acronyms.add(parts[0])
        else:
            self.words.add(parts[0])
        if len(parts) == 1:
            self.single.add(parts[0])
        else:
            self.seconds.setdefault(parts[0], set()).add(parts[1])
        bucket = self.first.setdefault(parts[0], [])
        bucket.append(entry)
        bucket.sort(key=lambda e: -len(e.rest))


def _capitalised(tok: str) -> bool:
    """Proper-noun test: an upper-case first letter; scripts without case (Arabic) always pass."""
    c = tok[0]
    return c.isupper() or not c.islower()


class Geoparser:
    """A gazetteer (and optionally factions) compiled for fast matching; reuse it across texts."""

    def __init__(self, gazetteer: PlaceSource, factions: FactionSet | None = None) -> None:
        self.gazetteer = gazetteer
        self.places = gazetteer.places
        self._fold_cache: dict[str, str] = {}
        self.trie = _Trie()
        foreign = {fold(name) for name in FOREIGN_PLACES} - {""}
        for key, ids in gazetteer.index.items():
            if key not in foreign:  # a foreign name shadows its Syrian namesake
                self.trie.add(key, _Entry((), ids=ids))
        for key in foreign:
            self.trie.add(key, _Entry((), foreign=True))
        if factions is not None:
            for fid, fac in factions.factions.items():
                for alias in (fac.name, *fac.aliases):
                    key = fold(alias)
                    if key:
                        acronym = alias.isupper() and len(alias) <= 6
                        generic = fid == GENERIC_FACTION and alias[:1].islower()
                        self.trie.add(key, _Entry((), faction=fid, acronym=acronym, generic=generic))
            if GENERIC_FACTION in factions.factions:
                for word in GENERIC_ACTORS:
                    if fold(word) not in factions.alias_index:
                        self.trie.add(fold(word), _Entry((), faction=GENERIC_FACTION, generic=True))
            for side, words in SIDE_ACTORS.items():
                if side in factions.factions:
                    for word in words:
                        if fold(word) not in factions.alias_index:
                            self.trie.add(fold(word), _Entry((), faction=side))
            if GOVERNMENT_FACTION in factions.factions:
                for word in GOVERNMENT_ACTORS:
                    if fold(word) not in factions.alias_index:
                        self.trie.add(fold(word), _Entry((), faction=GOVERNMENT_FACTION))

        # Per first token: the names by their second token (longest first, then the one-token names), and
        # the one-token names alone.
        self._singles: dict[str, list[_Entry]] = {}
        self._by_next: dict[str, dict[str, list[_Entry]]] = {}
        for f, bucket in self.trie.first.items():
            alone = [e for e in bucket if not e.rest]
            nexts: dict[str, list[_Entry]] = {}
            for e in bucket:
                if e.rest:
                    nexts.setdefault(e.rest[0], []).append(e)
            self._singles[f] = alone
            self._by_next[f] = {key: [*entries, *alone] for key, entries in nexts.items()}
        self._caps_only = frozenset(self.trie.acronyms - self.trie.words)

    def _fold_new(self, token: str) -> str:
        """Fold a token not seen before and remember it (a plain dict is faster than lru_cache here)."""
        folded = fold_token(token)
        if len(self._fold_cache) < 500_000:
            self._fold_cache[token] = folded
        return folded

    # -- matching ---------------------------------------------------------------------------------
    def hits(self, text: str) -> tuple[list[tuple[str, int, int]], list[str], list[Hit]]:
        """Tokenise ``text`` and return (tokens, folded tokens, longest non-overlapping hits)."""
        toks = tokens(text)
        cache = self._fold_cache
        folded = [f if (f := cache.get(t)) is not None else self._fold_new(t) for t, _, _ in toks]
        compact = [i for i, f in enumerate(folded) if f]
        found: list[Hit] = []
        first, single, seconds = self.trie.first, self.trie.single, self.trie.seconds
        by_next, singles, caps_only = self._by_next, self._singles, self._caps_only
        n = len(compact)
        covered = -1  # the last compact position inside a hit: matches never overlap
        # Only tokens that start some name are looked at (one C-speed pass picks them out).
        for k in [k for k, i in enumerate(compact) if folded[i] in first]:
            if k <= covered:
                continue
            i = compact[k]
            f = folded[i]
            # "is" and "us" are only the acronyms IS and US: skip them unless written in capitals.
            if f in caps_only and not toks[i][0].isupper():
                continue
            # Cheap rejection: "the" starts "the army" but is rarely followed by "army"; and only the
            # names whose second token is the next one are tried (then the one-token names).
            nxt = folded[compact[k + 1]] if k + 1 < n else None
            if nxt is not None and nxt in seconds.get(f, ()):
                bucket = by_next[f][nxt]
            elif f in single:
                bucket = singles[f]
            else:
                continue
            hit = self._match(text, toks=toks, folded=folded, compact=compact, k=k, bucket=bucket)
            if hit is not None:
                found.append(hit)
                covered = k + len(hit.key.split(" ")) - 1
        return toks, folded, found

    def _match(
        self,
        text: str,
        *,
        toks: list[tuple[str, int, int]],
        folded: list[str],
        compact: list[int],
        k: int,
        bucket: list[_Entry],
    ) -> Hit | None:
        i = compact[k]
        word = toks[i][0]
        proper = _capitalised(word)
        n = len(compact)
        nxt = folded[compact[k + 1]] if k + 1 < n else None
        for entry in bucket:
            rest = entry.rest
            m = len(rest)
            if m == 1:
                # two-token names, the commonest: no generators
                if rest[0] != nxt:
                    continue
                j = compact[k + 1]
                gap = text[toks[i][2]: toks[j][1]]
                if gap != " " and not _joined(gap):
                    continue
                if entry.acronym:
                    if not (word.isupper() and toks[j][0].isupper()):
                        continue
                elif entry.faction is None and not entry.foreign and not proper:
                    continue
                return Hit(toks[i][1], toks[j][2], i, j, folded[i] + " " + nxt, entry.ids, entry.faction,
                           entry.foreign, entry.generic)
            if m:
                if rest[0] != nxt or k + m >= n:
                    continue
                idx = compact[k: k + m + 1]
                if any(folded[j] != r for j, r in zip(idx[2:], rest[1:], strict=True)):
                    continue
                # Tokens must be adjacent apart from spaces, hyphens, apostrophes and dropped articles.
                if not all(_joined(text[toks[a][2]: toks[b][1]]) for a, b in itertools.pairwise(idx)):
                    continue
                last = idx[-1]
            else:
                idx = [i]
                last = i
            if entry.acronym:
                if not all(toks[j][0].isupper() for j in idx):
                    continue
            elif entry.faction is None and not entry.foreign and not proper:
                continue
            key = " ".join(folded[j] for j in idx) if m else folded[i]
            return Hit(toks[i][1], toks[last][2], i, last, key, entry.ids, entry.faction, entry.foreign,
                       entry.generic)
        return None

    # -- context ----------------------------------------------------------------------------------
    def parse(self, text: str, context: str | None = None) -> ParseResult:
        """Find mentions, faction names and unresolved place-like names in ``text``."""
        toks, folded, hits = self.hits(text)
        result = ParseResult(tokens=toks, folded=folded)
        candidates: list[tuple[Hit, str | None]] = []  # (hit, the cue's group: "admin"/"settlement")
        for h in hits:
            if h.faction is not None:
                if h.start >= 5 and text[h.start - 5: h.start].lower() == "anti-":
                    # "Anti-regime forces" oppose the side named: they are the (unnamed) opposition.
                    result.factions.append(
                        replace(h, start=h.start - 5, faction=GENERIC_FACTION, generic=True))
                else:
                    result.factions.append(h)
                continue
            if h.foreign:
                continue
            verdict = self._judge(text, toks, folded, h)
            if verdict == "skip":
                continue
            if verdict == "new":
                result.unresolved.append(Unresolved(text[toks[h.first_tok - 1][1]: h.end],
                                                    toks[h.first_tok - 1][1], h.end))
                continue
            candidates.append((h, verdict or None))
        explicit = self._explicit_preferences(candidates)
        if context is not None and context != text:
            ctx_toks, ctx_folded, ctx_hits = self.hits(context)
            ctx_cands: list[tuple[Hit, str | None]] = []
            for h in ctx_hits:
                if h.ids:
                    v = self._judge(context, ctx_toks, ctx_folded, h)
                    if v not in ("skip", "new"):
                        ctx_cands.append((h, v or None))
            for key, reading in self._explicit_preferences(ctx_cands).items():
                explicit.setdefault(key, reading)
        anchor = self._anchor(h for h, _ in candidates)
        regions = self._regions(candidates)
        for h, cue in candidates:
            group: str | None = cue or explicit.get(h.key)
            # The article's "X province" carries over to a bare "X" only where an area fits: "in X".
            if not cue and group == "admin" and _word_before(toks, folded, h.first_tok) not in _AREA_WORDS:
                group = None
            place = self._choose(h, group, anchor)
            if place is None:
                continue
            region = regions.get(h.key)
            if region is not None and anchor is not None and place.kind not in ("governorate", "region") \
                    and place.lat is not None and _sq_distance(place, anchor) > 1.0 \
                    and _sq_distance(region, anchor) < _sq_distance(place, anchor):
                # "Shahba" in a report that says "the Shahba region" near Aleppo: not the far-off town
                place = region
            start = h.start
            if h.first_tok > 0 and toks[h.first_tok - 1][0].lower() in _CONNECTORS \
                    and text[toks[h.first_tok - 1][2]: h.start] == "-":
                start = toks[h.first_tok - 1][1]  # "al-Bab": the article belongs to the name
            result.mentions.append(Mention(text[start: h.end], start, h.end, place.id,
                                           place.lat, place.lon, place.kind))
        result.unresolved.extend(self._unresolved(text, toks, folded, hits))
        result.unresolved.sort(key=lambda u: u.start)
        return result

    def _judge(self, text: str, toks: list[tuple[str, int, int]], folded: list[str], h: Hit) -> str:
        """Return "skip", "new", "admin", "settlement" or "" (no cue) for one place hit."""
        before = _word_before(toks, folded, h.first_tok)
        after = _word_after(toks, folded, h.last_tok).removesuffix("'s").removesuffix("\u2019s")
        raw_before = toks[h.first_tok - 1][0] if h.first_tok > 0 else ""
        # Cue words do not reach across a sentence end ("... the Aleppo countryside. Hama had ...").
        if h.first_tok > 0 and _SENTENCE_GAP_RE.search(text, toks[h.first_tok - 1][2], h.start):
            before = raw_before = ""
        if h.last_tok + 1 < len(toks) and _SENTENCE_GAP_RE.search(text, h.end, toks[h.last_tok + 1][1]):
            after = ""
        if h.first_tok == h.last_tok and h.key in STOP_SINGLE and not (
            # "al-Bab": a stop word glued to an article is a name
            raw_before.lower() in _CONNECTORS and text[toks[h.first_tok - 1][2]: h.start] == "-"
        ):
            return "skip"
        if raw_before == "New" and text[toks[h.first_tok - 1][2]: h.start].strip() == "":
            return "new"
        nxt = text[h.end: h.end + 1]
        if nxt == " " and text[h.end + 1: h.end + 2].isdigit() and _OUTLET_AFTER_RE.match(text, h.end):
            return "skip"
        if nxt == "-" and after in _METONYM_SUFFIX:
            return "skip"
        if before in _METONYM_PREFIX and text[toks[h.first_tok - 1][2]: h.start] == "-":
            return "skip"
        if after in _FACTION_AFTER and toks[h.last_tok + 1][0][:1].isupper():
            return "skip"
        if after in _METONYM_NOUNS and nxt == " " and not _possessive_place(toks, h):
            return "skip"
        if nxt == " " and self._is_capital_like(h) and not _possessive_place(toks, h) \
                and _governing_word(toks, h.first_tok) not in _LOCATING:
            verb = after
            if after in _AUXILIARIES:
                verb = _word_after(toks, folded, h.last_tok + 1)
            if verb in _METONYM_VERBS:
                return "skip"
        if after in _ADMIN_AFTER or (after == "and" and _plural_admin_after(toks, h.last_tok + 2)) \
                or _plural_admin_before(toks, h.first_tok) or _plural_admin_list(text, toks, h.last_tok + 1):
            return "admin"
        if (before in _ADMIN_BEFORE and raw_before.islower()) or _possessive_countryside(toks, folded, h):
            return "admin"
        if raw_before in _COMPASS_BEFORE and self._is_capital_like(h):  # lower case only
            return "admin"
        two_before = toks[h.first_tok - 2][0].lower() if h.first_tok >= 2 else ""
        if before == "of" and two_before in _ADMIN_BEFORE and after not in _SETTLEMENT_AFTER:
            # "the countryside of Idlib" is the area; "the countryside of Manbij city" names the city
            return "admin"
        if after in _SETTLEMENT_AFTER or (before == "of" and two_before in _SETTLEMENT_BEFORE):
            return "settlement"
        return ""

    def _regions(self, cands: Iterable[tuple[Hit, str | None]]) -> dict[str, Place]:
        """Per folded base name, the located region the article names in full ("the Shahba region")."""
        out: dict[str, Place] = {}
        for h, _ in cands:
            base, _sep, last = h.key.rpartition(" ")
            if last not in _ADMIN_KEYS or not base:
                continue
            found = [self.places[i] for i in h.ids if i in self.places and self.places[i].kind == "region"]
            if len(found) == 1 and found[0].lat is not None:
                out[base] = found[0]
        return out

    def _is_capital_like(self, h: Hit) -> bool:
        """Cities that stand for a government when they "say" things: the capital and governorate seats."""
        return any(self.places[i].kind == "city" for i in h.ids if i in self.places)

    def _explicit_preferences(self, cands: Iterable[tuple[Hit, str | None]]) -> dict[str, str]:
        """Per folded base name, the reading the article's own cues chose, when they all agree.

        "Idlib province" (matched whole as a governorate alias) and "Idlib city" both count for "idlib".
        """
        seen: dict[str, set[str]] = {}
        for h, cue in cands:
            words = h.key.split(" ")
            base = " ".join(w for w in words if w not in _ADMIN_KEYS and w not in _SETTLEMENT_KEYS)
            if not base:
                continue
            group = cue
            if group is None and base != h.key:
                if any(w in _AROUND_KEYS for w in words):
                    continue  # "the Aleppo countryside" is the land around the city: no say on "Aleppo"
                group = "admin" if any(w in _ADMIN_KEYS for w in words) else "settlement"
            if group:
                seen.setdefault(base, set()).add(group)
        return {k: next(iter(v)) for k, v in seen.items() if len(v) == 1}

    def _admin_of(self, ids: Sequence[str]) -> list[str]:
        out = []
        for i in ids:
            place = self.places.get(i)
            if place is not None and place.admin1 and place.admin1 in self.places and place.admin1 not in ids:
                out.append(place.admin1)
        return out

    def _anchor(self, hits: Iterable[Hit]) -> tuple[float, float] | None:
        """Median position of the places the text names without ambiguity (to place namesakes)."""
        lats: list[float] = []
        lons: list[float] = []
        for h in hits:
            if len(h.ids) == 1:
                place = self.places.get(h.ids[0])
                if place is not None and place.lat is not None and place.lon is not None:
                    lats.append(place.lat)
                    lons.append(place.lon)
        if not lats:
            return None
        return sorted(lats)[len(lats) // 2], sorted(lons)[len(lons) // 2]

    def _choose(self, h: Hit, group: str | None, anchor: tuple[float, float] | None = None) -> Place | None:
        """Pick the place for a hit given its cue group; a bare name means the settlement."""
        places = [self.places[i] for i in h.ids if i in self.places]
        if not places:
            return None
        admin = [p for p in places if p.kind in ("governorate", "region", "district")]
        settle = [p for p in places if p.kind not in ("governorate", "region", "district")]
        if group == "admin":
            if admin:
                return min(admin, key=lambda p: ("governorate", "district", "region").index(p.kind))
            for p in settle:
                if p.admin1 and p.admin1 in self.places:
                    return self.places[p.admin1]
            return settle[0]
        if settle:
            best = max(settle, key=lambda p: (_KIND_ORDER.get(p.kind, 0), p.population or 0))
            located = [p for p in settle if p.lat is not None and p.lon is not None]
            if best.kind != "city" and anchor is not None and len(located) > 1:
                # Namesake towns: the one nearest the other places the article names.
                return min(located, key=lambda p: _sq_distance(p, anchor))
            return best
        return admin[0]

    def _unresolved(
        self, text: str, toks: list[tuple[str, int, int]], folded: list[str], hits: list[Hit],
    ) -> list[Unresolved]:
        """Capitalised names after place cues ("the town of X", "including X and Y") that matched nothing."""
        cue_at = [i + 1 for i, f in enumerate(folded) if f in _CUE_KEYS and _is_cue(toks, i)]
        if not cue_at:
            return []
        hit_end: dict[int, int] = {}
        for h in hits:
            for t in range(h.first_tok, h.last_tok + 1):
                hit_end[t] = h.last_tok + 1
        out: list[Unresolved] = []
        n = len(toks)
        done = 0
        for cue_end in cue_at:
            if cue_end < done:
                continue
            j = cue_end
            cue = toks[j - 1][0].lower()
            listing = cue in ("including", "of")
            while j < n:
                if j in hit_end:
                    end = hit_end[j]
                else:
                    end = self._run(text, toks, j, hit_end)
                    if end == j:
                        break
                    s, e = toks[j][1], toks[end - 1][2]
                    out.append(Unresolved(text[s:e], s, e))
                if not listing or end >= n:
                    j = end
                    break
                gap = text[toks[end - 1][2]: toks[end][1]]
                if toks[end][0] == "and" and gap.strip() in ("", ","):
                    j = end + 1
                elif gap.strip() == ",":
                    j = end
                else:
                    j = end
                    break
            done = j
        return out

    @staticmethod
    def _run(text: str, toks: list[tuple[str, int, int]], j: int, hit_end: dict[int, int]) -> int:
        """End (exclusive) of a run of capitalised name tokens starting at ``j``; ``j`` when there is none."""
        n = len(toks)
        k = j
        while k < n and k not in hit_end:
            word = toks[k][0]
            if k > j and not _JOIN_GAP_RE.fullmatch(text[toks[k - 1][2]: toks[k][1]]):
                break
            low = word.lower()
            name_word = _capitalised_word(word) and low not in _NOT_PLACE_WORDS and word[0].isalpha()
            connector = k > j and low in _CONNECTORS and k + 1 < n and _capitalised_word(toks[k + 1][0])
            if not (name_word or connector):
                break
            k += 1
        return k


_KIND_ORDER = {"city": 6, "town": 5, "village": 4, "neighbourhood": 3, "facility": 2}


def _sq_distance(place: Place, at: tuple[float, float]) -> float:
    """Squared equirectangular distance in degrees (enough to rank nearby candidates)."""
    lat, lon = place.lat or 0.0, place.lon or 0.0
    return (lat - at[0]) ** 2 + ((lon - at[1]) * 0.8) ** 2


def _plural_admin_after(toks: list[tuple[str, int, int]], i: int) -> bool:
    """ "Raqqa and Hasakah provinces": the first of a pair shares the plural area word after the second."""
    for j in range(i, min(i + 4, len(toks))):
        word = toks[j][0]
        if word.lower() in ("provinces", "governorates", "countrysides"):
            return j > i
        if not word[:1].isupper():
            return False
    return False


_LIST_PARTICLES = frozenset({"al", "el", "ez", "az", "ad", "as", "ash", "ar", "an", "at"})


def _plural_admin_list(text: str, toks: list[tuple[str, int, int]], i: int) -> bool:
    """ "Aleppo, Idlib and Hama governorates": each name of a comma list shares the plural area word."""
    if i < 1 or i >= len(toks) or text[toks[i - 1][2]: toks[i][1]] != ", ":
        return False
    seen_and = False
    for j in range(i, min(i + 10, len(toks))):
        word = toks[j][0]
        low = word.lower()
        if low in ("provinces", "governorates", "countrysides"):
            return seen_and
        if low == "and":
            seen_and = True
        elif not word[:1].isupper() and low not in _LIST_PARTICLES:
            return False
    return False


def _plural_admin_before(toks: list[tuple[str, int, int]], i: int) -> bool:
    """ "the provinces of Latakia and Tartus": names listed after a plural area word are governorates."""
    j = i - 1
    while j >= 1 and i - j <= 6:
        word = toks[j][0]
        if word == "of":
            return toks[j - 1][0].lower() in ("provinces", "governorates")
        if word != "and" and not word[:1].isupper():
            return False
        j -= 1
    return False


def _governing_word(toks: list[tuple[str, int, int]], i: int) -> str:
    """The word before a name, looking back past a coordination ("residents of Latakia and Tartus")."""
    j = i - 1
    steps = 0
    while j >= 0 and steps < 4 and (toks[j][0] in ("and", "or") or toks[j][0][:1].isupper()):
        j -= 1
        steps += 1
    return toks[j][0].lower() if j >= 0 and steps < 4 else ""


def _is_cue(toks: list[tuple[str, int, int]], i: int) -> bool:
    """A word after which a place name is expected ("including", "near", "the town of")."""
    word = toks[i][0].lower()
    if word == "of":
        return i > 0 and toks[i - 1][0].lower() in _CUE_NOUNS
    return word in _CUE_WORDS


def _joined(gap: str) -> bool:
    """True when two tokens of one name are separated only by a space, hyphen, apostrophe or article."""
    if gap in (" ", "-"):
        return True
    return _JOIN_GAP_RE.fullmatch(_strip_articles(gap)) is not None


def _strip_articles(gap: str) -> str:
    """Remove romanised article tokens from the text between two matched tokens ("Deir ez-Zor")."""
    return "".join(p for p in re.split(r"([A-Za-z]+)", gap) if p.lower() not in _CONNECTORS)


def _capitalised_word(word: str) -> bool:
    return bool(word) and word[0].isupper()


def _word_before(toks: list[tuple[str, int, int]], folded: list[str], i: int) -> str:
    return toks[i - 1][0].lower() if i > 0 else ""


def _word_after(toks: list[tuple[str, int, int]], folded: list[str], i: int) -> str:
    return toks[i + 1][0].lower() if i + 1 < len(toks) else ""


def _possessive_place(toks: list[tuple[str, int, int]], h: Hit) -> bool:
    """ "Aleppo's government-held districts": a possessive token keeps the place reading."""
    return toks[h.last_tok][0].endswith(("'s", "\u2019s"))


def _possessive_countryside(toks: list[tuple[str, int, int]], folded: list[str], h: Hit) -> bool:
    """ "Idlib's countryside" / "the countryside of Idlib" point at the governorate."""
    return _possessive_place(toks, h) and _word_after(toks, folded, h.last_tok) in ("countryside", "province")


_CACHE: dict[int, tuple[object, object, Geoparser]] = {}


def geoparser_for(gazetteer: PlaceSource, factions: FactionSet | None = None) -> Geoparser:
    """A cached Geoparser for this gazetteer and faction set (rebuilt when either object changes)."""
    key = id(gazetteer) ^ (id(factions) << 1)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] is gazetteer and cached[1] is factions:
        return cached[2]
    parser = Geoparser(gazetteer, factions)
    if len(_CACHE) > 8:
        _CACHE.clear()
    _CACHE[key] = (gazetteer, factions, parser)
    return parser


def find_mentions(
    text: str, gazetteer: PlaceSource, context: str | None = None, factions: FactionSet | None = None,
) -> list[Mention]:
    """Return the places ``text`` names, in order; ``context`` (the whole article) helps resolve ambiguity."""
    return geoparser_for(gazetteer, factions).parse(text, context).mentions
