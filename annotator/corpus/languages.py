"""The languages a source can be in: their codes, names, and a source's language found from its text.

The codes are ISO 639-1, those Whoosh has a Snowball stemmer for, plus Chinese and Japanese
(searched by character, with no stemmer). Detection (py3langid, a small offline model) is
used when an import does not say the language and the file's own metadata does not either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from annotator.errors import AnnotatorError, CorpusError, printable

NAMES = {
    "ar": "Arabic", "da": "Danish", "de": "German", "en": "English", "es": "Spanish", "fi": "Finnish",
    "fr": "French", "hu": "Hungarian", "it": "Italian", "ja": "Japanese", "nl": "Dutch", "no": "Norwegian",
    "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sv": "Swedish", "tr": "Turkish", "zh": "Chinese",
}
DEFAULT = "en"
DETECT_SAMPLE = 20_000  # characters of a text read to detect its language
MIN_DETECT_CHARS = 40  # shorter texts are not guessed at
ALIASES = {"nb": "no", "nn": "no"}  # Norwegian Bokmål and Nynorsk: Whoosh's one Norwegian


class UnknownLanguage(AnnotatorError):
    """A language code annotator has no support for."""

    exit_code = 2


def normalise(code: str) -> str:
    """`fr`, `FR`, `fr-CA`, `fr_FR` -> `fr`; an unknown code is a one-line error listing the known ones."""
    base = code.strip().replace("_", "-").split("-")[0].lower()
    base = ALIASES.get(base, base)
    if base not in NAMES:
        known = ", ".join(sorted(NAMES))
        # (shortened: a crafted file's `language:` can be any length, and the error is one line)
        raise UnknownLanguage(f"unknown language '{printable(code, 30)}': use one of {known}")
    return base


def supported(code: str) -> bool:
    try:
        normalise(code)
    except UnknownLanguage:
        return False
    return True


def name(code: str) -> str:
    return NAMES.get(code, code)


@lru_cache(maxsize=1)
def _classify():
    from py3langid import langid  # loads its model: about a second, so only when needed

    langid.set_languages(sorted(NAMES))
    return langid.classify


def detect(text: str) -> str | None:
    """The language a text is written in, among the supported ones; None when too short to tell."""
    sample = text[:DETECT_SAMPLE]
    if len("".join(sample.split())) < MIN_DETECT_CHARS:
        return None
    code, _score = _classify()(sample)
    return code if code in NAMES else None


# -- a workspace's default: corpus/settings.yaml, `language: fr` --------------------------------

SETTINGS_FILE = "settings.yaml"


def workspace_language(corpus_dir: Path) -> str:
    """The language a workspace's sources are in unless they say otherwise (`init --language`); English if unset."""
    from annotator.corpus.yamlio import read_yaml

    path = corpus_dir / SETTINGS_FILE
    if not path.is_file():
        return DEFAULT
    data = read_yaml(path)
    code = data.get("language") if isinstance(data, dict) else None
    if not code:
        return DEFAULT
    try:
        return normalise(str(code))
    except UnknownLanguage as error:
        raise CorpusError(path, str(error)) from None


def set_workspace_language(corpus_dir: Path, code: str) -> None:
    from annotator.corpus.yamlio import atomic_write_text, dump_yaml, read_yaml

    path = corpus_dir / SETTINGS_FILE
    data = read_yaml(path) if path.is_file() else {}
    data = dict(data) if isinstance(data, dict) else {}
    data["language"] = normalise(code)
    atomic_write_text(path, dump_yaml(data))


# -- a source's language, on import ---------------------------------------------------------------

@dataclass
class Choice:
    code: str
    how: str  # "given", "from the file", "detected" or "the workspace's"
    warnings: list[str] = field(default_factory=list)


def choose(given: str | None, from_file: str | None, texts: list[str], default: str) -> Choice:
    """--language, else the file's own metadata, else detected from the text, else the workspace's."""
    if given:
        choice = Choice(normalise(given), "given")
    elif from_file and supported(from_file):
        choice = Choice(normalise(from_file), "from the file")
    else:
        detected = detect("\n".join(texts))
        choice = Choice(detected, "detected") if detected else Choice(default, "the workspace's")
        if detected:
            choice.warnings += _mixed(texts, detected)
    if choice.code in UNSTEMMED:
        choice.warnings.append(f"{name(choice.code)} has no stemmer: its words are found by character, not stemmed")
    return choice


UNSTEMMED = frozenset({"zh", "ja"})


def _mixed(texts: list[str], main: str) -> list[str]:
    """A warning when a good share of a source's passages read as another language."""
    others: dict[str, int] = {}
    sample = texts[:: max(1, len(texts) // MIXED_SAMPLE)][:MIXED_SAMPLE]
    for text in sample:
        code = detect(text) if len(text) >= MIXED_MIN_CHARS else None
        if code and code != main:
            others[code] = others.get(code, 0) + 1
    if not others:
        return []
    other, count = max(others.items(), key=lambda item: item[1])
    if count < MIXED_SHARE * len(sample):
        return []
    return [f"this source mixes languages: mostly {name(main)}, some {name(other)}; indexed as {name(main)}"
            " (use --language, or import each part as its own source)"]


MIXED_SAMPLE = 40  # passages looked at for a second language
MIXED_SHARE = 0.25
MIXED_MIN_CHARS = 120  # a shorter passage is too little to tell its language by  # passages in another language, of those looked at, that make a source mixed
