"""Date expressions in news reports, resolved against the publication date."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from dashboard.dates import find_date, find_dates, latest_weekday, parse_published, resolve_date

MONDAY = dt.date(2024, 12, 2)  # the AFP report's publication day
D = dt.date


@pytest.mark.parametrize(
    ("expression", "published", "expected"),
    [
        ("on Sunday", MONDAY, D(2024, 12, 1)),
        ("on Monday", MONDAY, D(2024, 12, 2)),  # the latest Monday on or before publication is that day
        ("on Wednesday", MONDAY, D(2024, 11, 27)),
        ("on Tuesday", MONDAY, D(2024, 11, 26)),  # never a day after publication
        ("Saturday's assault", MONDAY, D(2024, 11, 30)),
        ("on Thursday night", D(2024, 12, 6), D(2024, 12, 5)),
        ("during the weekend", MONDAY, D(2024, 11, 30)),
        ("over the weekend", D(2024, 12, 1), D(2024, 11, 30)),
        ("yesterday", MONDAY, D(2024, 12, 1)),
        ("last night", MONDAY, D(2024, 12, 1)),
        ("overnight", D(2024, 12, 7), D(2024, 12, 6)),
        ("today", MONDAY, MONDAY),
        ("earlier this week", D(2024, 12, 6), D(2024, 12, 2)),
        ("last week", MONDAY, D(2024, 11, 25)),
        ("two days ago", MONDAY, D(2024, 11, 30)),
        ("3 days ago", MONDAY, D(2024, 11, 29)),
        ("Dec. 1", MONDAY, D(2024, 12, 1)),
        ("Dec 1", MONDAY, D(2024, 12, 1)),
        ("1 December", MONDAY, D(2024, 12, 1)),
        ("on December 5", D(2024, 12, 8), D(2024, 12, 5)),
        ("the 5th of December", D(2024, 12, 8), D(2024, 12, 5)),
        ("November 27, 2024", MONDAY, D(2024, 11, 27)),
        ("2024-11-30", MONDAY, D(2024, 11, 30)),
        ("Dec. 30", D(2025, 1, 2), D(2024, 12, 30)),  # no year: the previous year, not next December
        ("Dec. 5", MONDAY, D(2024, 12, 5)),  # a few days ahead is allowed (late datelines)
    ],
)
def test_resolve_date_against_publication(expression: str, published: dt.date, expected: dt.date) -> None:
    assert resolve_date(expression, published) == expected


@pytest.mark.parametrize(
    "expression",
    ["in 2019", "since 2011", "in early 2020", "in December 2016", "by 2018", "on 4 March 2015",
     "no date here", "31 February", "in the spring of 2017"],
)
def test_history_and_non_dates_resolve_to_none(expression: str) -> None:
    assert resolve_date(expression, MONDAY) is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Rebels took Aleppo on Saturday, the monitor said.", (D(2024, 11, 30), True)),
        ("Rebels took Aleppo, the monitor said.", (MONDAY, False)),
        ("Rebels took Aleppo during the weekend.", (D(2024, 11, 30), False)),
        ("Rebels entered the city on Friday for the first time since they were driven out in 2016.",
         (D(2024, 11, 29), True)),
        ("Government forces retook the town in 2020.", (MONDAY, False)),
    ],
)
def test_find_date_falls_back_to_publication(sentence: str, expected: tuple[dt.date, bool]) -> None:
    assert find_date(sentence, MONDAY) == expected


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        # counted from the day named before them in the same sentence
        ("The army left on Saturday and rebels took the town a day later.",
         [D(2024, 11, 30), D(2024, 12, 1)]),
        ("Hama fell on 5 December and Homs two days later.", [D(2024, 12, 5), D(2024, 12, 7)]),
        ("Calm returned on Monday, a day after rebels entered the city.", [MONDAY, D(2024, 12, 1)]),
        ("Troops pulled out on Friday; fighters moved in the following day.",
         [D(2024, 11, 29), D(2024, 11, 30)]),
        # with no day before them there is nothing to count from
        ("A day after rebels entered the city, the army struck back.", []),
        ("Rebels took the town three days later.", []),
    ],
)
def test_days_later_and_after_count_from_the_day_named_before(sentence: str, expected: list[dt.date]) -> None:
    assert [m.date for m in find_dates(sentence, MONDAY)] == expected


def test_find_dates_reports_spans_and_history() -> None:
    text = "Seized on Sunday, lost in 2016."
    found = find_dates(text, MONDAY)
    assert [(m.text, m.date, m.history) for m in found] == [("Sunday", D(2024, 12, 1), False),
                                                           ("in 2016", None, True)]
    assert text[found[0].start: found[0].end] == "Sunday"


def test_latest_weekday_is_never_after_publication() -> None:
    for offset in range(7):
        day = latest_weekday(offset, MONDAY)
        assert day <= MONDAY
        assert (MONDAY - day).days < 7
        assert day.weekday() == offset


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2024-12-02", D(2024, 12, 2)), (" 2024/12/2 ", D(2024, 12, 2))],
)
def test_parse_published_accepts_iso_dates(value: str, expected: dt.date) -> None:
    assert parse_published(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("02/12/2024", "unknown date format '02/12/2024'; expected YYYY-MM-DD, e.g. 2024-12-02"),
        ("yesterday", "unknown date format 'yesterday'; expected YYYY-MM-DD, e.g. 2024-12-02"),
        ("2024-02-30", "impossible date '2024-02-30': day is out of range for month"),
    ],
)
def test_parse_published_refuses_other_formats(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message) + "$"):
        parse_published(value)
