"""List zh_Hans entries that are untranslated or fuzzy, and msgids that two catalogues translate
differently; exit 1 if any.

Django merges every app's catalogue into one table, the first app in INSTALLED_APPS winning, so
the same English string translated two ways shows one of them everywhere. Where the wording must
differ, give the strings a context (`{% translate "…" context "…" %}`, `pgettext`).
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogues():
    for po in sorted(ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")):
        if not {".venv", "var", "node_modules"} & set(po.relative_to(ROOT).parts):
            yield po


def problems(path):
    cat = polib.pofile(str(path))
    return [e.msgid for e in cat.untranslated_entries()] + [e.msgid for e in cat.fuzzy_entries()]


def conflicts(paths):
    """{(msgctxt, msgid): {msgstr: [catalogue, …]}} for entries translated differently."""
    seen = {}
    for path in paths:
        for e in polib.pofile(str(path)).translated_entries():
            if e.msgid_plural:
                continue
            seen.setdefault((e.msgctxt, e.msgid), {}).setdefault(e.msgstr, []).append(path)
    return {key: strs for key, strs in seen.items() if len(strs) > 1}


def main():
    bad = 0
    paths = list(catalogues())
    for po in paths:
        for msgid in problems(po):
            bad += 1
            print(f"{po.relative_to(ROOT)}: untranslated {msgid!r}")
    for (ctxt, msgid), strs in sorted(conflicts(paths).items(), key=lambda kv: kv[0][1]):
        bad += 1
        where = "; ".join(f"{s!r} in {', '.join(str(p.relative_to(ROOT).parts[0]) for p in ps)}" for s, ps in strs.items())
        print(f"translated differently: {msgid!r}{f' (context {ctxt!r})' if ctxt else ''}: {where}")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
