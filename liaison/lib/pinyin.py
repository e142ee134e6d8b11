from pypinyin import Style, lazy_pinyin


def pinyin_initials(text):
    """张三丰 -> zsf: lets staff find a deputy by typing the initials of the name."""
    return "".join(s[:1] for s in lazy_pinyin(text or "", style=Style.FIRST_LETTER) if s).lower()
