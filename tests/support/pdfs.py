"""Hand-built PDFs, byte by byte, for the attacks an upload must survive (a correct xref table)."""

from __future__ import annotations

PAGES = [
    b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
    b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>",
]


def build_pdf(
    catalog_extra: bytes = b"", *, more: list[bytes] | None = None, trailer_extra: bytes = b""
) -> bytes:
    """A one-page PDF: object 1 the catalog (plus ``catalog_extra``), 2 and 3 the page tree,
    then ``more`` objects numbered from 4."""
    objects = [b"<</Type/Catalog/Pages 2 0 R" + catalog_extra + b">>", *PAGES, *(more or [])]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R" % (len(objects) + 1) + trailer_extra + b">>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
