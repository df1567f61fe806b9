"""The clean-up stages, each on generated scans with known truth (fixed seeds)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from sohoa.pipeline.preprocess import (
    CleanOptions,
    analysis_ink,
    binarize,
    clean_page,
    crop_borders,
    denoise,
    detect_orientation,
    estimate_skew,
    find_dotted_leaders,
    flatten_illumination,
    is_blank,
    remove_rules,
    suppress_seal_and_signature,
    to_grey,
)

sys.path.insert(0, str(Path(__file__).parent))
from preprocess_fixtures import (
    dark_border,
    degrade,
    render_filled_line,
    render_form,
    render_line,
    skew,
    turn,
)

DPI = 300.0


@pytest.fixture(scope="module")
def form():
    return render_form(DPI)


def ink_of(grey: np.ndarray) -> np.ndarray:
    return (grey < 128).astype(np.uint8) * 255


def test_clean_page_returns_a_grey_page_and_its_transform(form) -> None:
    cleaned = clean_page(form.image, DPI)
    assert cleaned.image.dtype == np.uint8 and cleaned.image.ndim == 2
    height, width = form.image.shape[:2]
    assert cleaned.image.shape[0] < height and cleaned.image.shape[1] < width  # cut to its ink
    whole = clean_page(form.image, DPI, CleanOptions(crop_to_content=False))
    assert whole.image.shape == form.image.shape[:2]
    assert set(np.unique(cleaned.image)) <= {0, 255}
    assert cleaned.dpi == DPI and cleaned.rotation == 0 and abs(cleaned.skew) < 0.1
    assert not cleaned.blank
    assert cleaned.to_original.shape == (2, 3) and cleaned.to_original.dtype == np.float64
    assert {"colour", "orientation", "skew", "flatten", "binarize", "rules"} <= set(cleaned.timings)


@pytest.mark.parametrize(("turned", "angle"), [(0, 4.0), (90, -2.5), (180, 1.5), (270, 6.0)])
def test_to_original_maps_a_mark_back_onto_the_scan(form, turned: int, angle: float) -> None:
    page = form.image.copy()
    x, y = 1500, 2900  # a filled square in an empty stretch of the page
    cv2.rectangle(page, (x - 20, y - 20), (x + 20, y + 20), (0, 0, 0), -1)
    scan = turn(skew(page, angle), turned)
    cleaned = clean_page(scan, DPI)

    def centre(grey: np.ndarray, near: tuple[float, float] | None = None) -> np.ndarray:
        count, _, stats, centroids = cv2.connectedComponentsWithStats(ink_of(grey))
        squares = [
            i
            for i in range(1, count)
            if 35 <= stats[i, 2] <= 60 and 35 <= stats[i, 3] <= 60 and stats[i, 4] > 1400
        ]
        assert squares
        return centroids[squares[0]]

    expected = centre(to_grey(scan))
    found = centre(cleaned.image)
    mapped = cleaned.to_original @ np.array([found[0], found[1], 1.0])
    assert cleaned.rotation == (360 - turned) % 360
    assert np.hypot(*(mapped - expected)) < 3.0


def test_a_600_dpi_page_is_reduced_and_maps_back_at_scale(form) -> None:
    big = cv2.resize(form.image, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    cleaned = clean_page(big, 2 * DPI, CleanOptions(crop_to_content=False))
    assert cleaned.dpi == DPI
    assert cleaned.image.shape == form.image.shape[:2]
    corner = cleaned.to_original @ np.array([100.0, 200.0, 1.0])
    assert np.allclose(corner, [200.0, 400.0], atol=0.5)


def test_an_implausible_dpi_is_taken_for_a4(form) -> None:
    options = CleanOptions(crop_to_content=False)
    cleaned = clean_page(form.image, 72, options)  # a scanner that writes the screen default
    assert abs(cleaned.dpi - DPI) < 3
    assert cleaned.image.shape == form.image.shape[:2]


@pytest.mark.parametrize("turned", [0, 90, 180, 270])
def test_detect_orientation_finds_the_quarter_turn(form, turned: int) -> None:
    scan = turn(skew(degrade(form.image, seed=turned), 2.0), turned)
    ink, _ = analysis_ink(to_grey(scan), DPI)
    assert detect_orientation(ink) == (360 - turned) % 360


@pytest.mark.parametrize("angle", [-8.7, -2.3, 0.0, 0.6, 4.1, 9.5])
def test_estimate_skew_within_a_tenth_of_a_degree(form, angle: float) -> None:
    grey = to_grey(skew(form.image, angle))
    ink, _ = analysis_ink(grey, DPI)
    assert abs(estimate_skew(ink) - angle) <= 0.1


def test_flatten_illumination_evens_out_shadow_and_yellow_paper(form) -> None:
    grey = to_grey(degrade(form.image, seed=3, noise=4.0))
    paper = ink_of(to_grey(form.image)) == 0
    before = grey[paper]
    after = flatten_illumination(grey, DPI)[paper]
    assert np.percentile(before, 95) - np.percentile(before, 5) > 50
    assert np.percentile(after, 5) > 225  # the shadowed side is paper white again
    assert np.count_nonzero(binarize(flatten_illumination(grey, DPI))[paper] == 0) < (
        0.002 * paper.sum()
    )


def test_dotted_leaders_go_and_diacritics_stay() -> None:
    line = render_line("Họ tên: Phạm Thị Ngọc Bích", DPI, leader_mm=70)
    ink = 255 - binarize(line.image)
    leaders = find_dotted_leaders(ink, DPI)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink)
    erased = {int(v) for v in np.unique(labels[leaders > 0]) if v}
    dots_right = {i for i in range(1, count) if stats[i, 0] > line.text_right}
    assert dots_right and dots_right <= erased  # every dot of the leader
    assert all(stats[i, 0] > line.text_right for i in erased)  # nothing of the text
    # the four dots below (ạ, ị, ọ and the colon's lower dot) are all still there
    kept = remove_rules(line.image, ink, DPI)[0]
    left = (slice(None), slice(0, line.text_right))
    assert np.array_equal(kept[left], line.image[left])


@pytest.mark.parametrize("degrees", [0.0, 0.15])
def test_leader_dots_between_typed_words_go_too(degrees: float) -> None:
    """A value typed over a leader leaves two or three dots in each word gap: too few to be
    a row of their own, yet Tesseract reads them as "TRẦN.NGỌC.LÂM". A residual skew below
    the deskew threshold must not split the leader's baseline either."""
    label, value = "Họ và tên:", "TRẦN NGỌC LÂM Số 207/88 đường Phạm Văn Đồng"

    def tiny_marks(image: np.ndarray) -> int:
        """Dots and diacritics: components no taller than a leader dot."""
        count, _, stats, _ = cv2.connectedComponentsWithStats(255 - binarize(image))
        return sum(stats[i, cv2.CC_STAT_HEIGHT] <= DPI * 0.8 / 25.4 for i in range(1, count))

    def prepared(image: np.ndarray) -> np.ndarray:
        return skew(image, degrees) if degrees else image

    filled = prepared(render_filled_line(label, value, DPI).image)
    without_dots = prepared(render_filled_line(label, value, DPI, dots=False).image)
    cleaned = remove_rules(filled, 255 - binarize(filled), DPI)[0]
    assert tiny_marks(filled) > tiny_marks(without_dots) + 25  # the leader's dots
    # every leader dot is gone, and every diacritic (tildes, dots below) is still there
    assert tiny_marks(cleaned) == tiny_marks(without_dots)


