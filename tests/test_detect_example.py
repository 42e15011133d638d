"""The example article's findings (issue 2's acceptance), and detect()'s contract on any input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extractors.detect import detect, is_relevant
from extractors.findings import Figure, Statement
from newswatch.settings import BUNDLED_WATCH_FILE
from newswatch.watchfile import load_watch

TOPIC = load_watch(BUNDLED_WATCH_FILE).topics[0]


@pytest.fixture(scope="module")
def article(shared_dir: Path) -> str:
    """The AP article about the deployment, from ../shared/examples."""
    return (shared_dir / "examples" / "ap-2024-10-nk-troops-russia.txt").read_text(encoding="utf-8")


def _apostrophes(text: str | None) -> str | None:
    return text.replace("’", "'") if text else text


@pytest.mark.shared
def test_example_article_figures(article: str) -> None:
    """3,000 (around, spy chief, nis), 1,500 special forces (NIS), up to 10,000 (Zelenskyy), 10,000 by
    December (lawmaker Park Sunwon relaying the NIS), another 1,500 (delta), more than 13,000 containers."""
    found = [f for f in detect(article, TOPIC) if isinstance(f, Figure)]
    got = [
        (
            article[f.start : f.end],
            f.qualifier,
            f.unit_class,
            _apostrophes(f.claimant),
            f.claimant_key,
            f.delta,
        )
        for f in found
    ]
    assert got == [
        ("3,000", "around", "troops", "South Korea's spy chief", "nis", False),
        ("1,500", "none", "troops", "South Korean intelligence", "nis", False),
        ("10,000", "up to", "troops", "Ukrainian President Volodymyr Zelenskyy", "zelenskyy", False),
        ("1,500", "none", "troops", "South Korean National Intelligence Service (NIS) Director Cho Tae-yong", "nis",
         True),
        ("10,000", "none", "troops", "lawmaker Park Sunwon", "nis", False),
        ("13,000", "more than", "containers", None, None, False),
    ]  # fmt: skip
    assert found[-1].stance == "reported"
    assert all("1.2 million" not in article[f.start : f.end] for f in found)
    assert not any("Korean War" in f.sentence for f in found)


@pytest.mark.shared
def test_example_article_statements_by_lloyd_austin(article: str) -> None:
    """Austin's confirmation, his quoted words (speaker in full, with role), and 'He warned ...'."""
    austin = [s for s in detect(article, TOPIC) if isinstance(s, Statement) and s.speaker == "Lloyd Austin"]
    assert [s.verb for s in austin] == ["confirmed", "said", "warned"]
    assert all(s.role == "U.S. Defense Secretary" for s in austin)
    direct = austin[1]
    assert direct.direct
    assert (
        direct.quote
        == "What exactly they are doing? That’s still to be seen. These are things we need to sort out,"
    )
    assert article[direct.start : direct.end] == direct.quote
    assert "very, very serious issue" in austin[2].quote


@pytest.mark.shared
def test_example_article_is_relevant_and_sorted(article: str) -> None:
    """The article is about the topic; findings come sorted by offset."""
    assert is_relevant(article, TOPIC)
    starts = [f.start for f in detect(article, TOPIC)]
    assert starts == sorted(starts)


def test_offsets_point_into_the_input_even_with_html_entities() -> None:
    """Entities are unescaped for matching, but offsets index the text as given."""
    text = "South Korea&#039;s spy agency says &quot;3,000 North Korean soldiers&quot; &amp; officers are in Russia."
    found = detect(text, TOPIC)
    fig = next(f for f in found if isinstance(f, Figure))
    assert text[fig.start : fig.end] == "3,000"
    assert (fig.value, fig.claimant_key) == (3000, "nis")
    stmt = next(f for f in found if isinstance(f, Statement))
    assert text[stmt.start : stmt.end].startswith("&quot;3,000")


def test_irrelevant_text_finds_nothing() -> None:
    """An article on another subject is not relevant and yields no figures; naming North Korea is not enough."""
    text = "The storm killed 14 people and left 30,000 homes without power, officials said."
    assert not is_relevant(text, TOPIC)
    assert not is_relevant("North Korea opened a new fertiliser factory, KCNA said.", TOPIC)
    assert is_relevant("North Korea has sent troops to Russia, KCNA said.", TOPIC)
    assert [f for f in detect(text, TOPIC) if isinstance(f, Figure)] == []


_PIECES = [
    *"North Korea 3,0015.-–—“”\"'‘’:;!?()\n &#;$%kK",
    "North Korean",
    " soldiers",
    " said",
    " told reporters",
    " according to ",
    "&#039;",
    "thousands of ",
    "1,500",
    " more ",
    "about ",
    "He ",
    "Austin",
    "Lloyd Austin",
    " killed or wounded",
    " - ",
    ": ",
    "10.000",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join) | st.text(max_size=200))
def test_detect_never_raises_and_offsets_are_in_range(text: str) -> None:
    """Any string: no exception, sorted findings, offsets within the input."""
    found = detect(text, TOPIC)
    assert [f.start for f in found] == sorted(f.start for f in found)
    for f in found:
        assert 0 <= f.start <= f.end <= len(text)


_CONTROL = (
    "South Korea's spy agency said on Monday that around 3,000 North Korean soldiers had arrived in Russia's "
    "Kursk region, and lawmakers told reporters that more were expected to follow within weeks. "
)


def _best_seconds(text: str) -> float:
    """The faster of two runs of detect() on `text` (the first also warms the parser's caches)."""
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        detect(text, TOPIC)
        best = min(best, time.perf_counter() - started)
    return best


@pytest.mark.parametrize(
    "unit",
    [
        "North Korea said troops 3,000 soldiers ",  # no sentence end at all
        "“North Korea sent 3,000 troops, the NIS said ",  # quotations that never close
        "North Korea, the NIS, Seoul, the army, 3,000 soldiers, ",
        "North Korea. U.S. N. K. A. B. soldiers 3,000. ",  # thousands of tiny sentences
    ],
)
def test_pathological_text_costs_no_more_than_an_ordinary_article(unit: str) -> None:
    """Work per article is bounded: 10,000 characters of worst-case text take at most a few times as long
    as 10,000 characters of ordinary news about the topic (sentences and parsed sentences are capped)."""
    size = 10_000
    control = _best_seconds(_CONTROL * (size // len(_CONTROL)))
    worst = _best_seconds(unit * (size // len(unit)))
    assert worst <= 4 * control, f"{worst:.2f}s against {control:.2f}s for ordinary text of the same size"
