"""What an uploaded file must be beyond its type: a PDF that runs nothing, an image that decodes.

PDFs are parsed with pypdf and every object reachable from the trailer is walked (as well as the
raw bytes scanned, for objects the parser does not reach): JavaScript (``/JS``, ``/JavaScript``),
launch actions (``/Launch``, also behind ``/OpenAction`` or ``/AA``) and XFA forms (which carry
scripts) are refused, as are encrypted PDFs (their objects cannot be checked). Images are decoded
with Pillow, every frame, and re-encoded in the same format, which drops EXIF (GPS positions,
camera serials), XMP and comments; what does not decode (``GIF89a`` followed by HTML, say) is
refused. Any parser failure, of any kind, is "not an acceptable file" — never a server error.
"""

from __future__ import annotations

import io
import re
import warnings
from typing import Any

from PIL import Image, ImageOps, ImageSequence
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from app.models.schemas.messages import N_

PDF = "application/pdf"
IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
_READ_AS = {**IMAGE_FORMATS, "MPO": "image/jpeg"}  # a phone's multi-picture JPEG: its first picture
MAX_PIXELS = 60_000_000  # per frame: a 60-megapixel photo; Pillow refuses twice that as a bomb
MAX_TOTAL_PIXELS = 200_000_000  # all frames of an animation together
MAX_PDF_OBJECTS = 200_000
MAX_PDF_DEPTH = 100
_DANGEROUS_KEYS = frozenset({"/JS", "/JavaScript", "/XFA"})
_DANGEROUS_ACTIONS = frozenset({"/JavaScript", "/Launch"})
_RAW_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]+")
_KEEP_INFO = ("duration", "loop", "transparency", "background", "disposal", "icc_profile")


class UnacceptableFile(ValueError):
    """The file is refused; the message says why in plain words."""


class Unreadable(UnacceptableFile):
    """A parser could not read the file: it is not really the kind of file it starts as."""


def _raw_names(data: bytes) -> set[bytes]:
    """Every PDF name in the raw bytes, with ``#xx`` escapes decoded (``/J#53`` is ``/JS``)."""
    return {
        re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name)
        for name in _RAW_NAME.findall(data)
    }


def _walk_pdf(reader: PdfReader) -> None:
    """Every object reachable from the trailer, iteratively (no recursion), bounded."""
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[Any, int]] = [(reader.trailer, 0)]
    visited = 0
    while stack:
        obj, depth = stack.pop()
        if isinstance(obj, IndirectObject):
            ref = (obj.idnum, obj.generation)
            if ref in seen:
                continue
            seen.add(ref)
            obj = obj.get_object()
        visited += 1
        if depth > MAX_PDF_DEPTH or visited > MAX_PDF_OBJECTS:
            raise UnacceptableFile(N_("The PDF is nested too deeply to be checked."))
        if isinstance(obj, DictionaryObject):
            if _DANGEROUS_KEYS & set(obj.keys()) or obj.get("/S") in _DANGEROUS_ACTIONS:
                raise _scripted()
            stack.extend((value, depth + 1) for value in obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend((value, depth + 1) for value in obj)
        elif isinstance(obj, NameObject) and obj in _DANGEROUS_ACTIONS:
            raise _scripted()


def _scripted() -> UnacceptableFile:
    return UnacceptableFile(
        N_(
            "The PDF contains JavaScript or an action that starts a program, which we do not accept. "
            "Print it to a new PDF (or export it without scripts) and upload that."
        )
    )


def check_pdf(data: bytes) -> bytes:
    """The PDF unchanged, if it parses, has a page, is not encrypted and runs nothing."""
    if {b"/JS", b"/JavaScript", b"/Launch", b"/XFA"} & _raw_names(data):
        raise _scripted()
    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        raise UnacceptableFile(
            N_(
                "The PDF is encrypted or password-protected, so we cannot check it. "
                "Save a copy without protection and upload that."
            )
        )
    if len(reader.pages) < 1:
        raise Unreadable("The PDF has no pages.")
    _walk_pdf(reader)
    return data


def _upright(photo: Image.Image) -> Image.Image:
    """The photo turned as its EXIF orientation says, since the EXIF itself is about to go."""
    try:
        return ImageOps.exif_transpose(photo)
    except Exception:  # an unreadable orientation tag: keep the pixels as they are
        return photo


def clean_image(data: bytes, content_type: str) -> bytes:
    """The image decoded (every frame) and re-encoded in its own format, without its metadata."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS)) as image:
            if _READ_AS.get(image.format or "") != content_type:
                raise Unreadable("The image is not the kind of image it starts as.")
            if image.width * image.height > MAX_PIXELS:
                raise UnacceptableFile(N_("The image is too large (more than 60 megapixels)."))
            if image.width * image.height * getattr(image, "n_frames", 1) > MAX_TOTAL_PIXELS:
                raise UnacceptableFile(N_("The animation is too large."))
            fmt = "JPEG" if image.format == "MPO" else str(image.format)
            if fmt == "JPEG":
                frames = [_upright(image.copy())]
            else:
                frames = [frame.copy() for frame in ImageSequence.Iterator(image)]
    for frame in frames:
        frame.info = {k: frame.info[k] for k in _KEEP_INFO if k in frame.info}
    out = io.BytesIO()
    extra: dict[str, Any] = {"quality": 90} if fmt == "JPEG" else {}
    if len(frames) > 1:
        extra.update(save_all=True, append_images=frames[1:])
    icc = frames[0].info.get("icc_profile")
    if icc:
        extra["icc_profile"] = icc
    frames[0].save(out, format=fmt, **extra)
    return out.getvalue()


def check_content(data: bytes, content_type: str) -> bytes:
    """What to store for an upload of this (sniffed) type: the PDF as sent, the image re-encoded.

    Raises Unreadable when any parser fails on it, UnacceptableFile for anything else refused.
    """
    try:
        if content_type == PDF:
            return check_pdf(data)
        if content_type in IMAGE_FORMATS.values():
            return clean_image(data, content_type)
    except UnacceptableFile:
        raise
    except Exception as exc:  # any parser failure at all means the file is not acceptable
        raise Unreadable("The file is damaged or built in a way we cannot read.") from exc
    return data
