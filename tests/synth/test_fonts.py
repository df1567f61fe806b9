"""The generator's two sets of typefaces: the faces of development, and unseen ones."""

from __future__ import annotations

import random

import pytest
from fontTools.ttLib import TTFont

from sohoa.synth.fonts import FONT_SETS, available_families, pick_family, use_font_set

VIETNAMESE = "ĐđƠơƯưĂăÂâÊêÔôẠảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"


def test_unseen_set_shares_no_face_with_the_standard_set() -> None:
    standard = {fam.regular for fam, _ in FONT_SETS["standard"]}
    unseen = {fam.regular for fam, _ in FONT_SETS["unseen"]}
    assert standard.isdisjoint(unseen)


def test_use_font_set_switches_families_inside_the_block_only() -> None:
    rng = random.Random(0)
    unseen = {fam.name for fam, _ in FONT_SETS["unseen"]}
    with use_font_set("unseen"):
        picked = {pick_family(rng).name for _ in range(50)}
    assert picked <= unseen and len(picked) > 3
    assert {fam.name for fam, _ in available_families()}.isdisjoint(unseen)


def test_unseen_faces_are_installed_and_carry_vietnamese() -> None:
    with use_font_set("unseen"):
        families = available_families()
    assert len(families) == len(FONT_SETS["unseen"]), "scripts/setup.sh --dev installs them"
    for fam, _ in families:
        for style in ("regular", "bold", "italic", "bold_italic"):
            cmap = TTFont(fam.path(style), lazy=True).getBestCmap()
            missing = [ch for ch in VIETNAMESE if ord(ch) not in cmap]
            assert not missing, (fam.name, style, missing)


def test_unknown_font_set_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown font set"), use_font_set("comic"):
        pass