def test_remove_rules_erases_table_lines_but_not_cell_text(form) -> None:
    grey = to_grey(form.image)
    binary = binarize(flatten_illumination(grey, DPI))
    ink = 255 - binary
    _, kept = remove_rules(binary, ink, DPI)
    x0, y0, x1, y1 = form.table_box
    table_before = ink[y0:y1, x0:x1]
    table_after = kept[y0:y1, x0:x1]
    # no long horizontal run survives in the table
    runs = cv2.morphologyEx(table_after, cv2.MORPH_OPEN, np.ones((1, 60), np.uint8))
    assert not runs.any()
    # the cell text is intact: more than 90 % of the non-rule ink is still there
    text = cv2.morphologyEx(table_before, cv2.MORPH_OPEN, np.ones((1, 60), np.uint8))
    text = cv2.bitwise_or(text, cv2.morphologyEx(table_before, cv2.MORPH_OPEN, np.ones((60, 1))))
    letters = cv2.bitwise_and(table_before, cv2.bitwise_not(cv2.dilate(text, np.ones((5, 5)))))
    assert np.count_nonzero(cv2.bitwise_and(letters, table_after)) > 0.9 * np.count_nonzero(letters)


def test_seal_and_signature_fade_but_black_text_under_the_seal_stays(form) -> None:
    grey = suppress_seal_and_signature(form.image, DPI)
    x, y, w, h = form.seal_box
    plain = to_grey(form.image)
    red = (form.image[:, :, 2] > 150) & (form.image[:, :, 1] < 100)
    region = np.zeros(red.shape, bool)
    region[y : y + h, x : x + w] = True
    assert np.count_nonzero(ink_of(plain)[red & region]) > 1000  # the seal is dark in grey
    assert np.count_nonzero(ink_of(grey)[red & region]) < 0.01 * np.count_nonzero(red & region)
    blue = (form.image[:, :, 0] > 150) & (form.image[:, :, 2] < 100)
    assert np.count_nonzero(ink_of(grey)[blue]) < 0.01 * np.count_nonzero(blue)
    black = np.all(form.image < 60, axis=2) & region  # printed name under the seal
    assert black.sum() > 500
    assert np.count_nonzero(grey[black] < 100) > 0.98 * black.sum()


