"""Turn a news report into proposed control changes: actor + action + place + date, sentence by sentence.

Each sentence is scanned for control verbs. Active verbs ("captured", "took control of", "entered",
"withdrew from", "lost") take their actor from the nearest faction name before them and their places from
the mentions after them, stopping at locatives ("near", "between", "north of") and clause breaks. Passive
forms ("fell to", "was captured by", "came under the control of", "is lost for the regime") take the place
before the verb and the actor after it. Negations, aims and hypotheticals ("failed to", "seeking to",
"could") cancel a verb, and so does a denial before it ("the army denied that rebels had entered Homs");
air raids, shelling and evacuations are not control verbs at all.

References: "the city", "the town", "it" and "them" as objects or subjects stand for the place(s) named
earlier in the sentence, else for the latest place of a fitting kind in the two sentences before (a named
facility or district stands for its city); "the provincial capital" is the seat of the governorate named
last; a pronoun subject with no side in its sentence is the side that acted in the sentence before; "X,
which they entered" makes X the object; "the department" is the side named before whose name ends so.
A headline's loose verb ("rebels storm Aleppo") yields to the body's account of the same place, but a
strong one ("insurgents seize Damascus") stands over a body that only tells the same side's entry.

Subjects and ellipsis: a passive's subject may be a list ("A and B have fallen") and may sit before an aside
(", two towns in southern Idlib,", ", which ...,"); a place inside a locative is not the subject. With no
taker named ("the citadel was taken", "Hama fell on 5 December") the side of the change told in the two
sentences before takes it, else the report's coalition; "changed hands" needs a named taker. "Morek was
next", "Homs followed two days later" and "followed by Rastan" repeat the change told just before. "Under
rebel control", "in their hands", "now control" are changes ("Kobani is under Kurdish control" is a state).
"Our forces" in a side's statement are the report's coalition; "Kurdish officials said their forces" are the
SDF; "the groups" is the side named before with that head noun; "the citadel" is the one of the city in view.
"X said its fighters" are X's; "the factions" after "Turkish-backed factions" are those. An agentless fall
carries the side before only when it names no other loser (a timeline's "Hama falls after government troops
pull out" after "the SNA takes Tal Rifaat from the SDF" is the coalition's). A side losing what it took itself
("seized the dam but lost it hours later") is a withdrawal of its own; "will withdraw" is no change.

States are not changes: "still held", "the SDF-held town", "remains in Kurdish hands"; but "by Saturday
they held most of the city" is one, and so is "is (now) in the hands of X". A withdrawal a day or more
before the capture of the same place is kept as its own event (the place stood empty in between); on the
same day it only names the capture's previous holder. Denials: a change the text denies before its verb
yields nothing; one side's claim that another side denies afterwards stays, as "claimed".

Confidence: ``claimed`` when a party to the fighting is the source ("the defence ministry said"),
``reported`` when an observer or the wire reports it (the default). When the sentence gives no date the
publication date is used, the confidence is lowered one step (reported -> claimed) and the event's note says
so; a date long before publication ("in 2019") is history and yields no change.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from dashboard.dates import DateMatch, find_dates
from dashboard.geoparse import GENERIC_FACTION, GOVERNMENT_ACTORS, Hit, Unresolved, geoparser_for
from dashboard.models import Article, ControlEvent, Mention, Place, Source
from dashboard.names import fold_token

if TYPE_CHECKING:
    from dashboard.factions import FactionSet
    from dashboard.geoparse import PlaceSource

UNDATED_NOTE = "date not stated in the report; publication date used"
QUOTE_MAX = 400
# Coalitions a generic "rebels" may stand for, in the order used to break ties.
COALITIONS: tuple[str, ...] = ("hts", "sna", "southern")
# Foreign patrons and the ground-holding side their "-backed" clients belong to on this map.
PATRON_CLIENT: dict[str, str] = {"turkey": "sna", "us": "sdf", "russia": "government", "iran": "government"}
# Places that are areas, not settlements: control changes are tracked for towns, not whole provinces.
AREA_KINDS = frozenset({"governorate", "district"})


@dataclass(frozen=True, slots=True)
class Verb:
    """A control verb found in a sentence."""

    start: int
    end: int
    kind: str  # captured | entered | withdrew | lost | handed | passive | passive_lost | drove
    text: str


_V = r"(?:{})"
_CAPTURE = (
    r"captured|capture|captures|capturing|seized|seize|seizes|seizing|overran|overrun|overruns|overrunning|"
    r"recaptured|recapture|recaptures|recapturing|retook|retake|retaken|retakes|retaking|regained|regain|"
    r"liberated|liberate|liberating|won\s+back|win\s+back|secured|secure|secures|securing|conquered|"
    r"conquer|conquering|occupied|occupy|occupying|"
    r"(?:declared|declare|declares|declaring)(?=\s+(?:the\s+(?:city|town)\s+of\s+)?[A-Z][^,.;:]{0,40}?\s+"
    r"(?:free|liberated)\b)|"
    r"stormed(?!\s+into)|storm(?!\s+into)|storms(?!\s+into)|storming(?!\s+into)|"
    r"(?:imposed|impose|imposes|imposing|established|establish|establishes|establishing|extended|extend)\s+"
    r"(?:(?:their|its|full|total|complete|effective)\s+){0,2}control\s+(?:on|over)|"
    r"(?:took|taken|take|takes|taking|seized|assumed|gained)\s+(?:full\s+|total\s+|complete\s+)?control"
    r"(?=\s*(?:[.;,]|$))|"
    r"(?:consolidated|consolidate|consolidates|consolidating)\s+(?:their|its)\s+(?:hold|grip|control)\s+"
    r"(?:on|over)|"
    r"now\s+in\s+(?:full\s+|total\s+|complete\s+|effective\s+)?control\s+of|"
    r"(?:announced|announces|declared|declares|claimed|claims|celebrated|hailed|confirmed|completed|completes|"
    r"completing|finished)\s+(?:(?:on|late|early)\s+[A-Z]\w+\s+)?(?:the\s+)?(?:(?:full|complete|total)\s+)?"
    r"[\"“']?(?:capture|conquest|fall|liberation|takeover|seizure)[\"”']?\s+of|"
    r"(?:took|take|taken|takes|taking|seized|seize|seizing|gained|gain|wrested|wrest|assumed|assume)\s+"
    r"(?:full\s+|total\s+|complete\s+|effective\s+)?control\s+(?:of|over)|"
    r"(?:took|take|taken|takes|taking)\s+over|held|controlled|control|controls|"
    r"(?:took|taken|take|takes|taking)(?!\s+(?:part|place|refuge|shelter|office|power|hold|over|control|up|aim|"
    r"note|steps|action|charge|cover|hostage|hostages|prisoner|prisoners|responsibility|advantage|a|an|"
    r"years|months|weeks|days|hours|time|root|effect|off|away|out)\b)"
)
_ENTER = (
    r"entered|enter|enters|entering|(?:stormed|storm|storms|storming)\s+into|broke\s+into|"
    r"break\s+into|(?:pushed|push|pushing|moved|move|moving|swept|sweep|sweeping|rolled|roll|rolling|"
    r"marched|march|marching|advanced|advance|advancing)\s+into|"
    r"(?:moved|rolled|swept|marched|went)\s+in\b(?!\s*to\b)"
)
_WITHDRAW = (
    r"(?:withdrew|withdrawn|withdraw|withdraws|withdrawing|retreated|retreat|retreats|retreating)\s+"
    r"(?:(?:its|their|his|the|all|some|most|of|remaining|last|troops|forces|fighters|units|soldiers|"
    r"personnel|men)\s+){0,3}from|"
    r"(?:pulled|pull|pulls|pulling)\s+out\s+of|(?:pulled|pull|pulls|pulling)\s+back\s+from|"
    r"abandoned|abandon|abandons|abandoning|(?:left|leave|leaves|leaving)(?!\s+(?:for|behind|to)\b)|"
    r"(?:withdrew|withdrawn|retreated|pulled\s+out|pulled\s+back)(?=\s*(?:[.;,]|$|\s+(?:after|as|when|on|"
    r"overnight|hours|late|early|last|earlier|without|under)\b))|"
    r"(?:redeployed|redeploy|redeploying|repositioned|reposition|repositioning)\s+(?:[\w-]+\s+){0,6}?"
    r"(?:outside|out\s+of|away\s+from|from)|"
    r"(?:redeployment|withdrawal|pullout|pull-out)\s+(?:(?:of\s+)?(?:its|their|the|all|some|most|"
    r"remaining|troops|forces|fighters|units|soldiers)\s+){0,3}from"
)
_LOST = r"lost|lose|loses|losing"
# "hand"/"hands" alone are nouns ("in Kurdish hands"): only "hand over" is the verb.
_HANDED = (r"(?:(?:handed|handing|surrendered|surrender|surrenders|ceded|cede|cedes)(?:\s+over)?|"
           r"(?:hand|hands)\s+over)")
_DROVE = r"(?:drove|drive|driven|drives|driving|pushed|forced|force|forcing|kicked)"
_PASSIVE = (
    r"(?:was|were|is|are|been|being|be)\s+(?:\w+ly\s+)?(?:captured|seized|taken|overrun|recaptured|retaken|"
    r"stormed|liberated|secured|handed(?:\s+over)?\s+to|surrendered\s+to|ceded\s+to)|"
    r"fell|falls|fallen|falling|came\s+under|come\s+under|comes\s+under|coming\s+under|"
    r"(?:is|are|was|were)\s+now\s+(?:in\s+the\s+hands\s+of|under\s+the\s+control\s+of|controlled\s+by|"
    r"held\s+by|in\s+the\s+grip\s+of)|"
    r"(?:is|are)\s+(?:(?:fully|entirely|completely)\s+)?(?:in\s+the\s+hands\s+of|under\s+the\s+(?:full\s+)?"
    r"control\s+of)|"
    r"(?:changed|changes|changing)\s+hands|"
    r"(?:is|are|was|were)\s+(?:now\s+)?(?:(?:fully|entirely|completely|firmly)\s+)?(?:in\s+(?:the\s+)?"
    r"[\w-]+\s+hands|under\s+(?:the\s+)?(?:[\w-]+\s+){0,2}control)(?!\s+(?:of|since)\b)"
)
# Ellipsis: "Morek was next", "Homs followed two days later", "followed by Rastan": the verb before, again
# ("Hama is next" is an aim, not a change).
_FOLLOW = (r"(?:was|were)\s+next\b|(?:followed|follows|follow)\s+by|(?:soon\s+)?(?:followed|follows)"
           r"(?!\s+(?:the|a|an|by|its|their|his|suit|orders|through)\b)")
_PASSIVE_LOST = r"(?:be|is|was|been|are|were)\s+lost\s+(?:for|to)"
_VERB_RES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("passive_lost", re.compile(rf"\b{_V.format(_PASSIVE_LOST)}\b", re.IGNORECASE)),
    ("passive", re.compile(rf"\b{_V.format(_PASSIVE)}\b", re.IGNORECASE)),
    ("drove", re.compile(rf"\b{_V.format(_DROVE)}\b(?=[^.;]{{1,60}}?\bout\s+of\b)", re.IGNORECASE)),
    ("handed", re.compile(rf"\b{_V.format(_HANDED)}\b", re.IGNORECASE)),
    ("captured", re.compile(rf"\b{_V.format(_CAPTURE)}\b", re.IGNORECASE)),
    ("entered", re.compile(rf"\b{_V.format(_ENTER)}\b", re.IGNORECASE)),
    ("withdrew", re.compile(rf"\b{_V.format(_WITHDRAW)}\b", re.IGNORECASE)),
    ("lost", re.compile(rf"\b{_V.format(_LOST)}\b", re.IGNORECASE)),
    ("follow", re.compile(rf"\b{_V.format(_FOLLOW)}", re.IGNORECASE)),
)
# The words each verb form starts with; a sentence without any of them skips that form's regex.
# The first words of each verb form: a form is only tried where one of them starts a word.
_FIRST_WORDS: dict[str, str] = {
    "passive_lost": "be is was been are were",
    "passive": "was were is are been being be fell falls fallen falling came come comes coming changed "
               "changes changing",
    "drove": "drove drive driven drives driving pushed forced force forcing kicked",
    "handed": "handed hand hands handing surrendered surrender ceded cede",
    "captured": "captured capture captures capturing seized seize seizes seizing overran overrun overruns "
                "overrunning recaptured recapture recaptures recapturing retook retake retaken retakes "
                "retaking regained regain liberated liberate liberating won win took take taken takes "
                "taking gained gain wrested wrest assumed assume secured secure secures securing conquered "
                "conquer conquering occupied occupy occupying announced announces declared declares declare "
                "declaring claimed "
                "claims celebrated hailed confirmed stormed storm storms storming imposed impose imposes "
                "imposing established establish establishes establishing extended extend now held controlled "
                "control controls consolidated consolidate consolidates consolidating completed completes "
                "completing finished",
    "entered": "entered enter enters entering stormed storm storms storming broke break pushed push pushing "
               "moved move moving swept sweep sweeping rolled roll rolling marched march marching advanced "
               "advance advancing went",
    "withdrew": "withdrew withdrawn withdraw withdraws withdrawing retreated retreat retreats retreating "
                "pulled pull pulls pulling abandoned abandon abandons abandoning left leave leaves leaving "
                "redeployed redeploy "
                "redeploying repositioned reposition repositioning redeployment withdrawal pullout",
    "lost": "lost lose loses losing",
    "follow": "was were followed follows follow soon",
}
_KINDS_BY_WORD: dict[str, tuple[str, ...]] = {}
for _kind, _ in _VERB_RES:
    for _word in _FIRST_WORDS[_kind].split(" "):
        _KINDS_BY_WORD[_word] = (*_KINDS_BY_WORD.get(_word, ()), _kind)
_VERB_AT: dict[str, re.Pattern[str]] = dict(_VERB_RES)
# The same keyed by folded token, as the geoparser folds them (no two first words fold alike).
_KINDS_BY_FOLD: dict[str, tuple[str, ...]] = {fold_token(w): kinds for w, kinds in _KINDS_BY_WORD.items()}
_WORD_AT_RE = re.compile(r"[A-Za-z]+")
# Words between the actor and the verb that cancel it: negation, aims, hypotheticals, attempts.
_CANCEL_RE = re.compile(
    r"\b(?:not|never|no|n't|cannot|failed|fail|fails|failing|unable|without|seeking|seek|seeks|sought|aim|"
    r"aims|aimed|aiming|attempt|attempts|attempted|attempting|try|tries|tried|trying|plan|plans|planned|"
    r"planning|intend|intends|intended|threaten|threatens|threatened|threatening|vowed|vow|vows|would|"
    r"could|might|may|bid|ready|poised|preparing|prepare|prepared|expected|hoping|hope|hopes|want|wants|"
    r"wanted|close|verge|agreed|agree|agrees|if|unless|whether|urged|urging|called|calling|push|pushing|"
    r"struggled|struggling|managed|bent|determined|able|promised|promise|pledged|pledge|will|shall)\b|n't\b",
    re.IGNORECASE,
)
_CLAUSE_BREAK_RE = re.compile(
    r"[;:()\[\]\"“”]|\b(?:said|says|say|saying|told|after|before|as|while|when|whereas|but|which|where|who|"
    r"whose|according|although|though|because|since|until|amid|despite|with)\b",
    re.IGNORECASE,
)
_LOCATIVE_RE = re.compile(
    r"\b(?:near|nearby|between|towards|toward|outside|around|in|inside|on|at|from|to|across|along|beyond|"
    r"into|within|via|through|past|behind|against|by|off|north|south|east|west|northeast|northwest|"
    r"southeast|southwest|northeastern|northwestern|southeastern|southwestern|km|kilometres|kilometers|miles|road|highway|motorway|border|bordering|overlooking|"
    r"halfway|countryside|province|provinces|governorate)\b",
    re.IGNORECASE,
)
_CONTAINER_RE = re.compile(
    r"(?:'s)?\s+(?:districts?|neighbou?rhoods?|quarters?|suburbs?|outskirts|countryside|areas?)\b",
    re.IGNORECASE,
)
_LIST_CUT_RE = re.compile(r"\b(?:including|such\s+as|among\s+them|among\s+which|notably|namely)\b",
                          re.IGNORECASE)
_PARTIAL_BEFORE_RE = re.compile(
    r"\b(?:most|much|parts|part|half|swathes|swaths|areas|sections|neighbourhoods|neighborhoods|districts|"
    r"quarters|large\s+parts|majority)\s+of\s+(?:the\s+)?(?:\w+\s+)?(?:city\s+of\s+|town\s+of\s+)?$",
    re.IGNORECASE,
)
_PARTIAL_AFTER_RE = re.compile(
    r"\b(?:barring|except|excluding|apart\s+from|save\s+for|other\s+than|with\s+the\s+exception\s+of|"
    r"but\s+not|bar|(?:taking|seizing|capturing|securing|controlling)\s+(?:most|much|parts|part|half|large\s+parts)"
    r"\s+of\s+(?:the\s+)?(?:town|city|it|them)\b)\b",
    re.IGNORECASE,
)
_EDGE_BEFORE_RE = re.compile(
    r"\b(?:outskirts|edge|edges|gates|entrance|entrances|suburbs|fringes|doorstep)\s+of\s+(?:the\s+)?"
    r"(?:\w+\s+)?(?:city\s+of\s+|town\s+of\s+)?$",
    re.IGNORECASE,
)
_PRONOUN_RE = re.compile(
    r"\b(?:they|it|he|she|we)\s+(?:(?:had|have|has|also|then|now|already|reportedly|quickly|later|had\s+"
    r"also|have\s+also|has\s+also|been|were|was|finally|eventually|swiftly|fully|totally|effectively)\s+)*$",
    re.IGNORECASE,
)
_BLOCK_BEFORE_ACTOR = frozenset({
    "from", "against", "with", "to", "toward", "towards", "into", "on", "at", "between", "among", "by",
    "attacked", "fought", "battled", "targeted", "struck", "shelled", "repelled", "ambushed", "fighting",
    "attacking", "targeting", "hit", "bombed", "raided", "clashed", "versus", "than",
})
_SPEECH_RE = re.compile(
    r"\b(?:said|says|say|saying|claimed|claims|claiming|announced|announces|announcing|declared|declares|"
    r"declaring|reported|reports|reporting|told|stated|added|confirmed|confirms|insisted|showed|saw)\b|"
    r"\baccording\s+to\b",
    re.IGNORECASE,
)
_OBSERVER_RE = re.compile(
    r"\b(?:observatory|monitor|monitors|correspondent|correspondents|afp|afptv|reuters|ap|witnesses|"
    r"witness|residents|resident|rescuers|activists|footage|journalists|journalist|sources|analysts|"
    r"analyst|agency|agencies|reporters|reporter|images|video|videos|white\s+helmets|sohr|observers)\b",
    re.IGNORECASE,
)
_PARTY_RE = re.compile(
    r"\b(?:army|ministry|military|command|commander|commanders|spokesman|spokeswoman|spokesperson|state\s+"
    r"media|state\s+television|state\s+tv|sana|government|statement|leader|leaders|officials|official|"
    r"group|rebels|fighters|faction|factions|militia|forces)\b",
    re.IGNORECASE,
)


def _alternatives(body: str) -> list[str]:
    """The top-level ``|`` alternatives of a regular expression's text."""
    out, depth, start, i = [], 0, 0, 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            i += 2
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "|" and depth == 0:
            out.append(body[start:i])
            start = i + 1
        i += 1
    out.append(body[start:])
    return out


