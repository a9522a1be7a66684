"""Reading an input file as text: UTF-8 (with or without BOM), else a detected encoding."""

from __future__ import annotations

import os
import stat
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import ImportFailure

# Larger inputs are refused rather than read into memory whole.
MAX_INPUT_BYTES = 200 * 1024 * 1024
_BINARY_SIGNATURES = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x7fELF", b"\xd0\xcf\x11\xe0")


_UNICODE_BOMS = ((b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))


@contextmanager
def reading(path: Path):
    """An import's file read inside: an error reading it is one line naming it."""
    try:
        yield
    except FileNotFoundError:
        raise ImportFailure(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ImportFailure(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise ImportFailure(f"{path}: cannot read ({exc.strerror or exc})") from None


def require_a_file(path: Path) -> os.stat_result:
    """The file's stat; a device (/dev/zero would be read for ever) or a pipe (read once, by the
    signature check, then empty; with no writer, a wait for ever) is refused in one line."""
    with reading(path):
        info = path.stat()
    if stat.S_ISDIR(info.st_mode):
        raise ImportFailure(f"{path}: is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        kind = "a pipe" if stat.S_ISFIFO(info.st_mode) else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "not a regular file"
        raise ImportFailure(f"{path}: is {kind}, not a file; save what it gives to a file and import that")
    return info


def read_input_bytes(path: Path) -> bytes:
    """The whole file, refused (before it is read) when larger than an import takes."""
    size = require_a_file(path).st_size
    if size > MAX_INPUT_BYTES:
        raise ImportFailure(f"{path}: {size // (1024 * 1024)} MB is larger than the {MAX_INPUT_BYTES // (1024 * 1024)} MB an import takes")
    with reading(path):
        return path.read_bytes()


def read_head(path: Path, count: int) -> bytes:
    """The file's first `count` bytes (its signature)."""
    require_a_file(path)
    with reading(path), path.open("rb") as handle:
        return handle.read(count)


@dataclass
class DecodedText:
    text: str
    encoding: str
    warnings: list[str] = field(default_factory=list)


def read_text_file(path: Path) -> DecodedText:
    raw = read_input_bytes(path)
    return decode_bytes(raw, path)


def decode_bytes(raw: bytes, path: Path | str) -> DecodedText:
    if raw.startswith(b"\xef\xbb\xbf"):
        return DecodedText(raw[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    for bom, encoding in _UNICODE_BOMS:  # UTF-32's BOM begins like UTF-16's: it is tested first
        if raw.startswith(bom):
            return DecodedText(raw.decode(encoding, errors="replace"), encoding)
    if raw.lstrip()[:5] == b"{\\rtf":  # text, but all markup: imported as is, its passages would be control words
        raise ImportFailure(f"{path}: an RTF document, which annotator cannot read; save it as .docx or .odt and import that")
    if looks_binary(raw):
        raise ImportFailure(f"{path}: looks like a binary file, not text; annotator imports text, Markdown, YAML, EPUB, PDF, .docx, .odt, HTML and Kindle clippings")
    try:
        return DecodedText(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes  # only for a file that is not UTF-8

    best = from_bytes(raw).best()
    if best is None:
        raise ImportFailure(f"{path}: cannot tell what text encoding this file uses; save it as UTF-8 and import again")
    encoding = best.encoding
    if best.language not in NON_LATIN_LANGUAGES and _decodes(raw, "cp1252"):
        # Short Western texts confuse the detector between cp1250/cp1252/mac_* pages;
        # Windows-1252 is by far the likeliest of them in the wild.
        return DecodedText(raw.decode("cp1252"), "cp1252", [f"{path}: not UTF-8; read it as cp1252 (Windows Western)"])
    return DecodedText(str(best), encoding, [f"{path}: not UTF-8; read it as {encoding}"])


NON_LATIN_LANGUAGES = {
    "Russian", "Ukrainian", "Bulgarian", "Serbian", "Macedonian", "Belarusian", "Kazakh", "Greek", "Hebrew",
    "Arabic", "Farsi", "Japanese", "Chinese", "Korean", "Thai", "Hindi", "Vietnamese",
}


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def looks_binary(raw: bytes) -> bool:
    if raw.startswith(_BINARY_SIGNATURES):
        return True
    sample = raw[:8192]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return bool(sample) and control / len(sample) > 0.05
