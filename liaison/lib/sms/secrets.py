"""Sealing of secret SMS parameters (a one-time code) between the moment a message is queued and the
moment the provider takes it. The outbox row keeps them only as a Fernet token (AES-128-CBC with
an HMAC-SHA256 tag) under a key derived from SECRET_KEY, and delivery blanks the token once the
message is sent, has failed for good or has expired. A database reader, a backup or the admin
never sees the plain value; whoever holds SECRET_KEY could open a token during those few seconds,
but SECRET_KEY already lets its holder sign sessions as anyone."""

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from django.utils.crypto import salted_hmac

_SALT = "liaison.lib.sms.secrets"


def _fernet(secret_key=None):
    digest = salted_hmac(_SALT, "fernet-key", secret=secret_key, algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def seal(values):
    """A token for a dict of strings, or "" for nothing to seal."""
    if not values:
        return ""
    return _fernet().encrypt(json.dumps(values, ensure_ascii=False).encode()).decode()


def unseal(token):
    """The dict sealed in `token`, or None when it is blank or cannot be opened (another key)."""
    if not token:
        return None
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return None
