"""Theme suggestions for a passage: which themes of the codebook it is evidence for.

Two kinds of evidence are combined, and each suggestion says which led to it:

* the theme notes, sentence by sentence: the passage's words are scored (BM25,
  Whoosh's formula and analyzer) against every sentence of every note, so a
  theme with one sentence that fits the passage well is not drowned by the rest
  of its note; with the `semantic` extra, the passage's embedding is also compared
  with each note sentence's (their mean cosine);
* the passages already tagged: lexically, the passage's nearest tagged neighbours
  vote for their themes; with embeddings, each theme's tagged passages make a
  prototype (their centroid) and the passage is compared with it.

Each kind of evidence is calibrated before it is combined: a theme's score is
measured against that theme's mean score over a sample of the corpus, so a theme
whose note is long or generic (and so scores fairly well against everything) does
not win everywhere; then the scores are standardised across the themes for this
passage, so that lexical and semantic evidence, of different scales, count alike.

Notes alone work before anything is tagged. How much the tagged passages count
against the notes is learnt from the tagged passages themselves (each is suggested
for with its own tags hidden, at a few candidate weights), so tagging helps where
passages of a theme resemble one another and does no harm where they do not.
"""

from __future__ import annotations

import math
import re
import weakref
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from annotator.exchange.importers.plaintext import split_sentences
from annotator.engine import interface
from annotator.engine.index import SearchIndex
from annotator.engine.interface import Snapshot, in_language, language_of, word_reader, words
from annotator.corpus.model import Theme

NEIGHBOURS = 10  # how many tagged passages vote (lexically)
# A theme's typical score is measured on this many passages spread over the corpus
# (fewer than BASELINE_MINIMUM: no calibration, the corpus is too small to say).
BASELINE_SAMPLE = 200
BASELINE_MINIMUM = 8
# The tagged passages' weight, relative to the notes', is learnt from the tagged
# passages (see calibrated_neighbour_weight); until there are enough of them, the default holds.
CANDIDATE_WEIGHTS = (0.0, 0.25, 0.5, 1.0, 2.0)  # the first must be 0: the tagged passages left out
TEMPERATURES = (0.25, 0.5, 1.0, 2.0)  # sharpnesses each weight is judged at (see proven_weight)
PROOF = 2.0  # standard errors a weight's gain over 0 on the tagged passages must pass to count (see proven_weight)
DEFAULT_NEIGHBOUR_WEIGHT = 0.5
CALIBRATION_MINIMUM = 8
CALIBRATION_SAMPLE = 80
# A suggestion's score is its share of the evidence over every theme: at least half of it is
# strong; a fifth is possible (two or three themes compete); less is weak.
STRONG = 0.5
POSSIBLE = 0.2
NAME_SHARE = 1.0  # what a name shared by a note sentence and a passage counts, beside other shared words (alone: 0)
WHY_CHARS = 110  # a "why" line quotes at most this much of a sentence


@dataclass
class Suggestion:
    theme: str
    score: float
    why: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"theme": self.theme, "score": round(self.score, 4), "why": self.why}

    @property
    def strength(self) -> str:
        """"strong", "possible" or "weak": what the score (a share of 1 over the themes) says, in words."""
        if self.score >= STRONG:
            return "strong"
        return "possible" if self.score >= POSSIBLE else "weak"


@dataclass
class Evidence:
    """One kind of evidence for each theme: a score and the reasons behind it.

    A theme missing from `scores` scores 0, or (`missing_is_neutral`, for evidence
    that says nothing about a theme, such as a prototype of a theme nothing is
    tagged with yet) the mean of the others.
    """

    scores: dict[str, float] = field(default_factory=dict)
    reasons: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    missing_is_neutral: bool = False

    def calibrated(self, baseline: dict[str, float] | None) -> "Evidence":
        """Each theme's score less its typical score over the corpus (`baseline`)."""
        if not baseline:
            return self
        scores = {k: v - baseline.get(k, 0.0) for k, v in self.scores.items()}
        if not self.missing_is_neutral:  # a theme missing here scores 0: less than its typical score
            scores.update({k: -b for k, b in baseline.items() if k not in self.scores})
        return Evidence(scores, self.reasons, self.missing_is_neutral)

    def standardised(self, theme_ids: list[str]) -> list[float]:
        """The scores as z-scores across the themes (mean 0, deviation 1); all 0 when they do not differ."""
        if not self.scores:
            return [0.0] * len(theme_ids)
        fill = sum(self.scores.values()) / len(self.scores) if self.missing_is_neutral else 0.0
        values = [self.scores.get(k, fill) for k in theme_ids]
        mean = sum(values) / len(values)
        spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
        if spread <= 1e-12:
            return [0.0] * len(theme_ids)
        return [(v - mean) / spread for v in values]


