"""Passage text reaches the screen as literal text: highlights by offset, markup inert, controls visible."""

from __future__ import annotations

from annotator.corpus.model import Theme
from annotator.engine.search import Hit
from annotator.tui.render import ThemeLook, highlighted, result_row, snippet


def hit(text: str, matches=(), themes=()) -> Hit:
    return Hit(id="p1", kind="passage", text=text, source="book", location="ch. 1",
               themes=list(themes), score=1.0, matches=[list(m) for m in matches])


def test_matched_words_are_highlighted_by_offset():
    text = highlighted("the hope of spring", [[4, 8]])
    assert text.plain == "the hope of spring"
    styled = [text.plain[span.start:span.end] for span in text.spans]
    assert styled == ["hope"]


def test_markup_and_control_characters_stay_inert():
    row = result_row(hit("[bold]not bold[/bold] \x1b[31mred\x07"), ThemeLook([]))
    assert "[bold]not bold[/bold]" in row.plain
    assert "\x1b" not in row.plain and "\\x1b" in row.plain and "\\x07" in row.plain


def test_long_passage_snippet_centres_on_the_first_match():
    words = ["filler"] * 200 + ["lighthouse"] + ["filler"] * 200
    text = " ".join(words)
    start = text.index("lighthouse")
    part = snippet(hit(text, [[start, start + len("lighthouse")]]))
    assert "lighthouse" in part.plain and part.plain.startswith("…") and part.plain.endswith("…")
    assert len(part.plain) < 200


def test_theme_chips_in_codebook_order_with_names():
    look = ThemeLook([Theme("hope", "Hope", color="#98c379"), Theme("loss", "Loss")])
    row = result_row(hit("text", themes=["loss", "hope"]), look)
    assert row.plain.index("Hope") < row.plain.index("Loss")
    assert look.colors["loss"].startswith("#")


def test_a_result_is_always_its_citation_over_three_snippet_lines_within_the_width():
    from rich.cells import cell_len

    from annotator.tui.render import ROW_LINES, result_lines

    long = hit(" ".join(["the keeper climbed the lighthouse stair"] * 30), [[4, 10]])
    long.location = "chapter " * 20  # a citation wider than the list
    short = hit("one line", [[0, 3]])
    for shown in (long, short):
        lines = result_lines(shown, ThemeLook([]), 40)
        assert len(lines) == ROW_LINES and all(cell_len(line.plain) <= 40 for line in lines)
    cut = result_lines(long, ThemeLook([]), 40)
    assert cut[0].plain.endswith("…  p1") and cut[-1].plain.endswith("…")  # the passage id ends the citation line
    assert "keeper" in cut[1].plain and [cut[1].plain[s.start:s.end] for s in cut[1].spans] == ["keeper"]
    assert [line.plain for line in result_lines(short, ThemeLook([]), 40)][1:] == ["one line", "", ""]
