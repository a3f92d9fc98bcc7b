"""Checks of a translation catalogue, shared by the test suite and `scripts/check-catalogue`.

Each check returns a list of problems (empty when the catalogue is good), so a
translator sees every problem at once and a test can show them.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[2] / "src" / "limen" / "locale"

_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# What a message may keep in English: the rest of it, once these are removed, must be empty.
_NEUTRAL = re.compile(r"%(?:\([^)]+\))?[sd]|[\s\d.,:;·•/()\-–—→←…%+#@*|]|https?://\S+")


def shape(text: str) -> tuple[list[str], list[str]]:
    """What a translation must keep: placeholders and HTML tags (with their attributes)."""
    return sorted(_PLACEHOLDER.findall(text)), sorted(_TAG.findall(text))


@dataclass(frozen=True)
class Term:
    id: str
    pattern: re.Pattern
    meaning: str


@dataclass(frozen=True)
class Translation:
    id: str
    preferred: str
    forms: re.Pattern | None
    note: str


def _rows(path: Path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip() and not line.startswith("#"):
            yield number, line.split("\t")


def english_terms() -> list[Term]:
    terms = []
    for _number, cells in _rows(LOCALE / "glossary.tsv"):
        term_id, pattern, meaning = (cells + ["", ""])[:3]
        flags = 0 if term_id.endswith("!") else re.IGNORECASE
        terms.append(Term(term_id.rstrip("!"), re.compile(pattern, flags), meaning))
    return terms


def glossary(language: str, root: Path = LOCALE) -> tuple[dict[str, Translation], re.Pattern | None, list[str]]:
    """(terms by id, the forbidden form-of-address pattern, problems with the file itself)."""
    path = root / language / "glossary.tsv"
    if not path.exists():
        return {}, None, [f"{path} is missing"]
    entries: dict[str, Translation] = {}
    forbidden = None
    problems = []
    for number, cells in _rows(path):
        cells = (cells + ["", "", ""])[:4]
        term_id, preferred, forms, note = (c.strip() for c in cells)
        try:
            compiled = re.compile(forms, re.IGNORECASE) if forms else None
        except re.error as error:
            problems.append(f"glossary line {number}: {forms!r} is not a regular expression ({error})")
            continue
        if term_id == "@address":
            forbidden = compiled
        else:
            entries[term_id] = Translation(term_id, preferred, compiled, note)
    known = {t.id for t in english_terms()}
    problems += [f"glossary: no entry for {missing!r}" for missing in sorted(known - set(entries))]
    problems += [f"glossary: {term_id!r} is not a term of locale/glossary.tsv" for term_id in sorted(set(entries) - known)]
    for entry in entries.values():
        if entry.forms is None:
            problems.append(f"glossary: {entry.id!r} has no accepted forms")
        elif not entry.forms.search(entry.preferred):
            problems.append(f"glossary: {entry.id!r}: the preferred term {entry.preferred!r} "
                            f"does not match its own accepted forms")
    if "@address" not in {c[0] for _n, c in _rows(path)}:
        problems.append("glossary: no @address line (the form of address that must not be used)")
    return entries, forbidden, problems


def same_as_english_allowed(language: str, root: Path = LOCALE) -> set[str]:
    """Messages that may stay as in English: the shared list, plus the language's own."""
    allowed: set[str] = set()
    for path in (root / "same_as_english.txt", root / language / "same_as_english.txt"):
        if path.exists():
            allowed |= {line for line in path.read_text(encoding="utf-8").splitlines()
                        if line and not line.startswith("#")}
    return allowed


def _pairs(entry: polib.POEntry):
    """(English, translation) for each form of the entry."""
    if entry.msgid_plural:
        for index, text in sorted(entry.msgstr_plural.items()):
            yield (entry.msgid if index == 0 else entry.msgid_plural), text
    else:
        yield entry.msgid, entry.msgstr


def messages(catalogue: polib.POFile) -> list[polib.POEntry]:
    return [e for e in catalogue if not e.obsolete and e.msgid]


def in_use(catalogue: polib.POFile) -> list[polib.POEntry]:
    """The messages whose translation is used: a fuzzy one is a guess that gettext ignores (and that
    check_complete reports), so the other checks leave it alone."""
    return [e for e in messages(catalogue) if "fuzzy" not in e.flags]


