"""Name folding for matching: one town, many spellings, one key.

Folding is token-local so that a text can be tokenised once and matched run by run:
``fold(name) == " ".join(t for t in (fold_token(w) for w, _, _ in tokens(name)) if t)``.
``skeleton`` is a coarser key (consonants only) for ranking near-misses, never for exact matching.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Word characters plus the combining marks that NFC leaves separate (Latin accents, Arabic harakat), so a
# vocalised Arabic word or a decomposed Latin one stays one token. Apostrophe-like marks join the parts of
# a token (Nu'man, Ma`arrat) but hyphens and spaces separate tokens (al-Numan -> "al", "Numan").
_MARKS = "\u0300-\u036f\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
_WORD = rf"(?:[^\W_]|[{_MARKS}])+"
_APOSTROPHES = "'\u2019\u2018\u02bc\u02bf\u02be`\u00b4\u02b9"
_TOKEN_RE = re.compile(rf"{_WORD}(?:[{_APOSTROPHES}]{_WORD})*")
_APOSTROPHE_RE = re.compile(f"[{_APOSTROPHES}]")
_NON_WORD_RE = re.compile(r"[\W_]")
_POSSESSIVE_RE = re.compile(r"^(.{3,})['\u2019]s$", re.IGNORECASE)

# Romanised forms of the Arabic article; as separate tokens they carry no meaning for matching.
LATIN_ARTICLES = frozenset({
    "al", "el", "il", "ul", "l", "ad", "ed", "ar", "er", "as", "es", "ash", "esh",
    "at", "et", "az", "ez", "an", "en", "adh", "ath", "dh", "ech", "ej",
})
_TAL = frozenset({"tal", "tel", "til"})  # after doubled letters collapse: Tall, Tell

# Arabic script variants that spellings use interchangeably.
_ARABIC_MAP = str.maketrans(
    {
        "\u0623": "\u0627",  # alef with hamza above -> alef
        "\u0625": "\u0627",  # alef with hamza below -> alef
        "\u0622": "\u0627",  # alef with madda -> alef
        "\u0671": "\u0627",  # alef wasla -> alef
        "\u0629": "\u0647",  # ta marbuta -> ha
        "\u0649": "\u064a",  # alef maqsura -> ya
        "\u0626": "\u064a",  # ya with hamza -> ya
        "\u0624": "\u0648",  # waw with hamza -> waw
        "\u06a9": "\u0643",  # Persian kaf -> kaf
        "\u06cc": "\u064a",  # Persian ya -> ya
        "\u0640": None,  # tatweel (kashida) is decoration
    }
)
_ARABIC_ARTICLE = "\u0627\u0644"  # "al-" written in Arabic script
_DOUBLE_RE = re.compile(r"([a-z])\1+")
_VOWELS = frozenset("aeiou")


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Split ``text`` into word tokens with their character spans ``(token, start, end)``."""
    return [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fold_once(t: str) -> str:
    t = _strip_marks(_strip_marks(t).casefold())
    # Apostrophes and anything NFKD exposed that is not a word character (the fraction slash of ¼).
    t = _NON_WORD_RE.sub("", _APOSTROPHE_RE.sub("", t))
    if not t:
        return ""
    if "\u0600" <= t[0] <= "\u06ff":
        t = t.translate(_ARABIC_MAP)
        if t.startswith(_ARABIC_ARTICLE) and len(t) > 3:
            t = t[2:]
        return t
    # Latin letters that NFKD does not decompose.
    t = t.replace("ß", "ss").replace("ı", "i").replace("ø", "o").replace("đ", "d").replace("ł", "l")
    t = t.replace("ou", "u").replace("ee", "i").replace("oo", "u")
    t = _DOUBLE_RE.sub(r"\1", t)
    if len(t) > 3 and t[-1] == "h" and t[-2] in "ae":
        t = t[:-1]  # Hamah/Hama, Raqqah/Raqqa, Ashrafiyeh/Ashrafiye
    if t in LATIN_ARTICLES:
        return ""
    if t in _TAL:
        return "tal"
    return t


@lru_cache(maxsize=131072)
def fold_token(token: str) -> str:
    """Fold one token: case, diacritics, apostrophes, Arabic variants, articles, Tal/Tell, doubled letters."""
    m = _POSSESSIVE_RE.match(token)
    t = m.group(1) if m else token
    # Each rule can expose another (Tell -> tel, al-al...), so apply them until nothing changes.
    for _ in range(8):
        folded = _fold_once(t)
        if folded == t:
            break
        t = folded
    return t


def fold(name: str) -> str:
    """Fold a whole name into its matching key (tokens folded and joined by one space)."""
    return " ".join(t for t in (fold_token(w) for w, _, _ in tokens(name)) if t)


@lru_cache(maxsize=131072)
def _skeleton_token(t: str) -> str:
    if not t or not t.isascii():
        return t
    t = t.replace("ch", "sh").replace("dj", "j").replace("q", "k")
    head = "a" if t[0] in _VOWELS else t[0]
    rest = "".join(c for c in t[1:] if c not in _VOWELS and c not in "yw")
    return _DOUBLE_RE.sub(r"\1", head + rest)


def skeleton(folded: str) -> str:
    """Reduce a folded name to consonants, for ranking spellings that differ only in vowels."""
    return " ".join(_skeleton_token(t) for t in folded.split(" ") if t)
