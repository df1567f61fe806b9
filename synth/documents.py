"""The registry of document templates: one function per CONTRACT ``doc_type``."""

from __future__ import annotations

import random
from collections.abc import Callable

from .doc_card import citizen_id_card
from .doc_civil import birth_certificate, marriage_certificate
from .doc_forms import application_form, unknown_document
from .doc_land import land_use_certificate
from .doc_residence import household_register, residence_confirmation
from .model import RenderedDoc

Template = Callable[[random.Random, int], RenderedDoc]

TEMPLATES: dict[str, Template] = {
    "citizen_id_card": citizen_id_card,
    "birth_certificate": birth_certificate,
    "marriage_certificate": marriage_certificate,
    "residence_confirmation": residence_confirmation,
    "household_register": household_register,
    "land_use_certificate": land_use_certificate,
    "application_form": application_form,
    "unknown": unknown_document,
}
DOC_TYPES: tuple[str, ...] = tuple(TEMPLATES)


def render_document(doc_type: str, rng: random.Random, dpi: int = 300) -> RenderedDoc:
    """Typeset one clean document of ``doc_type`` at ``dpi`` with ground truth."""
    try:
        template = TEMPLATES[doc_type]
    except KeyError:
        raise ValueError(f"unknown doc_type {doc_type!r}; one of {', '.join(DOC_TYPES)}") from None
    return template(rng, dpi)
