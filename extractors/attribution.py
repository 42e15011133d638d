"""Who says what in a sentence: the speaker's phrase, the reporting verb, and the reported content."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.phrases import (
    APPOSITION_START,
    AUDIENCE,
    BOUNDARY_WORDS,
    Tok,
    content_end,
    first_at,
    last_before,
    np_after,
    np_ok,
    object_end,
    subject_before,
    tokens,
    valid_subject,
    word_count,
)
from extractors.quotes import Quote, inside
from extractors.reporting import SPEAKER_NOUNS
from extractors.speakers import norm_word
from extractors.text import dateline_end, is_title_case
from extractors.verbs import (
    ACCORDING,
    ADD_FOLLOW,
    ADD_VERB,
    CALLED,
    GERMAN_ADJECTIVE,
    GERMAN_ARTICLES,
    INTRO_WORDS,
    INVERTIBLE,
    NOT_SPEAKER_HEADS,
    NOUN_BEFORE,
    NOUN_BEFORE_LOWER,
    NOUN_LIKE,
    PARTICIPLE_AFTER,
    QUOTE_LEAD_IN,
    QUOTE_MARK,
    STANCE_OF,
    TELL,
    TIME_AFTER,
    VERB,
    ZUFOLGE,
    aux_before,
    may_attribute,
    may_cite,
)


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
    title: bool | None = None
    floor = first_at(toks, start_at)
    for m in VERB.finditer(s, start_at):
        if inside(quotes, m.start()):
            continue
        if m.group()[:1].isupper() and m.start() > 0:
            title = is_title_case(s) if title is None else title
            if not title:
                continue  # "the U.S. State Department", not the verb "state"
        if ADD_VERB.fullmatch(m.group()) and not ADD_FOLLOW.match(s, m.end()):
            continue  # "adds 2,000 more soldiers" is not speech; "added that", 'added: "...' is
        if CALLED.fullmatch(m.group()) and not QUOTE_MARK.search(s, m.end()):
            continue  # "called an emergency meeting"; but 'called the deployment a "dangerous expansion"'
        v0 = first_at(toks, m.start())
        v1 = min(max(v0, last_before(toks, m.end())), len(toks) - 1)
        prev = toks[v0 - 1] if v0 > 0 else None
        nounlike = m.group().lower() in NOUN_LIKE
        if prev is not None and (
            prev.low in NOUN_BEFORE
            or (nounlike and prev.low in NOUN_BEFORE_LOWER and not prev.text[:1].isupper())
        ):
            continue  # "amid reports that", "media reports": nouns, not verbs (but "South Korean media said")
        if m.group().lower() == "think" and s[m.end() : m.end() + 5].lower() == " tank":
            continue  # "a think tank estimated"
        a0, negated, passive = aux_before(toks, v0, floor)
        if negated or (passive and "quoted" not in m.group().lower()):
            continue  # "KCNA did not say", "soldiers were told"; but "was quoted as saying"
        aux_start = toks[a0].start if a0 < v0 else m.start()
        verb = s[aux_start : m.end()] if a0 < v0 else m.group()
        stance = STANCE_OF.get(" ".join(m.group().lower().split()), "claimed")
        k = last_before(toks, aux_start)
        rng = subject_before(toks, k, floor) if k >= floor else None
        if rng is None or not valid_subject([t.text for t in toks[rng[0] : rng[1] + 1]]):
            rng = _apposition(toks, k, floor) or _relative(toks, k, floor)
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


def _relative(toks: list[Tok], k: int, floor: int) -> tuple[int, int] | None:
    """A speaker with a relative clause: "A North Korean soldier who was captured by Ukraine said"."""
    for w in range(k - 1, max(floor, k - 12) - 1, -1):
        if toks[w].text in ',;:“”"':
            return None
        if toks[w].low in ("who", "which"):
            return subject_before(toks, w - 1, floor)
    return None


def _intro(toks: list[Tok]) -> bool:
    """Whether the sentence opens with an introductory phrase ("In a report on KCNA, ...", "Speaking in Rome, ...")."""
    return bool(toks) and toks[0].low in INTRO_WORDS


def _shape(
    s: str, toks: list[Tok], rng: tuple[int, int], v1: int, m: re.Match[str], verb: str, stance: str
) -> Attribution | None:
    """Leading ("X said that ...") or trailing ("..., X said.") attribution around a found subject."""
    a, b = toks[rng[0]].start, toks[rng[1]].end
    subject = s[a:b]
    obj = object_end(s, toks, v1) if m.group().lower() in TELL else v1 + 1
    post = toks[obj:]
    that = None
    for t in post[:7]:  # "said (on Monday / after the briefing) that ..."
        if t.low in ("that", "dass"):
            that = t
            break
        if t.text in '“"‘«„;:' or t.low in ("and", "but"):
            break
    first = next((t for t in post if t.text not in ",:"), None)
    opens_quote = first is not None and first.text in "“\"‘«„'"
    pre_end = len(s[:a].rstrip(" ,—–-"))
    pre_words = word_count(toks[: rng[0]])
    after_quote = s[:pre_end].endswith(("”", '"', "’", "'", "»", "«"))  # '"...," he said, adding that ...'
    participle = that is None and PARTICIPLE_AFTER.match(s, toks[obj - 1].end if obj > v1 else m.end())
    short = that is None and word_count(post) <= 6
    # "..., the NIS said on Thursday in its first estimate.": a long sentence ending in its source
    tail = that is None and s[:a].rstrip().endswith(",") and word_count(post) <= 12 and not _intro(toks)
    if pre_words >= 2 and not opens_quote and (after_quote or short or participle or tail):
        if m.group().lower() in ("told", "informed", "briefed") and not post and toks[rng[1]].low in AUDIENCE:
            return None  # "..., lawmakers told": a headline's passive, the audience is no speaker
        return Attribution(subject, a, b, verb, stance, dateline_end(s), pre_end, "trailing")
    cstart = that.end if that else (toks[obj - 1].end if obj > v1 + 1 else m.end())
    lead_in = QUOTE_LEAD_IN.match(s, cstart)
    if lead_in and not that:
        cstart = lead_in.end()  # 'said in his nightly address: "..."'
    elif not that:
        when = TIME_AFTER.match(s, cstart)
        if when:
            cstart = when.end()  # "said on Monday at least 300 ..."
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
        j0 = first_at(toks, m.end())
        english = not m.group().lower().startswith(("laut", "nach"))
        if m.group("adj"):  # "nach südkoreanischen Angaben": the source is the adjective
            a, b = m.start("adj"), m.end("adj") + len(" Angaben")
            return Attribution(s[a:b], a, b, "according to", "claimed", 0, content_end(s), "according")
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
        k = last_before(toks, z.start())
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


def _speaker_words(words: list[str], limit: int) -> bool:
    """Whether a short headline phrase can be a speaker ("Seoul", "South Korean lawmaker", "officials")."""
    if not 0 < len(words) <= limit or {norm_word(words[0]), norm_word(words[-1])} & NOT_SPEAKER_HEADS:
        return False  # "...: Timeline of the rescue", "...: Live updates"
    named = words[0][:1].isupper() or norm_word(words[-1]) in SPEAKER_NOUNS
    return named and all(np_ok(Tok(w, 0, 0, norm_word(w))) for w in words) and valid_subject(words)


def _headline(s: str) -> Attribution | None:
    """A headline attribution without a verb: "...: Seoul", "... - South Korean lawmaker", "Zelensky: ..."."""
    text = s.rstrip(" .")
    cut, sep = max((text.rfind(x), x) for x in (": ", " - ", " – ", " — "))
    if cut >= 12:
        a = cut + len(sep)
        subj = text[a:].strip()
        short = 2 <= len(subj) <= 60 and not any(c in subj for c in ':–—"“”')
        if short and _speaker_words(subj.split(), 6):  # "... - Reuters": the agency is the source
            b = a + len(text[a:]) - len(text[a:].lstrip())
            return Attribution(subj, b, b + len(subj), None, "claimed", 0, cut, "headline")
    lead = text.find(": ")
    if 2 <= lead <= 40 and len(text) - lead > 10:
        subj = text[:lead].strip()
        words = subj.split()
        plain = not any(c in subj for c in '"“”') and words and words[0].lower() not in NOT_SPEAKER_HEADS
        if plain and _speaker_words(words, 4):
            return Attribution(subj, 0, len(subj), None, "claimed", lead + 2, len(text), "headline")
    return None


def find_attribution(s: str, quotes: list[Quote]) -> Attribution | None:
    """Who the sentence attributes its content to, or None for narration."""
    if not may_attribute(s):
        return None  # no reporting verb, source phrase, colon or dash: narration
    toks = tokens(s)
    outer = _according(s, toks) if may_cite(s) else None
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
    return _headline(s) or outer


def _with_relay(attr: Attribution, inner: Attribution) -> Attribution:
    """`attr` passing on `inner`'s source ("According to lawmaker Park, the NIS believes ...")."""
    return Attribution(
        attr.subject, attr.subject_start, attr.subject_end, attr.verb, attr.stance, attr.content_start,
        attr.content_end, attr.form, inner.subject, inner.stance,
    )  # fmt: skip
