"""Check Office files (DOCX, XLSX) from partners before opening them, and write ZIPs reproducibly.

A zip bomb or an XML `DOCTYPE` (entity expansion, external entities) in a
Word template or spreadsheet is refused before any parser sees it.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
import zlib
from xml.parsers import expat

from ..errors import Location, fail

MAX_MEMBERS = 5_000
MAX_TOTAL = 300 * 1024 * 1024
MAX_RATIO = 200


def check_office_zip(data: bytes, display: str) -> None:
    """Raise a BuildError if `data` is not a plain, reasonably sized Office package."""
    where = Location(display)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise fail("not a valid Office file (it is not a ZIP package); re-save it from Word or Excel",
                   "bad-office-file", where) from None
    with archive:
        members = archive.infolist()
        if "[Content_Types].xml" not in archive.namelist():
            raise fail("a ZIP file but not an Office file (no [Content_Types].xml); re-save it from Word or Excel",
                       "bad-office-file", where)
        if len(members) > MAX_MEMBERS:
            raise fail(f"has {len(members)} parts; refusing a file that large", "zip-bomb", where)
        total = sum(m.file_size for m in members)
        if total > MAX_TOTAL:
            raise fail(f"would expand to {total // 2**20} MB; refusing it as a possible zip bomb", "zip-bomb", where)
        for member in members:
            if member.compress_size and member.file_size / member.compress_size > MAX_RATIO \
                    and member.file_size > 1_000_000:
                raise fail(f"part {member.filename} is compressed {member.file_size // member.compress_size}:1; "
                           "refusing it as a possible zip bomb", "zip-bomb", where)
            if _may_be_xml(archive, member):
                _check_xml(archive, member, where)


XML_SUFFIXES = (".xml", ".rels", ".vml", ".svg")
XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")  # markup, or a UTF-8 / UTF-16 byte order mark


def _may_be_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    """Tell whether a part could be read as XML: by its name in any case (`sheet1.XML` too) or its first bytes.

    Readers find parts through relationships, not by their names, so a part named like a picture can still
    be parsed as a sheet: any part that starts like XML is checked.
    """
    if member.is_dir():
        return False
    if member.filename.lower().endswith(XML_SUFFIXES):
        return True
    try:
        with archive.open(member) as stream:
            head = stream.read(64).lstrip(b" \t\r\n")
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return True  # damaged: let the parse report it
    return head.startswith(XML_STARTS)


def _check_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo, where: Location) -> None:
    """Parse a part with expat, refusing any DOCTYPE or entity declaration wherever it appears."""
    parser = expat.ParserCreate()

    def refuse(*_args: object) -> None:
        raise _Doctype

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        with archive.open(member) as stream:
            parser.ParseFile(stream)
    except _Doctype:
        raise fail(f"part {member.filename} declares a DOCTYPE or entities, which Office files never need; "
                   "refusing it", "xml-doctype", where) from None
    except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise fail(f"part {member.filename} is damaged ({exc}); re-save the file from Word or Excel",
                   "bad-office-file", where) from None


class _Doctype(Exception):
    pass


def zip_timestamp(epoch: int) -> tuple[int, int, int, int, int, int]:
    moment = dt.datetime.fromtimestamp(max(epoch, 315532800), dt.UTC)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def normalise_zip(data: bytes, epoch: int, first: str = "[Content_Types].xml") -> bytes:
    """Rewrite a ZIP with fixed timestamps, permissions and order, so equal inputs give equal bytes."""
    stamp = zip_timestamp(epoch)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        names.sort(key=lambda name: name != first)
        for name in names:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()
