"""A deterministic synthetic English corpus for benchmarks and large-workspace tests.

Word frequencies follow a Zipf-Mandelbrot law over a ranked vocabulary: English
function words at the top ranks (as in real text), then real content words (with
their inflections, so stemming matters), then a long tail of generated word-like
strings, so that rare words really are rare. Passages are 40-120 words of
sentences. The same seed always gives the same corpus.

    from benchmarks.synthetic import generate_passages, make_workspace
    passages = generate_passages(10_000)              # list[annotator.corpus.model.Passage]
    make_workspace("/tmp/ws", passages=10_000)         # a workspace annotator can open

    python benchmarks/synthetic.py /tmp/ws --passages 10000 [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from annotator.corpus.languages import set_workspace_language, workspace_language
from annotator.corpus.model import AnnotationFile, Passage, Source, SourceFile, Tag, Theme
from annotator.corpus.store import Store
from annotator.corpus.workspace import init_workspace
from annotator.corpus.yamlio import write_yaml

DEFAULT_SEED = 20261127
VOCABULARY_SIZE = 40_000
ZIPF_EXPONENT = 1.0
ZIPF_SHIFT = 2.7  # Mandelbrot's q: flattens the very top ranks as in real English
MIN_WORDS, MAX_WORDS = 40, 120
PASSAGES_PER_SOURCE = 5_000
PASSAGES_PER_CHAPTER = 40

FUNCTION_WORDS = """
the of and to a in that he was it his is with as for had you not be her on at by which have or from
this him but all she they were my are me one their so an said them we who would been will no when
there if more out up into do any your what has man could other than our some very time upon about
may its only now like little then can should made did us such great before must two these see know
over much down after first good men own never most old shall day where those came come himself way
work life without go make well through being long say might how am too even back years again new
""".split()

CONTENT_WORDS = """
hand place house eyes night world thought head moment light voice face mind water room door heart
side morning reason letter friend mother father brother sister child children family town country
road river island sea shore boat ship storm wind rain snow winter summer spring autumn field garden
tree forest hill mountain stone wall window table chair bed book paper picture drawing story word
name question answer truth promise secret memory dream hope fear grief love anger silence kindness
school teacher student lesson class office work job money bread flour oil lamp wick lens beam tower
keeper harbour village city street market shop bakery kitchen fire smoke ash clock hour minute year
evening afternoon dawn dusk shadow cloud sky star moon sun weather coat shoe button ribbon tape song
music dance game ball field fence gate path track car train station ticket journey visit return
""".split()

VERB_STEMS = """
remember walk talk look turn open close start watch wonder wait want need help call ask answer
climb polish trim sweep carry keep hold write read learn teach listen laugh smile cry worry hope
dream believe notice pretend decide promise return visit travel follow gather collect draw sketch
paint repair mend clean cook bake wash fold pack arrive leave stay remain change move pull push
""".split()

ADJECTIVES = """
small large young old quiet loud cold warm dark bright soft hard slow quick careful gentle strange
familiar empty full narrow wide heavy light tired sad happy lonely calm wild grey green blue white
black red golden silver distant near early late sudden certain simple clear
""".split()

_ONSETS = "b c d f g h j k l m n p r s t v w b d l m n r s t br dr fl gr pl sh st th tr".split()
_VOWELS = "a e i o u a e i o ai ea ee oa ou".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "t", "m", "nd", "st", "rk", "ck"]
_SUFFIXES = ["", "", "", "", "", "", "s", "s", "ed", "ing", "er", "ly", "ness"]


def _inflections(stem: str) -> list[str]:
    base = stem[:-1] if stem.endswith("e") else stem
    plural = stem + ("es" if stem.endswith(("s", "sh", "ch", "x")) else "s")
    if stem.endswith("y") and stem[-2] not in "aeiou":
        return [stem, stem[:-1] + "ies", stem[:-1] + "ied", stem + "ing"]
    return [stem, plural, base + "ed", base + "ing"]


def _generated_word(rng: random.Random) -> str:
    syllables = rng.choice((1, 2, 2, 2, 3))
    word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))
    return word + rng.choice(_CODAS) + rng.choice(_SUFFIXES)


def _word_lists(language: str):
    """The module of another language's word lists (benchmarks/synthetic_fr.py, synthetic_de.py)."""
    from benchmarks import synthetic_de, synthetic_fr

    return {"fr": synthetic_fr, "de": synthetic_de}[language]


