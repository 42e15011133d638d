"""Statements: quote forms, reported speech, speakers resolved in full, what is not a statement; near-duplicates."""

from __future__ import annotations

import pytest

from extractors.detect import detect
from extractors.findings import Statement
from newswatch.settings import BUNDLED_WATCH_FILE
from newswatch.watchfile import load_watch

TOPIC = load_watch(BUNDLED_WATCH_FILE).topics[0]


def statements(text: str) -> list[Statement]:
    """The statements detected in `text`; each one's offsets must point at its words."""
    found = [f for f in detect(text, TOPIC) if isinstance(f, Statement)]
    for s in found:
        assert text[s.start : s.end].split()[0] in s.quote, (text[s.start : s.end], s.quote)
    return found


def one(text: str) -> Statement:
    """The single statement in `text`."""
    found = statements(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "quote"),
    [
        ("“North Korean troops are already in Kursk,” Budanov said.", "North Korean troops are already in Kursk,"),
        ('"North Korean troops are already in Kursk," Budanov said.', "North Korean troops are already in Kursk,"),
        ("Budanov said: “North Korean troops are already in Kursk.”", "North Korean troops are already in Kursk."),
        ("Budanov said, 'North Korean troops are already in Kursk.'", "North Korean troops are already in Kursk."),
        ('"They came in waves. Many of them died. The North Korean units did not retreat," the officer told AFP.',
         "They came in waves. Many of them died. The North Korean units did not retreat,"),
        ('"The North Korean soldiers are brave," the officer said, "but they are not ready."',
         "The North Korean soldiers are brave, but they are not ready."),
        ("Gen Syrskyi told the channel: „Die nordkoreanischen Soldaten greifen in Wellen an.“",
         "Die nordkoreanischen Soldaten greifen in Wellen an."),
    ],
)  # fmt: skip
def test_direct_quotes_in_every_mark_and_shape(text: str, quote: str) -> None:
    """Straight, curly, single and German marks; attribution after, before, or splitting the quote."""
    s = one(text)
    assert s.direct
    assert s.quote == quote


def test_mixed_and_reported_speech() -> None:
    """A quoted fragment inside reported speech is not direct; plain reported speech keeps its clause."""
    mixed = one('Seoul\'s defence minister said the North Korean deployment was a "grave provocation".')
    assert not mixed.direct and "grave provocation" in mixed.quote
    reported = one(
        "Japan's foreign minister warned that North Korea could gain missile technology for its troops."
    )
    assert not reported.direct
    assert reported.quote == "North Korea could gain missile technology for its troops"
    assert reported.verb == "warned"


@pytest.mark.parametrize(
    ("text", "speaker", "verb"),
    [
        ("Putin also refused to confirm or deny reports that North Korea had sent troops.", "Putin",
         "also refused to confirm or deny"),
        ("The Kremlin denied that North Korean troops were in Russia.", "The Kremlin", "denied"),
        ("North Korea has for the first time confirmed that it sent troops to Russia.", "North Korea",
         "has for the first time confirmed"),
        ("Injured North Korean soldier captured by Ukraine has died, says South Korea", "South Korea", "says"),
        ("NATO says North Korean troops already deployed to Kursk", "NATO", "says"),
        ("Over 1,000 North Korean soldiers killed or wounded: Seoul", "Seoul", None),
        ("North Korea sends 3,000 more troops to Russia – South Korean lawmaker", "South Korean lawmaker", None),
        ("According to Ukraine's military intelligence, North Korean troops will reach Kursk soon.",
         "Ukraine's military intelligence", "according to"),
        # An acronym in brackets stays whole, though the parser hangs the ")" on the verb.
        ("At a closed-door session, the National Intelligence Service (NIS) said 1,500 North Korean troops "
         "had arrived in Russia.", "the National Intelligence Service (NIS)", "said"),
        ("South Korea's Joint Chiefs of Staff (JCS) said about 1,100 North Korean soldiers had been killed.",
         "South Korea's Joint Chiefs of Staff (JCS)", "said"),
    ],
)  # fmt: skip
def test_reported_speech_forms_keep_the_speaker_as_written(text: str, speaker: str, verb: str | None) -> None:
    """Refusals, denials, confirmations and headline attributions; metonyms stay as written."""
    s = one(text)
    assert (s.speaker, s.verb) == (speaker, verb)