# -- the notes, sentence by sentence ------------------------------------------------------


def note_sentences(theme: Theme) -> list[str]:
    """The note's sentences, with the theme's name as a sentence of its own."""
    sentences = [s.strip() for s in split_sentences(" ".join(theme.description.split())) if s.strip()]
    return [theme.name, *sentences]


# -- names that must not steer -------------------------------------------------------------

# A word capitalised inside a note's sentence is a name (a character's, a place's, the work's
# title): "the Love note names Biddy" must not make every passage about Biddy a Love passage.
_INNER_CAPITAL = re.compile(r"(?<=[\w,;:)’'\]] )[A-Z][\w’'-]*")


# Languages that capitalise every noun: a capital inside a sentence does not make a name there.
CAPITALISED_NOUNS = frozenset({"de"})


def note_names(themes: list[Theme], titles: Iterable[str] = (), language: str = "en") -> frozenset[str]:
    """The names the notes use (lowercased, no possessive 's), plus the words of the works' titles and
    authors; in German (the passage's `language`) the titles' and authors' only: every noun has a capital."""
    found = set()
    for theme in themes if language not in CAPITALISED_NOUNS else ():
        for word in _INNER_CAPITAL.findall(" ".join(theme.description.split())):
            found.add(_bare(word))
        for sentence in split_sentences(" ".join(theme.description.split())):
            # a sentence that is a name and nothing else ("Judy Bridgewater.", "Never Let Me Go."):
            # its first word is a name too, not a capital only because the sentence begins there
            tokens = re.findall(r"[\w’'-]+", sentence)
            if len(tokens) >= 2 and all(t[:1].isupper() for t in tokens):
                found.update(_bare(t) for t in tokens)
    for title in titles:
        found.update(_bare(w) for w in re.findall(r"[\w’'-]+", title or "") if w[:1].isupper())
    return frozenset(w for w in found if w)


def _bare(word: str) -> str:
    word = word.lower()
    for ending in ("’s", "'s"):
        word = word.removesuffix(ending)
    return word.strip("’'-")


def unnamed(text: str, names: frozenset[str]) -> str:
    """The text with each name (and its possessive) left out: tagged passages found like it by their
    words are found by what they say, not by whom they name."""
    if not names:
        return text
    return re.sub(r"\b[\w’'-]+\b", lambda m: "" if _bare(m.group()) in names else m.group(), text)


def masked(text: str, names: frozenset[str]) -> str:
    """The text with each name (and its possessive) replaced by "someone": embedded this way, a note
    and a passage match on what they say, not on whom they name."""
    if not names:
        return text
    return re.sub(r"\b[\w’'-]+\b", lambda m: "someone" if _bare(m.group()) in names else m.group(), text)


class MaskedEmbeddings:
    """An embedding cache that embeds texts with the notes' names masked."""

    def __init__(self, cache, names: frozenset[str]):
        self.cache, self.names = cache, names

    def embed(self, texts: list[str]):
        return self.cache.embed([masked(t, self.names) for t in texts])

    def save(self) -> None:
        self.cache.save()


