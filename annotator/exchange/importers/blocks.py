"""Splitting text into blank-line-separated blocks, remembering the blank lines before each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Block:
    lines: list[str]
    blank_lines_before: int
    first_line_number: int

    @property
    def text(self) -> str:
        return " ".join(line.strip() for line in self.lines if line.strip())


def split_blocks(text: str) -> list[Block]:
    blocks: list[Block] = []
    current: list[str] = []
    blanks = 0
    start = 1
    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if line.strip():
            if not current:
                start = number
            current.append(line.rstrip())
            continue
        if current:
            blocks.append(Block(current, blanks, start))
            current, blanks = [], 0
        blanks += 1
    if current:
        blocks.append(Block(current, blanks, start))
    return blocks