def test_surname_and_pronoun_resolve_to_the_full_name_with_role() -> None:
    """'Austin' -> 'Lloyd Austin' from an earlier mention; 'He' -> the last named speaker; role kept."""
    text = (
        "U.S. Defense Secretary Lloyd Austin confirmed on Monday that North Korean troops were in Russia.\n"
        "Austin said, “What exactly they are doing? That’s still to be seen.”\n"
        'He warned that the North Korean deployment was a "very, very serious issue".'
    )
    found = statements(text)
    assert [s.speaker for s in found] == ["Lloyd Austin"] * 3
    assert all(s.role == "U.S. Defense Secretary" for s in found)
    assert all(s.speaker_key == "pentagon" for s in found)  # a watch-file claimant alias
    assert [s.direct for s in found] == [False, True, False]


def test_the_agency_resolves_to_the_organisation_named_before() -> None:
    """'The agency said' after the NIS spoke: the same claimant, so novelty sees one source."""
    text = (
        "South Korea's National Intelligence Service said 300 North Korean soldiers had died in Kursk. "
        "The agency said the North Korean troops lacked drone training."
    )
    found = statements(text)
    assert [s.speaker_key for s in found] == ["nis", "nis"]
    assert found[1].speaker == "South Korea's National Intelligence Service"


def test_she_resolves_to_the_person_named_before() -> None:
    """With no earlier speaker, 'She' is the last person the article named."""
    text = "Foreign Minister Choe Son Hui arrived in Moscow. She said North Korea would back Russia's war."
    assert one(text).speaker == "Choe Son Hui"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            "A North Korean soldier who was captured by Ukraine said he had been sent to fight.",
            "A North Korean soldier",
        ),
        ("Kim Jong Un was quoted as saying the troops had fulfilled their duty.", "Kim Jong Un"),
        ("Kremlin Refuses to Confirm or Deny North Korean Troops in Russia", "Kremlin"),
        ("US Confirms North Korean Troops in Russia", "US"),
    ],
)
def test_relative_clauses_passive_quotes_and_title_case(text: str, speaker: str) -> None:
    """Speakers with a relative clause, 'was quoted as saying', and title-case headline verbs."""
    assert one(text).speaker == speaker


def test_a_dateline_is_not_reported_speech() -> None:
    """'SEOUL — ..., the NIS said on Thursday in its first estimate.': trailing source, dateline left out."""
    text = "SEOUL — At least 100 North Korean soldiers have been killed, the NIS said on Thursday in its first estimate."
    s = one(text)
    assert (s.speaker, s.quote) == ("the NIS", "At least 100 North Korean soldiers have been killed")


def test_apposition_and_relayed_briefing() -> None:
    """'Name, a lawmaker on the committee, said': the name is the speaker, the apposition its role."""
    s = one("Lee Seong-kweun, a lawmaker on the intelligence committee, said North Korean troops were moved.")
    assert s.speaker == "Lee Seong-kweun"
    assert s.role == "lawmaker on the intelligence committee"


@pytest.mark.parametrize(
    "text",
    [
        'The so-called "volunteers" from North Korea arrived in Kursk by train.',
        'A documentary titled "The Northern Front" follows North Korean defectors.',
        "KCNA did not say what would happen to the North Korean troops.",
        "Some analysts believe North Korean troops will be rotated home in spring.",
        "Many believe North Korea is seeking Russian technology.",
        "Reports that North Korean soldiers had been deployed first emerged in October.",
        "The deal comes amid reports that Pyongyang has dispatched thousands of troops.",
        "North Korean troops are thought to have been deployed near the front.",
        "The UN now says 207 people were killed in Port-au-Prince this month.",
        "We assess that the DPRK has sent about 10,000 soldiers to Russia.",
        "Seoul says North Korea fired a ballistic missile into the sea.",
        "President Yoon called an emergency meeting on the North Korean troops in Russia.",
        "North Korea's state media has not told its citizens about the troops in Russia.",
        "North Korean troop numbers in Russia double to around 3,000, lawmakers told",
        "Zelenskyy posted photographs of the captured North Korean soldiers.",
        "KCNA said Kim Jong Un inspected a fertiliser factory in the north-east.",
    ],
)
def test_not_statements(text: str) -> None:
    """Scare quotes, titles, negated speech, hedges without a speaker, narration, off-topic, 'we', and
    remarks about the topic's subject but not about what the topic follows (no aspect word nearby)."""
    assert statements(text) == []


def test_a_quote_sentence_continues_the_previous_speaker() -> None:
    """A sentence that is only a quotation carries on the remarks of the speaker just before it."""
    text = '"We see North Korean troops in Kursk," Kirby said. "That is a dangerous escalation."'
    found = statements(text)
    assert [s.speaker for s in found] == ["John Kirby", "John Kirby"]
    assert found[1].quote == "That is a dangerous escalation."