class NoteSentenceIndex:
    """Every note sentence, scored against a passage by BM25 (Whoosh's BM25F formula and
    analyzer, over one field) in NumPy: a suggestion scores the whole codebook, and the
    calibration a sample of the corpus, so this runs hundreds of times."""

    B, K1 = 0.75, 1.2  # Whoosh's defaults

    def __init__(self, themes: list[Theme], language: str = "en"):
        import numpy as np  # NumPy: not at start-up

        self.key = codebook_key(themes)
        self.rows: list[tuple[str, str]] = [(t.id, sentence) for t in themes for sentence in note_sentences(t)]
        # The notes analysed as the passages they are compared with: a French passage's words are
        # French stems with French stop words out, so the notes' must be too.
        analyse = word_reader()
        counts = [Counter(analyse(in_language(sentence, language))) for _, sentence in self.rows]
        lengths = np.array([sum(c.values()) for c in counts], dtype=float)
        average = lengths.mean() if len(lengths) and lengths.mean() > 0 else 1.0
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for row, terms in enumerate(counts):
            for term, tf in terms.items():
                postings[term].append((row, tf))
        self._weights: dict[str, tuple] = {}
        for term, entries in postings.items():
            rows = np.array([r for r, _ in entries])
            tf = np.array([f for _, f in entries], dtype=float)
            idf = math.log(len(self.rows) / (len(entries) + 1)) + 1
            norm = self.K1 * ((1 - self.B) + self.B * lengths[rows] / average)
            self._weights[term] = (rows, idf * tf * (self.K1 + 1) / (tf + norm))
        self._np = np
        self._remembered: dict[str, Evidence] = {}
        # Names the notes use (characters, places, the work): a sentence sharing only a name with the
        # passage says nothing about the theme (beside other shared words, it counts NAME_SHARE).
        self._names = {word for name in note_names(themes, language=language) for word in analyse(in_language(name, language))}

    def evidence(self, text: str, per_theme: int = 3) -> Evidence:
        """Each theme's best-matching sentences, their scores summed with a decay."""
        if text in self._remembered:
            return self._remembered[text]
        found = Evidence()
        scores = self._np.zeros(len(self.rows))
        named = self._np.zeros(len(self.rows))
        for term in dict.fromkeys(words(text)):
            if term in self._weights:
                rows, weights = self._weights[term]
                if term in self._names:
                    named[rows] += weights
                else:
                    scores[rows] += weights
        scores += self._np.where(scores > 0, NAME_SHARE * named, 0.0)
        best: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for row in self._np.flatnonzero(scores > 0):
            theme_id, sentence = self.rows[row]
            best[theme_id].append((float(scores[row]), sentence))
        for theme_id, hits in best.items():
            hits.sort(key=lambda h: -h[0])
            top = hits[:per_theme]
            found.scores[theme_id] = sum(score / (rank + 1) for rank, (score, _) in enumerate(top))
            found.reasons[theme_id] += [f"note: “{clip(sentence)}”" for _, sentence in top[:2]]
        if len(self._remembered) > 4096:
            self._remembered.clear()
        self._remembered[text] = found
        return found


_note_cache: dict[tuple, NoteSentenceIndex] = {}


def codebook_key(themes: Iterable[Theme]) -> tuple:
    return tuple((t.id, t.name, t.description) for t in themes)


def note_index(themes: list[Theme], language: str = "en") -> NoteSentenceIndex:
    """The notes' sentences analysed in a passage's language (one index per language the passages have)."""
    key = (codebook_key(themes), language)
    cached = _note_cache.get(key)
    if cached is None:
        if any(other[0] != key[0] for other in _note_cache):
            _note_cache.clear()
        cached = _note_cache[key] = NoteSentenceIndex(themes, language)
    return cached


def whole_note(theme: Theme, names: frozenset[str] = frozenset()) -> str:
    """The theme's name and note as one text (the note's sentences of names alone left out)."""
    told = telling_sentences(theme, names)
    note = " ".join(theme.description.split()) if len(told) == len(note_sentences(theme)) - 1 else " ".join(told)
    return f"{theme.name}. {note}".strip()


def telling_sentences(theme: Theme, names: frozenset[str] = frozenset()) -> list[str]:
    """The note's sentences that say something besides names: "Never Let Me Go." or "Kazuo Ishiguro
    wrote Never Let Me Go.", its names masked, reads "someone someone someone someone." as does a
    passage naming the song, and the two matched (a note of the work's title alone made its theme a
    strong suggestion there). A sentence most of whose words are names is left out."""
    return [s for s in note_sentences(theme)[1:] if not names or _says_more_than_names(s, names)]


