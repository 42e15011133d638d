"""Who says what in a sentence: the speaker's phrase, the reporting verb, and the reported content."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.phrases import (
    ACCORDING,
    ADD_FOLLOW,
    ADD_VERB,
    ADVERBIAL,
    APPOSITION_START,
    AUX,
    BOUNDARY_WORDS,
    GERMAN_ADJECTIVE,
    GERMAN_ARTICLES,
    HEAD_LEAD,
    HEAD_TAIL,
    INVERTIBLE,
    NEG,
    NOT_SPEAKER_HEADS,
    NOUN_BEFORE,
    OUTLETS,
    PASSIVE,
    QUOTE_LEAD_IN,
    STANCE_OF,
    TELL,
    VERB,
    ZUFOLGE,
    Tok,
    content_end,
    np_after,
    np_ok,
    object_end,
    subject_before,
    tokens,
    valid_subject,
    word_count,
)
from extractors.quotes import Quote, inside
from extractors.text import is_title_case


@dataclass(frozen=True)
class Attribution:
    """Who says what in one sentence (offsets are into the sentence)."""

    subject: str
    subject_start: int
    subject_end: int
    verb: str | None
    stance: str
    content_start: int
    content_end: int
    form: str  # leading, trailing, inverted, headline, according
    relayed: str | None = None  # an inner source the subject passes on ("the NIS believes ...")
    relayed_stance: str | None = None


def _verb_attribution(s: str, toks: list[Tok], quotes: list[Quote], start_at: int) -> Attribution | None:
    """The first speaker + reporting verb in the sentence, as a leading, trailing or inverted attribution."""
    title = is_title_case(s)
    floor = next((i for i, t in enumerate(toks) if t.start >= start_at), len(toks))
    for m in VERB.finditer(s, start_at):
        if inside(quotes, m.start()):
            continue
        if m.group()[:1].isupper() and m.start() > 0 and not title:
            continue  # "the U.S. State Department", not the verb "state"
        if ADD_VERB.fullmatch(m.group()) and not ADD_FOLLOW.match(s, m.end()):
            continue  # "adds 2,000 more soldiers" is not speech; "added that", 'added: "...' is
        v0 = next((i for i, t in enumerate(toks) if t.start >= m.start()), len(toks))
        v1 = next((i for i in range(v0, len(toks)) if toks[i].end >= m.end()), len(toks) - 1)
        prev = toks[v0 - 1] if v0 > 0 else None
        if prev is not None and prev.low in NOUN_BEFORE:
            continue
        window_start = max(start_at, m.start() - 80)
        am = AUX.search(s[window_start : m.start()])
        aux = am.group() if am else ""
        aux_start = window_start + am.start() if am else m.start()
        if aux and (NEG.search(aux) or PASSIVE.search(aux)):
            continue
        verb = (aux.strip() + " " + m.group()).strip() if aux.strip() else m.group()
        stance = STANCE_OF.get(" ".join(m.group().lower().split()), "claimed")
        k = next((i for i in range(len(toks) - 1, -1, -1) if toks[i].end <= aux_start), -1)
        rng = subject_before(toks, k, floor) if k >= floor else None
        if rng is None or not valid_subject([t.text for t in toks[rng[0] : rng[1] + 1]]):
            rng = _apposition(toks, k, floor)
        if rng and valid_subject([t.text for t in toks[rng[0] : rng[1] + 1]]):
            attr = _shape(s, toks, rng, v1, m, verb, stance)
            if attr:
                return attr
        if prev is not None and (prev.text in ',”"’' or prev.text == "'") and m.group().lower() in INVERTIBLE:
            j = np_after(toks, v1 + 1)
            rest = toks[j:]
            if j > v1 + 1 and word_count(rest) <= 4 and valid_subject([t.text for t in toks[v1 + 1 : j]]):
                a, b = toks[v1 + 1].start, toks[j - 1].end
                end = prev.start if prev.text == "," else prev.end
                return Attribution(s[a:b], a, b, m.group(), stance, 0, end, "inverted")
    return None


def _apposition(toks: list[Tok], k: int, floor: int) -> tuple[int, int] | None:
    """A name with an apposition before the verb: "Lee Seong-kweun, a lawmaker on the committee, said"."""
    if k < floor or toks[k].text != ",":
        return None
    c1 = next((i for i in range(k - 1, max(floor, k - 15) - 1, -1) if toks[i].text == ","), None)
    if c1 is None or c1 + 1 >= k or toks[c1 + 1].low not in APPOSITION_START:
        return None
    head = subject_before(toks, c1 - 1, floor)
    return (head[0], k - 1) if head else None


def _shape(
    s: str, toks: list[Tok], rng: tuple[int, int], v1: int, m: re.Match[str], verb: str, stance: str
) -> Attribution | None:
    """Leading ("X said that ...") or trailing ("..., X said.") attribution around a found subject."""
    a, b = toks[rng[0]].start, toks[rng[1]].end
    subject = s[a:b]
    obj = object_end(s, toks, v1) if m.group().lower() in TELL else v1 + 1
    post = toks[obj:]
    that = None
    for t in post[:5]:
        if t.low == "that":
            that = t
            break
        if not (t.low in ADVERBIAL or t.text[:1].isupper()):
            break
    first = next((t for t in post if t.text not in ",:"), None)
    opens_quote = first is not None and first.text in "“\"‘«„'"
    pre_end = len(s[:a].rstrip(" ,—–-"))
    pre_words = word_count(toks[: rng[0]])
    after_quote = s[:pre_end].endswith(("”", '"', "’", "'", "»", "«"))  # '"...," he said, adding that ...'
    if pre_words >= 2 and not opens_quote and (after_quote or (that is None and word_count(post) <= 6)):
        return Attribution(subject, a, b, verb, stance, 0, pre_end, "trailing")
    cstart = that.end if that else (toks[obj - 1].end if obj > v1 + 1 else m.end())
    lead_in = QUOTE_LEAD_IN.match(s, cstart)
    if lead_in and not that:
        cstart = lead_in.end()  # 'said in his nightly address: "..."'
    while cstart < len(s) and s[cstart] in " ,:":
        cstart += 1
    cend = content_end(s)
    if cend - cstart < 2:
        return None
    return Attribution(subject, a, b, verb, stance, cstart, cend, "leading")


def _german_np(toks: list[Tok], j: int) -> int:
    """Token index just past a German noun phrase: "des südkoreanischen Geheimdienstes (NIS)"."""
    while j < len(toks) and toks[j].low in GERMAN_ARTICLES:
        j += 1
    n = 0
    while j < len(toks) and n < 2 and toks[j].text.islower() and GERMAN_ADJECTIVE.search(toks[j].text):
        j += 1
        n += 1
    caps = j
    while j < len(toks) and (toks[j].text[:1].isupper() or toks[j].text.startswith("(")):
        j += 1
    return j if j > caps else -1


def _according(s: str, toks: list[Tok]) -> Attribution | None:
    """An "according to X" / "citing X" / German "laut X", "X zufolge" source anywhere in the sentence."""
    for m in ACCORDING.finditer(s):
        j0 = next((i for i, t in enumerate(toks) if t.start >= m.end()), len(toks))
        english = not m.group().lower().startswith(("laut", "nach"))
        j = np_after(toks, j0) if english else _german_np(toks, j0)
        if j <= j0 or not valid_subject([t.text for t in toks[j0:j]]):
            continue
        nxt = toks[j] if j < len(toks) else None
        if english and nxt is not None and not (nxt.text in ",;:.)—–" or nxt.low in BOUNDARY_WORDS):
            continue
        a, b = toks[j0].start, toks[j - 1].end
        if m.start() <= 3:
            cstart = nxt.end if nxt is not None and nxt.text == "," else b
            while cstart < len(s) and s[cstart] == " ":
                cstart += 1
            return Attribution(s[a:b], a, b, "according to", "claimed", cstart, content_end(s), "according")
        end = len(s[: m.start()].rstrip(" ,—–-")) if english else content_end(s)
        return Attribution(s[a:b], a, b, "according to", "claimed", 0, end, "according")
    z = ZUFOLGE.search(s)
    if z:
        k = next((i for i in range(len(toks) - 1, -1, -1) if toks[i].end <= z.start()), -1)
        i = k
        while i >= 0 and (toks[i].text[:1].isupper() or toks[i].text.startswith("(")):
            i -= 1
        while i >= 0 and toks[i].text.islower() and GERMAN_ADJECTIVE.search(toks[i].text):
            i -= 1
        while i >= 0 and toks[i].low in GERMAN_ARTICLES:
            i -= 1
        if i < k:
            a, b = toks[i + 1].start, toks[k].end
            return Attribution(s[a:b], a, b, "zufolge", "claimed", 0, content_end(s), "according")
    return None


def _headline(s: str, toks: list[Tok]) -> Attribution | None:
    """A headline attribution without a verb: "...: Seoul", "... - South Korean lawmaker", "Zelensky: ..."."""
    text = s.rstrip(" .")
    m = HEAD_TAIL.match(text)
    if m:
        subj = m.group("s").strip()
        words = subj.split()
        dash = ":" not in text[m.end("c") : m.start("s")]
        if (
            len(words) <= 6
            and words[0][:1].isupper()
            and all(np_ok(Tok(w, 0, 0)) for w in words)
            and not (dash and subj.lower() in OUTLETS)
            and valid_subject(words)
        ):
            return Attribution(
                subj, m.start("s"), m.start("s") + len(subj), None, "claimed", 0, m.end("c"), "headline"
            )
    m = HEAD_LEAD.match(text)
    if m:
        subj = m.group("s").strip()
        words = subj.split()
        if (
            len(words) <= 4
            and words[0][:1].isupper()
            and words[0].lower() not in NOT_SPEAKER_HEADS
            and all(np_ok(Tok(w, 0, 0)) for w in words)
            and valid_subject(words)
        ):
            return Attribution(subj, 0, len(subj), None, "claimed", m.start("c"), len(text), "headline")
    return None


def find_attribution(s: str, quotes: list[Quote]) -> Attribution | None:
    """Who the sentence attributes its content to, or None for narration."""
    toks = tokens(s)
    outer = _according(s, toks)
    if outer is not None and outer.form == "according" and outer.content_start > 0:
        inner = _verb_attribution(s, toks, quotes, outer.content_start)
        if inner is not None:
            return _with_relay(outer, inner)
        return outer
    attr = _verb_attribution(s, toks, quotes, 0)
    if attr is not None:
        if attr.form == "leading":
            inner = _verb_attribution(s, toks, quotes, attr.content_start)
            if inner is not None:
                return _with_relay(attr, inner)
        if outer is not None:
            return _with_relay(attr, outer)
        return attr
    return _headline(s, toks) or outer


def _with_relay(attr: Attribution, inner: Attribution) -> Attribution:
    """`attr` passing on `inner`'s source ("According to lawmaker Park, the NIS believes ...")."""
    return Attribution(
        attr.subject, attr.subject_start, attr.subject_end, attr.verb, attr.stance, attr.content_start,
        attr.content_end, attr.form, inner.subject, inner.stance,
    )  # fmt: skip
