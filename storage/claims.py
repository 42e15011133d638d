"""Novelty: store articles' findings as claims, telling new, revised and repeated apart, in bulk."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from extractors.findings import Figure, Statement, describe_figure
from extractors.findings import Finding as Detected
from storage.likeness import MAX_COMPARED, first_same, statement_key
from storage.models import Article, Claim, Finding, utcnow

CHUNK = 500  # values per IN (...) list
# A claimant's values read per unit class (the most recent): enough to tell a revision, and to show
# MAX_PREVIOUS of them, however long the claimant's history grows.
MAX_VALUES_READ = 50
MAX_PREVIOUS = (
    5  # earlier values an alert lists: a claimant with 7,000 values must not make 7,000-line alerts
)
Ident = tuple[str, str]  # (topic, key): what identifies a claim, before and after it has an id


@dataclass(frozen=True)
class ClaimChange:
    """A finding that is new for its topic: what changed, and the claimant's earlier values."""

    claim_id: int
    finding_id: int
    topic: str
    change: str  # new_figure, revised_figure, new_statement
    finding: Detected
    previous: tuple[str, ...]


@dataclass(frozen=True)
class StoredFindings:
    """What storing one article's findings for one topic did."""

    new: tuple[ClaimChange, ...]
    repeated: int


REPORTED = "reported"  # the claimant of a figure no one is named for: its revisions are the press's


def series(figure: Figure) -> str:
    """What a figure's values are a series of: its unit class, or for a part of a toll also the part
    ("killed/children"), so that 13 children killed never revises 38 people killed."""
    if not figure.subset:
        return figure.unit_class
    noun = figure.unit.lower().split()[-1] if figure.unit else ""
    return f"{figure.unit_class}/{noun}"


def claim_key(finding: Detected) -> str:
    """The identity of a claim: unit class, claimant and value for figures; speaker and quote for statements."""
    if isinstance(finding, Figure):
        value = f"{'+' if finding.delta else ''}{finding.value}:{finding.low}:{finding.high}"
        vague = ":vague" if finding.vague else ""
        return f"figure:{series(finding)}:{finding.claimant_key or '-'}:{value}{vague}"
    digest = hashlib.sha256(statement_key(finding.quote).encode()).hexdigest()[:20]
    return f"statement:{finding.speaker_key}:{digest}"


def _chunks(values: Iterable[str | int]) -> Iterable[list[str | int]]:
    unique = sorted(set(values), key=str)
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


@dataclass
class _Added:
    """One article's findings for one topic, waiting for ids."""

    new: list[tuple[Claim, Finding, str, Detected, tuple[str, ...]]]
    repeated: int


