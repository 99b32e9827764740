"""Small real files for upload tests: each parses (Pillow, pypdf), as the content check demands."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile


def image_bytes(fmt: str = "PNG", size=(8, 8)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


def pdf_bytes(extra_catalog: str = "", page_content: bytes | None = None) -> bytes:
    """A one-page PDF written by hand (with a correct xref), optionally with more catalog entries
    and a page content stream of the given bytes."""
    contents = " /Contents 4 0 R" if page_content is not None else ""
    objects: list[str | bytes] = [
        f"<< /Type /Catalog /Pages 2 0 R {extra_catalog}>>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200]{contents} >>",
    ]
    if page_content is not None:
        objects.append(b"<< /Length %d >>\nstream\n" % len(page_content) + page_content + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        raw = body if isinstance(body, bytes) else body.encode("latin-1")
        out.write(b"%d 0 obj\n" % number + raw + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


PDF = pdf_bytes()
PNG = image_bytes("PNG")
JPEG = image_bytes("JPEG")
TIFF = image_bytes("TIFF")


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)