def _first_chars(body: str) -> set[str] | None:
    """The characters a match of ``body`` can start with, or None when that is not simple to tell."""
    chars: set[str] = set()
    for raw in _alternatives(body):
        alt = raw.removeprefix("\\b")
        if alt.startswith("(?:"):
            depth, end = 0, 0
            for j, ch in enumerate(alt):
                depth += ch == "("
                depth -= ch == ")"
                if depth == 0:
                    end = j
                    break
            if alt[end + 1: end + 2] in ("?", "*"):
                return None  # an optional group: the match may start after it
            inner = _first_chars(alt[3:end])
            if inner is None:
                return None
            chars |= inner
        elif alt[:1].isalpha() and alt[1:2] not in ("?", "*"):
            chars |= {alt[0].lower(), alt[0].upper()}
        else:
            return None
    return chars


def _gated(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The same pattern behind a look-ahead for its first letters: most positions fail at once (2x faster)."""
    chars = _first_chars(pattern.pattern)
    if not chars:
        return pattern
    return re.compile("(?=[" + "".join(sorted(chars)) + "])(?:" + pattern.pattern + ")", pattern.flags)


_SPEECH_RE = _gated(_SPEECH_RE)
_OBSERVER_RE = _gated(_OBSERVER_RE)
_PARTY_RE = _gated(_PARTY_RE)
_CANCEL_RE = _gated(_CANCEL_RE)
_LOCATIVE_RE = _gated(_LOCATIVE_RE)
_PARTIAL_BEFORE_RE = _gated(_PARTIAL_BEFORE_RE)
_PARTIAL_AFTER_RE = _gated(_PARTIAL_AFTER_RE)
_EDGE_BEFORE_RE = _gated(_EDGE_BEFORE_RE)
_PRONOUN_RE = _gated(_PRONOUN_RE)
_LIST_CUT_RE = _gated(_LIST_CUT_RE)
_OF_GAP_RE = re.compile(r"\s+(?:of|from|in|under|led\s+by|loyal\s+to|belonging\s+to)\s+(?:the\s+)?",
                        re.IGNORECASE)
_HOSTILE = frozenset({
    "attacked", "attacking", "attack", "attacks", "fought", "fighting", "battled", "battling", "against",
    "ousted", "routed", "defeated", "expelled", "assaulted", "stormed",
})
_LAST_WORD_RE = re.compile(r"([A-Za-z.]+)$")
_OUT_OF_RE = re.compile(r"\bout\s+of\b", re.IGNORECASE)
_PREV_WORDS_RE = re.compile(r"[A-Za-z']+")
_PASSIVE_GAP_RE = re.compile(r"[;:]|\b(?:said|says|which|who|that|and|but)\b")
_SAID_RE = re.compile(r"[;]|\b(?:said|says)\b")


@lru_cache(maxsize=32)
def _words_re(words: tuple[str, ...]) -> re.Pattern[str]:
    """A compiled pattern for any of ``words`` as whole words (cached: the same few tuples recur)."""
    return re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)


_ABBREVIATIONS = frozenset({
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "maj", "capt", "sgt", "st", "jan", "feb", "mar", "apr",
    "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "prof", "sen", "rep", "gov", "brig",
    "u.s", "u.n", "u.k", "e.g", "i.e", "vs", "approx",
})
_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])|\n\s*")


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one report yields: place mentions, proposed changes and place-like names not in the gazetteer."""

    article: Article
    mentions: list[Mention]
    changes: list[ControlEvent]
    unresolved: list[Unresolved] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Sentence:
    """One sentence of a report with the mentions and faction names inside it."""

    text: str  # the whole report; start/end delimit the sentence
    start: int
    end: int
    mentions: list[Mention]
    hits: list[Hit]
    coalition: str
    # The two sentences before: the places they name and the side that acted in them, for "the city", "they".
    prev_mentions: tuple[Mention, ...] = ()
    prev_sentences: tuple[tuple[int, int, list[Hit]], ...] = ()  # (start, end, side names), latest last
    # The last change told in the two sentences before: (faction, kind, date), for "their", "Homs followed".
    carried: tuple[str | None, str, DateMatch | None, str | None] | None = None


# (start, end, mentions, faction names, control verbs) of one sentence
_SentenceParts = tuple[int, int, list[Mention], list[Hit], list["Verb"]]
# (place, faction after the event, kind, previous holder)
_Found = tuple[str, str | None, str, str | None]
_BE = frozenset({"was", "were", "is", "are", "been", "being", "be"})
_IT_RE = re.compile(
    r"\s+(?:(?:most|much|parts?|half|all|swathes)\s+of\s+)?(?P<ref>it|them|both|"
    r"the\s+(?:(?:provincial|regional)\s+capital|(?:[a-z]+\s+)?(?:city|town|village|area|base|airport|crossing|"
    r"towns|villages|cities)))\b"
    r"(?!'s|\u2019s|\s+(?:was|is|had|has|would|will|said))",
    re.IGNORECASE,
)
# A sentence without a place name can still act on one it refers back to.
_REF_GATE_RE = re.compile(
    r"\b(?:it|them|the\s+(?:(?:[a-z]+\s+)?(?:city|town|village|base|airport|crossing|towns|villages|cities|"
    r"citadel|university|prison)|provincial\s+capital))\b", re.IGNORECASE)
# The kinds of place each referring word can stand for ("the town" may be a small city in the gazetteer).
_REFERENT_KINDS: dict[str, frozenset[str]] = {
    "city": frozenset({"city", "town"}),
    "town": frozenset({"town", "village", "city"}),
    "village": frozenset({"village", "town"}),
    "base": frozenset({"facility"}),
    "airport": frozenset({"facility"}),
    "crossing": frozenset({"facility"}),
}
_PLURAL_REFS = frozenset({"them", "both", "towns", "villages", "cities"})
# "Saydnaya prison, which rebels had stormed": the verb's object is the place before the relative pronoun.
_RELATIVE_RE = re.compile(r"\s*,?\s*(?:which|that)\s+[^,;:]{0,50}$", re.IGNORECASE)
# A subject that refers back: "the city fell", "it was captured".
_SUBJECT_REF_RE = re.compile(
    r"\b(?P<ref>it|the\s+(?:city|town|village|base|airport|crossing))\s+(?:(?:\w+ly|also|then|later|had|has|"
    r"have)\s+)*$",
    re.IGNORECASE,
)
# A denial before the verb ("the army denied that rebels had entered Homs") leaves no change to propose;
# an unverified claim ("claims that could not be verified") stays a claim (confidence "claimed").
_DENIAL_RE = re.compile(r"\b(?:denied|denies|deny|denying|dismissed|rejected|refuted|rebuffed)\b",
                        re.IGNORECASE)
# "held"/"controlled" report a change only when the text says by when: "by Saturday held most of the city".
_STATE_VERBS = frozenset({"held", "controlled", "control", "controls"})
_BY_TIME_RE = re.compile(
    r"\bby\s+(?:late\s+|early\s+|the\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"nightfall|evening|morning|afternoon|midday|noon|dawn|night|then|now|\d{1,2}\s+[a-z]{3,9}\.?|"
    r"[a-z]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?)(?:\s+(?:morning|evening|night|afternoon))?\s*,?\s*"
    r"(?:[\w'-]+\s+){0,4}$|\bnow\s+$",
    re.IGNORECASE,
)
# A share of a place: "most of the city" (not "the districts of", which name whole places).
_SHARE_BEFORE_RE = re.compile(
    r"\b(?:most|much|parts?|half|swathes|swaths|large\s+parts|majority)\s+of\s+(?:the\s+)?(?:\w+\s+)?$",
    re.IGNORECASE,
)
_DATE_CLAUSE_BREAK_RE = re.compile(r"[;(]|\b(?:since|after|before|when|which|where|who|while|until)\b")
_SCENE_RE = re.compile(r"(?:In|Inside|At)\s+(?P<place>[A-Z])[^,;]{0,40},")
_BY_AFTER_RE = re.compile(r"\s+by\b", re.IGNORECASE)
_COMMA_RE = re.compile(r"[,;:]")
_HYPOTHETICAL_RE = re.compile(r"\b(?:if|unless|whether|should|once)\b", re.IGNORECASE)
_BE_BEFORE_RE = re.compile(r"\b(?:was|were|been|being|be|is|are)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_POSITIONS_IN_RE = re.compile(
    r"\s*(?:(?:all|most|some|the|their|its|remaining|last|military|army)\s+)*(?:positions|posts|bases|"
    r"checkpoints|barracks|headquarters)\s+(?:in|inside|at)\s+(?:the\s+(?:city|town|village)\s+of\s+)?",
    re.IGNORECASE)
_HEAD_NOUN_RE = re.compile(
    r"\bthe\s+(department|command|group|alliance|coalition|movement|council|room|brigade|forces)\b"
    r"(?:[^,;]{0,40}|,[^,;]{0,40},\s*\w*\s*)$", re.IGNORECASE)
# Between a named side and a plain word that is its own: "SDF fighters", "Turkish-Backed Fighters".
_JOINED_SIDE_RE = re.compile(r"\s?|-?\s*backed\s", re.IGNORECASE)
_FIRST_PERSON_RE = re.compile(
    r"\b(?:our\s+(?:[\w-]+\s+)?(?:forces|fighters|units|heroes|troops|men|factions|brigades|soldiers|"
    r"revolutionaries|mujahideen)|we)\b[^,;:]{0,30}$", re.IGNORECASE)
_BACK_NOUN_RE = re.compile(
    r"\bthe\s+(?P<noun>groups|attackers|revolutionaries|assailants|factions)\b[^,;:]{0,30}$", re.IGNORECASE)
_SPEAKER_THEIR_RE = re.compile(
    r"\b(?P<adj>[\w-]+)\s+(?:officials|commanders|leaders|authorities|sources|spokesman|spokeswoman|"
    r"spokesperson|officers)\s+(?:said|say|says|told|stated|announced|confirmed)\s+(?:\w+\s+){0,2}?(?:that\s+)?"
    r"(?:their|its)\s+(?:forces|fighters|troops|units|men)\b[^,;:]{0,30}$", re.IGNORECASE)
_POSSESSIVE_BEFORE_RE = re.compile(r"\b(?:its|their)\s+(?:own\s+)?$", re.IGNORECASE)
_RELATIVE_SUBJECT_RE = re.compile(r",\s*(?:which|that)\s+(?=the\s+\w+\b[^,;:]{0,30}$)",
                                  re.IGNORECASE)
_RELATIVE_WORD_RE = re.compile(r"\b(?:which|that)\b", re.IGNORECASE)
# Between a place and its "which": nothing, or a locative tail ("in the southern Idlib countryside,").
_RELATIVE_GAP_RE = re.compile(
    r"(?:\s+(?:in|on|near|of|the|north|south|east|west|\w+ern|province|countryside|city|town|[A-Z][\w'-]*))*"
    r"\s*,?\s*"
)
_GENERIC_SURFACE_RE = re.compile(r"opposition|rebel|insurgent|anti-", re.IGNORECASE)
_LOCATIVE_BEFORE_RE = re.compile(
    r"\b(?:near|(?:north|south|east|west|northeast|northwest|southeast|southwest)\s+of|outside|between|"
    r"towards?|around|beyond)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_LOCATIVE_BEFORE_RE = _gated(_LOCATIVE_BEFORE_RE)
_DENIAL_RE = _gated(_DENIAL_RE)


class _DatesOnce:
    """Date expressions of the sentences that report a change, read in order (no other sentence is read).

    The day named last in an earlier such sentence lets "a day later" count from it.
    """

    def __init__(self, text: str, published: dt.date) -> None:
        self.text, self.published = text, published
        self.anchor: dt.date | None = None

    def within(self, start: int, end: int) -> list[DateMatch]:
        found = find_dates(self.text, self.published, start, end, self.anchor)
        days = [d.date for d in found if d.date is not None and not d.history]
        if days:
            self.anchor = days[-1]
        return found


@dataclass(slots=True)
class _Proposal:
    place: str
    faction: str | None
    kind: str
    previous: str | None
    date_match: DateMatch | None
    confidence: str
    quote: str
    order: int
    headline: bool = False
    verb: str = ""


def sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentence spans (lines are always boundaries; abbreviations are not)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END_RE.finditer(text):
        if m.group(0)[0] == ".":
            # abbreviations are short: only the end of the sentence is looked at
            word = _LAST_WORD_RE.search(text, max(start, m.start() - 24), m.start())
            if word and (word.group(1).lower().rstrip(".") in _ABBREVIATIONS or len(word.group(1)) == 1):
                continue
        end = m.start() + 1 if m.group(0)[0] in ".!?" else m.start()
        if text[start:end].strip():
            spans.append(_trim(text, start, end))
        start = m.end()
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return spans


def _headline(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """The span of the report's headline (a first line without closing punctuation), else (-1, -1)."""
    if not spans:
        return (-1, -1)
    start, end = spans[0]
    if text[end - 1: end] in ".!?\"”'" or "\n" not in text[end: end + 2]:
        return (-1, -1)
    return (start, end)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def article_coalition(factions_hits: list[Hit], about: set[str], lede_end: int = 0) -> str:
    """The coalition a report is about, for generic "rebels"; else the generic opposition.

    Only coalitions in ``about`` (named in the lede or as the actor of a control verb) qualify, so a side
    named in passing does not take over every "rebels" (unless HTS is the only coalition named at all);
    one named in the title or lede comes first (an explainer that names HTS at the top and southern groups
    twice further down is about HTS); then the most often named wins.
    """
    counts: dict[str, int] = {}
    first: dict[str, int] = {}
    named = {h.faction for h in factions_hits if h.faction in COALITIONS and not h.generic}
    if COALITIONS[0] in named:
        # HTS named only as a speaker ("HTS said its fighters ..."): plain "rebels" of this offensive are its
        # coalition. Not so for the SNA or the south, which reports call "Turkish-backed" or "southern".
        about = about | named
    for h in factions_hits:
        if h.faction in COALITIONS and h.faction in about and not h.generic:
            counts[h.faction] = counts.get(h.faction, 0) + 1
            first.setdefault(h.faction, h.start)
    # The SNA and the southern factions go by qualified names ("Turkish-backed rebels", "southern rebels"):
    # named only further down, next to plain "rebels", they are a second group, not the report's rebels.
    counts = {f: n for f, n in counts.items() if f == COALITIONS[0] or first[f] < lede_end}
    if not counts:
        return GENERIC_FACTION
    return min(counts, key=lambda f: (first[f] >= lede_end, -counts[f], first[f]))


def text_ends_with_the(text: str, at: int) -> bool:
    """True when the word right before ``at`` is "the" ("the factions", not "rebel factions")."""
    return text[max(0, at - 4): at].lower() == "the "


def _as_participle(text: str, verb: Verb) -> Verb | None:
    """A verb followed by "by X" is a participle: "the town of Saraqib, captured by HTS" is passive (place
    before, taker after); "positions abandoned by regime forces" names no place left and is dropped."""
    if not _BY_AFTER_RE.match(text, verb.end):
        return verb
    if verb.kind in ("captured", "entered"):
        return Verb(verb.start, verb.end, "passive", verb.text)
    if verb.kind in ("withdrew", "lost", "handed"):
        return None
    return verb


def _is_change(text: str, start: int, form: str) -> bool:
    """False for "held"/"controlled" as a state ("the army still held Hama", "the SDF-held town").

    They report a change only after a time it was reached by: "by Saturday they held most of the city".
    """
    return form.lower() not in _STATE_VERBS or _BY_TIME_RE.search(text, max(0, start - 40), start) is not None


def find_verbs(sentence: str, offset: int = 0) -> list[Verb]:
    """Control verbs in a sentence, earliest first; at one word the first form in priority order wins."""
    found: list[Verb] = []
    taken_until = -1
    for w in _WORD_AT_RE.finditer(sentence):
        start = w.start()
        if start < taken_until:
            continue
        kinds = _KINDS_BY_WORD.get(w.group(0).lower())
        if kinds is None:
            continue  # most words start no verb form: no regex is tried there
        for kind in kinds:
            m = _VERB_AT[kind].match(sentence, start)
            if m is not None and _is_change(sentence, start, m.group(0)):
                taken_until = m.end()
                verb = _as_participle(sentence, Verb(start, m.end(), kind, m.group(0)))
                if verb is not None:
                    found.append(Verb(verb.start + offset, verb.end + offset, verb.kind, verb.text))
                break
    return found


def verbs_at_tokens(
    text: str, toks: list[tuple[str, int, int]], folded: list[str] | None = None,
) -> list[Verb]:
    """Control verbs of a whole text, tried only at tokens that can start one (the tokens are reused).

    With the geoparser's folded tokens, the few tokens that can start a verb are picked out in one pass.
    """
    found: list[Verb] = []
    taken_until = -1
    if folded is not None and len(folded) == len(toks):
        by_fold = _KINDS_BY_FOLD
        starts = [(toks[j][1], by_fold[f]) for j, f in enumerate(folded) if f in by_fold]
    else:
        by_word = _KINDS_BY_WORD
        starts = [(start, by_word[w]) for w, start, _ in toks if w.lower() in by_word]
    for start, kinds in starts:
        if start < taken_until:
            continue
        for kind in kinds:
            m = _VERB_AT[kind].match(text, start)
            if m is not None and _is_change(text, start, m.group(0)):
                taken_until = m.end()
                verb = _as_participle(text, Verb(start, m.end(), kind, m.group(0)))
                if verb is not None:
                    found.append(verb)
                break
    return found


class Extractor:
    """Extraction over one gazetteer and faction set; reuse it across reports."""

    def __init__(self, gazetteer: PlaceSource, factions: FactionSet) -> None:
        self.gazetteer = gazetteer
        self.factions = factions
        self.parser = geoparser_for(gazetteer, factions)
        self._landmarks: dict[str, list[Place]] | None = None  # places by name word, built on first need

    def ingest(self, article: Article) -> IngestResult:
        """Geoparse and extract one report."""
        text = article.text
        parsed = self.parser.parse(text)
        spans = sentences(text)
        mention_starts = [m.start for m in parsed.mentions]
        hit_starts = [h.start for h in parsed.factions]
        all_verbs = verbs_at_tokens(text, parsed.tokens, parsed.folded)
        verb_starts = [v.start for v in all_verbs]
        per_sentence: list[_SentenceParts] = []
        for s_start, s_end in spans:
            mentions = parsed.mentions[
                bisect_left(mention_starts, s_start): bisect_left(mention_starts, s_end)]
            hits = parsed.factions[bisect_left(hit_starts, s_start): bisect_left(hit_starts, s_end)]
            # Only sentences naming a place or a side can matter; most of a long report names neither.
            relevant = mentions or hits or _REF_GATE_RE.search(text, s_start, s_end)
            verbs = [v for v in all_verbs[bisect_left(verb_starts, s_start): bisect_left(verb_starts, s_end)]
                     if v.end <= s_end] if relevant else []
            per_sentence.append((s_start, s_end, mentions, hits, verbs))
        lede_end = spans[min(2, len(spans) - 1)][1] if spans else 0
        headline = _headline(text, spans)
        coalition = article_coalition(parsed.factions, self._about(text, lede_end, per_sentence), lede_end)
        proposals: list[_Proposal] = []
        # The places and acting side of the last two sentences, for "the city" and "they" across sentences.
        recent: list[tuple[list[Mention], int, int, list[Hit]]] = []
        all_dates = _DatesOnce(text, article.published)
        carried: tuple[str | None, str, DateMatch | None, str | None] | None = None
        since_change = 0
        for s_start, s_end, mentions, hits, verbs in per_sentence:
            since_change += 1
            if since_change > 2:
                carried = None  # a change told three sentences back no longer sets the scene
            if verbs and (mentions or _REF_GATE_RE.search(text, s_start, s_end)):
                prev_mentions = tuple(m for ms, _, _, _ in recent for m in ms)
                prev_hits = tuple((a, b, h) for _, a, b, h in recent)
                sent = _Sentence(text, s_start, s_end, mentions, hits, coalition, prev_mentions, prev_hits,
                                 carried)
                found = self._sentence(sent, verbs, article, len(proposals), all_dates)
                if found and (s_start, s_end) != headline:
                    last = found[-1]
                    carried, since_change = (last.faction, last.kind, last.date_match, last.previous), 0
                if s_start == headline[0] and s_end == headline[1]:
                    for p in found:
                        p.headline = True
                proposals.extend(found)
            if mentions or hits:
                recent = [*recent[-1:], (mentions, s_start, s_end, hits)]
        changes = _merge(proposals, article)
        return IngestResult(article, parsed.mentions, changes, parsed.unresolved)

    def _subject(self, text: str, s_start: int, s_end: int, hits: list[Hit], coalition: str) -> str | None:
        """The first ground-holding side named as a subject ("HTS and allied factions attacked ...")."""
        sent = _Sentence(text, s_start, s_end, [], hits, coalition)
        for h in hits:
            if _subject_like(sent, h):
                holder = self._holder(h, sent)
                if holder is not None:
                    return holder
        return None

    def _about(
        self, text: str, lede_end: int, per_sentence: list[_SentenceParts],
    ) -> set[str]:
        """Coalitions named in the title and lede, or as the actor of any control verb."""
        about: set[str] = set()
        for s_start, s_end, _, hits, verbs in per_sentence:
            about.update(h.faction for h in hits if h.start < lede_end and h.faction and not h.generic)
            if not verbs or not hits:
                continue
            # only a coalition not yet counted can change the answer: most sentences name none
            if not any((h.faction in COALITIONS or PATRON_CLIENT.get(h.faction or "") in COALITIONS)
                       and h.faction not in about and not h.generic for h in hits):
                continue
            sent = _Sentence(text, s_start, s_end, [], hits, "")
            for verb in verbs:
                if verb.kind in ("passive", "passive_lost", "follow"):
                    continue  # their side comes after the verb, or from the change before
                actor = self._actor_before(sent, verb)
                if actor:
                    about.add(actor)
        return about

    # -- one sentence -----------------------------------------------------------------------------
    def _sentence(self, sent: _Sentence, verbs: list[Verb], article: Article, order: int,
                  all_dates: _DatesOnce) -> list[_Proposal]:
        sentence = sent.text[sent.start: sent.end]
        dates: list[DateMatch] | None = None  # worked out only for sentences that propose a change
        confidence = quote = ""
        out: list[_Proposal] = []
        for n, verb in enumerate(verbs):
            lo = verbs[n - 1].end if n else sent.start
            hi = verbs[n + 1].start if n + 1 < len(verbs) else sent.end
            if verb.kind == "follow":
                scene = sent.carried
                if out:
                    scene = (out[-1].faction, out[-1].kind, out[-1].date_match, out[-1].previous)
                found = self._follow(sent, verb, lo, hi, scene)
            elif verb.kind in ("passive", "passive_lost"):
                found = self._passive(sent, verb, lo, hi)
            else:
                found = self._active(sent, verb, lo, hi)
            if not found:
                continue
            if dates is None:
                dates = all_dates.within(sent.start, sent.end)
                confidence = _confidence(sent.text, sent.start, sent.end, sent.hits)
                quote = " ".join(sentence.split())
                if len(quote) > QUOTE_MAX:
                    quote = quote[: QUOTE_MAX - 1].rstrip() + "…"
            date = _pick_date(dates, verb, lo, hi, sent.text)
            if date is None and verb.kind == "follow" and sent.carried is not None:
                date = sent.carried[2]  # "Morek was next": on the day of the change before, unless dated
            if date is not None and date.history:
                continue
            for place, faction, kind, previous in found:
                out.append(_Proposal(place, faction, kind, previous, date, confidence, quote,
                                     order + len(out), verb=verb.text))
        return out

    def _holder(self, hit: Hit, sent: _Sentence) -> str | None:
        """The ground-holding faction a name stands for (generic rebels -> the article's coalition)."""
        fid = hit.faction
        if fid is None:
            return None
        if hit.generic or sent.text[hit.start: hit.end].lower() in GOVERNMENT_ACTORS:
            # "SDF fighters", "HTS troops": the plain word belongs to the side named right before it
            named = next((h for h in sent.hits if 0 <= hit.start - h.end <= 10 and not h.generic
                          and _JOINED_SIDE_RE.fullmatch(sent.text, h.end, hit.start)), None)
            if named is not None:
                return self._holder(named, sent)
        if hit.generic or (fid == GENERIC_FACTION and _GENERIC_SURFACE_RE.search(
                sent.text, hit.start, hit.end)):
            return sent.coalition or None  # "Syrian opposition fighters" in a report about HTS
        faction = self.factions.get(fid)
        if faction is None:
            return None
        if not faction.holds_ground:
            # "Turkey-backed factions": the patron's name before "-backed" points at its client.
            tail = sent.text[hit.end: hit.end + 8].lower()
            if tail.startswith(("-backed", " backed")):
                client = PATRON_CLIENT.get(fid)
                return client if client in self.factions else None
            return None
        return fid

    def _actor_before(self, sent: _Sentence, verb: Verb) -> str | None:
        """Nearest subject-like faction before the verb; a pronoun subject means the sentence's first one."""
        before = sent.text[sent.start: verb.start]
        candidates = [h for h in sent.hits if h.end <= verb.start and _subject_like(sent, h)]
        tail = before[-60:]
        rel = _RELATIVE_SUBJECT_RE.search(tail) if "which" in tail or "that" in tail else None
        rel_at = verb.start - len(before[-60:]) + rel.start() if rel is not None else -1
        if rel is not None and not any(h.start >= rel_at for h in candidates):
            # "..., which the groups then took over": the relative clause has its own subject
            candidates = []
            before = before[-60:][rel.start():]
        if _PRONOUN_RE.search(before[-60:]):
            for h in candidates:
                holder = self._holder(h, sent)
                if holder:
                    return holder
            for p_start, p_end, p_hits in reversed(sent.prev_sentences):
                # "HTS attacked ... Within days they had taken Aleppo": the side that acted just before
                actor = self._subject(sent.text, p_start, p_end, p_hits, sent.coalition)
                if actor is not None:
                    return actor
        possessed: str | None = None
        for h in reversed(candidates):
            if h.generic and text_ends_with_the(sent.text, h.start):
                # "the factions" after "Turkish-backed factions" were named: the side named with that noun
                named = self._named_with_noun(sent, sent.text[h.start: h.end].lower(), h.start)
                if named is not None:
                    return named
            if h.generic and possessed is None and _POSSESSIVE_BEFORE_RE.search(sent.text, 0, h.start):
                # "the Southern Operations Room said its fighters had taken Quneitra": the owner named before
                possessed = self._holder(h, sent) or ""
                continue
            holder = self._holder(h, sent)
            if holder is not None:
                return holder
        if possessed:
            return possessed
        near = before[-90:].lower()
        if ("our " in near or "we " in near) and _FIRST_PERSON_RE.search(before[-60:]):
            # a side's own statement: "our forces liberated Rastan" -- the side the report is about
            return sent.coalition or None
        speaker = _SPEAKER_THEIR_RE.search(before[-90:]) if "their " in near or "its " in near else None
        if speaker is not None and speaker.group("adj").lower() in _SIDE_WORDS:
            # "Kurdish officials said their forces had pulled out": the speakers' side
            side = _SIDE_WORDS[speaker.group("adj").lower()]
            return sent.coalition if side == GENERIC_FACTION else side
        back = _BACK_NOUN_RE.search(before[-50:])
        if back is not None:
            # "the groups also captured Saraqib": the side named earlier with that head noun, else the
            # side of the change told just before
            noun = back.group("noun").lower()
            earlier = [h for _, _, hs in sent.prev_sentences for h in hs] + [
                h for h in sent.hits if h.end <= verb.start]
            for h in reversed(earlier):
                if sent.text[h.start: h.end].lower().endswith(noun):
                    holder = self._holder(h, sent)
                    if holder is not None:
                        return holder
            if sent.carried is not None and sent.carried[0]:
                return sent.carried[0]
        head = _HEAD_NOUN_RE.search(before[-100:])
        if head is not None:
            # "the department announced ...": the side named earlier whose name ends with that noun
            noun = head.group(1).lower()
            earlier = [h for _, _, hs in sent.prev_sentences for h in hs] + [
                h for h in sent.hits if h.end <= verb.start]
            for h in reversed(earlier):
                if sent.text[h.start: h.end].lower().endswith(noun):
                    holder = self._holder(h, sent)
                    if holder is not None:
                        return holder
        return None

    def _faction_after(self, sent: _Sentence, start: int, hi: int, words: tuple[str, ...]) -> str | None:
        """The faction named after one of ``words`` ("to", "by", "of") between ``start`` and ``hi``."""
        m = _words_re(words).search(sent.text, start, hi)
        if m is None:
            return None
        after = [h for h in sent.hits if h.start >= m.end() and h.end <= hi and self._holder(h, sent)]
        # the side must follow the preposition in the same phrase ("for the regime on Thursday, HTS said")
        if not after or after[0].start - m.end() > 40 or _COMMA_RE.search(sent.text, m.end(), after[0].start):
            return None
        first = after[0]
        # "to fighters of the HTS-led command": a generic word followed closely by a named side is that side.
        if first.generic and len(after) > 1 and not after[1].generic and _OF_GAP_RE.fullmatch(
                sent.text[first.end: after[1].start]):
            first = after[1]
        return self._holder(first, sent)

    def _named_with_noun(self, sent: _Sentence, noun: str, before: int) -> str | None:
        """The side last named by a real name (here or two sentences back) whose name ends in ``noun``."""
        earlier = [h for _, _, hs in sent.prev_sentences for h in hs] + [
            h for h in sent.hits if h.end <= before]
        for h in reversed(earlier):
            if not h.generic and sent.text[h.start: h.end].lower().endswith(noun):
                return self._holder(h, sent)
        return None

    def _active(self, sent: _Sentence, verb: Verb, lo: int, hi: int) -> list[_Found]:
        """Actor before the verb, places after it."""
        text = sent.text
        actor = self._actor_before(sent, verb)
        if actor is None:
            return []
        actor_end = max((h.end for h in sent.hits if h.end <= verb.start), default=sent.start)
        window = text[max(lo, actor_end, verb.start - 60): verb.start]
        if _CANCEL_RE.search(window) or _DENIAL_RE.search(text, sent.start, verb.start):
            return []
        # "If rebels take Homs, ...": a condition opening the verb's clause, before its subject
        clause = max((m.end() for m in _COMMA_RE.finditer(text, sent.start, verb.start)), default=sent.start)
        if _HYPOTHETICAL_RE.search(text, clause, verb.start):
            return []
        obj_start = verb.end
        loser: str | None = None
        if verb.kind == "drove" and _BE_BEFORE_RE.search(text, max(sent.start, verb.start - 30), verb.start):
            # "Government forces were driven out of Hama by HTS": the subject lost, the "by" side won
            out_of = _OUT_OF_RE.search(text, verb.end, hi)
            places = [m for m in sent.mentions if out_of is not None and m.start >= out_of.end()
                      and m.end <= hi][:1]
            if not places or _place_kind(self.gazetteer, places[0].place) in AREA_KINDS:
                return []
            winner = self._faction_after(sent, places[0].end, hi, ("by",))
            if winner is None or winner == actor:
                return [(places[0].place, None, "withdrew", actor)]
            return [(places[0].place, winner, "captured", actor)]
        if verb.kind == "drove":
            out_of = _OUT_OF_RE.search(text, verb.end, hi)
            if out_of is None:
                return []
            victims = [h for h in sent.hits if verb.end <= h.start and h.end <= out_of.start()]
            loser = self._holder(victims[0], sent) if victims else None
            obj_start = out_of.end()
        objects = _objects(text, obj_start, hi, sent.mentions, self.gazetteer,
                           through_positions=verb.kind == "withdrew")
        if not objects:
            ref = _IT_RE.match(text, obj_start)
            if ref is not None:
                # "handed it over", "took them over", "entered the city": the place named just before
                objects = self._refer(sent, verb.start, ref.group("ref"), ref.start("ref"), ref.end("ref"))
        if not objects and verb.text.lower().endswith("control"):
            # "...; HTS-led fighters took control.": of the place the sentence is about
            objects = self._refer(sent, verb.start, "it", verb.start, verb.end)
        if not objects:
            objects = self._relative_object(sent, verb)
        if not objects:
            objects = self._landmark(sent, verb, obj_start)
        if not objects and " ".join(verb.text.lower().split()) in _INTRANSITIVE:
            # "the SDF withdrew", "Turkish-backed factions moved in": from / into the place in view
            objects = self._refer(sent, verb.start, "it", verb.start, verb.end)
        if not objects and verb.kind == "handed":
            # "In Sheikh Miskin, an army brigade surrendered to ...": the place that sets the scene
            scene = _SCENE_RE.match(text, sent.start)
            objects = [m for m in sent.mentions if scene is not None and m.start == scene.start("place")
                       and _place_kind(self.gazetteer, m.place) not in AREA_KINDS][:1]
        if not objects:
            return []
        out: list[_Found] = []
        previous = loser or self._faction_after(sent, objects[-1].end, hi, ("from",)) \
            or self._opponent(sent, verb, actor)
        for m in objects:
            if verb.kind in ("withdrew", "lost", "handed"):
                winner = None
                if verb.kind in ("lost", "handed"):
                    winner = self._faction_after(sent, m.end, hi, ("to",))
                if winner is not None and winner != actor:
                    out.append((m.place, winner, "captured", actor))
                elif not _SHARE_BEFORE_RE.search(text, max(sent.start, m.start - 30), m.start):
                    # leaving "most of the city" leaves the rest held: not a withdrawal from the place
                    out.append((m.place, None, "withdrew", actor))
                continue
            kind = _kind_for(text, verb, m, sent.start, sent.end)
            if kind == "captured_partial" and m.kind in ("neighbourhood", "facility"):
                kind = "captured"  # "the districts of Sheikh Maqsoud" are the whole of that place
            out.append((m.place, actor, kind, previous if previous != actor else None))
        return out

    def _refer(self, sent: _Sentence, at: int, ref: str, start: int, end: int) -> list[Mention]:
        """The place(s) a referring phrase stands for: earlier in the sentence, else in the two before it.

        "the city" wants a city (or the city a named facility or district belongs to), "the town" a town or
        village, "it" any settlement or facility; "them" takes every place named earlier in the sentence.
        "The provincial capital" is the seat of the governorate named last.
        """
        words = ref.lower().split()
        text = sent.text
        if words[-1] == "capital":
            govs = [m for m in (*sent.prev_mentions, *sent.mentions)
                    if m.end <= at and m.kind == "governorate"]
            seat = self.gazetteer.places.get(govs[-1].place.removesuffix("-governorate")) if govs else None
            if seat is None or seat.kind == "governorate":
                return []
            return [Mention(text[start:end], start, end, seat.id, seat.lat, seat.lon, seat.kind)]
        kinds = _REFERENT_KINDS.get(words[-1])
        plural = words[-1] in _PLURAL_REFS

        def fits(m: Mention) -> bool:
            kind = _place_kind(self.gazetteer, m.place)
            return kind not in AREA_KINDS and (kinds is None or kind in kinds)

        earlier = [m for m in sent.mentions if m.end <= at and fits(m)
                   and not _LOCATIVE_BEFORE_RE.search(text[max(sent.start, m.start - 25): m.start])]
        if earlier:
            # placed at the referring words, so that "most of the city" reads as a share of it
            return [Mention(text[start:end], start, end, m.place, m.lat, m.lon, m.kind)
                    for m in (earlier if plural else earlier[-1:])]
        if plural or words[-1] == "area":
            return []
        for m in reversed(sent.prev_mentions):
            place = self.gazetteer.places.get(m.place)
            if place is None or _LOCATIVE_BEFORE_RE.search(text[max(0, m.start - 25): m.start]):
                continue
            if not fits(m) and kinds is not None and place.parent:
                place = self.gazetteer.places.get(place.parent)  # "Hama central prison ... the city"
            if place is not None and place.kind not in AREA_KINDS and (kinds is None or place.kind in kinds):
                return [Mention(text[start:end], start, end, place.id, place.lat, place.lon, place.kind)]
        return []

    def _landmark(self, sent: _Sentence, verb: Verb, at: int) -> list[Mention]:
        """ "the citadel", "the airport" in lower case: that landmark of the city in view, when the gazetteer
        has one whose name holds the word (aleppo-citadel for "the citadel" in a report about Aleppo)."""
        m = _LANDMARK_RE.match(sent.text, at)
        if m is None:
            return []
        city = self._refer(sent, verb.start, "the city", m.start("what"), m.end("what"))
        if not city:
            return []
        word = m.group("what").lower().split()[-1]
        if self._landmarks is None:
            self._landmarks = {}
            for place in self.gazetteer.places.values():
                for w in place.name.lower().split():
                    self._landmarks.setdefault(w, []).append(place)
        seat = self.gazetteer.places.get(city[0].place)
        seat_name = seat.name.lower() if seat is not None else city[0].place
        # its landmark: a child of the city, or one named after it ("Aleppo Citadel")
        found = [p for p in self._landmarks.get(word, [])
                 if p.parent == city[0].place or p.name.lower().startswith(seat_name + " ")]
        if len(found) != 1:
            return []  # none, or several airports: not a guess to make
        place = found[0]
        return [Mention(sent.text[m.start("what"): m.end("what")], m.start("what"), m.end("what"), place.id,
                        place.lat, place.lon, place.kind)]

    def _relative_object(self, sent: _Sentence, verb: Verb) -> list[Mention]:
        """ "Saydnaya prison, which rebels had stormed": the place just before "which" is the object."""
        text = sent.text
        rels = list(_RELATIVE_WORD_RE.finditer(text, max(sent.start, verb.start - 50), verb.start))
        rel = rels[-1] if rels else None
        if rel is None or re.search(r"[,;:]", text[rel.end(): verb.start]):
            return []
        before = [m for m in sent.mentions if m.end <= rel.start() and rel.start() - m.end <= 60
                  and _place_kind(self.gazetteer, m.place) not in AREA_KINDS]
        if not before or not _RELATIVE_GAP_RE.fullmatch(text, before[-1].end, rel.start()):
            return []
        # the relative clause needs its own subject: "which rebels had stormed", "which they entered"
        if not any(rel.end() <= h.start and h.end <= verb.start for h in sent.hits) \
                and not re.match(r"\s+(?:they|it)\b", text[rel.end(): verb.start], re.IGNORECASE) \
                and not _BACK_NOUN_RE.search(text, rel.end(), verb.start):
            return []
        objects = before[-1:]
        for prev in reversed(before[:-1]):  # "X and Y, which the groups took over": both
            if not _AND_RE.fullmatch(text, prev.end, objects[0].start) and not re.fullmatch(
                    r"\s*(?:,\s*)?(?:and\s+)?(?:the\s+)?", text[prev.end: objects[0].start]):
                break
            objects.insert(0, prev)
        return objects

    def _opponent(self, sent: _Sentence, verb: Verb, actor: str) -> str | None:
        """The side the actor fought earlier in the sentence ("attacked Kurdish fighters ... seized X")."""
        for h in sent.hits:
            if h.end > verb.start:
                break
            prev = _PREV_WORDS_RE.findall(sent.text, max(sent.start, h.start - 20), h.start)
            if prev and prev[-1].lower() in _HOSTILE:
                holder = self._holder(h, sent)
                if holder and holder != actor:
                    return holder
        return None

    def _follow(self, sent: _Sentence, verb: Verb, lo: int, hi: int,
                scene: tuple[str | None, str, DateMatch | None, str | None] | None) -> list[_Found]:
        """Ellipsis: "Morek was next", "Homs followed", "followed by Rastan" repeat the change told before."""
        if scene is None or scene[0] is None or scene[1] not in ("captured", "captured_partial", "entered"):
            return []
        faction, kind = scene[0], ("captured" if scene[1] == "captured_partial" else scene[1])
        if verb.text.lower().endswith(" by"):
            places = _objects(sent.text, verb.end, hi, sent.mentions, self.gazetteer)
        else:
            places = self._subjects(sent, verb, lo)
        if _CANCEL_RE.search(sent.text, lo, verb.start):
            return []
        return [(m.place, faction, kind, None) for m in places
                if _place_kind(self.gazetteer, m.place) not in AREA_KINDS]

    def _subjects(self, sent: _Sentence, verb: Verb, lo: int) -> list[Mention]:
        """The place(s) a verb's subject names: "Maarat al-Numan and Khan Shaykhun, two towns in southern
        Idlib, have fallen"; a place inside a locative or a comma-enclosed aside is not the subject."""
        text = sent.text
        before = [m for m in sent.mentions if m.end <= verb.start and m.start >= lo]
        # a bare participle ("in Saraqib, captured by HTS") qualifies the noun before it, locative or not
        participle = verb.kind == "passive" and not _FINITE_RE.match(verb.text)
        for i in range(len(before) - 1, -1, -1):
            m = before[i]
            if not participle and _IN_PHRASE_RE.search(text, max(sent.start, m.start - 40), m.start):
                continue
            gap = _ASIDE_RE.sub(" ", text[m.end: verb.start], count=1)
            if len(gap.split()) > 8 or _PASSIVE_GAP_RE.search(gap) or _CANCEL_RE.search(gap):
                return []
            subjects = [m]
            for prev in reversed(before[:i]):  # "Albukamal and Mayadin", "A, B and C"
                if not _AND_RE.fullmatch(text, prev.end, subjects[0].start):
                    break
                subjects.insert(0, prev)
            return subjects
        return []

    def _passive(self, sent: _Sentence, verb: Verb, lo: int, hi: int) -> list[_Found]:
        """Place before the verb, actor after it ("Homs fell to the rebels", "X was captured by Y")."""
        text = sent.text
        before = self._subjects(sent, verb, lo)
        ref = _SUBJECT_REF_RE.search(text, max(lo, sent.start), verb.start)
        if ref is not None and (not before or before[-1].end <= ref.start()):
            # "The city fell to the rebels": the subject refers back to a place named before
            before = self._refer(sent, ref.start(), ref.group("ref"), ref.start("ref"), ref.end("ref"))
        before = [m for m in before if _place_kind(self.gazetteer, m.place) not in AREA_KINDS]
        if not before or _DENIAL_RE.search(text, sent.start, verb.start):
            return []
        place = before[-1]
        low = verb.text.lower()
        if _HOLD_RE.search(low):
            # "are now under rebel control", "was in their hands", "is under full control"; but a bare
            # present ("Kobani is under Kurdish control") describes a state, not a change
            if low.startswith(("is ", "are ")) and not _CHANGED_STATE_RE.search(low):
                return []
            winner = self._holder_word(sent, verb)
            return [] if winner is None else [(m.place, winner, "captured", None) for m in before]
        if verb.kind == "passive_lost" or (low.startswith("fell") and re.match(
                r"\s+out\s+of", text[verb.end: verb.end + 10])):
            # "was lost to X" / "is lost for X": the verb itself ends with the preposition
            tail = verb.end - 4 if low.endswith((" to", " for")) else verb.end
            loser = self._faction_after(sent, tail, hi, ("for", "of"))
            winner = self._faction_after(sent, tail, hi, ("to",))
            if winner is None or winner == loser:
                # Only the loser is named: the article's coalition took it, when the article names one.
                named = sent.coalition != GENERIC_FACTION or loser == "government"
                winner = sent.coalition if named else None
            if winner is None or winner == loser:
                return []
            return [(place.place, winner, "captured", loser)]
        if low.endswith((" of", " by", " to")):  # "is now in the hands of X", "been handed to X"
            winner = self._faction_after(sent, verb.end - 3, hi, (low[-2:],))
        else:
            words = ("by",) if low.split()[0] in _BE else ("to", "of", "by")
            winner = self._faction_after(sent, verb.end, hi, words)
            if winner is None and not low.startswith(("came", "come", "comes", "coming", "chang")) \
                    and not _NOT_TAKEN_RE.match(text, verb.end) and not _BY_AFTER_RE.match(text, verb.end):
                # "Hama fell on 5 December", "the citadel was taken without a fight": no taker named, so the
                # side of the change told just before, else the side the report is about
                winner = sent.carried[0] if sent.carried is not None and sent.carried[0] else sent.coalition
                if sent.carried is not None and winner == sent.carried[0] and sent.carried[3] is not None:
                    # "Dec. 1: SNA takes Tal Rifaat from the SDF. Dec. 5: Hama falls after government troops
                    # pull out": a sentence naming another loser is not the same side's story going on
                    losers = {self._holder(h, sent) for h in sent.hits if not h.generic}
                    losers.discard(None)
                    losers.discard(winner)
                    if losers and sent.carried[3] not in losers:
                        winner = sent.coalition
        if winner is None:
            return []
        return [(m.place, winner, "captured", None) for m in before]

    def _holder_word(self, sent: _Sentence, verb: Verb) -> str | None:
        """The side in "under rebel control", "in Kurdish hands", "in their hands" (the side named before)."""
        word = _HOLD_RE.search(verb.text)
        adj = (word.group("adj") or word.group("adj2") or "").strip().lower() if word is not None else ""
        if adj in _SIDE_WORDS:
            side = _SIDE_WORDS[adj]
            return sent.coalition if side == GENERIC_FACTION else side
        if adj in ("their", "its", "full", "complete", "total", "effective", ""):
            if sent.carried is not None and sent.carried[0]:
                return sent.carried[0]
            sides = [h for _, _, hs in sent.prev_sentences for h in hs] + [
                h for h in sent.hits if h.end <= verb.start]
            for h in reversed(sides):
                holder = self._holder(h, sent)
                if holder is not None:
                    return holder
        return None


_LANDMARK_RE = re.compile(r"\s+the\s+(?P<what>citadel|airport|military\s+airport|air\s+base|airbase|"
                          r"university|central\s+prison)\b", re.IGNORECASE)
_INTRANSITIVE = frozenset({
    "withdrew", "withdrawn", "retreated", "pulled out", "pulled back", "moved in", "rolled in", "swept in",
    "marched in", "went in",
})
_FINITE_RE = re.compile(r"(?:was|were|is|are|been|being|be|fell|falls|fallen|falling|came|come|comes|coming|"
                        r"chang)", re.IGNORECASE)
_IN_PHRASE_RE = re.compile(
    r"\b(?:in|near|on|at|from|to|into|outside|around|towards?|across|along|via|north|south|east|west|"
    r"between|inside|including)\s+(?:the\s+)?(?:(?:northern|southern|eastern|western|central|north-?western|"
    r"north-?eastern|south-?western|south-?eastern|rural|northwest|northeast|southwest|southeast)\s+)?$",
    re.IGNORECASE)
# A comma-enclosed aside between a subject and its verb: ", two towns on the M5 motorway," / ", which ...,"
_ASIDE_RE = re.compile(r"^\s*,[^,;:]{1,120},")
_AND_RE = re.compile(r"\s*(?:,\s*(?:and\s+)?|and\s+|&\s+)", re.IGNORECASE)
_HOLD_RE = re.compile(r"\b(?:in\s+(?:the\s+)?(?P<adj>[\w-]+)\s+hands|under\s+(?:the\s+)?"
                      r"(?P<adj2>[\w-]+\s+)?(?:[\w-]+\s+)?control)$", re.IGNORECASE)
_CHANGED_STATE_RE = re.compile(r"\b(?:now|full|fully|complete|completely|total|totally|entirely)\b")
_NOT_TAKEN_RE = re.compile(r"\s+(?:back|apart|silent|short|victim|ill|quiet|behind|into|in\s+love|out\b)",
                           re.IGNORECASE)
# Words naming a side in "under rebel control", "in Kurdish hands".
_SIDE_WORDS: dict[str, str] = {
    "rebel": GENERIC_FACTION, "rebels": GENERIC_FACTION, "opposition": GENERIC_FACTION,
    "insurgent": GENERIC_FACTION, "revolutionary": GENERIC_FACTION, "government": "government",
    "regime": "government", "army": "government", "state": "government", "kurdish": "sdf", "sdf": "sdf",
    "hts": "hts", "turkish-backed": "sna", "sna": "sna",
}


def _subject_like(sent: _Sentence, h: Hit) -> bool:
    """False for a faction after a preposition or a hostile verb ("attacked Kurdish fighters")."""
    prev = _PREV_WORDS_RE.findall(sent.text, max(sent.start, h.start - 30), h.start)
    if not prev:
        return True
    word = prev[-1].lower()
    if word in ("the", "a", "an", "its", "their", "his", "allied") and len(prev) > 1:
        word = prev[-2].lower()
    if word == "by" and len(prev) > 1 and prev[-2].lower() == "led":
        return True  # "groups led by HTS"
    return word not in _BLOCK_BEFORE_ACTOR


def _place_kind(gazetteer: PlaceSource, place_id: str) -> str:
    place = gazetteer.places.get(place_id)
    return place.kind if place is not None else ""


def _objects(
    text: str, start: int, hi: int, mentions: list[Mention], gazetteer: PlaceSource, *,
    through_positions: bool = False,
) -> list[Mention]:
    """Places a verb acts on: mentions after it, through lists, stopping at clause breaks.

    With ``through_positions`` (withdrawals), "all their positions in the city of X" leaves X.
    """
    out: list[Mention] = []
    cursor = start
    partner = False  # "near A and B", "between A and B": B is a locative too (but not "X, near A, and B")
    for m in mentions:
        if m.start < start or m.end > hi:
            continue
        gap = text[cursor: m.start]
        cut = list(_LIST_CUT_RE.finditer(gap))
        if cut:
            gap = gap[cut[-1].end():]
        if _CLAUSE_BREAK_RE.search(gap):
            break
        if partner and re.fullmatch(r"\s*(?:and|&)\s*", gap):
            partner = False
            cursor = m.end
            continue
        if through_positions and not out and _POSITIONS_IN_RE.fullmatch(gap):
            out.append(m)
            cursor = m.end
            continue
        if _LOCATIVE_RE.search(gap) or len(gap.split()) > 8:
            # the locative phrase ends with this place: "Saraqib, near Idlib, and Rastan"
            partner = True
            cursor = m.end
            continue
        partner = False
        if _place_kind(gazetteer, m.place) in AREA_KINDS or (
                _CONTAINER_RE.match(text, m.end) and m.kind not in ("neighbourhood", "facility")):
            continue  # an area, or the city around the places meant ("the Aleppo districts of X")
        out.append(m)
        cursor = m.end
    return out


def _kind_for(text: str, verb: Verb, m: Mention, s_start: int, s_end: int) -> str:
    """captured, captured_partial ("most of", "barring ...") or entered ("entered", "the outskirts of")."""
    before = text[max(s_start, m.start - 60): m.start]
    if verb.kind == "entered":
        return "entered"
    if _EDGE_BEFORE_RE.search(before):
        return "entered"
    if _PARTIAL_BEFORE_RE.search(before):
        return "captured_partial"
    after = text[m.end: s_end]
    clause = _SAID_RE.split(after, maxsplit=1)[0]
    if _PARTIAL_AFTER_RE.search(clause[:120]):
        return "captured_partial"
    return "captured"


def _pick_date(dates: list[DateMatch], verb: Verb, lo: int, hi: int, text: str) -> DateMatch | None:
    """The date expression that belongs to this verb: in its stretch of the sentence, after it first."""
    inside = [d for d in dates if lo <= d.start and d.end <= hi]
    after = [d for d in inside if d.start >= verb.end]
    before = [d for d in inside if d.end <= verb.start]
    # A date after the verb but past a clause break ("..., since they were driven out in 2016") belongs to
    # that clause: a date before the verb ("by Saturday held ...") comes first then.
    same_clause = [d for d in after if not _DATE_CLAUSE_BREAK_RE.search(text, verb.end, d.start)]
    for group in (same_clause, before, after):
        if group:  # the nearest date after the verb is its own, history ("in 2016") included
            return min(group, key=lambda d: abs(d.start - verb.end))
    # Else a date earlier in the sentence ("On Friday they took A and entered B"); one after the stretch
    # belongs to a later verb ("... of A, which they entered on Sunday").
    fresh = [d for d in dates if not d.history and d.end <= hi]
    return fresh[0] if fresh else None


def _confidence(text: str, s_start: int, s_end: int, hits: list[Hit]) -> str:
    """claimed when a party to the fighting is the sentence's source; reported otherwise."""
    sentence = text[s_start:s_end]
    observer = party = False
    for m in _SPEECH_RE.finditer(sentence):
        if m.group(0).lower().startswith("according"):
            speaker = sentence[m.end(): m.end() + 60]
        else:
            speaker = sentence[max(0, m.start() - 45): m.start()] + " " + sentence[m.end(): m.end() + 30]
        if _OBSERVER_RE.search(speaker):
            observer = True
        elif _PARTY_RE.search(speaker) or any(
            h.start >= s_start + m.start() - 45 and h.end <= s_start + m.start() for h in hits
        ):
            party = True
    if observer:
        return "reported"
    return "claimed" if party else "reported"


def _lower(confidence: str) -> str:
    return {"confirmed": "reported", "reported": "claimed"}.get(confidence, confidence)


def _merge(proposals: list[_Proposal], article: Article) -> list[ControlEvent]:
    """One event per place, faction, kind and date; undated echoes of a dated change are dropped."""
    by_place: dict[str, list[_Proposal]] = {}
    for p in proposals:
        by_place.setdefault(p.place, []).append(p)
    kept: list[_Proposal] = []
    for whole in by_place.values():
        # A headline compresses the story ("rebels storm Aleppo"); the body's own wording decides.
        group = whole if all(p.headline for p in whole) else [p for p in whole if not p.headline]
        if group is not whole and all(p.kind == "entered" for p in group):
            # "Insurgents seize Damascus" over "swept into Damascus": the outlet's own summary of the entry
            head = next((p for p in whole if p.headline and p.kind == "captured"
                         and not p.verb.lower().startswith("storm")  # "Rebels storm Hama" is loose
                         and any(q.faction == p.faction for q in group)), None)
            if head is not None:
                entry = next(q for q in group if q.faction == head.faction)
                head.date_match, head.quote, head.order = entry.date_match, entry.quote, entry.order
                group = [head]
        dated = [p for p in group if p.date_match is not None and p.date_match.date is not None]
        pool = dated or group
        if dated and all(p.kind in ("withdrew", "entered") for p in dated) \
                and any(p.kind == "withdrew" for p in dated):
            # "The army said on Thursday it had left Hama ... HTS announced the conquest of Hama":
            # an undated capture of a place the report dates the loss (or the entry) of is the same event.
            taker = next((p for p in group if p.faction is not None and p.kind != "entered"
                          and p not in dated), None)
            if taker is not None:
                taker.date_match = dated[0].date_match
                pool = [taker, *dated]
        elif dated and not any(p.faction is not None and p.kind != "entered" for p in dated):
            # "... Khan Sheikhun, which they entered on Sunday": the undated capture is a later step.
            pool = [*dated, *(p for p in group if p not in dated and p.faction is not None
                              and p.kind != "entered")]
        withdrawals = [p for p in pool if p.kind == "withdrew"]
        takers = [p for p in pool if p.faction is not None]
        capturers = [p for p in takers if p.kind != "entered"]
        final: list[_Proposal] = []
        for p in pool:
            if p.kind == "withdrew" and (any(_day(c, article) <= _day(p, article) and c.faction != p.previous
                                             for c in capturers) or any(
                    t.quote == p.quote and 0 <= (_day(t, article) - _day(p, article)).days <= _night(p)
                    and t.faction != p.previous for t in takers)):
                # (a side losing what it took itself -- "seized the dam but lost it hours later" -- is a
                # change of its own)
                # "... moved into the city after government troops pulled out (overnight)": the entry or
                # capture told in the same sentence names who left; it is not an event of its own
                # the capture says who left: it becomes its "previous" (an entry alone does not, nor a
                # capture a day or more after the withdrawal: the place stood empty in between)
                continue
            if p.kind == "entered" and any(
                t.faction == p.faction and t.kind != "entered" and _day(t, article) == _day(p, article)
                for t in takers
            ):
                continue
            twin = next((f for f in final if (f.faction, f.kind, _day(f, article)) ==
                         (p.faction, p.kind, _day(p, article))), None)
            if twin is not None:
                if p.confidence == "reported":
                    twin.confidence = "reported"
                twin.previous = twin.previous or p.previous
                continue
            final.append(p)
        for p in final:
            if p.previous is None and p.faction is not None:
                p.previous = next(
                    (w.previous for w in group if w.kind == "withdrew" and w.previous != p.faction), None)
        if not takers and len(withdrawals) > 1:
            final = final[:1]
        kept.extend(final)
    kept.sort(key=lambda p: p.order)
    source = Source(
        outlet=article.outlet or "unknown",
        published=article.published,
        url=article.url,
        article=_stem(article.file) if article.file else None,
    )
    events = []
    for p in kept:
        undated = p.date_match is None or p.date_match.date is None
        events.append(ControlEvent(
            place=p.place,
            date=_day(p, article),
            kind=p.kind,
            faction=p.faction,
            source=source,
            confidence=_lower(p.confidence) if undated else p.confidence,
            previous=p.previous,
            quote=p.quote,
            origin="extracted",
            reviewed=False,
            note=UNDATED_NOTE if undated else None,
        ))
    return events


@lru_cache(maxsize=256)
def _stem(file: str) -> str:
    """The file name without folder and extension (cached: Path is slow beside a short report's work)."""
    return Path(file).stem


def _night(p: _Proposal) -> int:
    """1 when a withdrawal is dated "overnight" / "last night" (the night runs into the next day), else 0."""
    return 1 if p.date_match is not None and "night" in p.date_match.text.lower() else 0


def _day(p: _Proposal, article: Article) -> dt.date:
    if p.date_match is not None and p.date_match.date is not None:
        return p.date_match.date
    return article.published


_EXTRACTORS: dict[tuple[int, int], tuple[object, object, Extractor]] = {}


def _extractor(gazetteer: PlaceSource, factions: FactionSet) -> Extractor:
    key = (id(gazetteer), id(factions))
    cached = _EXTRACTORS.get(key)
    if cached is not None and cached[0] is gazetteer and cached[1] is factions:
        return cached[2]
    ex = Extractor(gazetteer, factions)
    if len(_EXTRACTORS) > 8:
        _EXTRACTORS.clear()
    _EXTRACTORS[key] = (gazetteer, factions, ex)
    return ex


def ingest(article: Article, gazetteer: PlaceSource, factions: FactionSet) -> IngestResult:
    """Find the places a report names and the control changes it reports."""
    return _extractor(gazetteer, factions).ingest(article)


def extract_changes(article: Article, gazetteer: PlaceSource, factions: FactionSet) -> list[ControlEvent]:
    """The proposed control changes of one report (origin extracted, not reviewed)."""
    return ingest(article, gazetteer, factions).changes
