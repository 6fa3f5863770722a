"""Uploads: PDFs that run nothing, images that decode (re-encoded, metadata gone) — issue 21, item 16."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlmodel import Session

from app.actors import SYSTEM
from app.errors import ValidationFailed
from app.services.platform.documents import IMAGES, PDF, read_document, store_document
from app.services.platform.upload_checks import UnacceptableFile, check_content
from tests.support.pdfs import build_pdf

ANY = IMAGES | {PDF}
SCRIPTED = {
    "OpenAction JavaScript": build_pdf(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>"),
    "OpenAction by reference to a JS stream": build_pdf(
        b"/OpenAction 4 0 R",
        more=[b"<</S/JavaScript/JS 5 0 R>>", b"<</Length 12>>stream\napp.alert(1)\nendstream"],
    ),
    "name escapes (/J#53)": build_pdf(b"/OpenAction<</S/JavaScript/J#53(app.alert(1))>>"),
    "document-level JavaScript": build_pdf(
        b"/Names<</JavaScript 4 0 R>>", more=[b"<</Names[(a) 5 0 R]>>", b"<</S/JavaScript/JS(x)>>"]
    ),
    "Launch action": build_pdf(b"/OpenAction<</S/Launch/F(calc.exe)>>"),
    "page open action": build_pdf().replace(
        b"/MediaBox[0 0 612 792]", b"/MediaBox[0 0 612 792]/AA<</O<</S/JavaScript/JS(x)>>>>"
    ),
}
CRAFTED = {
    "deeply nested arrays": build_pdf(b"/X " + b"[" * 100_000 + b"]" * 100_000),
    "deeply nested dictionaries": build_pdf(b"/X " + b"<</A " * 5000 + b"1" + b">>" * 5000),
    "an unsupported /Encrypt": build_pdf(
        more=[b"<</Filter/Unknown/V 9/R 9/O(x)/U(y)/P -4>>"], trailer_extra=b"/Encrypt 4 0 R/ID[(a)(b)]"
    ),
    "standard encryption": build_pdf(
        more=[b"<</Filter/Standard/V 2/R 3/Length 128/O<" + b"00" * 32 + b">/U<" + b"00" * 32 + b">/P -4>>"],
        trailer_extra=b"/Encrypt 4 0 R/ID[<00><00>]",
    ),
    "no pages": b"%PDF-1.4\n" + b"\x00" * 100,
}


def _image(fmt: str, **save: object) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, fmt, **save)
    return out.getvalue()


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make
    exif[0x8825] = {1: "N", 2: (42.0, 21.0, 7.0)}  # GPS
    return exif.tobytes()


def test_a_plain_pdf_and_one_with_a_link_pass_unchanged() -> None:
    plain = build_pdf()
    linked = build_pdf(b"/OpenAction<</S/URI/URI(https://example.org)>>")
    assert check_content(plain, PDF) == plain and check_content(linked, PDF) == linked


@pytest.mark.parametrize("name", list(SCRIPTED))
def test_pdfs_that_run_scripts_or_programs_are_refused(name: str) -> None:
    with pytest.raises(UnacceptableFile, match="JavaScript or an action that starts a program"):
        check_content(SCRIPTED[name], PDF)


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_pdfs_are_refused_not_crashed_on(name: str) -> None:
    with pytest.raises(UnacceptableFile):
        check_content(CRAFTED[name], PDF)


def test_html_behind_an_image_signature_is_refused() -> None:
    with pytest.raises(UnacceptableFile):
        check_content(b"GIF89a<html><script>alert(document.domain)</script></html>", "image/gif")
    with pytest.raises(UnacceptableFile):
        check_content(b"\x89PNG\r\n\x1a\n<html>hello</html>", "image/png")
    with pytest.raises(UnacceptableFile):  # a real PNG presented as a JPEG
        check_content(_image("PNG"), "image/jpeg")


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")]
)
def test_images_are_re_encoded_without_their_metadata(fmt: str, content_type: str) -> None:
    original = _image(fmt, exif=_exif())
    assert b"SecretCam" in original
    cleaned = check_content(original, content_type)
    assert b"SecretCam" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == fmt and image.size == (40, 30) and not image.getexif()


def test_a_phones_multi_picture_jpeg_is_accepted_as_its_first_picture() -> None:
    first, second = Image.new("RGB", (40, 30), "red"), Image.new("RGB", (40, 30), "blue")
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second], exif=_exif())
    cleaned = check_content(out.getvalue(), "image/jpeg")
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.format == "JPEG" and getattr(image, "n_frames", 1) == 1 and not image.getexif()


def test_a_sideways_photo_is_stored_upright_without_its_orientation_tag() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to view
    photo = _image("JPEG", exif=exif.tobytes())
    with Image.open(io.BytesIO(check_content(photo, "image/jpeg"))) as image:
        assert image.size == (30, 40) and not image.getexif()


def test_an_animated_gif_keeps_its_frames_but_not_its_comment() -> None:
    frames = [Image.new("RGB", (20, 20), colour) for colour in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], comment=b"at 12 Elm St", duration=100)
    cleaned = check_content(out.getvalue(), "image/gif")
    assert b"12 Elm St" in out.getvalue() and b"12 Elm St" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert image.n_frames == 3


def test_an_image_bomb_is_refused() -> None:
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000)).save(out, "PNG")  # 100 megapixels, a few kilobytes
    with pytest.raises(UnacceptableFile):
        check_content(out.getvalue(), "image/png")


def test_store_document_refuses_with_a_field_error_and_stores_the_cleaned_image(db: Session) -> None:
    with pytest.raises(ValidationFailed) as err:
        store_document(
            db, data=SCRIPTED["OpenAction JavaScript"], original_name="a.pdf", allowed=ANY, actor=SYSTEM
        )
    assert err.value.errors and err.value.errors[0]["field"] == "file"
    assert "not acceptable" in err.value.errors[0]["message"]
    photo = _image("JPEG", exif=_exif())
    document = store_document(db, data=photo, original_name="photo.jpg", allowed=ANY, actor=SYSTEM)
    stored = read_document(document)
    assert stored != photo and b"SecretCam" not in stored and document.size == len(stored)
    assert document.content_type == "image/jpeg"