def test_red_serial_inside_a_red_border_stays_while_the_seal_fades(form) -> None:
    """A land-use certificate: its red border is no seal, and must not take the red
    serial it surrounds away with the seal."""
    page = form.image.copy()
    red = (40, 40, 200)  # BGR
    cv2.rectangle(page, (60, 60), (page.shape[1] - 60, page.shape[0] - 60), red, 8)
    cv2.putText(page, "BK 627187", (200, page.shape[0] - 200), cv2.FONT_HERSHEY_SIMPLEX, 2, red, 6)
    serial = np.zeros(page.shape[:2], bool)
    serial[page.shape[0] - 260 : page.shape[0] - 180, 200:700] = True
    serial &= (page[:, :, 2] > 150) & (page[:, :, 1] < 100)
    grey = suppress_seal_and_signature(page, DPI)
    assert serial.sum() > 500
    assert np.count_nonzero(grey[serial] < 128) > 0.95 * serial.sum()
    x, y, w, h = form.seal_box
    seal = np.zeros(serial.shape, bool)
    seal[y : y + h, x : x + w] = True
    seal &= (form.image[:, :, 2] > 150) & (form.image[:, :, 1] < 100)
    assert np.count_nonzero(ink_of(grey)[seal]) < 0.01 * seal.sum()


def test_a_form_filled_in_by_blue_pen_keeps_its_handwriting(form) -> None:
    """Blue ink is a signature when it is taller than a line of writing; the values a
    citizen wrote into a form's fields must stay for the OCR."""
    page = form.image.copy()
    blue = (140, 45, 28)  # BGR ballpoint
    y = page.shape[0] // 2
    cv2.putText(
        page, "Nguyen Van An 12/03/1995", (300, y), cv2.FONT_HERSHEY_SCRIPT_SIMPLEX, 1.6, blue, 3
    )
    written = np.zeros(page.shape[:2], bool)
    written[y - 60 : y + 20, 300:1400] = True
    written &= (page[:, :, 0] > 120) & (page[:, :, 2] < 60)
    grey = suppress_seal_and_signature(page, DPI)
    assert written.sum() > 1000
    assert np.count_nonzero(grey[written] < 128) > 0.95 * written.sum()