class ClaimBatch:
    """Novelty for many articles at once: the claims they may touch are read in a few queries, decided in
    memory in the order articles are added (so a later value revises an earlier one of the same batch),
    and written with multi-row statements by `flush`. A concurrent writer of the same claim makes the flush
    raise IntegrityError: the caller rolls the transaction back and stores the batch again."""

    def __init__(
        self, session: Session, *, findings: Iterable[tuple[str, Detected]], article_ids: Iterable[int] = ()
    ) -> None:
        self._session = session
        self._by_key: dict[Ident, Claim] = {}
        self._by_speaker: dict[tuple[str, str], list[Claim]] = defaultdict(list)
        self._quote_keys: dict[int, str] = {}  # id(claim) -> statement_key of its quote, computed once
        self._by_claimant: dict[tuple[str, str, str], list[Claim]] = defaultdict(list)
        self._outlets: dict[Ident, set[str]] = defaultdict(set)
        self._seen: set[tuple[int, Ident]] = set()  # (article id, claim) pairs stored or added
        self._bumps: dict[Ident, int] = defaultdict(int)
        self._added: list[_Added] = []
        self._new_claims: list[Claim] = []
        self._findings: list[tuple[Finding, Claim]] = []
        self._load(list(findings), list(article_ids))

    def _load(self, findings: list[tuple[str, Detected]], article_ids: list[int]) -> None:
        by_topic: dict[str, list[Detected]] = defaultdict(list)
        for topic, finding in findings:
            by_topic[topic].append(finding)
        claims: dict[int, Claim] = {}
        for topic, found in by_topic.items():
            # The claims with these keys, the most recent statements of these speakers (near-duplicates),
            # and the most recent figures of these claimants (earlier values make a revision); a figure no
            # one is named for is the claim of "reported", so its earlier values are read too.
            figures = [f for f in found if isinstance(f, Figure)]
            classes = sorted({f.unit_class for f in figures})
            for chunk in _chunks(claim_key(f) for f in found):
                query = select(Claim).where(Claim.topic == topic, col(Claim.key).in_(chunk))
                claims.update((c.id, c) for c in self._session.exec(query).all() if c.id is not None)
            speakers = (f.speaker_key for f in found if isinstance(f, Statement) and f.speaker_key)
            for chunk in _chunks(speakers):
                said: tuple[Any, ...] = (Claim.topic == topic, Claim.kind == "statement")
                said += (col(Claim.speaker_key).in_(chunk),)
                claims.update(self._recent(said, (col(Claim.speaker_key),), MAX_COMPARED))
            for chunk in _chunks(f.claimant_key or "" for f in figures):
                where: tuple[Any, ...] = (
                    Claim.topic == topic,
                    Claim.kind == "figure",
                    col(Claim.claimant_key).in_(chunk),
                    col(Claim.unit_class).in_(classes),
                )
                groups = (col(Claim.claimant_key), col(Claim.unit_class))
                claims.update(self._recent(where, groups, MAX_VALUES_READ))
            if any(f.claimant_key is None for f in figures):
                unnamed: tuple[Any, ...] = (
                    Claim.topic == topic,
                    Claim.kind == "figure",
                    col(Claim.claimant_key).is_(None),
                    col(Claim.unit_class).in_(classes),
                )
                claims.update(self._recent(unnamed, (col(Claim.unit_class),), MAX_VALUES_READ))
        for claim in sorted(claims.values(), key=lambda c: c.id or 0):
            self._remember(claim)
        for chunk in _chunks(claims):
            rows = self._session.exec(
                select(Finding.claim_id, Article.outlet)
                .join(Article, col(Article.id) == col(Finding.article_id))
                .where(col(Finding.claim_id).in_(chunk))
                .distinct()
            ).all()
            for claim_id, outlet in rows:
                self._outlets[_ident(claims[claim_id])].add(outlet)
        pairs = select(Finding.article_id, Claim.topic, Claim.key).join(
            Claim, col(Claim.id) == col(Finding.claim_id)
        )
        for chunk in _chunks(article_ids):
            for article_id, claim_topic, key in self._session.exec(
                pairs.where(col(Finding.article_id).in_(chunk))
            ):
                self._seen.add((article_id, (claim_topic, key)))

    def _recent(self, where: tuple[Any, ...], groups: tuple[Any, ...], limit: int) -> list[tuple[int, Claim]]:
        """The `limit` most recent claims of each group matching `where` (one query, a window function)."""
        rank = func.row_number().over(partition_by=groups, order_by=col(Claim.id).desc()).label("rank")
        ranked = select(col(Claim.id), rank).where(*where).subquery()
        query = select(Claim).join(ranked, col(Claim.id) == ranked.c.id).where(ranked.c.rank <= limit)
        return [(c.id, c) for c in self._session.exec(query).all() if c.id is not None]

    def _remember(self, claim: Claim) -> None:
        self._by_key[_ident(claim)] = claim
        if claim.kind == "statement" and claim.speaker_key:
            self._by_speaker[(claim.topic, claim.speaker_key)].append(claim)
        elif claim.source == "page":
            self._remember_value(claim)

    def _remember_value(self, claim: Claim) -> None:
        """A claimant's value that later values revise: never one known only from feed summaries (a feed
        cannot plant "Previously: 44,444" in another outlet's alert), nor an increment ("1,500 more").
        A figure no one is named for is the claim of "reported"."""
        if claim.kind == "figure" and ":+" not in claim.key:
            values = self._by_claimant[(claim.topic, _series_of(claim), claim.claimant_key or REPORTED)]
            values.append(claim)
            del values[:-MAX_VALUES_READ]  # the oldest go: a page of 200 values must not sort 200 x 200

    def add(self, article: Article, topic: str, findings: Sequence[Detected]) -> int:
        """Decide what each finding of `article` (stored, with an id) is; returns a handle for `result`."""
        assert article.id is not None
        added = _Added([], 0)
        from_page = article.source != "feed"
        for finding in findings:
            key = claim_key(finding)
            claim = self._match(topic, key, finding)
            if claim is None:
                previous = self._previous(topic, finding, key) if isinstance(finding, Figure) else ()
                change = "revised_figure" if previous else "new_figure"
                change = change if isinstance(finding, Figure) else "new_statement"
                claim = _new_claim(topic, key, finding, article, change)
                self._remember(claim)
                self._new_claims.append(claim)
                self._outlets[(topic, key)].add(article.outlet)
                self._seen.add((article.id, (topic, key)))
                row = self._finding(article, claim, finding, is_new=True)
                added.new.append((claim, row, change, finding, previous))
                continue
            ident = _ident(claim)
            if (article.id, ident) in self._seen:
                continue  # the same claim twice in one article, or the article re-read
            self._seen.add((article.id, ident))
            # Corroboration: one more outlet's page (a feed's summary never corroborates anything).
            if from_page and article.outlet not in self._outlets[ident]:
                self._outlets[ident].add(article.outlet)
                if claim.id is None:
                    claim.outlets += 1
                else:
                    self._bumps[ident] += 1
            if from_page and claim.source != "page":  # a page now carries what only a feed's summary said
                claim.source = "page"
                self._remember_value(claim)
            self._finding(article, claim, finding, is_new=False)
            added.repeated += 1
        self._added.append(added)
        return len(self._added) - 1

    def flush(self) -> None:
        """Write the new claims, the findings and the outlet counts (multi-row statements)."""
        self._session.add_all(self._new_claims)
        self._session.flush()
        for row, claim in self._findings:
            assert claim.id is not None
            row.claim_id = claim.id
        self._session.add_all(row for row, _claim in self._findings)
        if self._bumps:
            table = Claim.__table__  # type: ignore[attr-defined]
            bump = table.update().where(table.c.id == bindparam("cid"))
            bump = bump.values(outlets=table.c.outlets + bindparam("n"))
            rows = [{"cid": self._by_key[i].id, "n": n} for i, n in self._bumps.items()]
            self._session.connection().execute(bump, rows)
        self._session.flush()
        self._new_claims, self._findings, self._bumps = [], [], defaultdict(int)

    def result(self, handle: int) -> StoredFindings:
        """What one `add` did, with the ids `flush` gave."""
        added = self._added[handle]
        new = tuple(
            ClaimChange(claim.id or 0, row.id or 0, claim.topic, change, finding, previous)
            for claim, row, change, finding, previous in added.new
        )
        return StoredFindings(new=new, repeated=added.repeated)

    def _match(self, topic: str, key: str, finding: Detected) -> Claim | None:
        claim = self._by_key.get((topic, key))
        if claim is not None or not isinstance(finding, Statement):
            return claim
        # One quote carried by ten outlets with small differences is one statement; the speaker's most
        # recent statements are compared, at most MAX_COMPARED of them.
        same_speaker = self._by_speaker.get((topic, finding.speaker_key), [])
        candidates = ((self._quote_key(c), c) for c in reversed(same_speaker) if c.quote)
        return first_same(statement_key(finding.quote), candidates)

    def _quote_key(self, claim: Claim) -> str:
        found = self._quote_keys.get(id(claim))
        if found is None:
            found = self._quote_keys[id(claim)] = statement_key(claim.quote or "")
        return found

    def _previous(self, topic: str, figure: Figure, key: str) -> tuple[str, ...]:
        """The claimant's earlier values for the same unit class, oldest first (empty: not a revision)."""
        if figure.delta:
            return ()
        claimant = figure.claimant_key or REPORTED
        earlier = [c for c in self._by_claimant.get((topic, series(figure), claimant), []) if c.key != key]
        earlier.sort(key=lambda c: (c.first_published_at or c.first_seen_at or utcnow(), c.id or 1 << 62))
        return tuple(_dated(c) for c in earlier[-MAX_PREVIOUS:])

    def _finding(self, article: Article, claim: Claim, finding: Detected, *, is_new: bool) -> Finding:
        assert article.id is not None
        row = Finding(
            article_id=article.id,
            claim_id=claim.id or 0,  # a claim new in this batch gets its id at flush
            topic=claim.topic,
            kind=claim.kind,
            data=finding.to_dict(),
            sentence=finding.sentence,
            start=finding.start,
            end=finding.end,
            is_new=is_new,
            found_at=utcnow(),
        )
        self._findings.append((row, claim))
        return row


