"""Photos a resident adds to the online form, kept between an answer with an error and the next
try so that nothing the resident picked is lost (a browser never refills a file input).

A checked photo waits in PUBLIC_STAGING_ROOT under a random name; the resident's session lists
the names it owns, for one office. Nobody can reach another session's photos: the list lives
server-side, a name not in the session's list is ignored, and no view serves a staged file. Submitting moves the
photos into the case's attachments; opening a fresh form, or a day passing, removes them."""

import os
import secrets
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _

from liaison.lib.uploads import IMAGE_TYPES, validate_upload

SESSION_KEY = "public_photos"
STAGING_MAX_AGE = 24 * 3600
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png"}


def _storage():
    return FileSystemStorage(location=settings.PUBLIC_STAGING_ROOT)


def photo_check(fileobj):
    """The content check of every attachment (liaison.lib.uploads), with the public form's
    stricter limits: images only, PUBLIC_PHOTO_MAX_BYTES each. The message names the file."""
    try:
        return validate_upload(fileobj, allowed=IMAGE_TYPES, max_bytes=settings.PUBLIC_PHOTO_MAX_BYTES)
    except ValidationError as exc:
        name = os.path.basename(str(getattr(fileobj, "name", "")))[:80]
        raise ValidationError(
            _("“%(name)s”: %(problem)s") % {"name": name, "problem": " ".join(exc.messages)}, code=exc.code
        ) from None


def photos_staged(session, *, office_id):
    """[{token, name, size}] of the photos this session keeps for the office's form."""
    data = session.get(SESSION_KEY) or {}
    if data.get("office") != office_id:
        return []
    return list(data.get("items", []))


def photos_stage(session, *, office_id, files):
    """Keep checked photos (UploadedFile objects already through photo_check) for the next try."""
    items = photos_staged(session, office_id=office_id)
    storage = _storage()
    _sweep(storage)
    for f in files:
        content_type = photo_check(f)
        token = secrets.token_hex(16) + _EXTENSIONS[content_type]
        f.seek(0)
        storage.save(token, f)
        items.append({"token": token, "name": os.path.basename(str(f.name))[:100], "size": f.size})
    session[SESSION_KEY] = {"office": office_id, "items": items}


def photos_keep_only(session, *, office_id, tokens):
    """Drop the staged photos the resident unticked (tokens not in `tokens`)."""
    keep = set(tokens)
    items = photos_staged(session, office_id=office_id)
    storage = _storage()
    for item in items:
        if item["token"] not in keep:
            _delete(storage, item["token"])
    session[SESSION_KEY] = {"office": office_id, "items": [i for i in items if i["token"] in keep]}


def photos_open(session, *, office_id):
    """The staged photos as open Files (the caller closes them), named as the resident named them."""
    storage = _storage()
    files = []
    for item in photos_staged(session, office_id=office_id):
        if storage.exists(item["token"]):
            files.append(File(storage.open(item["token"], "rb"), name=item["name"]))
    return files


def photos_discard(session):
    """Forget and delete every staged photo of the session (after submitting, or on a fresh form)."""
    data = session.pop(SESSION_KEY, None) or {}
    storage = _storage()
    for item in data.get("items", []):
        _delete(storage, item["token"])


def _delete(storage, token):
    try:
        storage.delete(token)
    except OSError:
        pass


def _sweep(storage):
    """Remove photos left by forms abandoned more than a day ago."""
    root = settings.PUBLIC_STAGING_ROOT
    if not os.path.isdir(root):
        return
    cutoff = time.time() - STAGING_MAX_AGE
    with os.scandir(root) as entries:
        for entry in entries:
            try:
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    os.remove(entry.path)
            except OSError:
                continue
