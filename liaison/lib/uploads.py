"""Uploaded files: the type is judged from the content, not the name, pictures must open and stay
under a pixel cap, and files are only served through views that have checked the viewer's right to
the object they belong to.

Every upload path (case and reply attachments, activity photos, deputy photos, written
explanations, points evidence) reaches `validate_upload`: directly from a service, or through
`UploadValidator` on the model field (ModelForms, the admin) or on the form field."""

import mimetypes
import warnings

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
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
    if content_type in IMAGE_TYPES:
        _check_picture(fileobj)
    return content_type


def _too_many_pixels(limit):
    return ValidationError(
        _(
            "The picture is too large: it has more than %(limit)s million pixels. Send a smaller photo "
            "(a phone photo at its normal size is fine)."
        ),
        params={"limit": limit // 1_000_000},
        code="too_many_pixels",
    )


def _check_picture(fileobj):
    """A picture must open, and its declared size must stay under UPLOAD_MAX_IMAGE_PIXELS.

    A few hundred KB of PNG can declare 20,000 × 20,000 pixels and take gigabytes to decode, in
    Pillow or in a staff member's browser. Image.open reads the header only, so the size is known
    without decoding a single pixel; Pillow's own bomb check (which fires far above our cap) is
    turned into the same refusal."""
    from PIL import Image, UnidentifiedImageError

    limit = settings.UPLOAD_MAX_IMAGE_PIXELS
    pos = fileobj.tell() if hasattr(fileobj, "tell") else 0
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fileobj) as picture:
                width, height = picture.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(limit) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The picture cannot be opened; it may be damaged. Upload it again or choose another picture."),
            code="bad_image",
        ) from None
    finally:
        fileobj.seek(pos)
    if width * height > limit:
        raise _too_many_pixels(limit)


class UploadValidator:
    """Field validator: `validators=[UploadValidator(IMAGE_TYPES)]`."""

    def __init__(self, allowed=DOCUMENT_TYPES):
        self.allowed = tuple(allowed)

    def __call__(self, value):
        # Only new uploads are checked: a form field hands over the UploadedFile itself, a model
        # field a FieldFile wrapping it. Stored files were checked on the way in (and reading
        # `.file` of one would open it from storage).
        upload = value if isinstance(value, UploadedFile) else getattr(value, "_file", None)
        if isinstance(upload, UploadedFile):
            validate_upload(upload, allowed=self.allowed)

    def __eq__(self, other):
        return isinstance(other, UploadValidator) and self.allowed == other.allowed

    def deconstruct(self):
        return ("liaison.lib.uploads.UploadValidator", (self.allowed,), {})


class PictureField(forms.ImageField):
    """forms.ImageField with `validate_upload` run first: Django's own check opens the picture and
    turns any failure, Pillow's decompression-bomb error included, into "not a valid image"; ours
    says what is wrong (type, size, pixels). Used by the portal's photo forms and, through
    formfield_overrides, by the admin."""

    def to_python(self, data):
        if isinstance(data, UploadedFile):
            validate_upload(data, allowed=IMAGE_TYPES)
        return super().to_python(data)


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
