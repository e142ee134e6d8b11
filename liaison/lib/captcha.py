"""A CAPTCHA that works offline: a small sum drawn server-side with Pillow.

The answer lives only in the server-side session; the page shows an image of the question. A
challenge is single use: checking it removes it from the session, right or wrong, so one solved
image cannot be replayed for a second submission, and a wrong guess costs a new image. Challenges
expire after CAPTCHA_TTL seconds.
"""

import io
import random
import secrets
import time

from PIL import Image, ImageDraw, ImageFilter, ImageFont

SESSION_KEY = "captcha"
CAPTCHA_TTL = 10 * 60
WIDTH, HEIGHT = 160, 56


def _new_question():
    rng = secrets.SystemRandom()
    a, b = rng.randint(2, 19), rng.randint(2, 9)
    if rng.random() < 0.5 and a > b:
        return f"{a} - {b} = ?", str(a - b)
    return f"{a} + {b} = ?", str(a + b)


def captcha_new(session):
    """Start a fresh challenge in the session and return its question text."""
    question, answer = _new_question()
    session[SESSION_KEY] = {"q": question, "a": answer, "t": int(time.time())}
    return question


def captcha_current(session):
    """The question of the pending challenge, starting one if there is none or it expired."""
    data = session.get(SESSION_KEY)
    if not data or time.time() - data.get("t", 0) > CAPTCHA_TTL:
        return captcha_new(session)
    return data["q"]


def captcha_check(session, answer):
    """True if `answer` solves the pending challenge. The challenge is consumed either way."""
    data = session.pop(SESSION_KEY, None)
    session.modified = True
    if not data or time.time() - data.get("t", 0) > CAPTCHA_TTL:
        return False
    given = str(answer or "").strip()
    # Full-width digits typed with a Chinese input method count too.
    given = given.translate(str.maketrans("０１２３４５６７８９－", "0123456789-"))
    return secrets.compare_digest(given, data["a"])


def _font(size):
    try:
        return ImageFont.load_default(size=size)
    except (TypeError, OSError):  # Pillow built without FreeType: the bitmap font still works
        return ImageFont.load_default()


def captcha_image(question):
    """PNG bytes of the question, with jitter, noise lines and dots so it is not plain text."""
    rng = random.Random(secrets.randbits(64))
    img = Image.new("RGB", (WIDTH, HEIGHT), (246, 246, 240))
    draw = ImageDraw.Draw(img)
    for _i in range(6):
        draw.line(
            [(rng.randint(0, WIDTH), rng.randint(0, HEIGHT)), (rng.randint(0, WIDTH), rng.randint(0, HEIGHT))],
            fill=(rng.randint(120, 200), rng.randint(120, 200), rng.randint(120, 200)),
            width=1,
        )
    x = 8
    for ch in question:
        font = _font(rng.randint(24, 30))
        glyph = Image.new("RGBA", (36, 44), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((4, 4), ch, font=font, fill=(rng.randint(0, 90), rng.randint(0, 60), rng.randint(60, 140)))
        glyph = glyph.rotate(rng.uniform(-22, 22), resample=Image.BICUBIC, expand=False)
        img.paste(glyph, (x, rng.randint(2, 10)), glyph)
        x += 17 if ch != " " else 7
    for _i in range(140):
        draw.point((rng.randint(0, WIDTH - 1), rng.randint(0, HEIGHT - 1)), fill=(rng.randint(60, 200),) * 3)
    img = img.filter(ImageFilter.SMOOTH)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
