"""liaison.lib.pinyin: pypinyin's phrases loaded with shared readings (issue 10: 57 MiB of every
process was pypinyin's phrase dictionary) read names exactly as pypinyin's own loading does."""

import json

from pypinyin.constants import PHRASES_DICT

from liaison.lib.pinyin import PHRASES_FILE, phrases_read, pinyin_initials


def test_a_phrase_reads_as_in_the_phrase_not_as_its_characters():
    # 重 alone is zhòng and 单 alone dān: the phrases 重庆 and 单于 are read chóngqìng and chányú.
    assert pinyin_initials("重") == "z" and pinyin_initials("重庆") == "cq"
    assert pinyin_initials("单") == "d" and pinyin_initials("单于") == "cy"
    assert pinyin_initials("张三丰") == "zsf" and pinyin_initials("") == ""


def test_the_phrases_are_pypinyins_own_and_stay_so_after_use():
    # Readings of repeated syllables (一一, 人人) are shared lists: converting must not change them.
    for text in ("一一对应", "人人为我，我为人人", "重庆市长", "单于", "行长行走"):
        pinyin_initials(text)
    with open(PHRASES_FILE, encoding="utf8") as f:
        assert PHRASES_DICT == json.load(f)


def test_equal_readings_are_one_list():
    """What saves the memory: 一丁不识 and 一丁点儿 share the lists of 一 and 丁."""
    phrases = phrases_read()
    assert phrases["一丁不识"][0] is phrases["一丁点儿"][0] and phrases["一丁不识"][1] is phrases["一丁点儿"][1]
    assert PHRASES_DICT["一丁不识"][0] is PHRASES_DICT["一丁点儿"][0]
