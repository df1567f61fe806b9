"""The Debian fonts that carry Vietnamese, grouped into families with their four faces.

Documents pick one family each so that a corpus does not teach a reader one typeface.
Serif faces dominate, as real administrative papers are set in Times New Roman; Liberation
Serif and FreeSerif are its metric look-alikes. Fonts are loaded with Pillow's BASIC layout:
NFC Vietnamese needs only precomposed glyphs, and BASIC renders the same on every machine.

Two sets: ``standard``, the faces everything was developed on, and ``unseen``, faces of
other designs that nothing was tuned on (TeX Gyre's Times, Palatino, Century Schoolbook,
Bookman and Helvetica, Roboto, Open Sans). A benchmark generated in the unseen set asks
whether the pipeline learnt typefaces or reading. Liberation 2 is derived from Croscore,
so Tinos and Arimo would not be unseen and are not in it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageFont

_ROOT = Path("/usr/share/fonts/truetype")
_GYRE = Path("/usr/share/texmf/fonts/opentype/public/tex-gyre")


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


def _gyre(name: str, stem: str, serif: bool) -> FontFamily:
    """A TeX Gyre family (fonts-texgyre: OpenType with CFF outlines, full Vietnamese)."""
    faces = ("regular", "bold", "italic", "bolditalic")
    return FontFamily(name, *(str(_GYRE / f"texgyre{stem}-{face}.otf") for face in faces), serif)


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


_UNSEEN = (
    (_gyre("TeX Gyre Termes", "termes", True), 4.0),
    (_gyre("TeX Gyre Pagella", "pagella", True), 1.5),
    (_gyre("TeX Gyre Schola", "schola", True), 1.5),
    (_gyre("TeX Gyre Bonum", "bonum", True), 1.0),
    (_gyre("TeX Gyre Heros", "heros", False), 1.2),
    (
        _family(
            "Roboto",
            "roboto/unhinted/RobotoTTF",
            ("Roboto-Regular", "Roboto-Bold", "Roboto-Italic", "Roboto-BoldItalic"),
            False,
        ),
        0.8,
    ),
    (
        _family(
            "Open Sans",
            "open-sans",
            ("OpenSans-Regular", "OpenSans-Bold", "OpenSans-Italic", "OpenSans-BoldItalic"),
            False,
        ),
        0.8,
    ),
)

FONT_SETS: dict[str, tuple[tuple[FontFamily, float], ...]] = {
    "standard": _CANDIDATES,
    "unseen": _UNSEEN,
}
_font_set: ContextVar[str] = ContextVar("font_set", default="standard")


@contextmanager
def use_font_set(name: str) -> Iterator[None]:
    """Render with the families of ``name`` (a key of ``FONT_SETS``) inside the block."""
    if name not in FONT_SETS:
        raise ValueError(f"unknown font set {name!r}; known: {', '.join(FONT_SETS)}")
    token = _font_set.set(name)
    try:
        yield
    finally:
        _font_set.reset(token)


def available_families() -> tuple[tuple[FontFamily, float], ...]:
    """The installed families of the font set in use (fonts-liberation2 and
    fonts-freefont-ttf are optional in the standard set; DejaVu is always there because
    Pillow's users rely on it; the unseen set needs fonts-texgyre, fonts-roboto-unhinted
    and fonts-open-sans, which ``scripts/setup.sh --dev`` installs)."""
    return _installed(_font_set.get())


@cache
def _installed(set_name: str) -> tuple[tuple[FontFamily, float], ...]:
    found = tuple(
        (fam, w)
        for fam, w in FONT_SETS[set_name]
        if all(Path(fam.path(s)).is_file() for s in ("regular", "bold", "italic", "bold_italic"))
    )
    if not found:
        raise RuntimeError(f"no Vietnamese-capable fonts of the {set_name!r} set are installed")
    return found


def pick_family(rng: random.Random, serif_only: bool = False) -> FontFamily:
    fams = [(f, w) for f, w in available_families() if f.serif or not serif_only]
    return rng.choices([f for f, _ in fams], weights=[w for _, w in fams])[0]


@cache
def load(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px, layout_engine=ImageFont.Layout.BASIC)
