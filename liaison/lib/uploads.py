"""Uploaded files: the type is judged from the content, not the name, and files are only served
through views that have checked the viewer's right to the object they belong to."""

import mimetypes

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _

# Magic numbers of the only types residents and staff may upload.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", (".jpg", ".jpeg")),
    (b"\x89PNG\r\n\x1a\n", "image/png", (".png",)),
    (b"%PDF-", "application/pdf", (".pdf",)),
)
IMAGE_TYPES = ("image/jpeg", "image/png")
DOCUMENT_TYPES = IMAGE_TYPES + ("application/pdf",)


def sniff_content_type(fileobj):
    pos = fileobj.tell() if hasattr(fileobj, "tell") else 0
    fileobj.seek(0)
    head = fileobj.read(16)
    fileobj.seek(pos)
    for magic, content_type, _exts in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    return None


def validate_upload(fileobj, *, allowed=DOCUMENT_TYPES, max_bytes=None):
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    if fileobj.size > max_bytes:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB."),
            params={"size": round(fileobj.size / 1048576, 1), "limit": round(max_bytes / 1048576, 1)},
            code="too_large",
        )
    content_type = sniff_content_type(fileobj)
    if content_type not in allowed:
        names = "、".join(sorted({ext for _m, ct, exts in _SIGNATURES if ct in allowed for ext in exts}))
        raise ValidationError(
            _("This file type is not accepted. Upload one of: %(types)s."), params={"types": names}, code="bad_type"
        )
    return content_type


class UploadValidator:
    """Field validator: `validators=[UploadValidator(IMAGE_TYPES)]`."""

    def __init__(self, allowed=DOCUMENT_TYPES):
        self.allowed = tuple(allowed)

    def __call__(self, fieldfile):
        # Only newly uploaded files carry content to check; stored ones were checked on the way in.
        f = getattr(fieldfile, "file", None)
        if f is not None and hasattr(f, "content_type"):
            validate_upload(f, allowed=self.allowed)

    def __eq__(self, other):
        return isinstance(other, UploadValidator) and self.allowed == other.allowed

    def deconstruct(self):
        return ("liaison.lib.uploads.UploadValidator", (self.allowed,), {})


def serve_file(fieldfile, *, as_attachment=False):
    """Stream a stored file to a viewer the calling view has already authorized."""
    if not fieldfile:
        raise Http404
    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(fieldfile.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
