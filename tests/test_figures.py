"""Figures: what is counted, by whom, how sure, and what is not a figure of the topic."""

from __future__ import annotations

from dataclasses import replace

import pytest

from extractors.detect import detect, is_relevant
from extractors.findings import Figure
from extractors.topic import topic_from_mapping
from newswatch.settings import BUNDLED_WATCH_FILE
from newswatch.watchfile import load_watch

TOPIC = load_watch(BUNDLED_WATCH_FILE).topics[0]


def figures(text: str) -> list[Figure]:
    """The figures detected in `text` with the bundled topic; each one's span is its number."""
    found = [f for f in detect(text, TOPIC) if isinstance(f, Figure)]
    for f in found:
        assert text[f.start : f.end].strip(), f
    return found


def one(text: str) -> Figure:
    """The single figure in `text`."""
    found = figures(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "unit_class"),
    [
        ("Around 3,000 North Korean soldiers are in Russia.", "troops"),
        ("North Korea sent 1,500 special forces personnel to Vladivostok.", "troops"),
        ("Over 1,000 North Korean soldiers killed or wounded in Ukraine war: Seoul", "casualties"),
        ("At least 200 North Korean soldiers have been killed, Kyiv said.", "killed"),
        ("About 500 North Korean soldiers were injured in the attack.", "wounded"),
        ("Ukraine has captured two North Korean soldiers.", "captured"),
        ("Ukraine captures two North Korean soldiers in Kursk", "captured"),
        ("The North shipped 13,000 containers of munitions to Russia.", "containers"),
        ("North Korea sent 500 dead soldiers' bodies home, Ukrainian intelligence said.", "killed"),
        ("North Korean casualties have exceeded 4,000, the JCS said.", "casualties"),
        ("Zelenskyy said North Korean losses had exceeded 3,000.", "casualties"),
        (
            "North Korean troops suffered heavy losses, with estimates putting the number killed at over 1,000.",
            "killed",
        ),
        ("An estimated 11,000 North Korean soldiers are fighting in Kursk.", "troops"),
    ],
)
def test_the_counted_noun_gives_the_unit_class(text: str, unit_class: str) -> None:
    """The class comes from the watch file's nouns; casualty words around the noun refine it."""
    assert one(text).unit_class == unit_class


def test_nested_figures_are_separate() -> None:
    """'at least 1,000 of the 11,000 troops ... killed': 1,000 killed and 11,000 troops."""
    text = "Officials believe at least 1,000 of the 11,000 troops sent from North Korea had been killed."
    found = {f.value: f for f in figures(text)}
    assert found[1000].unit_class == "killed" and found[1000].qualifier == "at least"
    assert found[11000].unit_class == "troops" and found[11000].qualifier == "none"


@pytest.mark.parametrize(
    ("text", "claimant", "key", "stance"),
    [
        ("Around 3,000 North Korean soldiers are in Russia, the NIS said.", "the NIS", "nis", "claimed"),
        ("South Korea's spy agency told lawmakers 1,500 North Korean troops had arrived.",
         "South Korea's spy agency", "nis", "claimed"),
        ("According to lawmaker Park Sun-won, the NIS believes 10,000 North Korean troops will be sent.",
         "lawmaker Park Sun-won", "nis", "estimated"),
        ("North Korea sends 10K troops to Russia: Zelensky", "Zelensky", "zelenskyy", "claimed"),
        ("North Korea sends 3,000 more troops - South Korean lawmaker", "South Korean lawmaker",
         "south-korean-lawmaker", "claimed"),
        ("We assess that the DPRK has sent about 10,000 soldiers to Russia.", "We", "we", "estimated"),
        ("The Pentagon confirmed that 10,000 North Korean soldiers were in Russia.", "The Pentagon", "pentagon",
         "confirmed"),
        ("Moscow denied that 12,000 North Korean soldiers had entered Russia.", "Moscow", "kremlin", "denied"),
        ("South Korean intelligence reported that 1,500 North Korean soldiers were moved.",
         "South Korean intelligence", "nis", "reported"),
        ("Kyiv said 30 North Korean soldiers were killed or wounded.", "Kyiv", "kyiv", "claimed"),
    ],
)  # fmt: skip
def test_claimant_key_and_stance(text: str, claimant: str, key: str, stance: str) -> None:
    """Claimant as written, key from the watch file's aliases (or a slug), stance from the verb."""
    f = one(text)
    assert (f.claimant, f.claimant_key, f.stance) == (claimant, key, stance)