def test_crop_borders_whitens_a_dark_scanner_lid(form) -> None:
    scan = to_grey(dark_border(skew(form.image, 3.0), 10, DPI))
    cleaned, whitened = crop_borders(scan, DPI)
    pad = round(DPI * 10 / 25.4)
    assert whitened > 0
    frame = np.ones(scan.shape, bool)
    frame[pad + 40 : -pad - 40, pad + 40 : -pad - 40] = False
    assert np.count_nonzero(cleaned[frame] < 128) < 0.001 * frame.sum()
    inside = (slice(pad + 40, -pad - 40), slice(pad + 40, -pad - 40))
    assert np.array_equal(cleaned[inside], scan[inside])  # the page itself is untouched


def test_is_blank_ignores_yellow_paper_noise_and_borders() -> None:
    paper = np.full((3508, 2480, 3), 255, np.uint8)
    blank_scan = dark_border(degrade(paper, seed=5), 6, DPI)
    assert clean_page(blank_scan, DPI).blank
    line = render_line("Trang 2", DPI, leader_mm=0).image
    page = np.full((3508, 2480), 255, np.uint8)
    page[1700 : 1700 + line.shape[0], 1000 : 1000 + line.shape[1]] = line
    assert not is_blank(flatten_illumination(page, DPI), DPI)
    assert not clean_page(cv2.cvtColor(page, cv2.COLOR_GRAY2BGR), DPI).blank


def test_grey_output_when_binarize_is_off(form) -> None:
    cleaned = clean_page(degrade(form.image, seed=9), DPI, CleanOptions(binarize=False))
    assert len(np.unique(cleaned.image)) > 2
    assert np.percentile(cleaned.image, 50) == 255  # paper flattened to white


def test_clean_page_is_fast_at_300_dpi(form) -> None:
    scan = dark_border(degrade(skew(form.image, -3.0), seed=11), 5, DPI)
    clean_page(scan, DPI)  # warm the caches
    started = time.perf_counter()
    clean_page(scan, DPI)
    # the budget is 0.3 s on a quiet core; leave room for a loaded test machine
    assert time.perf_counter() - started < 0.9


@pytest.mark.parametrize(
    ("doc_type", "seed"),
    [("land_use_certificate", 1), ("household_register", 5), ("marriage_certificate", 2)],
)
@pytest.mark.parametrize("turn_by", [0, 90])
def test_frames_borders_and_tables_do_not_turn_the_page(
    doc_type: str, seed: int, turn_by: int
) -> None:
    """A certificate's frame, a register's table rules and a dark scanner border are as
    sharp along one axis as across it. On badly scanned pages they turned upright pages a
    quarter (these three among them) before ``text_ink`` left them out of the test."""
    import random
    from dataclasses import replace

    from sohoa.synth import apply_scan, draw_params, render_document

    rng = random.Random(seed)
    document = render_document(doc_type, rng, 300)
    params = replace(draw_params("hard", rng), rotation=0)
    scan = apply_scan(document.pages[0].image, 300, params, rng)
    image = np.ascontiguousarray(np.asarray(scan.convert("RGB"))[..., ::-1])
    cleaned = clean_page(turn(image, turn_by), params.dpi)
    assert (cleaned.rotation + turn_by) % 360 == 0


def test_denoise_drops_specks_but_keeps_the_strokes_of_small_print() -> None:
    """ID cards print their labels at 5-6 pt: strokes of one or two pixels at 300 dpi,
    which the 3x3 median used before thinned into broken letters."""
    from PIL import Image, ImageDraw, ImageFont
    from preprocess_fixtures import FONT

    strip = Image.new("L", (900, 80), 255)
    font = ImageFont.truetype(FONT, round(5.5 * DPI / 72))
    ImageDraw.Draw(strip).text((10, 20), "Họ và tên / Full name: Ngày sinh", font=font, fill=0)
    text = binarize(np.asarray(strip))
    noisy = text.copy()
    rng = np.random.default_rng(5)
    ys, xs = rng.integers(0, 80, 60), rng.integers(0, 900, 60)
    near_ink = cv2.dilate(255 - text, np.ones((5, 5), np.uint8))
    clear = near_ink[ys, xs] == 0
    noisy[ys[clear], xs[clear]] = 0  # one-pixel specks on the paper, apart from letters
    cleaned = denoise(noisy, DPI)
    assert np.count_nonzero(noisy != text) > 40
    assert np.array_equal(cleaned == 0, text == 0)


