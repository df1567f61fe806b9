"""A few words of OCR text around the first word a search matched, as printed.

Made in Python from the original text (not the folded index) so that the clerk reads
the diacritics the document has; cheap, since only the page of hits is snippeted.
"""

from __future__ import annotations

import re

from sohoa.pipeline.vntext import fold

_EDGE = re.compile(r"^[\W_]+|[\W_]+$")
BEFORE = 6
AFTER = 12


def snippet(text: str, words: tuple[str, ...]) -> str | None:
    """The window of ``text`` around its first word that a query word begins, or None
    when the OCR text has none of them (the match was in the fields)."""
    if not words:
        return None
    tokens = text.split()
    for index, token in enumerate(tokens):
        folded = _EDGE.sub("", fold(token))
        if folded and any(folded.startswith(word) for word in words):
            start, end = max(0, index - BEFORE), min(len(tokens), index + AFTER)
            head = "… " if start else ""
            tail = " …" if end < len(tokens) else ""
            return head + " ".join(tokens[start:end]) + tail
    return None
