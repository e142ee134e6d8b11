"""Pinyin initials of names (staff find a deputy by typing 张三丰 as zsf).

pypinyin's phrase dictionary (47,000 phrases, used to read a character as it sounds in a phrase:
重庆 is chongqing, not zhongqing) costs 57 MiB of resident memory in every process as pypinyin
loads it: a separate list and string for every syllable of every phrase. Issue 10 (peak RSS of the
roster import at 20,000 deputies, whose Argon2 hashing adds 100 MiB on top of the process): the
same phrases are loaded here instead with one shared list per distinct syllable reading (about
1,300 of them), read entry by entry so that the per-syllable copies never exist at once, and
handed to pypinyin through its public load_phrases_dict. The readings are the same: pypinyin
deep-copies a phrase's readings before it converts them, so nothing shared is ever changed.
"""

import json
import os
import re
from pathlib import Path

_QUIET = {"PYPINYIN_NO_PHRASES": "1", "PYPINYIN_NO_DICT_COPY": "1"}
_saved = {key: os.environ.get(key) for key in _QUIET}
os.environ.update(_QUIET)  # pypinyin reads these once, as it is imported
try:
    import pypinyin
    from pypinyin import Style, lazy_pinyin
    from pypinyin.constants import PHRASES_DICT
finally:
    for _key, _value in _saved.items():
        if _value is None:
            os.environ.pop(_key, None)
        else:
            os.environ[_key] = _value

PHRASES_FILE = Path(pypinyin.__file__).with_name("phrases_dict.json")
_BETWEEN = re.compile(r"[\s,:]*")


def phrases_read(path=PHRASES_FILE):
    """{phrase: [[reading, ...] per character]} of pypinyin's phrase file, one entry decoded at
    a time, with equal per-character lists shared."""
    text = path.read_text(encoding="utf8")
    decoder = json.JSONDecoder()
    shared, phrases = {}, {}
    at = _BETWEEN.match(text, text.index("{") + 1).end()
    while text[at] != "}":
        phrase, at = decoder.raw_decode(text, at)
        readings, at = decoder.raw_decode(text, _BETWEEN.match(text, at).end())
        phrases[phrase] = [shared.setdefault(tuple(r), r) for r in readings]
        at = _BETWEEN.match(text, at).end()
    return phrases


if not PHRASES_DICT:  # not when pypinyin was imported before, with its own copy of the phrases
    pypinyin.load_phrases_dict(phrases_read())


def pinyin_initials(text):
    """张三丰 -> zsf: lets staff find a deputy by typing the initials of the name."""
    return "".join(s[:1] for s in lazy_pinyin(text or "", style=Style.FIRST_LETTER) if s).lower()
