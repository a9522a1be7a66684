"""Reading an untrusted zip (EPUB, DOCX, ODT) and the XML inside it, defensively.

Members are read into memory, never extracted; names with `..` or absolute paths are
refused, as are archives whose sizes or compression ratios say "zip bomb" (checked from
the headers before anything is inflated, and again while reading, since headers can lie).
XML goes through defusedxml: no entity declarations, no external references (a bare DOCTYPE,
which EPUB 2's NCX and XHTML files carry, is allowed).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree as ET

from annotator.errors import ImportFailure
from annotator.exchange.importers.textio import read_head

# A long novel's EPUB holds a few hundred members and a few MB; these bounds are far above that.
MAX_MEMBERS = 10_000
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, checked for members over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SafeArchive:
    """An archive's members by name, within the limits above. `what` names the format in messages."""

    def __init__(self, path: Path, what: str):
        self.path = path
        self.what = what
        _refuse_non_zip(path, what)
        try:
            self.archive = zipfile.ZipFile(path)
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            raise ImportFailure(f"{path}: not a readable {what} (it is a zip archive, and this one is damaged: {exc})") from None
        if len(infos) > MAX_MEMBERS:
            raise ImportFailure(f"{path}: {len(infos):,} files in the archive; refusing more than {MAX_MEMBERS:,}")
        self.members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            _check_member_name(path, info.filename)
            _check_member_size(path, info)
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise ImportFailure(f"{path}: the archive inflates to more than {MAX_TOTAL_BYTES:,} bytes; refusing")
            if not info.is_dir():
                self.members[info.filename] = info

    def __enter__(self) -> "SafeArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.archive.close()

    def has(self, name: str) -> bool:
        return name in self.members

    def read(self, name: str) -> bytes:
        info = self.members.get(name)
        if info is None:
            raise ImportFailure(f"{self.path}: {name} is missing from the archive; not a readable {self.what}")
        # At most the declared size plus one byte: a header that understates the size is caught.
        try:
            with self.archive.open(info) as handle:
                data = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, NotImplementedError, EOFError, ValueError) as exc:
            raise ImportFailure(f"{self.path}: cannot read {name} from the archive: {exc}") from None
        if len(data) > info.file_size:
            raise ImportFailure(f"{self.path}: {name} is larger than its header says; refusing")
        return data

    def xml(self, name: str) -> ET.Element:
        return parse_xml(self.path, name, self.read(name))


def parse_xml(path: Path, name: str, data: bytes) -> ET.Element:
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException

    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ImportFailure(f"{path}: {name} declares XML entities or external references, which are refused ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise ImportFailure(f"{path}: {name}: malformed XML ({exc})") from None


def local_name(element: ET.Element) -> str:
    """The tag without its namespace: `{urn:x}p` -> `p`."""
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def join_member(base: str, href: str) -> str:
    """`href` (relative to the member `base`, URL-quoted, maybe with a #fragment) as a member name."""
    from urllib.parse import unquote

    href = unquote(href.split("#", 1)[0])
    parts: list[str] = list(PurePosixPath(base).parent.parts) if "/" in base else []
    for part in href.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


def _refuse_non_zip(path: Path, what: str) -> None:
    head = read_head(path, 8)
    if not head:
        raise ImportFailure(f"{path}: the file is empty (0 bytes)")
    if head.startswith(_OLE_SIGNATURE):
        raise ImportFailure(f"{path}: password-protected (encrypted) or an old binary Office file, not a {what}; "
                            "remove the password or save it again as .docx/.odt")
    if not head.startswith(b"PK"):
        raise ImportFailure(f"{path}: not a zip archive, so not a real {what} (is it a renamed text file?)")


def _check_member_name(path: Path, name: str) -> None:
    pure = PurePosixPath(name)
    if "\\" in name or "\x00" in name or pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", name):
        raise ImportFailure(f"{path}: refusing an archive member with an unsafe path: {name!r}")


def _check_member_size(path: Path, info: zipfile.ZipInfo) -> None:
    if info.file_size > MAX_MEMBER_BYTES:
        raise ImportFailure(f"{path}: {info.filename} would inflate to {info.file_size:,} bytes; refusing (limit {MAX_MEMBER_BYTES:,})")
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size // max(info.compress_size, 1)
        raise ImportFailure(f"{path}: {info.filename} is compressed {ratio:,} to 1; refusing a likely zip bomb")
