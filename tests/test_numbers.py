"""Numbers as news writes them: forms, ranges, vague amounts, qualifiers, increments and exclusions."""

from __future__ import annotations

import pytest

from extractors.numbers import Quantity, find_quantities


def only(text: str) -> Quantity:
    """The single quantity in `text`."""
    found = find_quantities(text)
    assert len(found) == 1, [text[q.start : q.end] for q in found]
    return found[0]


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [
        ("sent 3,000 soldiers", "3,000", 3000),
        ("etwa 10.000 Soldaten", "10.000", 10000),
        ("an army of 1.2 million", "1.2 million", 1_200_000),
        ("1,2 Millionen Granaten", "1,2 Millionen", 1_200_000),
        ("Russia To Deploy 10K Troops", "10K", 10000),
        ("another 12k men", "12k", 12000),
        ("three thousand troops", "three thousand", 3000),
        ("twenty-five soldiers", "twenty-five", 25),
        ("a dozen prisoners", "a dozen", 12),
        ("two dozen prisoners", "two dozen", 24),
        ("zwölf Soldaten", "zwölf", 12),
    ],
)
def test_number_forms_give_their_value(text: str, surface: str, value: int) -> None:
    """Digits with separators (English and German), scale words, k, and number words."""
    q = only(text)
    assert text[q.start : q.end] == surface
    assert (q.value, q.low, q.high, q.vague) == (value, value, value, False)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("10,000 to 12,000 troops", 10000, 12000),
        ("11,000-12,000 soldiers", 11000, 12000),
        ("11,000–12,000 soldiers", 11000, 12000),
        ("between 2,000 and 2,500 wounded", 2000, 2500),
        ("two to three thousand troops", 2000, 3000),
        ("zwischen 1.000 und 3.000 Soldaten", 1000, 3000),
    ],
)
def test_ranges_have_no_value_and_both_ends(text: str, low: int, high: int) -> None:
    """A range: value None, low and high set."""
    q = only(text)
    assert (q.value, q.low, q.high) == (None, low, high)


@pytest.mark.parametrize(
    ("text", "floor"),
    [
        ("thousands of troops", 1000),
        ("Hundreds of soldiers", 100),
        ("dozens of prisoners", 12),
        ("several hundred special forces", 100),
        ("a few thousand soldiers", 1000),
        ("tens of thousands of troops", 10000),
        ("a couple thousand more", 2000),
        ("Tausende Soldaten", 1000),
    ],
)
def test_vague_amounts_are_flagged_with_their_floor(text: str, floor: int) -> None:
    """Vague amounts: vague, no value, low at the floor (dozens 12, hundreds 100, thousands 1000)."""
    q = only(text)
    assert (q.vague, q.value, q.low, q.high) == (True, None, floor, None)


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("around 3,000", "around"),
        ("about 3,000", "about"),
        ("some 8,000", "about"),
        ("roughly 8,000", "about"),
        ("approximately 8,000", "about"),
        ("an estimated 8,000", "about"),
        ("nearly 2,000", "nearly"),
        ("almost 2,000", "nearly"),
        ("up to 10,000", "up to"),
        ("as many as 10,000", "up to"),
        ("more than 1,000", "more than"),
        ("Over 1,000", "more than"),
        ("well over 100", "more than"),
        ("exceeded 4,500", "more than"),
        ("at least 3,000", "at least"),
        ("fewer than 100", "fewer than"),
        ("etwa 3.000", "about"),
        ("mehr als 1.000", "more than"),
        ("bis zu 10.000", "up to"),
        ("3,000", "none"),
    ],
)
def test_qualifiers_are_canonical(text: str, qualifier: str) -> None:
    """Each qualifier surface maps to its canonical value."""
    assert only(text).qualifier == qualifier


@pytest.mark.parametrize(
    "text",
    [
        "1,500 More Troops",
        "another 1,500 troops",
        "an additional 1,000 to 3,000 soldiers",
        "a further 500 men",
    ],
)
def test_increments_are_deltas_not_bounds(text: str) -> None:
    """'More' after a number, 'another' or 'additional' before it: an increment, qualifier none."""
    q = only(text)
    assert q.delta
    assert q.qualifier == "none"


@pytest.mark.parametrize(
    "text",
    [
        "the 1,033rd day of the war",
        "his 20th trip",
        "2.4 percent on-year",
        "a 9% rise",
        "32-year-old Janis",
        "a 152-run win",
        "the Su-25 jet and G7 leaders",
        "a 27cm worm",
        "at 10:30 on Friday",
        "on June 19, 2024",
        "on 19 June",
        "a 3:1 win",
    ],
)
def test_non_counts_are_not_quantities(text: str) -> None:
    """Ordinals, percentages, ages, model numbers, measures with units, times and dates are skipped."""
    assert find_quantities(text) == []


def test_years_and_money_are_marked() -> None:
    """Years and money are found but marked, so figures can refuse them unless the topic asks."""
    year = only("joined the army in 2016")
    assert year.year_like
    money = only("a sale worth $360 million")
    assert money.money and money.value == 360_000_000


def test_number_span_excludes_qualifier_and_lead_includes_it() -> None:
    """The span is the number itself; `lead` is where the qualifier starts."""
    text = "moved at least 3,000 soldiers"
    q = only(text)
    assert text[q.start : q.end] == "3,000"
    assert text[q.lead : q.start] == "at least "
