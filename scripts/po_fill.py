"""Fill zh_Hans translations from a JSON object {msgid: msgstr} (plural entries: msgstr is a list).

    .venv/bin/python scripts/po_fill.py cases/locale/zh_Hans/LC_MESSAGES/django.po translations.json

Only empty or fuzzy entries are filled; prints what is still missing. Run scripts/messages.sh
afterwards to compile.
"""

import json
import sys

import polib


def main(po_path, json_path):
    with open(json_path, encoding="utf-8") as fh:
        mapping = json.load(fh)
    cat = polib.pofile(po_path)
    for entry in cat:
        if entry.obsolete or (entry.translated() and "fuzzy" not in entry.flags):
            continue
        value = mapping.get(entry.msgid)
        if value is None:
            continue
        if entry.msgid_plural:
            values = value if isinstance(value, list) else [value]
            entry.msgstr_plural = {i: v for i, v in enumerate(values)}
        else:
            entry.msgstr = value
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    cat.save(po_path)
    for entry in cat.untranslated_entries():
        print("missing:", json.dumps(entry.msgid, ensure_ascii=False))


if __name__ == "__main__":
    main(*sys.argv[1:])