def function_words(language: str = "en") -> list[str]:
    if language != "en":
        return _word_lists(language).FUNCTION_WORDS
    return FUNCTION_WORDS


@lru_cache(maxsize=4)
def vocabulary(seed: int = DEFAULT_SEED, size: int = VOCABULARY_SIZE, language: str = "en") -> tuple[str, ...]:
    """The ranked vocabulary: most frequent first (English, or French or German: `language="fr"`, `"de"`)."""
    rng = random.Random(seed)
    real: list[str] = []
    if language != "en":
        lists = _word_lists(language)
        ranked, generated = lists.real_words(rng), lists.generated_word
    else:
        content = CONTENT_WORDS + ADJECTIVES + [form for stem in VERB_STEMS for form in _inflections(stem)]
        rng.shuffle(content)
        ranked, generated = FUNCTION_WORDS + content, _generated_word
    for word in ranked:
        if word not in real:
            real.append(word)
    seen = set(real)
    words = list(real)
    while len(words) < size:
        word = generated(rng)
        if word not in seen and len(word) >= 4:
            seen.add(word)
            words.append(word)
    return tuple(words)


def zipf_weights(size: int) -> np.ndarray:
    ranks = np.arange(1, size + 1, dtype=np.float64)
    weights = 1.0 / np.power(ranks + ZIPF_SHIFT, ZIPF_EXPONENT)
    return weights / weights.sum()


@dataclass(frozen=True)
class Corpus:
    """Passages grouped into sources, in corpus order."""

    sources: list[SourceFile]

    @property
    def passages(self) -> list[Passage]:
        return [p for sf in self.sources for p in sf.passages]


def _sentences(words: list[str], rng: random.Random) -> str:
    out: list[str] = []
    i = 0
    while i < len(words):
        length = min(rng.randint(5, 18), len(words) - i)
        sentence = words[i : i + length]
        i += length
        if length > 8 and rng.random() < 0.5:
            cut = rng.randint(3, length - 3)
            sentence[cut - 1] += ","
        sentence[0] = sentence[0].capitalize()
        out.append(" ".join(sentence) + rng.choice(".....?!"))
    return " ".join(out)