def check_complete(catalogue: polib.POFile) -> list[str]:
    problems = []
    for entry in messages(catalogue):
        if "fuzzy" in entry.flags:
            problems.append(f"fuzzy: {entry.msgid!r}")
        elif not all(text for _source, text in _pairs(entry)):
            problems.append(f"untranslated: {entry.msgid!r}")
    return problems


def check_shape(catalogue: polib.POFile) -> list[str]:
    return [f"placeholders or tags differ: {source!r} -> {text!r}"
            for entry in in_use(catalogue) for source, text in _pairs(entry)
            if text and shape(text) != shape(source) and not _plural_ok(entry, source, text)]


def _plural_ok(entry: polib.POEntry, source: str, text: str) -> bool:
    """A plural form (say, for exactly one) may spell the number out instead of using %(count)d."""
    placeholders, tags = shape(text)
    return bool(entry.msgid_plural) and tags == shape(source)[1] and set(placeholders) <= set(shape(source)[0])


def check_msgfmt(path: Path) -> list[str]:
    if not shutil.which("msgfmt"):
        return ["msgfmt (GNU gettext) is not installed"]
    result = subprocess.run(["msgfmt", "--check", "-o", os.devnull, str(path)], capture_output=True, text=True)
    return [] if result.returncode == 0 else [line for line in result.stderr.splitlines() if line.strip()]


def check_not_english(catalogue: polib.POFile, language: str, root: Path = LOCALE) -> list[str]:
    allowed = same_as_english_allowed(language, root)
    problems = []
    for entry in in_use(catalogue):
        for source, text in _pairs(entry):
            if text and text == source and source not in allowed and _NEUTRAL.sub("", source):
                problems.append(f"same as English: {source!r} (translate it, or add it to "
                                f"locale/{language}/same_as_english.txt if it really stays)")
    return problems


def check_terms(catalogue: polib.POFile, language: str, root: Path = LOCALE) -> list[str]:
    """Where an English message uses a glossary term, its translation uses the language's term."""
    entries, _forbidden, problems = glossary(language, root)
    terms = english_terms()
    for entry in in_use(catalogue):
        for source, text in _pairs(entry):
            if not text:
                continue
            for term in terms:
                wanted = entries.get(term.id)
                if wanted is None or wanted.forms is None or not term.pattern.search(source):
                    continue
                if not wanted.forms.search(text):
                    problems.append(f"glossary {term.id} ({wanted.preferred}): {source!r} -> {text!r}")
    return problems


def check_address(catalogue: polib.POFile, language: str, root: Path = LOCALE) -> list[str]:
    """One form of address throughout: no translation uses the forms the @address line forbids."""
    _entries, forbidden, _problems = glossary(language, root)
    if forbidden is None:
        return [f"{language}/glossary.tsv has no @address line"]
    return [f"form of address: {text!r} uses {forbidden.search(text).group(0)!r}"
            for entry in in_use(catalogue) for _source, text in _pairs(entry)
            if text and forbidden.search(text)]


def check_glossary(catalogue: polib.POFile, language: str, root: Path = LOCALE) -> list[str]:
    return check_terms(catalogue, language, root) + [
        p for p in check_address(catalogue, language, root) if not p.endswith("has no @address line")]


