"""Novelty: store articles' findings as claims, telling new, revised and repeated apart, in bulk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from extractors.findings import Figure, Statement
from extractors.findings import Finding as Detected
from storage.identity import REPORTED, Earlier, as_earlier, claim_key, new_claim, series, series_of
from storage.likeness import MAX_COMPARED, first_same, statement_key
from storage.models import Article, Claim, Finding, utcnow

CHUNK = 500  # values per IN (...) list
# A claimant's values read per unit class (the most recent): enough to tell a revision, and to show
# MAX_PREVIOUS of them, however long the claimant's history grows.
MAX_VALUES_READ = 50
# Earlier values an alert lists: a claimant with 7,000 values must not make 7,000-line alerts.
MAX_PREVIOUS = 5
Ident = tuple[str, str]  # (topic, key): what identifies a claim, before and after it has an id


@dataclass(frozen=True)
class ClaimChange:
    """A finding that is new for its topic: what changed, and the claimant's earlier values."""

    claim_id: int
    finding_id: int
    topic: str
    change: str  # new_figure, revised_figure, new_statement
    finding: Detected
    previous: tuple[str, ...]  # the claimant's earlier values as shown ("about 1,500 troops (Oct 18)")
    earlier: tuple[Earlier, ...] = ()  # the same with their numbers
    baseline: str | None = None  # why it is stored without an alert (first_poll, max_age, baseline_run)


@dataclass(frozen=True)
class StoredFindings:
    """What storing one article's findings for one topic did."""

    new: tuple[ClaimChange, ...]
    repeated: int


def _chunks(values: Iterable[str | int]) -> Iterable[list[str | int]]:
    unique = sorted(set(values), key=str)
    for start in range(0, len(unique), CHUNK):
        yield unique[start : start + CHUNK]


@dataclass
class _Added:
    """One article's findings for one topic, waiting for ids."""

    new: list[tuple[Claim, Finding, str, Detected, tuple[Earlier, ...]]]
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
            values = self._by_claimant[(claim.topic, series_of(claim), claim.claimant_key or REPORTED)]
            values.append(claim)
            del values[:-MAX_VALUES_READ]  # the oldest go: a page of 200 values must not sort 200 x 200

    def add(
        self, article: Article, topic: str, findings: Sequence[Detected], *, baseline: str | None = None
    ) -> int:
        """Decide what each finding of `article` (stored, with an id) is; returns a handle for `result`.

        `baseline`: why the claims it starts are stored without an alert (None: they are news)."""
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
                claim = new_claim(topic, key, finding, article, change, baseline)
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
            ClaimChange(
                c.id or 0, row.id or 0, c.topic, change, f, tuple(v.display for v in e), e, c.baseline
            )
            for c, row, change, f, e in added.new
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

    def _previous(self, topic: str, figure: Figure, key: str) -> tuple[Earlier, ...]:
        """The claimant's earlier values for the same unit class, oldest first (empty: not a revision)."""
        if figure.delta:
            return ()
        claimant = figure.claimant_key or REPORTED
        before = [c for c in self._by_claimant.get((topic, series(figure), claimant), []) if c.key != key]
        before.sort(key=lambda c: (c.first_published_at or c.first_seen_at or utcnow(), c.id or 1 << 62))
        return as_earlier(before[-MAX_PREVIOUS:])

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


def _ident(claim: Claim) -> Ident:
    return (claim.topic, claim.key)


def store_findings(
    session: Session,
    *,
    article: Article,
    topic: str,
    findings: Sequence[Detected],
    baseline: str | None = None,
) -> StoredFindings:
    """Store findings of one article for one topic; returns the new ones (the caller commits)."""
    batch = ClaimBatch(session, findings=[(topic, f) for f in findings], article_ids=[article.id or 0])
    handle = batch.add(article, topic, findings, baseline=baseline)
    batch.flush()
    return batch.result(handle)
