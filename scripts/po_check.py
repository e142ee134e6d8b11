"""List zh_Hans entries that are untranslated or fuzzy; exit 1 if any."""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogues():
    for po in sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        if ".venv" not in po.parts:
            yield po


def problems(path):
    cat = polib.pofile(str(path))
    return [e.msgid for e in cat.untranslated_entries()] + [e.msgid for e in cat.fuzzy_entries()]


def main():
    bad = 0
    for po in catalogues():
        for msgid in problems(po):
            bad += 1
            print(f"{po.relative_to(ROOT)}: untranslated {msgid!r}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
