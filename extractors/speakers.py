"""Who speaks: noun phrases that can name a speaker, personal names with roles, and pronoun resolution."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extractors.text import word_set

# Lowercase words that may sit inside a speaker's noun phrase ("a senior US official", "the NATO chief").
ROLE_WORDS = word_set(
    """official officials spokesman spokeswoman spokesperson spokespeople minister ministers ministry
    president presidents chief chiefs general generals commander commanders agency agencies intelligence
    military government governments expert experts analyst analysts source sources officer officers
    diplomat diplomats envoy envoys ambassador ambassadors adviser advisers advisor advisors leader
    leaders leadership army navy media secretary director directors spy senior top former defense
    defence foreign state news office council service services command staff parliament lawmaker
    lawmakers legislator legislators deputy representative representatives monitors observers
    authorities administration department prosecutors police unnamed anonymous western high-ranking
    high-level ranking state-run military-run press tank think researchers researcher scientists group
    watchdog institute member members committee commission party regime embassy mission head heads board
    alliance soldier soldiers prisoner prisoners defector defectors captive veteran chairman chairwoman
    premier chancellor governor mayor commissioner marshal colonel lieutenant sergeant captain admiral
    acting central national joint armed forces force air naval affairs unification security presidential
    operator operators correspondent counterpart counterparts delegation spokesmen assembly directorate
    general's chief's ministry's agency's president's army's government's military's intelligence's own
    special
    senator senators congressman congresswoman mp mps parliamentary opposition ruling professor scholar
    columnist editor journalist negotiator aide aides spokesperson's regime's
    brigade brigades battalion regiment division unit units corps guard guards staff's"""
)
DETERMINERS = word_set("""the a an his her its their our this these those""")
QUANTIFIERS = word_set("""some many most few several others other all nobody everyone anyone people each""")
PRONOUNS = {"he": "person", "she": "person", "it": "thing", "they": "group", "we": "self", "i": "self"}
_PARTICLES = word_set("""de van von der den bin al da di du la le of""")
TITLE_WORDS = word_set(
    """president secretary minister director chief general gen col colonel lt lieutenant sgt sergeant major
    maj capt captain adm admiral commander spokesman spokeswoman spokesperson ambassador chairman
    chairwoman chair leader lawmaker senator sen rep representative prime foreign defense defence deputy
    vice staff army service agency intelligence national ministry office council department press
    military state security mr mrs ms dr prof premier chancellor king queen governor mayor envoy adviser
    advisor head commissioner marshal officer official secretary-general commander-in-chief joint chiefs
    forces armed air navy naval force command directorate unification tank former acting top senior of
    affairs the supreme gen. col. lt. sgt. maj. capt. adm. mr. mrs. ms. dr. prof. sen. rep. cmdr cmdr.
    präsident präsidentin ministerin außenminister außenministerin verteidigungsminister sprecher sprecherin
    kanzler chef geheimdienstchef abgeordneter abgeordnete general generalstabschef"""
)
_HONORIFICS = word_set("""mr mrs ms dr prof col gen lt sgt maj capt adm cmdr""")
NOT_NAMES = word_set(
    """korea korean koreans north south east west western eastern northern southern ukraine ukrainian
    russia russian american america british britain chinese china japanese japan european europe german
    germany french france polish poland indian soviet nato kremlin pentagon seoul moscow kyiv kiev
    pyongyang washington beijing tokyo house white post news times herald ministry intelligence service
    government party parliament assembly embassy committee commission council institute center centre
    university department office staff army military defense defence foreign affairs national people's
    central federal state united states nations republic democratic monday tuesday wednesday thursday
    friday saturday sunday january february march april may june july august september october november
    december kursk donbas crimea reuters bbc cnn afp yonhap the agency directorate forces command navy
    laut nach dem der die das des ein eine in on at but and a an however meanwhile speaking according after
    before while when despite though although if as since because earlier later also still yet now then
    responding asked writing following during"""
)
_NAME_TOKEN = re.compile(r"^(?:[A-ZÀ-Ý][a-zà-ÿ’']+(?:-[A-Za-zà-ÿ][a-zà-ÿ’']*)*|[A-Z]\.)$")


def norm_word(word: str) -> str:
    """A word lowercased with curly apostrophes straightened."""
    return word.lower().replace("’", "'")


def is_name_token(tok: str) -> bool:
    """Whether a token can be part of a personal name ("Lloyd", "Sun-won", "J.")."""
    low = norm_word(tok)
    if low in TITLE_WORDS or low in NOT_NAMES or low.endswith("'s"):
        return False
    return bool(_NAME_TOKEN.match(tok))


@dataclass(frozen=True)
class Person:
    """A personal name found in a noun phrase, with the role written around it."""

    name: str
    role: str | None


def split_name_role(phrase: str) -> Person | None:
    """The personal name in a speaker phrase and its role ("U.S. Defense Secretary Lloyd Austin")."""
    chunks = [c.strip() for c in phrase.split(",") if c.strip()]
    name = None
    roles: list[str] = []
    for chunk in chunks:
        toks = chunk.split()
        while toks and norm_word(toks[0]) in DETERMINERS:
            toks = toks[1:]
        i = len(toks)
        while i > 0 and (is_name_token(toks[i - 1]) or (toks[i - 1] in _PARTICLES and i < len(toks))):
            i -= 1
        while i < len(toks) and toks[i] in _PARTICLES:
            i += 1
        run = toks[i:]
        titled = i > 0 and norm_word(toks[i - 1]).rstrip(".") in TITLE_WORDS
        if name is None and run and (len(run) >= 2 or titled) and not all(len(t) <= 2 for t in run):
            name = " ".join(run)
            head = toks[:i]
            while len(head) > 1 and norm_word(head[-1]).rstrip(".") in _HONORIFICS:
                head = head[:-1]
            if head and not (len(head) == 1 and norm_word(head[0]).rstrip(".") in _HONORIFICS):
                roles.append(" ".join(head))
        elif chunk and not (toks and norm_word(toks[0]) in ("who", "which")):
            roles.append(
                " ".join(toks)
            )  # an apposition ("the U.S. defense secretary"), not a relative clause
    if name is None:
        return None
    role = ", ".join(r for r in roles if r) or None
    return Person(name, role)


