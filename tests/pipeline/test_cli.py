"""``sohoa extract`` end to end, as a user runs it: the console script in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from PIL import Image, ImageDraw, ImageFont

CONTRACT = Path(__file__).resolve().parents[1] / "data" / "contract" / "extract.schema.json"
SOHOA = str(Path(sys.executable).with_name("sohoa"))
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
LINES = [
    "GIẤY BIÊN NHẬN HỒ SƠ",
    "Họ và tên: TRẦN VĂN BÌNH",
    "Địa chỉ: xã Tân Lập, huyện Đan Phượng",
]


def sohoa(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SOHOA_HOME=str(cwd / "home"))
    return subprocess.run(
        [SOHOA, *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def write_page(path: Path, lines: list[str], fmt: str, dpi: int = 300) -> Path:
    font = ImageFont.truetype(FONT, round(13 * dpi / 72))
    page = Image.new("RGB", (round(8.27 * dpi), round(4 * dpi)), "white")
    draw = ImageDraw.Draw(page)
    for i, line in enumerate(lines):
        draw.text((round(0.8 * dpi), round((0.6 + 0.45 * i) * dpi)), line, font=font, fill="black")
    page.save(path, fmt, dpi=(dpi, dpi))
    return path


@pytest.fixture(scope="module")
def schema() -> dict:
    return json.loads(CONTRACT.read_text("utf-8"))


def test_extract_json_follows_the_contract_and_reads_the_text(tmp_path: Path, schema: dict) -> None:
    # A JPEG named .png: content decides, not the extension.
    scan = write_page(tmp_path / "bien-nhan.png", LINES, "JPEG")
    result = sohoa("extract", scan.name, "--json", "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == 1
    jsonschema.validate(objects[0], schema)
    assert objects[0]["source"] == "bien-nhan.png"
    assert objects[0]["pages"] == [1]
    assert objects[0]["text"].splitlines() == LINES


def test_multi_page_tiff_skips_blank_pages_and_numbers_pages_from_one(tmp_path: Path) -> None:
    pages = [write_page(tmp_path / f"p{i}.png", [line], "PNG") for i, line in enumerate(LINES)]
    images = [Image.open(p) for p in pages]
    blank = Image.new("RGB", images[0].size, "white")
    images[0].save(
        tmp_path / "stack.tif",
        save_all=True,
        append_images=[blank, *images[1:]],
        compression="tiff_lzw",
        dpi=(300, 300),
    )
    result = sohoa("extract", "stack.tif", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (document,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert document["pages"] == [1, 3, 4]
    assert document["text"].splitlines() == LINES


def test_bad_inputs_fail_alone_with_one_line_each(tmp_path: Path) -> None:
    good = write_page(tmp_path / "good.png", LINES[:1], "PNG")
    (tmp_path / "notes.png").write_text("this is not an image\n")
    (tmp_path / "empty.pdf").write_bytes(b"")
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    result = sohoa(
        "extract",
        "notes.png",
        "empty.pdf",
        good.name,
        truncated.name,
        "missing.tif",
        "--json",
        cwd=tmp_path,
    )
    assert result.returncode == 1
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == ["good.png"]
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 4, result.stderr
    assert "Traceback" not in result.stderr
    for name in ("notes.png", "empty.pdf", "truncated.png", "missing.tif"):
        assert sum(name in line for line in errors) == 1


def test_usage_error_exits_2(tmp_path: Path) -> None:
    result = sohoa("extract", "--jobs", "zero", "x.png", cwd=tmp_path)
    assert result.returncode == 2


def test_extract_names_the_document_type_of_a_generated_scan(tmp_path: Path) -> None:
    """A medium-quality scan of a generated birth certificate: type and confidence."""
    import random

    from sohoa.synth.documents import render_document
    from sohoa.synth.scan import apply_scan, draw_params

    rng = random.Random(21)
    doc = render_document("birth_certificate", rng, 300)
    params = draw_params("medium", rng)
    apply_scan(doc.pages[0].image, 300, params, rng).save(
        tmp_path / "giay.png", dpi=(params.dpi, params.dpi)
    )
    result = sohoa("extract", "giay.png", "--json", "--jobs", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (document,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert document["doc_type"] == "birth_certificate"
    assert document["doc_type_confidence"] >= 0.8
    assert document["fields"]["full_name"] == doc.fields["full_name"]
    assert document["fields"]["personal_id"] == doc.fields["personal_id"]

    # the readable view shows the fields, and --save keeps the JSON Lines beside it
    readable = sohoa("extract", "giay.png", "--save", "out.jsonl", "--jobs", "1", cwd=tmp_path)
    assert readable.returncode == 0, readable.stderr
    assert f"full_name: {doc.fields['full_name']}" in readable.stdout
    (saved,) = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert saved == document
