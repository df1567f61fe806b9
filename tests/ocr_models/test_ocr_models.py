"""The model decision and the word lists that travel with it."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from sohoa import ocr_models
from sohoa.pipeline.settings import load_settings


def test_user_words_are_the_syllables_of_the_phrases_in_three_casings() -> None:
    words = ocr_models.user_words_from_phrases(["# a comment", "Họ và tên", "", "HỌ VÀ TÊN"])
    assert words[:3] == ["họ", "Họ", "HỌ"]
    assert set(words) == {"họ", "Họ", "HỌ", "và", "Và", "VÀ", "tên", "Tên", "TÊN"}


def test_user_words_are_nfc_even_from_decomposed_input() -> None:
    decomposed = unicodedata.normalize("NFD", "Quốc tịch")
    words = ocr_models.user_words_from_phrases([decomposed])
    assert all(unicodedata.is_normalized("NFC", w) for w in words)
    assert "Quốc" in words


def test_committed_user_words_file_is_generated_from_the_phrases() -> None:
    """Whoever edits admin-phrases.txt must regenerate the list; this says when they forgot."""
    phrases = ocr_models.phrases_path().read_text(encoding="utf-8").splitlines()
    committed = ocr_models.user_words_path().read_text(encoding="utf-8").split()
    assert committed == ocr_models.user_words_from_phrases(phrases)


def test_settings_use_the_installed_model_unless_the_environment_says_otherwise(
    tmp_path: Path,
) -> None:
    installed = ocr_models.tessdata_dir()
    default = load_settings({"SOHOA_HOME": str(tmp_path)}).ocr.tesseract
    assert default.lang == ocr_models.default_lang()
    assert default.tessdata_dir == (str(installed) if installed else None)

    env = {"SOHOA_HOME": str(tmp_path), "SOHOA_OCR_LANG": "vie+eng", "SOHOA_TESSDATA_DIR": "/m"}
    override = load_settings(env).ocr.tesseract
    assert (override.lang, override.tessdata_dir) == ("vie+eng", "/m")


def test_setup_installs_the_chosen_model() -> None:
    """scripts/setup.sh runs install-ocr-models.sh; the suite runs after it."""
    found = ocr_models.tessdata_dir()
    assert found is not None, "run scripts/install-ocr-models.sh"
    # tessdata_best's network as integers: three times the size of Debian's tessdata_fast vie
    assert (found / "vie.traineddata").stat().st_size > 1_500_000
    # and Debian's fast network beside it, read first
    assert (found / "vie_fast.traineddata").stat().st_size < 1_500_000
    assert ocr_models.default_lang() == "vie_fast+vie"


def test_name_counts_cover_the_name_vocabulary_and_are_built_from_real_full_names(
    tmp_path: Path,
) -> None:
    import json
    import subprocess
    import sys

    from sohoa.pipeline.names import name_syllables

    rows = [
        line.split("\t")
        for line in ocr_models.name_counts_path().read_text("utf-8").splitlines()
        if not line.startswith("#")
    ]
    assert {row[0] for row in rows} == set(name_syllables().words)
    # middle, given: of everyone; then of women and of men
    counts = {row[0]: tuple(int(n) for n in row[1:]) for row in rows}
    assert counts["văn"][0] > 10 * counts["văn"][1]  # a middle name, rarely the given one
    assert counts["tuấn"][1] > 10 * counts["tuân"][1]
    assert counts["thị"][2] > 100 and counts["thị"][3] == 0  # a woman's middle name
    assert counts["chi"][4] > 10 * counts["chi"][5]  # Chi: a woman's given name
    assert counts["dũng"][5] > 10 * counts["dũng"][4]  # Dũng: a man's
    source, boys, girls = (tmp_path / n for n in ("uit_member.json", "boy.txt", "girl.txt"))
    names = ["Nguyễn Văn Tuấn", "Lê Tuấn Anh", "Trần Thị Vân", "Lê Tuân", "Samuel", "Lê Mai Chi"]
    source.write_text(json.dumps([{"full_name": n} for n in names]), encoding="utf-8")
    boys.write_text("Tuấn Anh\nAnh\n", encoding="utf-8")
    girls.write_text("Mai Chi\n", encoding="utf-8")
    output = tmp_path / "counts.tsv"
    build = [sys.executable, "-m", "sohoa.ocr_models.build_name_counts", str(source)]
    subprocess.run(
        [*build, str(boys), str(girls), "--output", str(output)], check=True, capture_output=True
    )
    built = dict(
        (line.split("\t", 1)[0], line.split("\t", 1)[1])
        for line in output.read_text("utf-8").splitlines()
        if not line.startswith("#")
    )
    # Nguyễn Văn Tuấn a man (Văn), Lê Tuấn Anh a man (a boy's name), Trần Thị Vân a woman
    # (Thị), Lê Mai Chi a woman (a girl's name); each list entry counts once more
    assert built["tuấn"] == "1\t1\t0\t2\t0\t1"
    assert built["văn"] == "1\t0\t0\t1\t0\t0"
    assert built["tuân"] == "0\t1\t0\t0\t0\t0"
    assert built["chi"] == "0\t1\t0\t0\t2\t0"
