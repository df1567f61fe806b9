"""The Debian fonts that carry Vietnamese, grouped into families with their four faces.

Documents pick one family each so that a corpus does not teach a reader one typeface.
Serif faces dominate, as real administrative papers are set in Times New Roman; Liberation
Serif and FreeSerif are its metric look-alikes. Fonts are loaded with Pillow's BASIC layout:
NFC Vietnamese needs only precomposed glyphs, and BASIC renders the same on every machine.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageFont

_ROOT = Path("/usr/share/fonts/truetype")


@dataclass(frozen=True, slots=True)
class FontFamily:
    name: str
    regular: str
    bold: str
    italic: str
    bold_italic: str
    serif: bool

    def path(self, style: str) -> str:
        return {
            "regular": self.regular,
            "bold": self.bold,
            "italic": self.italic,
            "bold_italic": self.bold_italic,
        }[style]


def _family(name: str, folder: str, stems: tuple[str, str, str, str], serif: bool) -> FontFamily:
    paths = [str(_ROOT / folder / f"{stem}.ttf") for stem in stems]
    return FontFamily(name, *paths, serif=serif)


_CANDIDATES = (
    (
        _family(
            "Liberation Serif",
            "liberation2",
            (
                "LiberationSerif-Regular",
                "LiberationSerif-Bold",
                "LiberationSerif-Italic",
                "LiberationSerif-BoldItalic",
            ),
            True,
        ),
        4.0,
    ),
    (
        _family(
            "FreeSerif",
            "freefont",
            ("FreeSerif", "FreeSerifBold", "FreeSerifItalic", "FreeSerifBoldItalic"),
            True,
        ),
        2.5,
    ),
    (
        _family(
            "Noto Serif",
            "noto",
            ("NotoSerif-Regular", "NotoSerif-Bold", "NotoSerif-Italic", "NotoSerif-BoldItalic"),
            True,
        ),
        1.5,
    ),
    (
        _family(
            "DejaVu Serif",
            "dejavu",
            ("DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic", "DejaVuSerif-BoldItalic"),
            True,
        ),
        1.0,
    ),
    (
        _family(
            "Liberation Sans",
            "liberation2",
            (
                "LiberationSans-Regular",
                "LiberationSans-Bold",
                "LiberationSans-Italic",
                "LiberationSans-BoldItalic",
            ),
            False,
        ),
        1.2,
    ),
    (
        _family(
            "FreeSans",
            "freefont",
            ("FreeSans", "FreeSansBold", "FreeSansOblique", "FreeSansBoldOblique"),
            False,
        ),
        0.6,
    ),
    (
        _family(
            "Noto Sans",
            "noto",
            ("NotoSans-Regular", "NotoSans-Bold", "NotoSans-Italic", "NotoSans-BoldItalic"),
            False,
        ),
        0.8,
    ),
    (
        _family(
            "DejaVu Sans",
            "dejavu",
            ("DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSans-BoldOblique"),
            False,
        ),
        0.8,
    ),
)


@cache
def available_families() -> tuple[tuple[FontFamily, float], ...]:
    """Families whose four files are installed (fonts-liberation2 and fonts-freefont-ttf
    are optional); DejaVu is always there because Pillow's users rely on it."""
    found = tuple(
        (fam, w)
        for fam, w in _CANDIDATES
        if all(Path(fam.path(s)).is_file() for s in ("regular", "bold", "italic", "bold_italic"))
    )
    if not found:
        raise RuntimeError("no Vietnamese-capable TrueType fonts found under /usr/share/fonts")
    return found


def pick_family(rng: random.Random, serif_only: bool = False) -> FontFamily:
    fams = [(f, w) for f, w in available_families() if f.serif or not serif_only]
    return rng.choices([f for f, _ in fams], weights=[w for _, w in fams])[0]


@cache
def load(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px, layout_engine=ImageFont.Layout.BASIC)
