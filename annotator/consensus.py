"""Settling several annotators' tags into one: the consensus annotator.

A tag (passage x theme) that at least K of the named annotators gave goes into the
consensus annotator's file, its comments merged ("name: comment; name: comment");
the tags fewer than K gave are *unsettled* and listed for a person to adjudicate
(`annotator.tui.adjudication`). The consensus file records whom it settles in a
`consensus_of:` field, so reports can compare each annotator with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.class_agreement import BadAgreementInput, check_names
from annotator.corpus.model import Tag, now_iso

CONSENSUS_FIELD = "consensus_of"


@dataclass
class Unsettled:
    passage: str
    theme: str
    given_by: list[str]


@dataclass
class ConsensusResult:
    annotators: list[str]
    target: str
    minimum: int
    written: list[Tag] = field(default_factory=list)  # added now
    already: int = 0  # settled tags the target had already
    unsettled: list[Unsettled] = field(default_factory=list)
    given_by: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    missing_themes: dict[str, int] = field(default_factory=dict)  # written tags on themes no longer in the codebook

    def to_json(self) -> dict:
        return {
            "annotators": self.annotators,
            "as": self.target,
            "min": self.minimum,
            "written": [{"passage": t.passage, "theme": t.theme, "given_by": self.given_by[(t.passage, t.theme)],
                         "comment": t.comment} for t in self.written],
            "already": self.already,
            "unsettled": [{"passage": u.passage, "theme": u.theme, "given_by": u.given_by} for u in self.unsettled],
        }


def majority(count: int) -> int:
    return count // 2 + 1


def check_consensus(store, names: list[str], target: str, minimum: int | None) -> tuple[list[str], int]:
    """The annotators (as the workspace spells them) and K; BadAgreementInput for what cannot be settled."""
    annotators = check_names(names, store.annotators())
    for name in annotators:
        if not store.annotations(name).tags:
            raise BadAgreementInput(f"annotator '{name}' has no tags yet; nothing of theirs to settle")
    if target in annotators:
        raise BadAgreementInput(f"the consensus needs an annotator of its own, not one of those compared ('{target}')")
    k = majority(len(annotators)) if minimum is None else minimum
    if not 1 <= k <= len(annotators):
        raise BadAgreementInput(f"--min {k} is more than the {len(annotators)} annotators named")
    return annotators, k


def settle(store, annotators: list[str], target: str, minimum: int, order: dict[str, int]) -> ConsensusResult:
    """What the consensus is: the tags to write (not yet written) and what stays unsettled."""
    gave: dict[tuple[str, str], list[Tag]] = {}
    for name in annotators:
        for tag in store.annotations(name).tags:
            gave.setdefault((tag.passage, tag.theme), []).append(tag)
    have = {(t.passage, t.theme) for t in store.annotations(target).tags}
    result = ConsensusResult(annotators, target, minimum)
    stamp = now_iso()
    for key in sorted(gave, key=lambda key: (order.get(key[0], len(order)), key[0], key[1])):
        tags = gave[key]
        who = sorted({t.annotator for t in tags}, key=annotators.index)
        result.given_by[key] = who
        if key in have:  # settled already (an earlier run, or adjudication), whatever this run's K
            result.already += 1
        elif len(who) < minimum:
            result.unsettled.append(Unsettled(key[0], key[1], who))
        else:
            result.written.append(Tag(key[0], key[1], target, stamp, merged_comment(tags)))
    codebook = {t.id for t in store.themes()}
    for tag in result.written:
        if tag.theme not in codebook:
            result.missing_themes[tag.theme] = result.missing_themes.get(tag.theme, 0) + 1
    return result


def merged_comment(tags: list[Tag]) -> str | None:
    said = [f"{t.annotator}: {t.comment}" for t in tags if t.comment]
    return "; ".join(said) or None


def consensus_of(annotation_file) -> list[str]:
    """Whom a consensus file settles (empty for an ordinary annotator)."""
    value = annotation_file.extra.get(CONSENSUS_FIELD)
    return [str(v) for v in value] if isinstance(value, list) else []


def default_plan(store) -> tuple[list[str], str]:
    """Whom to adjudicate and into which annotator, when the user has not said: an existing consensus
    file's annotators and name, else every annotator into 'consensus'."""
    for annotation_file in store.all_annotations():
        names = consensus_of(annotation_file)
        if names:
            return names, annotation_file.annotator
    return [name for name in store.annotators() if name != DEFAULT_TARGET], DEFAULT_TARGET


DEFAULT_TARGET = "consensus"
