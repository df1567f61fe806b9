"""What a search box's text asks for: ID numbers, dossier codes, and words.

A clerk types "079195001234", "000.00.15.H26-251124-0001" or "nguyễn thị hồng nhung"
into the same box. Tokens shaped like a personal ID number or a dossier code are
looked up exactly (an index probe); everything else is folded and searched as words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sohoa.pipeline.vntext import fold, nfc

#: 12 digits: a personal identification number (CCCD); 9: an old ID card number (CMND)
_ID = re.compile(r"^(\d{12}|\d{9})$")
#: agency code (dotted letters and digits), yymmdd, serial: 000.00.15.H26-251124-0001
_DOSSIER = re.compile(r"^[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*-\d{6}-\d{3,}$")
#: the words of folded text as both full-text engines split it: letters and digits,
#: punctuation and "_" between them
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class ParsedQuery:
    """A search box's text, taken apart."""

    id_numbers: tuple[str, ...] = ()
    dossier_codes: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def phrase(self) -> str:
        """The words as one folded string: what the trigram fallback compares."""
        return " ".join(self.words)


def parse(query: str) -> ParsedQuery:
    """Split ``query`` (any case, with or without diacritics) into its parts."""
    ids: list[str] = []
    codes: list[str] = []
    rest: list[str] = []
    for token in nfc(query).split():
        if _ID.match(token):
            ids.append(token)
        elif _DOSSIER.match(token):
            codes.append(token)
        else:
            rest.append(token)
    words = tuple(WORD.findall(fold(" ".join(rest))))
    return ParsedQuery(tuple(dict.fromkeys(ids)), tuple(dict.fromkeys(codes)), words)


def fts5_match(words: tuple[str, ...], *, prefix: bool = True) -> str:
    """An FTS5 MATCH expression: every word, the last one also as a prefix ("nhu"
    finds "nhung" while typing). Words are quoted, so none is read as an operator."""
    quoted = [f'"{word}"' for word in words]
    if prefix:
        quoted[-1] += "*"
    return " ".join(quoted)


def tsquery(words: tuple[str, ...], *, prefix: bool = True) -> str:
    """A ``to_tsquery('simple', ...)`` expression: every word, the last as a prefix.
    Words are letters and digits only (``WORD``), so none can be an operator."""
    return " & ".join([*words[:-1], f"{words[-1]}:*" if prefix else words[-1]])
