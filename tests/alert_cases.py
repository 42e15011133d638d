"""Every kind of alert message, from fictional findings of our own (golden files, the README, the email PNG)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from alerts.message import AlertItem, HealthItem, Message, Previous
from alerts.render import render_digest, render_health, render_instant
from extractors.findings import Figure, Statement

TOPIC = ("nk-troops-russia", "North Korean troops in Russia")
NIS = "National Intelligence Service (NIS)"
OCT_18 = datetime(2024, 10, 18, 1, 20, tzinfo=UTC)
OCT_23 = datetime(2024, 10, 23, 7, 40, tzinfo=UTC)
OCT_24 = datetime(2024, 10, 24, 14, 5, tzinfo=UTC)


def _item(
    finding: Figure | Statement, change: str, article: tuple[str, str, datetime, str], **more: object
) -> AlertItem:
    title, outlet, published, url = article
    base = AlertItem(TOPIC[0], TOPIC[1], change, finding, (), title, outlet, published, url)  # type: ignore[arg-type]
    return replace(base, **more)  # type: ignore[arg-type]


def _figure(
    value: int, qualifier: str, claimant: str, key: str | None, sentence: str, start: int, **more: object
) -> Figure:
    base = Figure(
        value,
        value,
        value,
        False,
        qualifier,
        "soldiers",
        "troops",
        claimant,
        key,
        "claimed",
        sentence,
        start,
        start + 5,
    )
    return replace(base, **more)  # type: ignore[arg-type]


def _said(
    speaker: str, key: str, role: str | None, quote: str, sentence: str, start: int, direct: bool = True
) -> Statement:
    return Statement(speaker, key, role, "said", quote, direct, sentence, start, start + len(quote))


KYIV = (
    "Zelenskyy says North Korea is readying 10,000 troops",
    "Kyiv Daily Ledger",
    OCT_24,
    "https://ledger.example/2024/10/24/zelenskyy-10000",
)
HAN = (
    "North Korean troop numbers in Russia double to around 3,000",
    "Han River Wire",
    OCT_23,
    "https://hanriver.example/2024/10/23/nis-3000",
)
MERIDIAN = (
    "US confirms North Korean troops are in Russia",
    "Meridian World Desk",
    OCT_24,
    "https://meridian.example/world/2024/10/24/us-confirms",
)

ZELENSKYY_10000 = _item(
    _figure(
        10_000,
        "up to",
        "Volodymyr Zelenskyy",
        "zelenskyy",
        "Ukrainian President Volodymyr Zelenskyy said up to 10,000 North Korean soldiers were being prepared to fight for Russia.",
        60,
    ),
    "new_figure",
    KYIV,
    known_as="Volodymyr Zelenskyy",
)
NIS_3000 = _item(
    _figure(
        3000,
        "around",
        "South Korea's spy agency",
        "nis",
        "South Korea's spy agency told lawmakers that around 3,000 North Korean soldiers were now in Russia, twice the number it reported last week.",
        48,
    ),
    "revised_figure",
    HAN,
    previous=("about 1,500 special forces (Oct 18)",),
    earlier=(Previous("about 1,500 special forces (Oct 18)", 1500, 1500, 1500, OCT_18),),
    known_as=NIS,
)
AUSTIN = _item(
    _said(
        "Lloyd Austin",
        "pentagon",
        "U.S. Defense Secretary",
        "What exactly they are doing? That's still to be seen.",
        "“What exactly they are doing? That's still to be seen,” Austin told reporters in Rome.",
        401,
    ),
    "new_statement",
    MERIDIAN,
    known_as="U.S. Department of Defense",
    speaker_class="claimant",
)
# One article with more to say than a message shows.
HAN_MORE = [
    NIS_3000,
    _item(_figure(10_000, "none", "Park Sun-won, a lawmaker on the committee", "park-sunwon",
                  "Park Sun-won, a lawmaker on the committee, said the agency expects the contingent to grow to 10,000 troops by December.", 880, stance="estimated"),
          "new_figure", HAN, known_as=""),
    _item(_said("Lloyd Austin", "pentagon", "U.S. Defense Secretary", "We are now sure that North Korean soldiers are on Russian soil.",
                "In Rome, Austin said: “We are now sure that North Korean soldiers are on Russian soil.”", 1300),
          "new_statement", HAN, speaker_class="claimant"),
    _item(_said("the National Intelligence Service (NIS", "nis", None, "a second contingent of 1,500 troops had arrived in Russia in recent days",
                "At a closed-door session, the National Intelligence Service (NIS) said a second contingent of 1,500 troops had arrived in Russia in recent days.", 300, direct=False),
          "new_statement", HAN, speaker_class="claimant"),
    _item(_said("Park Sun-won", "park-sunwon", "lawmaker", "They are being trained to use drones.",
                "“They are being trained to use drones,” said Park Sun-won, a lawmaker.", 1000),
          "new_statement", HAN, speaker_class="named"),
    _item(_said("Lee Seong-kweun", "lee-seongkweun", "Lawmaker", "the soldiers had been given Russian uniforms",
                "Lawmaker Lee Seong-kweun said the soldiers had been given Russian uniforms and identity papers.", 1500, direct=False),
          "new_statement", HAN, speaker_class="named"),
    _item(_said("Dmitry Peskov", "kremlin", "Kremlin spokesman", "These reports are not worth commenting on.",
                "“These reports are not worth commenting on,” Kremlin spokesman Dmitry Peskov said.", 1800),
          "new_statement", HAN, speaker_class="claimant"),
    _item(_said("Rustem Umerov", "rustem-umerov", "Defence Minister", "We expect them in Kursk within days.",
                "“We expect them in Kursk within days,” Defence Minister Rustem Umerov said.", 2100),
          "new_statement", HAN, speaker_class="named"),
]  # fmt: skip
NARRATION = _item(
    _said("Officials", "officials", None, "the government was also considering sending observers",
          "Officials said the government was also considering sending observers to Ukraine.", 700, direct=False),
    "new_statement", MERIDIAN, speaker_class="unnamed")  # fmt: skip
FEED = "https://en.yna.co.kr/RSS/news.xml"

CASES: dict[str, Callable[[], Message]] = {
    "new_figure": lambda: render_instant([ZELENSKYY_10000]),
    "revised_figure": lambda: render_instant([NIS_3000]),
    "new_statement": lambda: render_instant([AUSTIN]),
    "article": lambda: render_instant(HAN_MORE),
    "digest": lambda: render_digest([AUSTIN, NARRATION, ZELENSKYY_10000, *HAN_MORE[:3]]),
    "health_failing": lambda: render_health(HealthItem(FEED, "failing", 5, "http_status: HTTP 503", OCT_24)),
    "health_silent": lambda: render_health(HealthItem(FEED, "silent", 0, None, OCT_23)),
    "health_recovered": lambda: render_health(HealthItem(FEED, "recovered", 0, None, OCT_24)),
}