_CAP = r"(?:(?:[A-Z]\.)+|[A-ZÀ-Ý][\w’'-]*|\([A-Z][\w.]*\))"
_NAME_RUN = re.compile(
    rf"(?<![\w’'.-])(?:(?P<role>[a-z][\w-]*) )?(?P<run>{_CAP}(?: (?:(?:de|van|von|der|den|bin|al|da|di|of) )?{_CAP})+)"
)


def scan_names(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, Person]]:
    """Every personal name written in `text` (from `start` to `end`) with its position."""
    out: list[tuple[int, Person]] = []
    for m in _NAME_RUN.finditer(text, start, len(text) if end is None else end):
        role = m.group("role")
        phrase = m.group("run")
        if role and norm_word(role) in ROLE_WORDS:
            phrase = f"{role} {phrase}"
        person = split_name_role(phrase)
        if person:
            out.append((m.start("run"), person))
    return out


# "the agency", "The spy agency", "the ministry": a definite description of an organisation named before.
_DEFINITE = re.compile(
    r"(?i:the)\s+(?:spy\s+|intelligence\s+|defence\s+|defense\s+|foreign\s+)?"
    r"(?:agency|ministry|service|office|military|army|government|department|directorate)$"
)


# "the statement", "its report": a document that speaks for whoever issued it.
_DOCUMENT = re.compile(
    r"(?i:the|its|their)\s+(?:\w+\s+)?(?:statement|communique|communiqué|report|announcement|release)$"
)


@dataclass
class SpeakerBook:
    """What an article has said so far about who is who: names seen, and the last speakers."""

    text: str
    alias_names: tuple[str, ...] = ()
    _names: list[tuple[int, Person]] = field(default_factory=list)
    _scanned: int = 0
    last_person: Person | None = None
    last_group: str | None = None
    last_known_group: str | None = None  # the last organisation the watch file knows ("the NIS")
    roles: dict[str, str] = field(default_factory=dict)

    def names_before(self, pos: int) -> list[tuple[int, Person]]:
        """The personal names written before `pos`, scanned as far as needed and only once."""
        if pos > self._scanned:
            self._names.extend(scan_names(self.text, self._scanned, pos))
            self._scanned = pos
        return [(at, p) for at, p in self._names if at < pos]

    def expand(self, single: str, pos: int) -> Person | None:
        """The full name behind a lone surname or Korean family name ("Austin" -> "Lloyd Austin")."""
        key = norm_word(single)
        best = None
        for _at, person in self.names_before(pos):
            parts = [norm_word(p) for p in person.name.split()]
            if len(parts) >= 2 and key in (parts[-1], parts[0]):
                best = person
        if best:
            return Person(best.name, best.role or self.roles.get(best.name))
        for alias in self.alias_names:
            parts = [norm_word(p) for p in alias.split()]
            if len(parts) >= 2 and key == parts[-1] and all(is_name_token(p) for p in alias.split()):
                return Person(alias, None)
        return None

    def resolve(self, phrase: str, pos: int) -> tuple[str, str | None, bool]:
        """(speaker, role, is_person) for a speaker phrase as written at `pos`."""
        low = norm_word(phrase.strip())
        kind = PRONOUNS.get(low)
        if kind == "person":
            if self.last_person:
                return self.last_person.name, self.last_person.role, True
            earlier = [p for _at, p in self.names_before(pos)]
            if earlier:  # no speaker yet: the last person the article named
                return earlier[-1].name, earlier[-1].role or self.roles.get(earlier[-1].name), True
            return phrase, None, False
        if kind in ("thing", "group"):
            return (self.last_group, None, False) if self.last_group else (phrase, None, False)
        if self.last_known_group and _DEFINITE.match(phrase.strip()):
            return self.last_known_group, None, False  # "the agency said": the agency named before
        if _DOCUMENT.match(phrase.strip()) and (self.last_known_group or self.last_group):
            group = self.last_known_group or self.last_group
            return str(group), None, False  # "the statement said": the words of whoever issued it
        person = split_name_role(phrase)
        if person is None:
            toks = [t for t in phrase.split() if norm_word(t) not in DETERMINERS]
            if len(toks) == 1 and is_name_token(toks[0]):
                person = self.expand(toks[0], pos)
        elif " " not in person.name:
            full = self.expand(person.name, pos)
            if full:
                person = Person(full.name, person.role or full.role)
        if person is None:
            return phrase, None, False
        role = person.role or self.roles.get(person.name)
        if role:
            self.roles.setdefault(person.name, role)
        return person.name, role, True

    def remember(self, speaker: str, role: str | None, is_person: bool, known: bool = False) -> None:
        """Note the speaker of a statement, for "he"/"she"/"it"/"the agency" in the sentences that follow."""
        if known and not is_person:
            self.last_known_group = speaker
        if is_person:
            self.last_person = Person(speaker, role)
        else:
            self.last_group = speaker
