"""What a template produces: clean pages with their printed lines, and the document's fields."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from PIL import Image

from .canvas import TextLine

LABELS: dict[str, tuple[str, ...]] = {
    "full_name": ("Họ và tên", "Họ, chữ đệm, tên", "Họ, chữ đệm và tên", "Họ tên"),
    "dob": ("Ngày sinh", "Ngày, tháng, năm sinh", "Sinh ngày"),
    "pid": ("Số định danh cá nhân", "Số định danh cá nhân", "Số CCCD", "Số căn cước công dân"),
    "residence": ("Nơi thường trú", "Nơi cư trú", "Địa chỉ thường trú"),
    "current": ("Nơi ở hiện tại", "Chỗ ở hiện nay", "Nơi ở hiện nay"),
    "origin": ("Quê quán", "Quê quán"),
    "pob": ("Nơi sinh",),
}


def label(rng: random.Random, key: str, colon: bool = True) -> str:
    text = rng.choice(LABELS[key])
    return f"{text}:" if colon else text


def upper_or(rng: random.Random, name: str, p_upper: float) -> str:
    """Names are printed upper case on most certificates, as written on filled forms."""
    return name.upper() if rng.random() < p_upper else name


@dataclass(frozen=True, slots=True)
class RenderedPage:
    image: Image.Image
    lines: tuple[TextLine, ...]
    kind: str  # a CONTRACT doc_type, or "separator" / "blank"
    dpi: int

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines if line.text)


@dataclass(frozen=True, slots=True)
class RenderedDoc:
    doc_type: str
    fields: dict[str, Any]
    pages: tuple[RenderedPage, ...]

    @property
    def text(self) -> str:
        return "\n".join(p.text for p in self.pages)
