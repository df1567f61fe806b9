"""Scanner simulation and file containers: determinism, dpi, rotation, compression."""

from __future__ import annotations

import hashlib
import io
import random

import numpy as np
import pikepdf
import pytest
from PIL import Image

from sohoa.synth import apply_scan, draw_params, render_document, write_pages
from sohoa.synth.scan import LEVELS


@pytest.fixture(scope="module")
def clean_page():
    return render_document("birth_certificate", random.Random(2), 300).pages[0]


@pytest.mark.parametrize("level", LEVELS)
def test_scan_is_deterministic_and_has_the_level_dpi(clean_page, level: str) -> None:
    outs = []
    for _ in range(2):
        rng = random.Random(11)
        params = draw_params(level, rng)
        outs.append(apply_scan(clean_page.image, 300, params, rng))
    a, b = (np.asarray(o) for o in outs)
    assert np.array_equal(a, b)
    limit = {"mild": 1, "medium": 3, "hard": 8}[level]
    assert abs(params.skew) <= limit
    assert params.dpi in {"mild": {300}, "medium": {200, 240, 300}, "hard": {150, 200}}[level]
    short, long_ = sorted(outs[0].size)
    assert abs(long_ - round(297 / 25.4 * params.dpi)) <= 2
    assert abs(short - round(210 / 25.4 * params.dpi)) <= 2


def test_turned_pages_and_forced_600_dpi(clean_page) -> None:
    rng = random.Random(0)
    turned = [p for p in (draw_params("hard", rng) for _ in range(200)) if p.rotation]
    assert {p.rotation for p in turned} == {90, 180, 270}
    assert not any(draw_params("mild", rng).rotation for _ in range(100))
    p = draw_params("medium", random.Random(4), dpi=600)
    assert p.dpi == 600
    quarter = next(p for p in turned if p.rotation in (90, 270))
    img = apply_scan(clean_page.image, 300, quarter, random.Random(1))
    assert img.width > img.height  # a portrait page turned a quarter lies landscape


def test_colour_survives_a_medium_scan() -> None:
    page = render_document("birth_certificate", random.Random(2), 200).pages[0]
    rng = random.Random(5)
    img = np.asarray(apply_scan(page.image, 200, draw_params("medium", rng), rng)).astype(int)
    red = (img[..., 0] - img[..., 1] > 60) & (img[..., 0] > 120)
    blue = (img[..., 2] - img[..., 0] > 40) & (img[..., 2] > 90)
    assert red.sum() > 500 and blue.sum() > 100  # seal and signature


def _pages(tmp_path, n=2):
    imgs = []
    for i in range(n):
        im = Image.new("RGB", (850, 1100), (250, 250, 245))
        im.paste((10, 10, 10), (100 + i * 50, 200, 700, 260))
        im.info["dpi"] = (100, 100)
        imgs.append(im)
    return imgs


@pytest.mark.parametrize("fmt", ["tiff", "tiff-g4", "pdf"])
def test_multi_page_containers_round_trip(tmp_path, fmt: str) -> None:
    path = write_pages(tmp_path / f"x.{fmt}", _pages(tmp_path, 3), fmt)
    if fmt == "pdf":
        pdf = pikepdf.open(path)
        assert len(pdf.pages) == 3
        box = [float(v) for v in pdf.pages[0].mediabox]
        assert box[2:] == pytest.approx([850 * 72 / 100, 1100 * 72 / 100], abs=0.5)
        (raw,) = pdf.pages[0].get_images().values()
        assert raw.Filter == pikepdf.Name.DCTDecode
        assert "/CreationDate" not in pdf.docinfo  # reproducible bytes
        return
    with Image.open(path) as im:
        assert im.n_frames == 3
        for k in range(3):
            im.seek(k)
            assert round(im.info["dpi"][0]) == 100
            want = "group4" if fmt == "tiff-g4" else "tiff_lzw"
            assert im.info["compression"] == want
            assert im.mode == ("1" if fmt == "tiff-g4" else "RGB")


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_single_page_containers_keep_dpi(tmp_path, fmt: str) -> None:
    path = write_pages(tmp_path / f"x.{fmt}", _pages(tmp_path, 1), fmt)
    with Image.open(path) as im:
        assert round(im.info["dpi"][0]) == 100
    with pytest.raises(ValueError):
        write_pages(tmp_path / f"y.{fmt}", _pages(tmp_path, 2), fmt)


def test_pdf_bytes_are_reproducible(tmp_path) -> None:
    a = write_pages(tmp_path / "a.pdf", _pages(tmp_path), "pdf").read_bytes()
    b = write_pages(tmp_path / "b.pdf", _pages(tmp_path), "pdf").read_bytes()
    assert hashlib.sha256(a).digest() == hashlib.sha256(b).digest()
    assert pikepdf.open(io.BytesIO(a))
