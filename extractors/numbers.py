"""Numbers as news writes them: digits, words, ranges and vague amounts, with their qualifiers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.qualifiers import read_marks
from extractors.text import trie_pattern

_SMALL = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "one": 1, "a": 1, "an": 1,
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
    "elf": 11, "zwölf": 12,
}  # fmt: skip
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50,
}  # fmt: skip
_SCALE = {
    "dozen": 12, "dutzend": 12, "hundred": 100, "hundert": 100, "thousand": 1000, "tausend": 1000,
    "k": 1000, "million": 10**6, "millionen": 10**6, "mio": 10**6, "mln": 10**6, "mn": 10**6,
    "billion": 10**9, "milliarden": 10**9, "mrd": 10**9, "bn": 10**9, "trillion": 10**12, "tn": 10**12,
}  # fmt: skip
_VAGUE_FLOOR = {"dozen": 12, "dutzend": 12, "hundred": 100, "hundert": 100, "thousand": 1000, "tausend": 1000,
                "million": 10**6}  # fmt: skip

# Canonical qualifier for each surface (lowercase); see the eval README's qualifier list.
_WORD_SMALL = "|".join(sorted((w for w in _SMALL if w not in ("a", "an", "one")), key=len, reverse=True))
_WORD_TENS = "|".join(_TENS)
_SCALE_WORD = r"(?:dozen|hundred|thousand|million|billion|trillion|dutzend|hundert|tausend)"

_WORDS_ATOM = re.compile(
    rf"""
    (?<![\w])(?P<vague>
        (?:tens|hundreds)\s+of\s+thousands
      | (?:a\s+)?(?:few|couple(?:\s+of)?)\s+{_SCALE_WORD}
      | (?:several|mehrere|einige)\s+{_SCALE_WORD}
      | (?:dozens|hundreds|thousands|millions|scores|tens)(?![-\w])
      | several(?=\s+(?:[a-z]+ed|[a-z]+ing|missing|dead|people|more|of|soldiers|troops|[a-z]+s)\b)
      | (?:zehntausende|tausende|hunderte|dutzende)
    )\b
  | (?<![\w])(?P<words>
        (?:(?:{_WORD_TENS})(?:[-\s](?:{_WORD_SMALL}))?|{_WORD_SMALL})(?P<wscale>(?:\s+{_SCALE_WORD})*)
      | (?:a|an|one)(?:\s+{_SCALE_WORD})+
    )\b
    """,
    re.IGNORECASE | re.VERBOSE,
)
# Starts with a digit so the regex engine can skip ahead fast; what precedes is checked in code.
_DIGITS_ATOM = re.compile(
    r"""(?P<digits>\d{1,3}(?:,\d{3})+(?![\d])|\d{1,3}(?:\.\d{3})+(?![\d])|\d+(?:[.,]\d+)?)
    (?P<dscale>
        \s?(?i:hundred|thousand|million|billion|trillion|mln|mn|bn|tn|tausend|millionen|million|mio\.?
              |milliarden|mrd\.?)\b
      | [kK]\b
    )?""",
    re.VERBOSE,
)
_CONNECTOR = re.compile(r"\s*(?:-|–|—|to|or|and|bis|und)\s*$", re.IGNORECASE)
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai|juni|juli|oktober|dezember)"
_DATE_BEFORE = re.compile(rf"\b{_MONTH}\.?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?$", re.IGNORECASE)
_DATE_AFTER = re.compile(rf"^\.?\s+{_MONTH}\b|^\.\s?{_MONTH}\b", re.IGNORECASE)
_MONEY_BEFORE = re.compile(r"(?:US\$|\$|€|£|¥|₩|\bUSD\s?|\bEUR\s?)$")
_MONEY_AFTER = re.compile(r"^\s?(?:dollars?|USD|euros?|won|rubles?|roubles?|yuan|pounds|Dollar|Euro)\b")
_PERCENT_AFTER = re.compile(r"^\s?(?:%|percent\b|per\s+cent\b|prozent\b|pct\b)", re.IGNORECASE)
_TIME_AFTER = re.compile(r"^(?::\d|\s?(?:a\.?m\.?|p\.?m\.?|GMT|UTC|Uhr)\b)", re.IGNORECASE)
_STRONG = re.compile(r"^-strong\b", re.IGNORECASE)
_RANGE_DASH = re.compile(r"-\s?\d")
_MODEL_BEFORE = re.compile(r"[A-Za-z]-?$|[A-Za-z]-\d+[-/]?$")
# A number that names something: "flight 208", "Route 66", "Article 5", "Resolution 1718", "No. 10".
_NAME_BEFORE = re.compile(
    r"\b(?:flights?|route|article|resolution|chapter|section|gate|platform|room|page|line|no\.?|nr\.?|highway"
    r"|road|bus|train|channel|district|ward|terminal|runway|level|grade|season|episode|stage|phase|version"
    r"|model|type|class|pier|berth|exit|lot|unit|squad|hall|item|paragraph|clause|amendment|protocol)\s+#?$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?:1[89]|20)\d\d")


@dataclass(frozen=True)
class Quantity:
    """A number, range or vague amount in text: its span, values, qualifier and what kind it is."""

    start: int  # the number itself (a range: both ends; a vague amount: the phrase)
    end: int
    value: int | None
    low: int | None
    high: int | None
    vague: bool
    qualifier: str
    qualifier_surface: str | None
    lead: int  # where the qualifier or "another" begins (== start when there is none)
    after: int  # just past the number and a following "more"
    delta: bool
    money: bool
    year_like: bool
    worded: bool  # written in words ("two", "a dozen")


@dataclass(frozen=True)
class _Atom:
    start: int
    end: int
    value: int | None
    vague: bool
    scaled: bool
    worded: bool
    money: bool
    year_like: bool
    mult: int  # the scale written with it (1000 for "three thousand", "10K")


def _digits_value(num: str, scale: str) -> int | None:
    """The integer value of a digit string with an optional scale word."""
    mult = 1
    if scale:
        key = scale.strip().lower().rstrip(".")
        mult = _SCALE.get(key, 1)
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", num):
        return int(num.replace(",", "")) * mult
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", num):  # German thousands: 10.000
        return int(num.replace(".", "")) * mult
    try:
        return round(float(num.replace(",", ".")) * mult)
    except ValueError:
        return None


def _words_value(text: str) -> int | None:
    """The integer value of a number in words ("twenty-five", "two thousand", "a dozen")."""
    parts = re.split(r"[\s-]+", text.lower().strip())
    total = 0
    current = 0
    seen_scale = False
    for p in parts:
        if p in _SMALL:
            current += _SMALL[p]
        elif p in _TENS:
            current += _TENS[p]
        elif p in _SCALE:
            seen_scale = True
            current = max(current, 1) * _SCALE[p]
            if _SCALE[p] >= 1000:
                total += current
                current = 0
        else:
            return None
    if parts and parts[0] in ("a", "an", "one") and not seen_scale:
        return None  # "a soldier", "one of them": not counts
    return total + current


def _vague_value(text: str) -> int:
    """The floor of a vague amount: dozens 12, hundreds 100, thousands 1000; a couple thousand 2000."""
    low = text.lower()
    if "tens of thousands" in low or "zehntausend" in low:
        return 10_000
    if "hundreds of thousands" in low:
        return 100_000
    if low.startswith("scores"):
        return 20
    if low.startswith("tens"):
        return 10
    if low.startswith("several") and " " not in low:
        return 3  # "several missing": more than two
    base = 1
    for word, floor in _VAGUE_FLOOR.items():
        if word in low:
            base = floor
            break
    return base * 2 if "couple" in low else base


_NUMBER_NEEDLES = tuple({*_SMALL, *_TENS, *_SCALE, "dozens", "hundreds", "thousands", "millions", "several", "tens", "scores",
    "few", "couple", "mehrere", "einige", "tausende", "hunderte", "dutzende", "zehntausende"} - {
    "a", "an", "k", "mn", "bn", "tn"})  # fmt: skip


_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(r"\b(?:" + trie_pattern(list(_NUMBER_NEEDLES)) + r")\b")


def may_count(text: str) -> bool:
    """A cheap test before reading numbers: a digit, or a number or vague amount in words."""
    return bool(_DIGIT.search(text) or _NUMBER_WORD.search(text.lower()))


def _word_atoms(text: str) -> list[_Atom]:
    """Numbers written in words and vague amounts ("three thousand", "thousands of")."""
    out: list[_Atom] = []
    for m in _WORDS_ATOM.finditer(text):
        start, end = m.start(), m.end()
        if m.group("vague"):
            out.append(_Atom(start, end, _vague_value(m.group()), True, True, True, False, False, 1))
            continue
        value = _words_value(m.group("words"))
        if value is None or value < 2:
            continue
        wscale = (m.group("wscale") or "").split()
        mult = _SCALE.get(wscale[-1].lower(), 1) if wscale else 1
        out.append(_Atom(start, end, value, False, bool(wscale), True, False, False, mult))
    return out


def _digit_atoms(text: str) -> list[_Atom]:
    """Numbers written in digits, without ordinals, percentages, times, dates, ages and model numbers."""
    out: list[_Atom] = []
    for m in _DIGITS_ATOM.finditer(text):
        start, end = m.start(), m.end()
        if start and (text[start - 1].isalnum() or text[start - 1] in "_.,"):
            continue  # inside a word or a longer number: G7, A320
        before = text[max(0, start - 20) : start]
        after = text[end : end + 16]
        num, scale = m.group("digits"), m.group("dscale") or ""
        if _PERCENT_AFTER.match(after) or _TIME_AFTER.match(after):
            continue
        if after[:1].isalpha() or (
            after[:1] == "-" and not _STRONG.match(after) and not _RANGE_DASH.match(after)
        ):
            continue  # 1,033rd, 27cm, 32-year-old, 152-run
        if _MODEL_BEFORE.search(before) or _NAME_BEFORE.search(before):
            continue  # Su-25, MiG-29, flight 208
        if before.endswith(("/", ":")) or after.startswith(("/", ":")):
            continue  # 10/23, 10:30, scores written 3:1
        if _DATE_BEFORE.search(before) or _DATE_AFTER.match(after):
            continue
        value = _digits_value(num, scale)
        if value is None:
            continue
        money = bool(_MONEY_BEFORE.search(before) or _MONEY_AFTER.match(after))
        year_like = not scale and _YEAR.fullmatch(num) is not None
        mult = _SCALE.get(scale.strip().lower().rstrip("."), 1) if scale else 1
        out.append(_Atom(start, end, value, False, bool(scale), False, money, year_like, mult))
    return out


def _atoms(text: str) -> list[_Atom]:
    """Every single number in `text`, in order, with the reasons it may not be a count."""
    digits = _digit_atoms(text) if _DIGIT.search(text) else []
    if not _NUMBER_WORD.search(text.lower()):
        return digits
    return sorted(digits + _word_atoms(text), key=lambda a: a.start)


def find_quantities(text: str) -> list[Quantity]:
    """Every number, range and vague amount in `text`, in order, with qualifier and increment marks."""
    atoms = _atoms(text)
    out: list[Quantity] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        low, high, end = a.value, a.value, a.end
        if i + 1 < len(atoms) and not a.vague and not atoms[i + 1].vague:
            b = atoms[i + 1]
            gap = text[a.end : b.start]
            cm = _CONNECTOR.fullmatch(gap) if len(gap) <= 6 else None
            if cm and a.value is not None and b.value is not None and a.money == b.money:
                word = gap.strip().lower()
                lv = a.value
                if not a.scaled and b.scaled and lv * b.mult <= b.value:
                    lv = lv * b.mult  # "two to three thousand", "1 to 2 million"
                between = re.search(
                    r"\b(?:between|zwischen|from)\s+$", text[max(0, a.start - 12) : a.start], re.IGNORECASE
                )
                if word in ("and", "und") and not between:
                    cm = None
                if cm and lv < b.value:
                    low, high, end = lv, b.value, b.end
                    i += 1
        i += 1
        out.append(_quantity(text, a, low, high, end))
    return out


def _quantity(text: str, a: _Atom, low: int | None, high: int | None, end: int) -> Quantity:
    """A Quantity for an atom (or a range from it), reading the qualifier and increment marks around it."""
    marks = read_marks(text, a.start, end)
    ranged = low != high
    value = None if (a.vague or ranged) else low
    return Quantity(
        start=a.start,
        end=end,
        value=value,
        low=low,
        high=None if a.vague else high,
        vague=a.vague,
        qualifier=marks.qualifier,
        qualifier_surface=marks.surface,
        lead=marks.lead,
        after=marks.after,
        delta=marks.delta,
        money=a.money,
        year_like=a.year_like and not ranged,
        worded=a.worded,
    )