def _says_more_than_names(sentence: str, names: frozenset[str]) -> bool:
    tokens = re.findall(r"[\w’'-]+", sentence)
    named = sum(_bare(t) in names for t in tokens)
    return 2 * named <= len(tokens) and bool(words(unnamed(sentence, names)))


class SemanticNotes:
    """Every note sentence's embedding and each whole note's; a passage's evidence is its mean cosine
    with a theme's two nearest sentences, and (a second view) its cosine with the whole note.
    A sentence of names alone (the `cache`'s, a MaskedEmbeddings) is left out of both."""

    def __init__(self, cache, themes: list[Theme]):
        import numpy as np  # NumPy: not at start-up

        names = getattr(cache, "names", frozenset())
        self.theme_ids = [t.id for t in themes]
        told = [telling_sentences(t, names) for t in themes]
        self.sentences: list[list[str]] = [sentences or [t.name] for t, sentences in zip(themes, told)]
        self.vectors = [cache.embed(s) for s in self.sentences]
        # The whole note says what the theme is about as one idea, where a sentence may say one detail:
        # on the Great Expectations gold corpus the two views together get 0.51 right, one alone 0.45.
        self.whole = cache.embed([whole_note(t, names) for t in themes])
        self._np = np

    BEST = 2  # a theme's score: the mean cosine of the passage with its two nearest note sentences

    def similarities(self, vectors):
        """(passages × themes) each passage's best-two mean cosine with each theme's note sentences."""
        np = self._np
        return np.stack([np.sort(vectors @ s.T, axis=1)[:, -self.BEST :].mean(axis=1) for s in self.vectors], axis=1)

    def evidence(self, vector) -> Evidence:
        found = Evidence()
        for theme_id, sentences, matrix in zip(self.theme_ids, self.sentences, self.vectors):
            sims = matrix @ vector
            found.scores[theme_id] = float(self._np.sort(sims)[-self.BEST :].mean())
            found.reasons[theme_id].append(f"note: “{clip(sentences[int(sims.argmax())])}”")
        return found

    def whole_similarities(self, vectors):
        """(passages × themes) each passage's cosine with each whole note."""
        return vectors @ self.whole.T

    def whole_evidence(self, vector) -> Evidence:
        """The passage's cosine with each whole note (its reasons are the sentences' evidence's)."""
        return Evidence(dict(zip(self.theme_ids, (float(x) for x in self.whole @ vector))))


def embed_codebook(cache, themes: list[Theme], index: SearchIndex | None = None) -> None:
    """Embed every note sentence (and, given the index, the corpus sample that calibrates
    the themes' scores) ahead of the first suggestion, names masked as suggest() masks them."""
    names = note_names(themes)
    cache = MaskedEmbeddings(cache, names)
    cache.embed([s for t in themes for s in note_sentences(t)] + [whole_note(t, names) for t in themes])
    if index is not None:
        try:
            # its own searcher: this runs off the UI thread
            cache.embed([text for _, text in interface.sample(index, BASELINE_SAMPLE)])
        except Exception:  # only a head start: the first suggestion embeds the sample if need be
            pass
    cache.save()


# -- what a theme scores on a typical passage --------------------------------------------------