# How many plural forms each language needs, and which form sample numbers take (CLDR's integer
# categories, as GNU gettext and Django write them). Forms that only fractions reach (cs, sk, pl,
# lt) are counted but have no integer sample.
PLURALS: dict[str, tuple[int, dict[int, int]]] = {
    **{code: (2, {0: 1, 1: 0, 2: 1, 5: 1, 21: 1})
       for code in ("bg", "da", "de", "el", "en", "et", "fi", "hu", "it", "nl", "pt", "sv")},
    "fr": (2, {0: 0, 1: 0, 2: 1, 5: 1}),
    "es": (3, {0: 2, 1: 0, 2: 2, 5: 2, 1_000_000: 1}),
    "cs": (4, {0: 3, 1: 0, 2: 1, 4: 1, 5: 3, 22: 3}),
    "sk": (4, {0: 3, 1: 0, 2: 1, 4: 1, 5: 3, 22: 3}),
    "pl": (4, {0: 2, 1: 0, 2: 1, 4: 1, 5: 2, 12: 2, 21: 2, 22: 1}),
    "lt": (4, {0: 3, 1: 0, 2: 1, 9: 1, 10: 3, 11: 3, 21: 0, 22: 1}),
    "lv": (3, {0: 2, 1: 0, 2: 1, 11: 1, 21: 0}),
    "hr": (3, {0: 2, 1: 0, 2: 1, 4: 1, 5: 2, 11: 2, 21: 0, 22: 1}),
    "ro": (3, {0: 1, 1: 0, 2: 1, 19: 1, 20: 2, 100: 2, 101: 1}),
    "sl": (4, {0: 3, 1: 0, 2: 1, 3: 2, 4: 2, 5: 3, 101: 0, 102: 1}),
    # 0 left out: CLDR says "other", the formula of GNU gettext and Django's own catalogue says "few".
    "ga": (5, {1: 0, 2: 1, 3: 2, 6: 2, 7: 3, 10: 3, 11: 4, 20: 4}),
    "mt": (4, {0: 1, 1: 0, 2: 1, 10: 1, 11: 2, 19: 2, 20: 3, 101: 3, 102: 1}),
}


def plural_forms(catalogue: polib.POFile) -> tuple[int, str]:
    """(nplurals, plural expression) from the catalogue's Plural-Forms header; raises ValueError."""
    header = catalogue.metadata.get("Plural-Forms", "")
    match = re.fullmatch(r"\s*nplurals\s*=\s*(\d+)\s*;\s*plural\s*=\s*(.+?)\s*;?\s*", header)
    if not match:
        raise ValueError(f"Plural-Forms header is {header!r}")
    return int(match.group(1)), match.group(2)


def check_plurals(catalogue: polib.POFile, language: str) -> list[str]:
    """The header gives the plural forms the language needs, and every plural message has them all."""
    if language not in PLURALS:
        return [f"no plural rule known for {language!r} (add it to PLURALS in tests/support/catalogues.py)"]
    needed, samples = PLURALS[language]
    try:
        count, expression = plural_forms(catalogue)
        rule = gettext.c2py(expression)
    except ValueError as error:
        return [str(error)]
    problems = [] if count == needed else [f"nplurals={count}, but {language} needs {needed}"]
    problems += [f"plural={expression}: {n} takes form {rule(n)}, should take form {form}"
                 for n, form in samples.items() if rule(n) != form]
    problems += [f"plural={expression}: {n} gives form {rule(n)}, beyond nplurals={count}"
                 for n in range(1001) if not 0 <= rule(n) < count][:3]
    for entry in messages(catalogue):
        if entry.msgid_plural and sorted(entry.msgstr_plural) != list(range(count)):
            problems.append(f"{entry.msgid!r} has forms {sorted(entry.msgstr_plural)}, needs 0..{count - 1}")
    return problems


def check_header(catalogue: polib.POFile, language: str) -> list[str]:
    problems = []
    if catalogue.metadata.get("Language", "") != language:
        problems.append(f"Language header is {catalogue.metadata.get('Language', '')!r}, should be {language!r}")
    if catalogue.metadata_is_fuzzy:
        problems.append("the header is marked fuzzy (remove its '#, fuzzy' line once it is filled in)")
    if "charset=UTF-8" not in catalogue.metadata.get("Content-Type", ""):
        problems.append("Content-Type should say charset=UTF-8")
    return problems


def check_catalogue(path: Path, language: str, root: Path = LOCALE) -> dict[str, list[str]]:
    catalogue = polib.pofile(str(path))
    return {
        "header": check_header(catalogue, language),
        "complete": check_complete(catalogue),
        "shape": check_shape(catalogue),
        "msgfmt": check_msgfmt(path),
        "not English": check_not_english(catalogue, language, root),
        "glossary": check_terms(catalogue, language, root) + glossary(language, root)[2],
        "form of address": check_address(catalogue, language, root),
        "plural forms": check_plurals(catalogue, language),
    }