@pytest.mark.parametrize("seed", [5, 9, 24])
def test_a_dark_scanner_border_does_not_hide_the_skew(seed: int) -> None:
    """The edges of a dark scanner border run along the scan's axes, not the page's: they
    made a page skewed by 5-7 degrees look straight (skew 0) until the skew, like the
    orientation, was judged on text ink only."""
    import random
    from dataclasses import replace

    from sohoa.synth import apply_scan, draw_params, render_document

    rng = random.Random(seed)
    document = render_document("application_form", rng, 300)
    params = replace(draw_params("hard", rng), rotation=0)
    assert params.border == "dark" and abs(params.skew) > 5
    scan = apply_scan(document.pages[0].image, 300, params, rng)
    image = np.ascontiguousarray(np.asarray(scan.convert("RGB"))[..., ::-1])
    assert clean_page(image, params.dpi).skew == pytest.approx(params.skew, abs=0.2)


def test_small_pages_go_to_the_ocr_grey_and_pages_binary(form) -> None:
    """An ID card scanned on its own (86 x 54 mm, with a margin of scanner bed) prints its
    labels at 5-7 pt, which a threshold breaks; an A4 page is read from the binary image."""
    line = render_line("Họ và tên / Full name: NGUYỄN VĂN AN", DPI, leader_mm=0).image
    card = np.full((round(70 / 25.4 * DPI), round(100 / 25.4 * DPI)), 235, np.uint8)
    card[300 : 300 + line.shape[0], 60 : 60 + line.shape[1]] = line
    assert len(np.unique(clean_page(card, DPI).image)) > 2
    assert set(np.unique(clean_page(form.image, DPI).image)) <= {0, 255}


def test_a_card_on_an_a4_bed_is_cut_out_enlarged_and_maps_back() -> None:
    """An ID card scanned on a full A4 bed is read like a card scanned alone: cut out with a
    small margin, grey, enlarged; the transform still leads back to the A4 scan."""
    line = render_line("Họ và tên / Full name: NGUYỄN VĂN AN", DPI, leader_mm=0, size_pt=6).image
    a4 = np.full((3508, 2480), 235, np.uint8)
    card = np.full((round(54 / 25.4 * DPI), round(86 / 25.4 * DPI)), 245, np.uint8)
    card[120 : 120 + line.shape[0], 40 : 40 + line.shape[1]] = line
    a4[500 : 500 + card.shape[0], 400 : 400 + card.shape[1]] = card
    cleaned = clean_page(a4, DPI)
    assert cleaned.dpi == pytest.approx(2 * DPI)
    assert len(np.unique(cleaned.image)) > 2  # grey, not binary
    width = cleaned.image.shape[1]
    assert width / cleaned.dpi * 25.4 < 86 + 8  # the line and a margin, not the A4 page
    ys, xs = np.nonzero(cleaned.image < 128)
    first = cleaned.to_original @ np.array([xs.min(), ys.min(), 1.0])
    line_ys, line_xs = np.nonzero(line < 128)
    expected = [400 + 40 + line_xs.min(), 500 + 120 + line_ys.min()]
    assert first == pytest.approx(expected, abs=4)
    plain = clean_page(a4, DPI, CleanOptions(crop_to_content=False, enlarge_small=1.0))
    assert plain.image.shape == a4.shape


def test_pages_are_cut_to_their_ink_and_a_short_note_is_neither_enlarged_nor_blank() -> None:
    """A short note in body type on an A4 sheet: cut to its ink with a margin, still read
    binary at the page's resolution, and not blank (its ink lies near the cut edges)."""
    note = np.full((3508, 2480), 255, np.uint8)
    for row, text in enumerate(["GIẤY BIÊN NHẬN HỒ SƠ", "Họ và tên: TRẦN VĂN BÌNH"]):
        line = render_line(text, DPI, leader_mm=0, size_pt=13).image
        note[400 + 160 * row : 400 + 160 * row + line.shape[0], 300 : 300 + line.shape[1]] = line
    cleaned = clean_page(note, DPI)
    assert cleaned.dpi == DPI and set(np.unique(cleaned.image)) <= {0, 255}
    assert cleaned.image.shape[0] < 600 and cleaned.image.shape[1] < 1500
    assert not cleaned.blank
    ys, xs = np.nonzero(cleaned.image == 0)
    first = cleaned.to_original @ np.array([xs.min(), ys.min(), 1.0])
    note_ys, note_xs = np.nonzero(note < 128)
    assert first == pytest.approx([note_xs.min(), note_ys.min()], abs=3)


