"""Build ``ocr_models/validation/name_counts.tsv``: how common each name syllable is.

    .venv/bin/python -m sohoa.ocr_models.build_name_counts UIT_MEMBER_JSON BOY_TXT GIRL_TXT \
        [--output PATH]

Why. Many name syllables differ only in their tone or vowel marks (Tuấn, Tuân; Thắng,
Thăng), and OCR gets marks wrong more often than letters. Which one was printed is then a
question of how common each is among real people's names -- something a generator of
test documents cannot tell us, since it draws its names from our own lists. The counts
weigh the candidates (:mod:`sohoa.pipeline.names`). Many are also a man's or a woman's
name (Chi and Trinh are women's, Chí and Trình men's), and the documents say whose name
it is (a wife's, a mother's; a card's ``sex``): the counts by sex weigh them for that.

Provenance. https://github.com/duyet/vietnamese-namedb (MIT licence, Van-Duyet Le):
``uit_member.json``, last changed in commit e4afca3e04c4f38d60b0e4c608a70368ea270136:
8,757 members' full names from the forum of the University of Information Technology
(VNU-HCM) -- real names, though younger and more often male than a one-stop-shop office's
citizens; ``boy.txt`` and ``girl.txt``, last changed in commit
6a5b82c30005d718d3d9e6aaa8d7ebaec9328513: 1,236 boys' and 1,316 girls' names (middle and
given name, "Phương Chi"). The files are not kept here; their sha256 are written into the
output, so a rebuild can be checked to give the same bytes.

What is counted: how often each syllable is a middle name (between the family name and
the last word) and how often the given name (the last word) -- Văn is common as the one
and never the other -- lower case, NFC; only the syllables of the name vocabulary
(``ocr_models/validation/name_syllables.txt``), so that the file stays a table of weights
for our words, not a copy of the source. By sex: the same, over the members whose sex the
name tells (Thị is a woman's middle name, Văn a man's; or the middle and given name are in
one of the two lists only: 4,164 of the 8,757), plus each entry of the two lists once.
The commonest real syllables the vocabulary lacks are printed, for a person to consider
adding.
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

SOURCE = "https://github.com/duyet/vietnamese-namedb (MIT)"
COMMIT = "e4afca3e04c4f38d60b0e4c608a70368ea270136"
LISTS_COMMIT = "6a5b82c30005d718d3d9e6aaa8d7ebaec9328513"


#: the columns after the syllable: (role, sex); sex "" is everyone
COLUMNS = (
    ("middle", ""),
    ("given", ""),
    ("middle", "female"),
    ("middle", "male"),
    ("given", "female"),
    ("given", "male"),
)


def count_syllables(
    members: list[dict], boys: list[str], girls: list[str]
) -> Counter[tuple[str, str, str]]:
    """(syllable, role, sex) -> times: middle and given syllables of every full name of two
    words or more, for everyone and by sex (the module's docstring)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    boy_names, girl_names = set(boys), set(girls)
    for member in members:
        words = nfc(member.get("full_name", "")).lower().split()
        if len(words) < 2:
            continue
        sex = _sex_of(words, boy_names, girl_names)
        for kind in ("", sex) if sex else ("",):
            counts.update((word, "middle", kind) for word in words[1:-1])
            counts[words[-1], "given", kind] += 1
    for sex, listed in (("male", boys), ("female", girls)):
        for name in listed:
            words = name.split()
            counts.update((word, "middle", sex) for word in words[:-1])
            counts[words[-1], "given", sex] += 1
    return counts


def _sex_of(words: list[str], boys: set[str], girls: set[str]) -> str:
    """A full name's sex where the name tells it, else ""."""
    middle, given = words[1:-1], " ".join(words[-2:])
    if "thị" in middle:
        return "female"
    if "văn" in middle:
        return "male"
    if len(words) >= 3 and (given in boys) != (given in girls):
        return "male" if given in boys else "female"
    return ""


def _names(raw: bytes) -> list[str]:
    """A list of names, one a line, lower case, NFC."""
    return [
        " ".join(nfc(line).lower().split())
        for line in raw.decode("utf-8").splitlines()
        if line.strip()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a copy of uit_member.json")
    parser.add_argument("boys", type=Path, help="a copy of boy.txt")
    parser.add_argument("girls", type=Path, help="a copy of girl.txt")
    parser.add_argument("--output", type=Path, default=ocr_models.name_counts_path())
    args = parser.parse_args()
    raw = {path.name: path.read_bytes() for path in (args.source, args.boys, args.girls)}
    members = json.loads(raw[args.source.name])
    counts = count_syllables(members, _names(raw[args.boys.name]), _names(raw[args.girls.name]))
    vocabulary = name_syllables().words
    header = "\t".join(f"{role} {sex or 'all'}" for role, sex in COLUMNS)
    lines = [
        "# How often each syllable of name_syllables.txt is a middle name and the given name",
        f"# in {len(members)} real full names, for all and by sex: {SOURCE},",
        f"# commits {COMMIT} (uit_member.json), {LISTS_COMMIT} (boy.txt, girl.txt),",
        *(f"# sha256 {name} {hashlib.sha256(data).hexdigest()}" for name, data in raw.items()),
        "# Built by: python -m sohoa.ocr_models.build_name_counts uit_member.json boy.txt girl.txt",
        f"# syllable\t{header}",
        *(
            "\t".join([word, *(str(counts[word, role, sex]) for role, sex in COLUMNS)])
            for word in sorted(vocabulary)
        ),
    ]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    everyone = Counter({w: n for (w, _, sex), n in counts.items() if not sex})
    missing = [(w, n) for w, n in everyone.most_common() if w not in vocabulary and n >= 5]
    print(f"wrote {args.output}: {len(vocabulary)} syllables")
    print("common in the source, not in the vocabulary:", ", ".join(f"{w} {n}" for w, n in missing))


if __name__ == "__main__":
    main()
