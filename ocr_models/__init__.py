"""The OCR model sohoa reads with, and the word lists that go with it (data, located here).

docs/ocr-models.md measured the candidates on generated scans of our documents; this module
turns that decision into paths and one default configuration, so the OCR stage never guesses
where a model lives. ``scripts/install-ocr-models.sh`` puts the chosen network (tessdata_best
``vie``) into ``ocr_models/tessdata/`` (git-ignored; it is downloaded, not versioned) and links
Debian's ``vie`` beside it as ``vie_fast``; sohoa reads with both. When they are missing -- a
machine set up without the script -- everything falls back to Debian's ``vie`` in the system
tessdata, which is worse but works.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
INSTALLED_TESSDATA = PACKAGE_DIR / "tessdata"
WORDLISTS = PACKAGE_DIR / "wordlists"
MODEL_FILE = "vie.traineddata"
FAST_MODEL_FILE = "vie_fast.traineddata"  # Debian's tessdata_fast vie, linked by the script
# the fast network reads first; Tesseract hands the words it was unsure of to the best one
# (docs/ocr-models.md: better than either alone; 12 % more time than the best one alone)
COMBINED_LANG = "vie_fast+vie"


def installed_tessdata_dir() -> Path | None:
    """``ocr_models/tessdata`` if the chosen model is installed there, else None."""
    if (INSTALLED_TESSDATA / MODEL_FILE).is_file():
        return INSTALLED_TESSDATA
    return None


def tessdata_dir() -> Path | None:
    """The tessdata dir to pass as ``--tessdata-dir``; None means Tesseract's own (Debian vie).

    The installed dir also links ``eng``, ``osd`` and ``configs/`` from the system tessdata,
    so ``vie+eng`` and the ``tsv`` output config keep working with it.
    """
    return installed_tessdata_dir()


def default_lang() -> str:
    """The ``-l`` value for :func:`tessdata_dir`: both networks where the script put them,
    else the one ``vie`` Tesseract has."""
    installed = installed_tessdata_dir()
    if installed is not None and (installed / FAST_MODEL_FILE).exists():
        return COMBINED_LANG
    return "vie"


CLASSIFIER = PACKAGE_DIR / "classifier"


def classifier_titles_path() -> Path:
    """Printed titles per document type, the classifier's first cue (hand-kept data)."""
    return CLASSIFIER / "titles.json"


def classifier_model_path() -> Path:
    """The trained n-gram model (``python -m sohoa.ocr_models.train_classifier``)."""
    return CLASSIFIER / "doc_type_model.npz"


def id_province_codes_path() -> Path:
    """The 63 province codes a personal ID number may begin with (Circular 07/2016/TT-BCA)."""
    return PACKAGE_DIR / "validation" / "id_province_codes.json"


def field_templates_dir() -> Path:
    """Per document type, where its fields are printed and what kind of value each is."""
    return PACKAGE_DIR / "fields"


def family_names_path() -> Path:
    """Vietnamese family names, to restore a name's first word (hand-kept list)."""
    return PACKAGE_DIR / "validation" / "family_names.txt"


def name_syllables_path() -> Path:
    """Syllables of Vietnamese middle and given names (hand-kept list)."""
    return PACKAGE_DIR / "validation" / "name_syllables.txt"


def name_counts_path() -> Path:
    """How common each name syllable is among real names (built by build_name_counts)."""
    return PACKAGE_DIR / "validation" / "name_counts.tsv"


def relationships_path() -> Path:
    """Relations to the head of a household, as registers print them (hand-kept list)."""
    return PACKAGE_DIR / "validation" / "relationships.txt"


def phrases_path() -> Path:
    """Administrative phrases and labels, the hand-kept source of the user-words list."""
    return WORDLISTS / "admin-phrases.txt"


def user_words_path() -> Path:
    """Tesseract ``--user-words`` file: syllables of :func:`phrases_path`, three casings."""
    return WORDLISTS / "vie-admin.user-words"


def user_patterns_path() -> Path:
    """Tesseract ``--user-patterns`` file: dates, ID numbers, dossier codes."""
    return WORDLISTS / "vie-admin.user-patterns"


def user_words_from_phrases(lines: Iterable[str]) -> list[str]:
    """Every syllable of the phrases in lower, Title and UPPER case, first-seen order, NFC.

    Tesseract's dictionaries hold space-free tokens and Vietnamese writes one syllable per
    token; documents print the same label in all three casings (titles are upper case).
    """
    words: dict[str, None] = {}
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        for token in re.findall(r"\w+", unicodedata.normalize("NFC", line)):
            for variant in (token.lower(), token[:1].upper() + token[1:].lower(), token.upper()):
                words.setdefault(variant, None)
    return list(words)


def gazetteer_path() -> Path:
    """Names of Vietnam's administrative units, before and after July 2025 (names only, gzip'd
    JSON; ``python -m sohoa.ocr_models.build_gazetteer`` writes it from vietnam-provinces)."""
    return PACKAGE_DIR / "validation" / "gazetteer.json.gz"
