"""Corpus and batch generation: files, ground truth, determinism, separator sheets."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from sohoa.synth import GROUND_TRUTH, generate_batch, generate_corpus, separator_sheet
from sohoa.synth.__main__ import main


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_gives_byte_identical_corpus(tmp_path) -> None:
    kw = dict(seed=5, n_docs=4, levels=("mild", "hard"), formats=("png", "tiff-g4", "pdf"))
    generate_corpus(tmp_path / "a", **kw)
    generate_corpus(tmp_path / "b", **kw)
    da, db = _digests(tmp_path / "a"), _digests(tmp_path / "b")
    assert da == db and len(da) >= 2
    other = generate_corpus(tmp_path / "c", **{**kw, "seed": 6})
    assert _digests(tmp_path / "c") != da and other


def test_ground_truth_describes_every_file_and_page(tmp_path) -> None:
    records = generate_corpus(
        tmp_path,
        seed=2,
        per_type={"household_register": 2, "citizen_id_card": 1},
        formats=("jpeg", "tiff"),
    )
    lines = (tmp_path / GROUND_TRUTH).read_text(encoding="utf-8").splitlines()
    assert [json.loads(x) for x in lines] == json.loads(json.dumps(records))
    docs = [d for r in records for d in r["documents"]]
    assert sorted(d["doc_type"] for d in docs) == [
        "citizen_id_card",
        "household_register",
        "household_register",
    ]
    for rec in records:
        assert (tmp_path / rec["file"]).is_file()
        numbers = [p["page"] for p in rec["pages"]]
        assert numbers == list(range(1, len(numbers) + 1))
        for doc in rec["documents"]:
            assert doc["source"] == rec["file"]
            pages = [rec["pages"][n - 1] for n in doc["pages"]]
            assert all(p["doc_type"] == doc["doc_type"] for p in pages)
            assert doc["text"] == "\n".join(p["text"] for p in pages)
        for page in rec["pages"]:
            assert page["rotation"] in (0, 90, 180, 270)
            assert page["dpi"] >= 150
            if page["doc_type"] == "citizen_id_card":
                assert page["dpi"] >= 200
    multi = [d for d in docs if len(d["pages"]) == 2]
    for d in multi:  # a two-page register never lands in a single-page format
        assert not d["source"].endswith(".jpg")


def test_corpus_by_pages_reaches_the_count(tmp_path) -> None:
    records = generate_corpus(tmp_path, seed=3, n_pages=5, levels=("mild",), formats=("jpeg",))
    assert sum(len(r["pages"]) for r in records) >= 5


def test_batch_has_decodable_separators_in_front_of_each_dossier(tmp_path) -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    path = tmp_path / "batch.tif"
    rec = generate_batch(
        path, seed=4, n_dossiers=3, docs_per_dossier=(1, 2), level="mild", fmt="tiff"
    )
    assert (tmp_path / "batch.tif.gt.json").is_file()
    codes = [d["code"] for d in rec["dossiers"]]
    assert len(set(codes)) == 3
    with Image.open(path) as im:
        assert im.n_frames == len(rec["pages"])
        for dossier in rec["dossiers"]:
            im.seek(dossier["separator_page"] - 1)
            found = zxingcpp.read_barcodes(im.convert("L"))
            assert [b.text for b in found] == [dossier["code"]]
            for idx in dossier["documents"]:
                assert rec["documents"][idx]["dossier_code"] == dossier["code"]
    seps = [p for p in rec["pages"] if p["doc_type"] == "separator"]
    assert len(seps) == 3


def test_code128_separator_decodes() -> None:
    zxingcpp = pytest.importorskip("zxingcpp")
    code = "000.00.15.H26-251124-0001"
    page = separator_sheet(random.Random(1), 200, code, symbology="code128")
    found = zxingcpp.read_barcodes(page.image)
    assert [b.text for b in found] == [code]
    assert page.kind == "separator"


def test_cli_writes_a_corpus(tmp_path, capsys) -> None:
    assert (
        main(
            [
                "corpus",
                str(tmp_path / "out"),
                "--seed",
                "1",
                "--docs",
                "2",
                "--formats",
                "jpeg",
                "--levels",
                "mild",
            ]
        )
        == 0
    )
    assert "2 documents" in capsys.readouterr().out
    assert (tmp_path / "out" / GROUND_TRUTH).is_file()
