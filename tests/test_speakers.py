"""Whose statements are sent at once: watch-file claimants, named people and institutions; unnamed
narration only to routes that take every speaker (digests, unless they say otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from test_delivery import SENT, TOPICS, payload, queue, rows, settings

from alerts.payload import finding_payload
from alerts.speakers import speaker_class
from extractors.findings import Statement
from newswatch.channels import resolve_channels
from newswatch.delivery import send_due
from newswatch.watchfile import WatchFileError, load_watch, parse_watch

TOPIC = load_watch(Path(__file__).resolve().parents[1] / "newswatch" / "watch.yaml").topics[0]
CLAIMANTS = {c.key for c in TOPIC.claimants}


def said(speaker: str, key: str = "") -> Statement:
    return Statement(speaker, key or speaker.lower().replace(" ", "-"), None, "said", "They are there.", False,
                     f"{speaker} said they are there.", 0, 10)  # fmt: skip


@pytest.mark.parametrize(
    ("speaker", "key", "expected"),
    [
        ("Seoul's spy agency", "nis", "claimant"),  # a watch-file claimant, however written
        ("the agency", "nis", "claimant"),
        ("Lloyd Austin", "", "named"),
        ("Kim Jong Un", "", "named"),
        ("Seoul", "", "named"),
        ("Russia's foreign ministry", "", "named"),
        ("The South Korean military", "", "named"),
        ("the Joint Chiefs of Staff (JCS", "", "named"),
        ("Reuters", "", "named"),
        ("Officials", "", "unnamed"),
        ("officials", "", "unnamed"),
        ("US officials", "", "unnamed"),
        ("Officials in Washington", "", "unnamed"),
        ("Diplomats from several G7 countries", "", "unnamed"),
        ("analysts in Seoul", "", "unnamed"),
        ("Sources", "", "unnamed"),
        ("a North Korean diplomat", "", "unnamed"),
        ("A senior official", "", "unnamed"),
        ("Some analysts", "", "unnamed"),
        ("It", "", "unnamed"),
        ("they", "", "unnamed"),
        ("The agency", "", "unnamed"),
        ("His office", "", "unnamed"),
        ("state media in both countries", "", "unnamed"),
        ("the city's military administration", "", "unnamed"),
        ("", "", "unnamed"),
    ],
)
def test_who_is_identified(speaker: str, key: str, expected: str) -> None:
    assert speaker_class(said(speaker, key), CLAIMANTS) == expected


def test_the_class_is_decided_when_the_finding_is_stored() -> None:
    data = finding_payload(topic=TOPIC, change="new_statement", finding=said("Officials"), earlier=[],
                           article_title="t", outlet="o", published=None, url="https://x.example/a")  # fmt: skip
    assert data["speaker_class"] == "unnamed" and data["known_as"] == ""
    data = finding_payload(topic=TOPIC, change="new_statement", finding=said("Spy agency", "nis"), earlier=[],
                           article_title="t", outlet="o", published=None, url="https://x.example/a")  # fmt: skip
    assert data["speaker_class"] == "claimant" and data["known_as"] == "National Intelligence Service (NIS)"


def test_unnamed_narration_goes_to_digests_not_to_instant_channels(sqlite_engine: Engine) -> None:
    SENT.clear()  # (what other tests' dlvcap:// channels accepted)
    watch = parse_watch(
        TOPICS
        + """alerts:
  - {url: "dlvcap://instant.example.org", topics: [nk]}
  - {url: "dlvcap://wide.example.org", topics: [nk], speakers: all}
  - {url: "dlvcap://digest.example.org", topics: [nk], mode: digest}
  - {url: "dlvcap://narrow.example.org", topics: [nk], mode: digest, speakers: identified}
"""
    )
    channels = resolve_channels(watch, settings())
    narration = payload(said("Officials"), 1, "new_statement") | {"speaker_class": "unnamed"}
    named = payload(said("Lloyd Austin"), 2, "new_statement") | {"speaker_class": "named"}
    queue(sqlite_engine, channels, [(1, narration), (2, named)])
    hosts = {(r.subject, r.channel): r for r in rows(sqlite_engine)}
    by_host = {c.url: c.id for c in channels}
    took = {url: sorted(s for s, ch in hosts if ch == cid) for url, cid in by_host.items()}
    assert took == {
        "dlvcap://instant.example.org": ["claim:2"],
        "dlvcap://wide.example.org": ["claim:1", "claim:2"],
        "dlvcap://digest.example.org": ["claim:1", "claim:2"],
        "dlvcap://narrow.example.org": ["claim:2"],
    }
    report = send_due(sqlite_engine, channels, settings())
    assert report.sent == 6 and {host for host, _t, _b in SENT} == {
        "instant.example.org", "wide.example.org", "digest.example.org", "narrow.example.org"
    }  # fmt: skip


def test_a_route_that_names_another_speakers_value_is_refused() -> None:
    with pytest.raises(WatchFileError, match=r"line 13: alerts\[0\]: 'speakers' must be identified or all"):
        parse_watch(TOPICS + "alerts:\n  - url: env\n    speakers: everyone\n")
