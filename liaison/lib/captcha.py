"""A CAPTCHA that works offline: five distorted characters drawn server-side (the `captcha` package,
on Pillow), served by our own view — no outside service, no CDN.

A sum of two numbers was solved by any script; reading warped, overlapping characters on a noisy
background needs OCR trained for it. The answer lives only in the server-side session. A
challenge is single use: checking it removes it from the session, right or wrong, so one solved
picture cannot be replayed for a second submission, and a wrong guess costs a new picture.
Challenges expire after CAPTCHA_TTL seconds. Each challenge is drawn once and the same picture is
served again for it, so a script cannot fetch many renderings of one answer and average the noise
away.

Phone-friendly: the alphabet leaves out characters that look alike (0/O, 1/I/L, 2/Z, 5/S, 8/B),
answers are not case-sensitive and full-width letters typed with a Chinese input method count.
Without JavaScript, "New picture" is a submit button that re-renders the form with what was
typed (`refresh_requested`, `typed_values`); with it, static/js/captcha.js swaps the picture only.
"""

import base64
import secrets
import time
import unicodedata

from django.utils.translation import gettext_lazy as _

SESSION_KEY = "captcha"
REFRESH_FIELD = "captcha_refresh"
CAPTCHA_TTL = 10 * 60
ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
LENGTH = 5
WIDTH, HEIGHT = 200, 70
WRONG_MESSAGE = _("The characters do not match the picture. Type the characters of the new picture.")

_generator = None


def _draw(text):
    global _generator
    if _generator is None:
        from captcha.image import ImageCaptcha

        _generator = ImageCaptcha(width=WIDTH, height=HEIGHT, font_sizes=(40, 46, 52))
    return _generator.generate(text, format="png").getvalue()


def _pending(session):
    data = session.get(SESSION_KEY)
    if not data or time.time() - data.get("t", 0) > CAPTCHA_TTL:
        return None
    return data


def captcha_new(session):
    """Start a fresh challenge in the session (dropping any pending one)."""
    answer = "".join(secrets.choice(ALPHABET) for _i in range(LENGTH))
    session[SESSION_KEY] = {"a": answer, "t": int(time.time())}
    return answer


def captcha_png(session):
    """PNG bytes of the pending challenge, starting one if there is none or it expired."""
    data = _pending(session)
    if data is None:
        captcha_new(session)
        data = session[SESSION_KEY]
    if "png" not in data:
        data["png"] = base64.b64encode(_draw(data["a"])).decode("ascii")
        session[SESSION_KEY] = data
    return base64.b64decode(data["png"])


def normalize_answer(answer):
    return "".join(unicodedata.normalize("NFKC", str(answer or "")).split()).upper()


def captcha_check(session, answer):
    """True if `answer` solves the pending challenge. The challenge is consumed either way."""
    data = session.pop(SESSION_KEY, None)
    session.modified = True
    if not data or time.time() - data.get("t", 0) > CAPTCHA_TTL:
        return False
    return secrets.compare_digest(normalize_answer(answer).encode(), data["a"].encode())


def refresh_requested(request):
    """The no-JavaScript "New picture" button was pressed: re-render, check nothing."""
    return request.method == "POST" and REFRESH_FIELD in request.POST


def typed_values(post):
    """What the visitor typed, as initial values for the re-rendered form (the old answer dropped)."""
    skip = {"csrfmiddlewaretoken", "captcha", REFRESH_FIELD}
    return {key: post.get(key) for key in post if key not in skip}
