"""Build ``ocr_models/validation/name_counts.tsv``: how common each name syllable is.

    .venv/bin/python -m sohoa.ocr_models.build_name_counts UIT_MEMBER_JSON [--output PATH]

Why. Many name syllables differ only in their tone or vowel marks (Tuấn, Tuân; Thắng,
Thăng), and OCR gets marks wrong more often than letters. Which one was printed is then a
question of how common each is among real people's names -- something a generator of
test documents cannot tell us, since it draws its names from our own lists. The counts
weigh the candidates (:mod:`sohoa.pipeline.names`).

Provenance. ``uit_member.json`` of https://github.com/duyet/vietnamese-namedb (MIT licence,
Van-Duyet Le), last changed in commit e4afca3e04c4f38d60b0e4c608a70368ea270136: 8,757
members' full names from the forum of the University of Information Technology (VNU-HCM)
-- real names, though younger and more often male than a one-stop-shop office's citizens.
The file is not kept here; its sha256 is written into the output, so a rebuild can be
checked to give the same bytes.

What is counted: how often each syllable is a middle name (between the family name and
the last word) and how often the given name (the last word) -- Văn is common as the one
and never the other -- lower case, NFC; only the syllables of the name vocabulary
(``ocr_models/validation/name_syllables.txt``), so that the file stays a table of weights
for our words, not a copy of the source. The commonest real syllables the vocabulary
lacks are printed, for a person to consider adding.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path

from sohoa import ocr_models
from sohoa.pipeline.names import name_syllables
from sohoa.pipeline.vntext import nfc

SOURCE = "https://github.com/duyet/vietnamese-namedb uit_member.json (MIT)"
COMMIT = "e4afca3e04c4f38d60b0e4c608a70368ea270136"


def count_syllables(members: list[dict]) -> tuple[Counter[str], Counter[str]]:
    """Middle and given syllables of every full name of two words or more."""
    middle: Counter[str] = Counter()
    given: Counter[str] = Counter()
    for member in members:
        words = nfc(member.get("full_name", "")).lower().split()
        if len(words) >= 2:
            middle.update(words[1:-1])
            given[words[-1]] += 1
    return middle, given


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a copy of uit_member.json")
    parser.add_argument("--output", type=Path, default=ocr_models.name_counts_path())
    args = parser.parse_args()
    raw = args.source.read_bytes()
    members = json.loads(raw)
    middle, given = count_syllables(members)
    vocabulary = name_syllables().words
    lines = [
        "# How often each syllable of name_syllables.txt is a middle name and the given name",
        f"# in {len(members)} real full names: {SOURCE},",
        f"# commit {COMMIT},",
        f"# sha256 {hashlib.sha256(raw).hexdigest()}.",
        "# Built by: python -m sohoa.ocr_models.build_name_counts uit_member.json",
        "# syllable<TAB>as a middle name<TAB>as the given name",
        *(f"{word}\t{middle[word]}\t{given[word]}" for word in sorted(vocabulary)),
    ]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    missing = [(w, n) for w, n in (middle + given).most_common() if w not in vocabulary and n >= 5]
    print(f"wrote {args.output}: {len(vocabulary)} syllables")
    print("common in the source, not in the vocabulary:", ", ".join(f"{w} {n}" for w, n in missing))


if __name__ == "__main__":
    main()