def test_claimant_after_a_time_phrase_and_before_a_participle() -> None:
    """'..., the JCS said on Thursday, bringing the total to ...': the JCS, not 'January, the JCS'."""
    text = "North Korea has sent roughly 3,000 more troops since January, the JCS said on Thursday, bringing the total."
    f = one(text)
    assert (f.claimant, f.claimant_key, f.delta, f.qualifier) == ("the JCS", "jcs", True, "about")


def test_unattributed_figures_are_reported_without_claimant() -> None:
    """Narration: no claimant, stance reported."""
    f = one("North Korea has also reportedly sent over 13,000 containers of weapons to Russia.")
    assert (f.claimant, f.claimant_key, f.stance, f.qualifier) == (None, None, "reported", "more than")


def test_hedged_figures_are_estimated() -> None:
    """'is believed to have sent' without a source: estimated."""
    assert one("The North is believed to have sent about 10,000 troops.").stance == "estimated"


@pytest.mark.parametrize(
    "text",
    [
        "Despite North Korea's large standing army of 1.2 million troops, experts are skeptical.",
        "North Korea has not fought a war since the Korean War ended in 1953.",
        "An average of around 1,500 Russian soldiers were killed per day in October, North Korea's ally said.",
        "Russia returns 500 dead soldiers to Ukraine as world leaders mull next steps.",
        "North Korea launched well over 100 ballistic missiles since 2022.",
        "North Korea's 2016 nuclear test drew 12 UN resolutions.",
        "North Korea fired two Hwasong-19 missiles on Oct. 31.",
        "The North Korean soldier, 26, was born in 1998.",
        "Pyongyang paid $30,000 for the 40 mandarin ducks and two yaks.",
        "Russia and Ukraine swapped 150 prisoners of war each as North Korean troops joined the fighting.",
        "Russia has amassed 50,000 troops, including North Korean soldiers, to retake Kursk.",
        "As North Korean troops arrived, Russian losses had exceeded 600,000, the British ministry said.",
    ],
)
def test_numbers_that_are_not_figures_of_the_topic(text: str) -> None:
    """Standing armies, wars, other nations' losses, untopical text, missiles, years, ages, prices, animals,
    and counts in a clause about another party while the topic sits in another clause."""
    assert figures(text) == []


def test_money_counts_only_when_the_topic_has_a_money_class() -> None:
    """'$2,000 a month per soldier' is a figure with the bundled topic (usd), not without that class."""
    text = "Russia pays North Korea $2,000 a month for each soldier, the lawmaker said."
    assert one(text).unit_class == "usd"
    no_money = replace(TOPIC, units=tuple(u for u in TOPIC.units if u.name != "usd"))
    assert [f for f in detect(text, no_money) if isinstance(f, Figure)] == []


WILDFIRE = {
    "title": "Wildfire evacuations",
    "terms": ["wildfire", "Park Fire", "blaze"],
    "context_terms": ["evacuees"],
    "units": {
        "evacuated": ["residents", "people", "evacuees"],
        "structures": ["homes", "structures", "buildings"],
        "area": ["acres", "hectares"],
    },
    "claimants": {
        "calfire": {"name": "CAL FIRE", "aliases": ["Cal Fire", "California Department of Forestry"]},
        "sheriff": ["Butte County Sheriff", "sheriff's office"],
    },
}


def test_a_second_topic_works_from_its_watch_file_alone() -> None:
    """Another topic's vocabulary (units, aliases, terms) drives detection with no code change."""
    topic = topic_from_mapping("wildfire", WILDFIRE)
    text = (
        "The Park Fire has forced about 26,000 residents to evacuate, Cal Fire said on Friday.\n"
        "The blaze has destroyed more than 400 homes and burned 350,000 acres, the sheriff's office said.\n"
        "North Korea sent 3,000 troops to Russia."
    )
    found = [f for f in detect(text, topic) if isinstance(f, Figure)]
    got = {(f.value, f.qualifier, f.unit_class, f.claimant_key) for f in found}
    assert got == {
        (26000, "about", "evacuated", "calfire"),
        (400, "more than", "structures", "sheriff"),
        (350000, "none", "area", "sheriff"),
    }
    assert is_relevant(text, topic)
    assert not is_relevant("North Korea sent 3,000 troops to Russia.", topic)
