"""Document types: the printed title and the trained n-gram model, on generated documents
with the damage OCR does, page by page and whole."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest

from sohoa import ocr_models
from sohoa.ocr_models.train_classifier import damaged
from sohoa.pipeline.classify import classify, match_title, text_model
from sohoa.pipeline.vntext import fold, nfc
from sohoa.synth.documents import DOC_TYPES, render_document


def test_fold_and_nfc() -> None:
    assert fold("GIẤY  Chứng nhận\nĐĂNG KÝ") == "giay chung nhan dang ky"
    assert fold("Giay Chung Nhan Dang Ky") == fold("GIẤY CHỨNG NHẬN ĐĂNG KÝ")
    decomposed = "Nguye\u0302\u0303n  Va\u0306n"
    assert nfc(decomposed) == "Nguyễn Văn"


@pytest.mark.parametrize(
    ("text", "doc_type"),
    [
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nGIẤY KHAI SINH\n(Bản chính)", "birth_certificate"),
        ("CONG HOA XA HOI\nGIAY KHAI SlNH", "birth_certificate"),  # no marks, l for I
        ("UBND XÃ AN BÌNH\nGIẤY CHỨNG NHẬN KẾT HỒN", "marriage_certificate"),
        ("TỜ KHAI ĐĂNG KÝ KHAI SINH", "application_form"),  # a form, though it says KHAI SINH
        ("ĐƠN ĐỀ NGHỊ XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ", "application_form"),
        ("XÁC NHẬN THÔNG TIN VỀ CƯ TRÚ", "residence_confirmation"),
        ("NHỮNG NGƯỜI TRONG HỘ\nSTT Họ và tên", "household_register"),  # the booklet's page 2
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n^ CÂN CƯỚC", "citizen_id_card"),  # a mark before
    ],
)
def test_titles_are_matched_tolerantly_and_the_longest_wins(text: str, doc_type: str) -> None:
    found = match_title(text)
    assert found is not None and found[0] == doc_type


def test_a_sentence_is_not_a_title() -> None:
    assert match_title("Đơn vị cấp: Công an huyện\nGiấy khai sinh kèm theo bản sao") is None


def test_the_versioned_model_loads_and_covers_every_type() -> None:
    model = text_model()
    assert model is not None, "run python -m sohoa.ocr_models.train_classifier"
    assert set(model.doc_types) == set(DOC_TYPES)
    assert ocr_models.classifier_model_path().with_name("training-report.md").is_file()


def _documents(seed: int, per_type: int):
    rng = random.Random(seed)
    return [(t, render_document(t, rng, dpi=100)) for t in DOC_TYPES for _ in range(per_type)]


def test_damaged_documents_of_another_seed_are_classified_whole_and_by_page() -> None:
    rng = random.Random(5)
    wrong, pages = [], 0
    for doc_type, doc in _documents(seed=4242, per_type=4):
        found = classify(damaged(doc.text, rng, 0.12))
        sure = found.confidence >= 0.8 or doc_type == "unknown"  # "none of these" is weaker
        if found.doc_type != doc_type or not sure:
            wrong.append((doc_type, found))
        for page in doc.pages:
            pages += 1
            if classify(damaged(page.text, rng, 0.12)).doc_type != doc_type:
                wrong.append((doc_type, "page", page.text[:60]))
    assert not wrong, wrong
    assert pages > len(DOC_TYPES) * 4  # some documents have several pages


def test_title_and_text_disagreeing_is_not_sure() -> None:
    (_, birth), *_ = [d for d in _documents(seed=77, per_type=1) if d[0] == "birth_certificate"]
    lines = birth.text.splitlines()
    swapped = "\n".join(
        "GIẤY CHỨNG NHẬN KẾT HÔN" if line == "GIẤY KHAI SINH" else line for line in lines
    )
    assert classify(birth.text).confidence > 0.9
    assert classify(swapped).confidence < 0.8


def test_text_about_nothing_known_is_unknown() -> None:
    found = classify("Kính gửi anh chị em trong tổ dân phố\nHẹn gặp lại vào thứ bảy tuần sau.")
    assert found.doc_type == "unknown"


def test_training_runs_and_writes_a_model_that_reads(tmp_path, monkeypatch) -> None:
    """The training script end to end, small: the versioned model is its output."""
    model_path = tmp_path / "doc_type_model.npz"
    code = (
        "import sohoa.ocr_models as m, pathlib;"
        f"m.classifier_model_path = lambda: pathlib.Path({str(model_path)!r});"
        "import sohoa.ocr_models.train_classifier as t, sys;"
        "sys.argv = ['t', '--per-type', '3', '--damage', '1']; t.main()"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "held-out accuracy" in (tmp_path / "training-report.md").read_text("utf-8")
    with np.load(model_path) as data:
        assert data["weights"].shape == (len(DOC_TYPES), 2**16)


def test_a_card_qr_code_decides_a_page_whose_text_is_lost():
    """The hard scan of a card: its 5-pt print is illegible, its QR code is not."""
    from sohoa.pipeline.classify import classify_pages
    from sohoa.pipeline.models import Barcode

    from .field_fixtures import page_of

    payload = "001095012345||Nguyễn Văn An|12031995|Nam|Số 5, phố Huế, Hà Nội|01022022"
    garbled = ["Dat£ øc th! 'Netiona\\WV:", "gtuird 29/1371 việt Na"]
    without = classify_pages([page_of(garbled)])
    assert without.doc_type != "citizen_id_card" or without.confidence < 0.8
    page = page_of(garbled, barcodes=(Barcode("QRCode", payload, (0, 0, 90, 90)),))
    card = classify_pages([page])
    assert card.doc_type == "citizen_id_card" and card.confidence >= 0.8
    separator = page_of(
        [], barcodes=(Barcode("QRCode", "000.00.15.H26-251124-0001", (0, 0, 9, 9)),)
    )
    assert classify_pages([separator]).doc_type != "citizen_id_card"


def test_a_members_table_without_id_numbers_is_a_household_registers():
    from sohoa.pipeline.classify import layout_cues

    from .field_fixtures import page_of

    register = page_of(["NHỮNG NGƯỜI TRONG HỘ", "STT Họ và tên Ngày sinh Quan hệ với chủ hộ"])
    assert ("household_register", 0.7) in layout_cues([register])
    ct07 = page_of(["TT Họ, chữ đệm và tên Ngày sinh Giới tính Số ĐDCN Quan hệ"])
    assert layout_cues([ct07]) == []