def _series_of(claim: Claim) -> str:
    """A stored claim's series, read back from its key (figure:<series>:<claimant>:<value>)."""
    parts = claim.key.split(":")
    return parts[1] if len(parts) > 1 and parts[0] == "figure" else claim.unit_class or ""


def _ident(claim: Claim) -> Ident:
    return (claim.topic, claim.key)


def _dated(claim: Claim) -> str:
    moment = claim.first_published_at or claim.first_seen_at
    when = f"{moment:%b} {moment.day}" if moment else ""
    return f"{claim.display} ({when})" if when else claim.display


def _new_claim(topic: str, key: str, finding: Detected, article: Article, change: str) -> Claim:
    claim = Claim(
        topic=topic,
        kind=finding.kind,
        key=key,
        change=change,
        first_seen_at=utcnow(),
        first_article_id=article.id,
        first_outlet=article.outlet,
        source="feed" if article.source == "feed" else "page",
    )
    if isinstance(finding, Figure):
        claim.unit_class, claim.claimant_key = finding.unit_class, finding.claimant_key
        claim.value, claim.low, claim.high = finding.value, finding.low, finding.high
        claim.display, claim.first_published_at = describe_figure(finding), article.published
    else:
        claim.speaker_key, claim.quote = finding.speaker_key, finding.quote
        claim.display = f"{finding.speaker}: {finding.quote[:120]}"
    return claim


def store_findings(
    session: Session, *, article: Article, topic: str, findings: Sequence[Detected]
) -> StoredFindings:
    """Store findings of one article for one topic; returns the new ones (the caller commits)."""
    batch = ClaimBatch(session, findings=[(topic, f) for f in findings], article_ids=[article.id or 0])
    handle = batch.add(article, topic, findings)
    batch.flush()
    return batch.result(handle)