def test_signatures_and_photos_go_but_title_and_text_stay() -> None:
    """What Tesseract would read as "—Õ ~" or "ZZ^": a signature's stroke (here a flat
    one, 6 mm high) and an ID photo; a 16-pt bold title and body text beside them stay."""
    import random

    from sohoa.pipeline.preprocess import find_pictures
    from sohoa.synth.marks import signature

    mm = DPI / 25.4
    ink = np.zeros((round(80 * mm), round(180 * mm)), np.uint8)
    for row, (text, size) in enumerate([("GIẤY CHỨNG NHẬN KẾT HÔN", 16), ("Họ và tên: AN", 11)]):
        line = 255 - render_line(text, DPI, leader_mm=0, size_pt=size).image
        ink[round(row * 12 * mm) : round(row * 12 * mm) + line.shape[0], : line.shape[1]] = line
    text = ink.copy()
    scribble = np.asarray(signature(random.Random(3), round(40 * mm), round(6 * mm), pen=3))
    stroke = np.where(scribble[..., 3] > 100, 255, 0).astype(np.uint8)
    top, left = round(40 * mm), round(10 * mm)
    ink[top : top + stroke.shape[0], left : left + stroke.shape[1]] |= stroke
    photo = np.zeros((round(25 * mm), round(20 * mm)), np.uint8)
    cv2.ellipse(photo, (photo.shape[1] // 2, photo.shape[0]), (80, 160), 0, 180, 360, 255, -1)
    cv2.circle(photo, (photo.shape[1] // 2, 90), 55, 255, -1)
    top, left = round(40 * mm), round(120 * mm)
    ink[top : top + photo.shape[0], left : left + photo.shape[1]] = photo

    mask = find_pictures(ink, DPI)
    assert np.count_nonzero(mask & text) == 0
    picture_ink = cv2.bitwise_and(ink, cv2.bitwise_not(text))
    assert np.count_nonzero(picture_ink & ~mask) < 0.02 * np.count_nonzero(picture_ink)


def _word(font_path: str, text: str, size: int = 48) -> np.ndarray:
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(font_path, size)
    image = Image.new("L", (int(font.getlength(text)) + 40, size * 2), 255)
    ImageDraw.Draw(image).text((20, size // 3), text, font=font, fill=0)
    return np.asarray(image)


_DEJAVU = "/usr/share/fonts/truetype/dejavu/"


@pytest.mark.parametrize(
    "face", ["DejaVuSans-Oblique.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSans-BoldOblique.ttf"]
)
def test_an_italic_word_leans_and_is_sheared_upright(face: str) -> None:
    from sohoa.pipeline.preprocess.geometry import SLANT_FROM, estimate_slant, unslant

    word = _word(_DEJAVU + face, "28/11/1985")
    slant = estimate_slant(word)
    assert slant >= SLANT_FROM
    upright = unslant(word, slant)
    assert upright.shape[0] == word.shape[0] and upright.shape[1] > word.shape[1]
    assert abs(estimate_slant(upright)) < SLANT_FROM / 2


@pytest.mark.parametrize(
    ("face", "text"),
    [
        ("DejaVuSans.ttf", "079069687512"),
        ("DejaVuSerif-Bold.ttf", "079069687512"),  # blotted bold digits fooled a profile
        ("DejaVuSerif.ttf", "17/06/1964"),  # the slashes lean; the digits do not
    ],
)
def test_an_upright_word_does_not_lean(face: str, text: str) -> None:
    from sohoa.pipeline.preprocess.geometry import SLANT_FROM, estimate_slant

    assert abs(estimate_slant(_word(_DEJAVU + face, text))) < SLANT_FROM