def corpus_sample(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(id, text) of up to BASELINE_SAMPLE passages spread evenly over the index."""
    return snapshot.sample(BASELINE_SAMPLE)


@dataclass
class Baselines:
    """Each theme's mean score, per kind of evidence, over a sample of the corpus's passages."""

    lexical_notes: dict[str, float] = field(default_factory=dict)
    semantic_notes: dict[str, float] = field(default_factory=dict)
    semantic_whole: dict[str, float] = field(default_factory=dict)
    sample_vectors: object = None  # the sample's embeddings
    centre: object = None  # their mean: what every passage of the corpus has in common (see prototype_evidence)


_samples: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # per index snapshot (open searcher)
_baselines: dict[tuple, Baselines] = {}


def baselines(snapshot: Snapshot, themes: list[Theme], embeddings=None, semantic_notes: SemanticNotes | None = None) -> Baselines:
    """The themes' typical scores on this index's passages.

    Remembered for the codebook and the sample's texts: tagging (which opens a new
    searcher) leaves them as they were, and only an edited corpus or codebook measures again.
    """
    if snapshot not in _samples:
        _samples[snapshot] = corpus_sample(snapshot)
    sampled = _samples[snapshot]
    sample = [text for _, text in sampled]
    key = (codebook_key(themes), embeddings is not None, hash(tuple(sampled)))
    if key in _baselines:
        return _baselines[key]
    found = Baselines()
    if len(sample) >= BASELINE_MINIMUM:
        for text in sample:
            for theme_id, score in note_index(themes, language_of(text)).evidence(text).scores.items():
                found.lexical_notes[theme_id] = found.lexical_notes.get(theme_id, 0.0) + score / len(sample)
        found.lexical_notes = {t.id: found.lexical_notes.get(t.id, 0.0) for t in themes}
        if embeddings is not None and semantic_notes is not None:
            found.sample_vectors = embeddings.embed(sample)
            found.centre = found.sample_vectors.mean(axis=0)
            means = semantic_notes.similarities(found.sample_vectors).mean(axis=0)
            found.semantic_notes = {theme_id: float(m) for theme_id, m in zip(semantic_notes.theme_ids, means)}
            means = semantic_notes.whole_similarities(found.sample_vectors).mean(axis=0)
            found.semantic_whole = {theme_id: float(m) for theme_id, m in zip(semantic_notes.theme_ids, means)}
    if len(_baselines) > 8:
        _baselines.clear()
    _baselines[key] = found
    return found


# -- the tagged passages -----------------------------------------------------------------------


@dataclass
class Example:
    """A tagged passage: its text and themes."""

    id: str
    text: str
    themes: list[str]


# Per index snapshot: passage id -> (text, order) of the passages looked up so far.
_looked_up: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def tagged_examples(snapshot: Snapshot, tags: dict[str, list[str]]) -> list[Example]:
    """Every passage carrying a theme (`tags`: passage id -> theme ids, from the store), in corpus order."""
    known = _looked_up.setdefault(snapshot, {})
    found = []
    for passage_id, theme_ids in tags.items():
        if not theme_ids:
            continue
        if passage_id not in known:
            known[passage_id] = snapshot.passage(passage_id)
        entry = known[passage_id]
        if entry is not None:  # else a tag whose passage is gone from the corpus
            text, order = entry
            found.append((order, Example(passage_id, text, list(theme_ids))))
    found.sort(key=lambda pair: pair[0])
    return [example for _, example in found]


def neighbour_evidence(snapshot: Snapshot, examples: list[Example], hidden: set[str], text: str, k: int = NEIGHBOURS) -> Evidence:
    """The k tagged passages most like this one (BM25; the `hidden` ones left out) vote for their themes."""
    found = Evidence()
    by_id = {e.id: e for e in examples if e.id not in hidden}
    if not by_id:
        return found
    for passage_id, score in snapshot.neighbours(text, by_id, k):
        _vote(found, by_id[passage_id], score)
    # A theme with many tagged passages has more of them among any k: its votes are
    # scaled by how many it has against the average, so a big theme does not win by size.
    sizes: dict[str, int] = defaultdict(int)
    for example in by_id.values():
        for theme_id in example.themes:
            sizes[theme_id] += 1
    average = sum(sizes.values()) / len(sizes)
    found.scores = {t: v * average / sizes[t] for t, v in found.scores.items()}
    return found


def _vote(found, example, weight: float) -> None:
    """A tagged neighbour votes `weight` for each of its themes, and is named as a reason (two at most)."""
    for theme_id in example.themes:
        found.scores[theme_id] = found.scores.get(theme_id, 0.0) + weight
        if len(found.reasons[theme_id]) < 2:
            found.reasons[theme_id].append(f"like {example.id}: “{clip(example.text)}”")


def prototype_evidence(examples: list[Example], vectors, hidden: set[str], vector, base: Baselines | None = None) -> Evidence:
    """Cosine of the passage with each theme's prototype: the centroid of its tagged passages' embeddings,
    every embedding taken from the corpus's mean (`base`'s sample; else the tagged passages').

    The embeddings of a book's passages are all alike (they share its people, places and manner), so
    raw cosines mostly say "same book"; less the mean, what is left is what sets a passage apart, and a
    theme's prototype stands for what its passages share beyond the book (on Great Expectations the
    prototypes alone put the gold theme first for 0.300 of the passages instead of 0.263; Jane Eyre
    0.476 instead of 0.310: benchmarks/suggest_learnt.py). The two tagged passages of the theme
    nearest the passage are its reasons. A theme with nothing tagged (the `hidden` left out) says
    nothing: it scores the others' mean.
    """
    found = Evidence(missing_is_neutral=True)
    members: dict[str, list[int]] = defaultdict(list)
    for i, example in enumerate(examples):
        if example.id not in hidden:
            for theme_id in example.themes:
                members[theme_id].append(i)
    if not members:
        return found
    centre = base.centre if base is not None and base.centre is not None else vectors.mean(axis=0)
    apart = _unit(vectors - centre)
    here = _unit(vector - centre)
    sims = apart @ here
    for theme_id, rows in members.items():
        found.scores[theme_id] = float(_unit(apart[rows].mean(axis=0)) @ here)
        for i in sorted(rows, key=lambda i: -sims[i])[:2]:
            found.reasons[theme_id].append(f"like {examples[i].id}: “{clip(examples[i].text)}”")
    return found


def _unit(vectors):
    """Rows (or a vector) scaled to length 1 (a zero row stays zero)."""
    import numpy as np  # NumPy: not at start-up

    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.where(norms > 1e-12, norms, 1.0)


# -- combining -------------------------------------------------------------------------------


def combine(themes: list[Theme], parts: list[tuple[float, Evidence]], sharpness: float = 1.0) -> list[Suggestion]:
    """Weighted sum of each kind's standardised scores, as a softmax over the themes (scores 0..1,
    summing to 1) at this `sharpness` (a temperature's inverse: see proven_weight); a theme no evidence
    speaks for is left out; every reason that contributed is kept."""
    theme_ids = [t.id for t in themes]
    totals = [0.0] * len(theme_ids)
    for weight, evidence in parts:
        for i, z in enumerate(evidence.standardised(theme_ids)):
            totals[i] += weight * z
    top = max(totals)
    exps = [math.exp(sharpness * (t - top)) for t in totals]
    norm = sum(exps)
    suggestions = []
    for theme_id, e in zip(theme_ids, exps):
        why: list[str] = []
        for _, evidence in parts:
            why += [r for r in evidence.reasons.get(theme_id, []) if r not in why]
        if why:
            suggestions.append(Suggestion(theme_id, e / norm, why))
    order = {theme_id: i for i, theme_id in enumerate(theme_ids)}
    suggestions.sort(key=lambda s: (-s.score, order[s.theme]))
    return suggestions


@dataclass
class Context:
    """What one suggestion (and the calibration of the neighbours' weight) needs, gathered once."""

    snapshot: Snapshot
    themes: list[Theme]
    examples: list[Example]
    embeddings: object = None
    semantic_notes: SemanticNotes | None = None
    vectors: object = None  # the examples' embeddings, row by row
    base: Baselines | None = None
    names: frozenset[str] = frozenset()  # the notes' and the works' names: never what tagged passages are alike in


def gather(ctx: Context, text: str, hidden: set[str]):
    """The evidence from the notes and the evidence from the tagged passages, each calibrated."""
    base = ctx.base
    notes = [(1.0, note_index(ctx.themes, language_of(text)).evidence(text).calibrated(base.lexical_notes if base else None))]
    neighbours = []
    if ctx.embeddings is None:
        if ctx.examples:
            neighbours = [(1.0, neighbour_evidence(ctx.snapshot, ctx.examples, hidden, unnamed(text, ctx.names)))]
        return notes, neighbours
    vector = ctx.embeddings.embed([text])[0]
    notes.append((1.0, ctx.semantic_notes.evidence(vector).calibrated(base.semantic_notes if base else None)))
    notes.append((1.0, ctx.semantic_notes.whole_evidence(vector).calibrated(base.semantic_whole if base else None)))
    if ctx.examples:  # weighed against both kinds of note evidence together
        neighbours = [(2.0, prototype_evidence(ctx.examples, ctx.vectors, hidden, vector, base))]
    return notes, neighbours


def mix(notes, neighbours, weight: float):
    """The notes' evidence and the tagged passages', these scaled by `weight` (left out at 0, reasons too)."""
    return notes + [(weight * w, evidence) for w, evidence in neighbours if weight * w > 0]


_calibrations: dict[tuple, tuple[frozenset, tuple[float, float]]] = {}


def calibrated_neighbour_weight(ctx: Context, hidden: set[str]) -> tuple[float, float]:
    """How much the tagged passages should count against the notes, and how sharp the suggestions' shares
    should be, learnt from the tagged passages.

    Each tagged passage (up to CALIBRATION_SAMPLE of them) is suggested for with its
    own tags hidden, at each candidate weight; the weight that serves them best wins if it
    proves better than none (proven_weight). So the tagged passages count for much in a corpus
    where passages of one theme are alike, and not at all where they are not. `hidden` passages
    take no part.
    """
    examples = ctx.examples
    sample = [e for e in examples if e.id not in hidden]
    if len(sample) < CALIBRATION_MINIMUM:
        # Too few to measure: they count in proportion to how many there are, so one accepted
        # suggestion does not carry the next passage ("like ge-p987" for a passage unlike it).
        return DEFAULT_NEIGHBOUR_WEIGHT * len(sample) / CALIBRATION_MINIMUM, 1.0
    step = max(1, len(sample) // CALIBRATION_SAMPLE)
    sample = sample[::step][:CALIBRATION_SAMPLE]
    # Learnt again only when a tenth of the tags (or 8) have come, gone or changed since: a tag or
    # two more hardly moves the weight, and learning it takes a moment. (Counted by the tags, not
    # their number: another workspace, or the same passages tagged otherwise, is learnt afresh.)
    key = (codebook_key(ctx.themes), tuple(sorted(hidden)), ctx.embeddings is not None)
    tagged = frozenset((e.id, theme_id) for e in examples for theme_id in e.themes)
    if key in _calibrations:
        then, learnt = _calibrations[key]
        if len(tagged ^ then) < max(CALIBRATION_MINIMUM, len(then) // 10):
            return learnt
    learnt = proven_weight(ctx, sample, hidden)
    if len(_calibrations) > 64:
        _calibrations.clear()
    _calibrations[key] = (tagged, learnt)
    return learnt


def proven_weight(ctx: Context, sample: list[Example], hidden: set[str]) -> tuple[float, float]:
    """(weight, sharpness): the candidate weight under which suggestions for the `sample`'s passages
    (each with its own tags hidden) give their own themes the most likelihood, among the weights that
    prove better than leaving the tagged passages out (weight 0), else 0; and the sharpness (of
    TEMPERATURES) that serves that weight best, so that a suggestion's share, and so its label
    (strong, possible, weak), is about as sure as suggestions have proved to be on the user's own tags.

    Likelihood is a proper score, steadier on a few dozen passages than counting which come out on
    top; each weight is judged at its best sharpness, so a weight is not preferred for making the
    suggestions more or less sure of themselves but for ranking the right themes higher. A weight
    proves itself when its gain over weight 0, passage by passage, is more than PROOF standard
    errors above nothing: on a few dozen passages a weight can win by chance, or by a few passages
    it rescues while it costs many others a little, and then the tagged passages only add noise.
    """
    import numpy as np  # NumPy: not at start-up

    theme_ids = [t.id for t in ctx.themes]
    per_passage = []  # (weights × temperatures) log-likelihood of each sample passage's own themes
    weights = np.array(CANDIDATE_WEIGHTS)[:, None, None]
    temperatures = np.array(TEMPERATURES)[None, :, None]
    for example in sample:
        notes, neighbours = gather(ctx, example.text, hidden | {example.id})
        base = sum(w * np.array(e.standardised(theme_ids)) for w, e in notes)
        learnt = sum(w * np.array(e.standardised(theme_ids)) for w, e in neighbours)
        totals = temperatures * (base + weights * learnt)  # (weights × temperatures × themes)
        totals -= totals.max(axis=2, keepdims=True)
        shares = np.exp(totals) / np.exp(totals).sum(axis=2, keepdims=True)
        own = [theme_ids.index(t) for t in example.themes if t in theme_ids]
        per_passage.append(np.log(np.maximum(shares[:, :, own].sum(axis=2), 1e-6)))
    per_passage = np.array(per_passage)  # (passages × weights × temperatures)
    sharpest = per_passage.sum(axis=0).argmax(axis=1)  # each weight's best sharpness
    chosen = per_passage[:, np.arange(len(CANDIDATE_WEIGHTS)), sharpest]  # (passages × weights)
    gains = chosen[:, 1:] - chosen[:, :1]
    error = gains.std(axis=0, ddof=1) / np.sqrt(len(gains)) if len(gains) > 1 else np.full(gains.shape[1], np.inf)
    proven = gains.mean(axis=0) > PROOF * error
    best = 1 + int(np.where(proven, gains.mean(axis=0), -np.inf).argmax()) if proven.any() else 0
    return CANDIDATE_WEIGHTS[best], TEMPERATURES[int(sharpest[best])]


def suggest(
    index: SearchIndex,
    themes: list[Theme],
    passage_id: str,
    text: str,
    *,
    tags: dict[str, list[str]] | None = None,
    applied: Iterable[str] = (),
    limit: int = 5,
    embeddings=None,
    strict: bool = False,
    titles: Iterable[str] = (),
) -> list[Suggestion]:
    """Ranked themes for one passage, best first, leaving out the themes it already has.

    `tags` (passage id -> theme ids, every annotator's) are the tagged passages that
    may vote; the passage's own tags never count as evidence for it. `embeddings`
    (an `annotator.engine.semantic.EmbeddingCache`) adds the semantic evidence. `strict`
    (for measuring) also keeps the passage's own tags out of the calibration.
    """
    if not themes:
        return []
    hidden = {passage_id}
    snapshot = interface.snapshot(index)
    text = _in_its_language(snapshot, passage_id, text)
    ctx = Context(snapshot, themes, tagged_examples(snapshot, tags or {}), embeddings)
    ctx.names = note_names(themes, titles, language_of(text))
    if embeddings is not None:
        embeddings = ctx.embeddings = MaskedEmbeddings(embeddings, ctx.names)
        ctx.semantic_notes = SemanticNotes(embeddings, themes)
        if ctx.examples:
            ctx.vectors = embeddings.embed([e.text for e in ctx.examples])
    ctx.base = baselines(snapshot, themes, embeddings, ctx.semantic_notes)
    notes, neighbours = gather(ctx, text, hidden)
    weight, sharpness = calibrated_neighbour_weight(ctx, hidden if strict else set()) if neighbours else (0.0, 1.0)
    if embeddings is not None:
        embeddings.save()
    applied = set(applied)
    ranked = [s for s in combine(themes, mix(notes, neighbours, weight), sharpness) if s.theme not in applied]
    return ranked[: max(limit, 0)]


def _in_its_language(snapshot: Snapshot, passage_id: str, text: str) -> str:
    """The passage's text, analysed in its source's language (as the index holds it)."""
    found = snapshot.passage(passage_id)
    return found[0] if found is not None and found[0] == text else text


def clip(text: str, width: int = WHY_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1].rsplit(" ", 1)[0] + "…"


# -- similar passages ------------------------------------------------------------------------------


def similar_passages(index: SearchIndex, passage_id: str, text: str, *, limit: int = 10, embeddings=None) -> list[tuple[str, float]]:
    """(passage id, score) of the passages most like this one, itself left out, best first.

    Lexical (BM25 on the passage's words) without embeddings; with them, cosine
    similarity over every passage (each embedded once, then cached in `index/`).
    """
    if embeddings is None:
        return interface.similar(index, passage_id, text, limit)
    others = [(pid, body) for pid, body in interface.passages(index) if pid != passage_id]
    if not others:
        return []
    vectors = embeddings.embed([body for _, body in others])
    sims = vectors @ embeddings.embed([text])[0]
    embeddings.save()
    best = sorted(range(len(others)), key=lambda i: -sims[i])[: max(limit, 0)]
    return [(others[i][0], float(sims[i])) for i in best]
