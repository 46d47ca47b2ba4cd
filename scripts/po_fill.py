"""Fill French translations into a catalogue from a JSON file {msgid: msgstr}.

    python scripts/po_fill.py mupaka/core/locale/fr/LC_MESSAGES/django.po translations.json

Only empty or fuzzy entries are filled; prints the msgids still missing.
"""

import json
import sys

from babel.messages.pofile import read_po, write_po


def main(po_path: str, json_path: str) -> int:
    with open(json_path, encoding="utf-8") as fh:
        table = json.load(fh)
    with open(po_path, "rb") as fh:
        catalog = read_po(fh)
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if message.string and not message.fuzzy:
            continue
        if key in table:
            value = table[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
        else:
            missing.append(key)
    with open(po_path, "wb") as fh:
        write_po(fh, catalog, width=100, omit_header=False)
    for key in missing:
        print(f"missing: {key!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
