"""A one-page PDF standing in for the copy of a student record sent with a demo answer."""

from __future__ import annotations

LINES = (
    "Riverbend Public Schools - student record (copy for the parent)",
    "Prepared by the Data Privacy Team in answer to a request to see the record",
    "(603 CMR 23.07(2)). Demo data: no real student.",
    "",
    "Enrollment: Grade 4, Hill Elementary",
    "Attendance this year: 96 percent",
    "Discipline notes: none on file",
)


def record_pdf() -> bytes:
    """A small, valid PDF (Helvetica text, computed cross-reference table)."""
    text = (
        "BT /F1 11 Tf 56 760 Td 14 TL "
        + " ".join(
            "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in LINES
        )
        + " ET"
    )
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("latin-1") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
