"""Uploads are checked by content: the type by its first bytes, the whole file parsed (Pillow,
pypdf), polyglots and active PDFs refused, a size limit. Each case is an upload an attacker tries."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core import validators
from core.validators import validate_document_upload
from tests.uploads import JPEG, PDF, PNG, TIFF, image_bytes, pdf_bytes, upload


def refusal(name: str, content: bytes) -> ValidationError:
    with pytest.raises(ValidationError) as exc:
        validate_document_upload(upload(name, content))
    return exc.value


@pytest.mark.parametrize(
    ("name", "content"),
    [("scan.pdf", PDF), ("photo.png", PNG), ("photo.jpg", JPEG), ("photo.JPEG", JPEG), ("scan.tif", TIFF)],
)
def test_a_real_pdf_png_jpeg_or_tiff_passes(name, content):
    validate_document_upload(upload(name, content))


@pytest.mark.parametrize(
    "payload",
    [
        b"<script>fetch('/api/v1/persons/')</script>",
        b"<html><body onload=alert(1)>",
        b"<svg onload=alert(1)>",
        b"<iframe src=//evil>",
        b"<?php system($_GET['c']); ?>",
        b"<a href='javascript:alert(1)'>",
    ],
)
def test_a_jpeg_that_also_is_a_web_page_is_refused(payload):
    error = refusal("photo.jpg", JPEG + payload)
    assert error.code == "file_active_content"


def test_a_file_that_starts_as_jpeg_and_goes_on_as_html_is_refused():
    error = refusal("photo.jpg", b"\xff\xd8\xff\xe0<html><script>alert(document.cookie)</script></html>")
    assert error.code == "file_active_content"


def test_markup_hidden_in_a_png_text_chunk_is_refused():
    import io

    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG", pnginfo=info)
    assert refusal("photo.png", buffer.getvalue()).code == "file_active_content"


@pytest.mark.parametrize(
    ("catalog", "marker"),
    [
        ("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>", "/JavaScript"),
        ("/OpenAction << /JS (app.alert(1)) >>", "/JS"),
        ("/Names << /JavaScript 4 0 R >>", "/JavaScript"),
        ("/OpenAction << /S /Launch /F (cmd.exe) >>", "/Launch"),
        ("/Names << /EmbeddedFiles 4 0 R >>", "/EmbeddedFiles"),
        ("/AcroForm << /XFA 4 0 R >>", "/XFA"),
    ],
)
def test_a_pdf_with_scripts_actions_or_attachments_is_refused(catalog, marker):
    error = refusal("scan.pdf", pdf_bytes(catalog))
    assert error.code == "file_active_content"
    assert error.params["marker"] == marker


def test_a_pdf_script_spelled_with_hex_escapes_is_found_by_parsing():
    # "/J#53" is the name /JS to a PDF reader; a byte search for "/JS" misses it.
    content = pdf_bytes("/OpenAction << /S /Java#53cript /J#53 (app.alert(1)) >>")
    assert b"/JS" not in content
    assert refusal("scan.pdf", content).code == "file_active_content"


def test_js_bytes_inside_compressed_stream_data_are_not_mistaken_for_a_script():
    content = pdf_bytes(page_content=b"\x78\x9c/JS\x00/JavaScript\x01\xfe")
    validate_document_upload(upload("scan.pdf", content))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("scan.pdf", b"%PDF-1.7\nthis is not a pdf at all\n%%EOF\n"),
        ("scan.pdf", PDF[: len(PDF) // 2]),  # truncated: no %%EOF
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64),
        ("photo.png", PNG[:40]),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("scan.tif", b"II*\x00" + b"\x00" * 64),
    ],
)
def test_a_file_with_the_right_first_bytes_that_does_not_parse_is_refused(name, content):
    error = refusal(name, content)
    assert error.code == "file_damaged"


def test_a_gif_renamed_to_jpg_is_refused_by_its_first_bytes():
    assert refusal("photo.jpg", image_bytes("GIF")).code == "file_content"


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded(monkeypatch):
    monkeypatch.setattr(validators, "MAX_IMAGE_PIXELS", 100)
    assert refusal("photo.png", image_bytes("PNG", size=(20, 20))).code == "file_too_large"


def test_an_upload_over_the_size_limit_is_refused_with_both_sizes(settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1024
    error = refusal("scan.pdf", PDF + b" " * 2000)
    assert error.code == "file_too_large"
    assert set(error.params) == {"size", "limit"}


@pytest.mark.django_db
def test_the_api_refusal_is_precise_and_translated(caseworker):
    from rest_framework.test import APIClient

    from tests.factories import PersonFactory

    client = APIClient()
    client.force_login(caseworker)
    response = client.post(
        "/api/v1/documents/",
        {"person": PersonFactory().pk, "doc_type": "photo", "file": upload("p.jpg", JPEG + b"<script>x</script>")},
        format="multipart",
    )
    assert response.status_code == 400
    message = response.json()["file"][0]
    assert "<script" in message and "код" in message  # Russian by default, names what was found
