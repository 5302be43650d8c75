"""Resolve the dates news reports use ("on Sunday", "yesterday", "Dec. 1", "in 2019") against publication.

"A day later", "two days after", "the following day" count from the day named just before them (in the same
text, or the anchor the caller carries from an earlier sentence); "overnight" is the night before
publication, dated to the day before, like "last night".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6,
}
MONTHS: dict[str, int] = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
NUMBERS: dict[str, int] = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
# A date more than this far before publication is background, not the news being reported.
HISTORY_DAYS = 60
# Explicit day-month dates up to this far after publication are taken as this year (datelines run late).
FUTURE_SLACK_DAYS = 7

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
_WEEKDAY = "|".join(WEEKDAYS)
_NUM = r"(?P<n>\d{1,2}|" + "|".join(NUMBERS) + ")"

# Order matters: longer, more specific forms first; each alternative is a named group.
_PATTERNS: tuple[tuple[str, str], ...] = (
    ("iso", r"(?P<iso>(?:19|20)\d\d-[01]\d-[0-3]\d)"),
    ("month_day", _MONTH + r"\s+" + _DAY + r"\b" + _YEAR),
    ("day_month", _DAY + r"(?:\s+of)?\s+" + _MONTH + r"\b" + _YEAR),
    ("days_ago", _NUM + r"\s+days?\s+(?:ago|earlier|before)"),
    # Relative to the date named before them in the same text: "on Saturday ... a day later".
    ("days_later", r"(?:(?P<n>a|an|\d{1,2}|" + "|".join(NUMBERS) + r")\s+days?\s+later|"
                   r"the\s+(?:next|following)\s+day)"),
    ("days_after", r"(?P<n>a|an|\d{1,2}|" + "|".join(NUMBERS) + r")\s+days?\s+after"),
    ("weekend", r"(?:during|over|at|on|this|last|the)\s+(?:the\s+)?weekend"),
    ("earlier_week", r"(?:earlier|early)\s+(?:this|in\s+the)\s+week|this\s+week"),
    ("last_week", r"last\s+week|the\s+previous\s+week|a\s+week\s+ago"),
    ("yesterday", r"yesterday"),
    ("last_night", r"last\s+night|overnight"),
    ("today", r"today|this\s+(?:morning|afternoon|evening)|tonight"),
    ("weekday", r"(?P<weekday>" + _WEEKDAY + r")(?:'s)?(?:\s+(?:night|morning|evening|afternoon))?"),
    ("month_year", _MONTH + r"\s+(?P<myear>(?:19|20)\d\d)"),
    ("year", r"(?:in|since|during|by|until|of|from)\s+(?:(?:early|late|mid|the\s+summer\s+of|"
             r"the\s+spring\s+of|the\s+autumn\s+of|the\s+winter\s+of|the\s+end\s+of)[\s-]+)?"
             r"(?P<bare_year>(?:19|20)\d\d)\b"),
)
# Group names repeat across forms (month, day, year), so each form is its own regex.
def _prefixed(kind: str, body: str) -> str:
    """Rename the named groups of one form so that all forms fit in one alternation."""
    return re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{kind}__{m.group(1)}>", body)


# One pass over the text: the forms in order of preference, each in its own outer group.
_DATE_RE = re.compile(
    r"\b(?:" + "|".join(f"(?P<{kind}>{_prefixed(kind, body)})" for kind, body in _PATTERNS) + r")\b",
    re.IGNORECASE,
)



# Every date expression contains one of these words (or a digit); the full pattern is tried only at the few
# word starts just before each of them, not at every word of the text (the big alternation is slow).
_KEY_RE = re.compile(
    r"\b\d|\b(?=[adfjmnostwyeADFJMNOSTWYE])(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|(?:mon|tues|wednes|thurs|fri|satur|sun|"
    r"yester|to)day|weekend|week|night|tonight|overnight|days?|morning|afternoon|evening)\b",
    re.IGNORECASE,
)
_WORD_AT_RE = re.compile(r"\b\w+")
# The words a date expression can start with (besides digits, months and weekdays).
_STARTER_WORDS = (
    "during over at on this last the earlier early yesterday overnight today tonight in since by until of "
    "from a an previous following next weekend week night morning afternoon evening days day"
)
_STARTERS = frozenset([*_STARTER_WORDS.split(" "), *NUMBERS])
# The longest lead before a key word: "in the summer of 2019", "at the end of the weekend".
_KEY_LEAD = 40
_MONTH_DAY_STEMS = frozenset(m[:3] for m in [*MONTHS, *WEEKDAYS])


@dataclass(frozen=True, slots=True)
class DateMatch:
    """A date expression found in a text, with what it resolves to.

    ``precise`` is true when the text fixes a single day; ``history`` is true for background
    (a past year, or a date long before publication) that must not be dated to the article.
    """

    text: str
    start: int
    end: int
    date: dt.date | None
    precise: bool
    history: bool = False


def latest_weekday(weekday: int, published: dt.date) -> dt.date:
    """Return the latest day with this weekday (0 = Monday) on or before ``published``."""
    return published - dt.timedelta(days=(published.weekday() - weekday) % 7)


def _explicit(day: int, month: int, year: int | None, published: dt.date) -> dt.date | None:
    """Build a day-month date; without a year, the one nearest before publication (late datelines allowed)."""
    try:
        if year is not None:
            return dt.date(year, month, day)
        guess = dt.date(published.year, month, day)
    except ValueError:
        return None
    if guess > published + dt.timedelta(days=FUTURE_SLACK_DAYS):
        try:
            return dt.date(published.year - 1, month, day)
        except ValueError:
            return None
    return guess


def _resolve(
    kind: str, g: dict[str, str], published: dt.date, anchor: dt.date | None = None,
) -> tuple[dt.date | None, bool, bool]:
    """Turn the groups of one match of form ``kind`` into (date, precise, history).

    ``anchor`` is the date named last before the match, for "a day later" / "two days after".
    """
    if kind in ("days_later", "days_after"):
        if anchor is None:
            return None, False, False  # "a day after rebels entered Aleppo": no day to count from
        raw = (g.get("n") or "one").lower()
        n = 1 if raw in ("a", "an") else NUMBERS.get(raw) or int(raw)
        return anchor + dt.timedelta(days=n if kind == "days_later" else -n), True, False
    if kind == "iso":
        try:
            return dt.date.fromisoformat(g["iso"]), True, False
        except ValueError:
            return None, False, False
    if kind in ("month_day", "day_month"):
        year = int(g["year"]) if g["year"] else None
        found = _explicit(int(g["day"]), MONTHS[g["month"].lower()], year, published)
        return found, found is not None, False
    if kind == "days_ago":
        raw = g["n"].lower()
        n = NUMBERS.get(raw) or int(raw)
        return published - dt.timedelta(days=n), True, False
    if kind == "weekend":
        # The latest Saturday on or before publication starts "the weekend" being reported.
        return latest_weekday(5, published), False, False
    if kind == "earlier_week":
        return published - dt.timedelta(days=published.weekday()), False, False
    if kind == "last_week":
        return published - dt.timedelta(days=published.weekday() + 7), False, False
    if kind in ("yesterday", "last_night"):
        return published - dt.timedelta(days=1), True, False
    if kind == "today":
        return published, True, False
    if kind == "weekday":
        return latest_weekday(WEEKDAYS[g["weekday"].lower()], published), True, False
    if kind == "month_year":
        year, month = int(g["myear"]), MONTHS[g["month"].lower()]
        if (year, month) == (published.year, published.month):
            return None, False, False
        return dt.date(year, month, 1), False, (year, month) < (published.year, published.month)
    year = int(g["bare_year"])
    return None, False, year < published.year


def find_dates(
    text: str, published: dt.date, start: int = 0, end: int | None = None, anchor: dt.date | None = None,
) -> list[DateMatch]:
    """Return every date expression in ``text`` (or in ``text[start:end]``, spans kept) in order, resolved
    against ``published``; ``anchor`` is a day named before the span, for "a day later"."""
    found: list[DateMatch] = []
    for m in _date_matches(text, start, len(text) if end is None else end):
        kind = m.lastgroup or ""
        groups = {short: m.group(full) or "" for full, short in _GROUPS_OF.get(kind, ())}
        date, precise, history = _resolve(kind, groups, published, anchor)
        if date is not None and not history:
            anchor = date
        if date is not None and date < published - dt.timedelta(days=HISTORY_DAYS):
            history = True
        if date is None and not history:
            continue
        found.append(DateMatch(m.group(0), m.start(), m.end(), date, precise, history))
    return found


# Each form's own named groups: (name in the one big pattern, name in the form).
_GROUPS_OF: dict[str, tuple[tuple[str, str], ...]] = {
    kind: tuple((name, name[len(kind) + 2:]) for name in _DATE_RE.groupindex if name.startswith(kind + "__"))
    for kind, _ in _PATTERNS
}


def _date_matches(text: str, start: int, end: int) -> list[re.Match[str]]:
    """The matches ``_DATE_RE.finditer`` would give in ``text[start:end]``, trying it only near key words."""
    out: list[re.Match[str]] = []
    done = start  # matches never overlap: nothing before the end of the last one is tried again
    for key in _KEY_RE.finditer(text, start, end):
        at = key.start()
        if at < done:
            continue
        for w in _WORD_AT_RE.finditer(text, max(done, at - _KEY_LEAD), at + 1):
            word = w.group(0).lower()
            if w.start() != at and word not in _STARTERS and not word[0].isdigit() \
                    and word[:3] not in _MONTH_DAY_STEMS:
                continue  # no date starts with this word: spare the full pattern
            m = _DATE_RE.match(text, w.start(), end)
            if m is not None and m.end() > at:
                out.append(m)
                done = m.end()
                break
    return out


def resolve_date(expression: str, published: dt.date) -> dt.date | None:
    """Resolve one date expression ("on Sunday", "Dec. 1", "yesterday"); None when it names no news day."""
    for m in find_dates(expression, published):
        return None if m.history else m.date
    return None


def find_date(sentence: str, published: dt.date) -> tuple[dt.date, bool]:
    """Return the date a sentence reports and whether the text fixed it (else publication, False)."""
    for m in find_dates(sentence, published):
        if not m.history and m.date is not None:
            return m.date, m.precise
    return published, False


def parse_published(value: str) -> dt.date:
    """Parse a publication date ``YYYY-MM-DD`` (or ``YYYY/MM/DD``); ValueError with a hint otherwise."""
    text = value.strip()
    if re.fullmatch(r"\d{4}[-/]\d{1,2}[-/]\d{1,2}", text):
        y, m, d = (int(p) for p in re.split(r"[-/]", text))
        try:
            return dt.date(y, m, d)
        except ValueError as exc:
            raise ValueError(f"impossible date {value!r}: {exc}") from None
    raise ValueError(f"unknown date format {value!r}; expected YYYY-MM-DD, e.g. 2024-12-02")
