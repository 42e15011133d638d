"""The other forms of a watch-file word: plural and singular, past and present ("floods" and "flood",
"killed" and "kill", "kills", "killing"), so that a user writes a word once."""

from __future__ import annotations


def word_forms(word: str) -> list[str]:
    """A lowercase word and its other number or tense: "floods" -> flood, "death" -> deaths, "killed" -> kill,
    kills, killing. Names (capitalised words) and short words have no other forms."""
    if len(word) < 4 or not word.isalpha() or not word.islower():
        return [word]
    if word.endswith("ed"):
        if word.endswith("ied"):
            stems = [word[:-1]] if len(word) <= 5 else [word[:-3] + "y"]  # died -> die; carried -> carry
        else:
            stems = [word[:-2]] + (
                [word[:-1]] if word[-3] not in "aeiou" else []
            )  # killed; injured -> injure
            if len(word) > 5 and word[-3] == word[-4]:
                stems.append(word[:-3])  # trapped -> trap
        forms = [word]
        for n, stem in enumerate(stems):
            if len(stem) >= 3:
                forms += [stem, stem + "s"]
                if n == 0:  # only the regular stem takes -ing: "killing", "dying", "evacuating"
                    forms.append(
                        stem[:-2] + "ying" if stem.endswith("ie") else stem.removesuffix("e") + "ing"
                    )
        return forms
    if word.endswith("ing"):
        return [word, word[:-3], word[:-3] + "s", word[:-3] + "ed"]
    if word.endswith("ies"):
        return [word, word[:-3] + "y"]
    if word.endswith(("ches", "shes", "sses", "xes")):
        return [word, word[:-2]]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return [word, word[:-1]]
    if word.endswith("y") and word[-2] not in "aeiou":
        return [word, word[:-1] + "ies"]
    if word.endswith(("ch", "sh", "ss", "x")):
        return [word, word + "es"]
    return [word, word + "s"]


def base_forms(word: str) -> list[str]:
    """The base forms a unit word may have, tagged v: (verb) or n: (noun): "killed" -> v:kill, "deaths" -> n:death."""
    if " " in word or not word.isalpha():
        return []
    if word.endswith("ed"):
        forms = [word[:-2], word[:-1]] + ([word[:-3] + "y"] if word.endswith("ied") else [])
        if len(word) > 4 and word[-3] == word[-4]:
            forms.append(word[:-3])  # "trapped" -> "trap"
        return [f"v:{f}" for f in forms]
    if word.endswith("ies"):
        return [f"n:{word[:-3]}y"]  # "fatalities" -> "fatality"
    if word.endswith("s") and not word.endswith(("ss", "us")):
        return [f"n:{word[:-1]}", f"n:{word[:-2]}"] if word.endswith("es") else [f"n:{word[:-1]}"]
    return [f"v:{word}", f"n:{word}"]  # "die", "toll", "flee"


def lemma_classes(unit_class: dict[str, str]) -> dict[str, str]:
    """Each unit word's base forms mapped to its class (the first class to claim a form keeps it)."""
    out: dict[str, str] = {}
    for word, cls in unit_class.items():
        for form in base_forms(word):
            out.setdefault(form, cls)
    return out
