"""What detection finds: figures and statements, in the schema of `newswatch detect`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Figure:
    """A number, range or vague quantity that counts something about the topic."""

    value: int | None
    low: int | None
    high: int | None
    vague: bool
    qualifier: str  # canonical: none, around, about, nearly, up to, more than, at least, fewer than, ...
    unit: str  # the counted noun as written ("soldiers")
    unit_class: str  # its class from the watch file ("troops")
    claimant: str | None  # who says so, as written
    claimant_key: str | None  # normalised key from the watch file ("nis"), else a slug of the name
    stance: str  # claimed, confirmed, denied, estimated, reported
    sentence: str
    start: int  # character offsets of the number in the input text
    end: int
    delta: bool = False  # "1,500 more troops": an increment, not a total
    subset: bool = False  # a part of a bigger count: "including at least five children"
    parts: tuple[int, ...] = ()  # a total's parts: "52 passengers and four crew members" is 56 = (52, 4)
    kind: Literal["figure"] = "figure"

    def to_dict(self) -> dict[str, Any]:
        """The JSON object `newswatch detect` prints."""
        return asdict(self)


@dataclass(frozen=True)
class Statement:
    """A direct quote or reported speech about the topic, with its speaker."""

    speaker: str
    speaker_key: str  # normalised speaker for novelty ("lloyd-austin")
    role: str | None
    verb: str | None
    quote: str
    direct: bool
    sentence: str
    start: int  # character offsets of the quote (or reported text) in the input text
    end: int
    kind: Literal["statement"] = "statement"

    def to_dict(self) -> dict[str, Any]:
        """The JSON object `newswatch detect` prints."""
        return asdict(self)


Finding = Figure | Statement


_QUALIFIER_WORDS = {"none": "", "fewer than": "fewer than", "more than": "more than", "at least": "at least"}


def describe_figure(figure: Figure) -> str:
    """A figure in a few words: "up to 10,000 soldiers", "10,000-12,000 troops", "+1,500 troops"."""
    unit = figure.unit or figure.unit_class
    if figure.vague:
        amount = {12: "dozens", 100: "hundreds", 1000: "thousands"}.get(
            figure.low or 0, f"{figure.low or 0:,}+"
        )
        return f"{amount} of {unit}"
    if figure.value is None and figure.low is not None and figure.high is not None:
        amount = f"{figure.low:,}-{figure.high:,}"
    else:
        amount = f"{figure.value or figure.low or 0:,}"
    if figure.delta:
        amount = f"+{amount}"
    qualifier = _QUALIFIER_WORDS.get(figure.qualifier, figure.qualifier)
    return " ".join(part for part in (qualifier, amount, unit) if part)