def generate_corpus(passages: int, seed: int = DEFAULT_SEED, per_source: int = PASSAGES_PER_SOURCE,
                    language: str = "en") -> Corpus:
    """`passages` passages of 40-120 words, split over sources of at most `per_source`."""
    words = vocabulary(seed, language=language)
    weights = zipf_weights(len(words))
    np_rng = np.random.default_rng(seed)
    rng = random.Random(seed + 1)
    lengths = np_rng.integers(MIN_WORDS, MAX_WORDS + 1, size=passages)
    cdf = np.cumsum(weights)
    picks = np.searchsorted(cdf, np_rng.random(int(lengths.sum())) * cdf[-1])
    picks = np.minimum(picks, len(words) - 1)
    word_array = np.array(words, dtype=object)
    tokens = word_array[picks].tolist()

    source_count = max(1, -(-passages // per_source))
    if passages >= 6:
        source_count = max(source_count, 3)
    bounds = np.linspace(0, passages, source_count + 1).astype(int)
    sources: list[SourceFile] = []
    start_token = 0
    n = 0
    for k in range(source_count):
        source_id = f"book-{k + 1:02d}"
        source = Source(
            id=source_id,
            title=f"Synthetic Book {k + 1}",
            author="Benchmark Generator",
            file=f"{source_id}.txt",
            imported_at=f"2026-01-01T00:{k // 60:02d}:{k % 60:02d}+00:00",
            language="" if language == "en" else language,
        )
        items: list[Passage] = []
        for j in range(bounds[k + 1] - bounds[k]):
            length = int(lengths[n])
            text = _sentences(tokens[start_token : start_token + length], rng)
            start_token += length
            n += 1
            location = f"ch. {j // PASSAGES_PER_CHAPTER + 1}"
            items.append(Passage(f"{source_id}-{j + 1:05d}", text, location, source_id))
        sources.append(SourceFile(source, items))
    return Corpus(sources)


def generate_passages(passages: int, seed: int = DEFAULT_SEED) -> list[Passage]:
    """The passages alone, in memory, in corpus order."""
    return generate_corpus(passages, seed).passages


THEMES = [
    ("hope", "Hope", "Characters looking forward: plans, promises and the dream of a different life."),
    ("memory", "Memory", "Keepsakes, recollection and the past carried into the present: letters, drawings, old rooms."),
    ("friendship", "Friendship", "Loyalty, rivalry and care between friends; who stays, who leaves, who forgives."),
    ("loss", "Loss", "Grief, absence and what cannot be recovered: the storm, the empty house, the silence after."),
    ("duty", "Duty", "Work done because it must be done: keeping the light, mending, carrying on through winter."),
]


def make_workspace(path, passages: int, seed: int = DEFAULT_SEED, *, tags: int | None = None,
                   language: str = "en") -> Path:
    """Write a real workspace of `passages` synthetic passages at `path` (created; must not be one already).

    It has the THEMES codebook (in the workspace's language where its word lists have one: French), one
    passages file per source, and `tags` tags (default: one in fifty passages, at most 200) by the
    annotator `bench`. Another language than English is the workspace's own (`init --language`).
    """
    ws = init_workspace(Path(path), empty=True)
    if language != "en":  # a French user's workspace (`init --language fr`): its notes in French too
        set_workspace_language(ws.corpus, language)
    store = Store(ws)
    themes = getattr(_word_lists(language), "THEMES", THEMES) if language != "en" else THEMES
    store.save_themes([Theme(tid, name, description) for tid, name, description in themes])
    corpus = generate_corpus(passages, seed, language=language)
    for source_file in corpus.sources:
        store.save_source(source_file)
    all_passages = corpus.passages
    count = min(200, len(all_passages) // 50) if tags is None else min(tags, len(all_passages))
    if count:
        rng = random.Random(seed + 2)
        chosen = rng.sample(range(len(all_passages)), count)
        annotations = AnnotationFile(
            "bench",
            [
                Tag(all_passages[i].id, THEMES[i % len(THEMES)][0], "bench", "2026-01-02T00:00:00+00:00")
                for i in sorted(chosen)
            ],
        )
        write_yaml(ws.annotation_file("bench"), annotations.to_yaml())
    return ws.root


def kept_workspace(root: Path, passages: int, seed: int = DEFAULT_SEED, language: str = "en") -> Path:
    """make_workspace at `root` unless a benchmark made it there already, in the same language
    (one made before a French workspace was French throughout is made again)."""
    root = Path(root)
    if (root / "corpus").is_dir():
        if workspace_language(root / "corpus") == language:
            return root
        shutil.rmtree(root)
    return make_workspace(root, passages, seed, language=language)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic annotator workspace.")
    parser.add_argument("path", help="folder to create the workspace in")
    parser.add_argument("--passages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--tags", type=int, default=None, help="how many tags to write (default: 1 in 50, max 200)")
    args = parser.parse_args(argv)
    root = make_workspace(args.path, args.passages, args.seed, tags=args.tags)
    print(f"wrote {args.passages} passages to {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
