"""The process-parallel runner: ordered, and safe in a parent that has used OpenCV."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from sohoa.pipeline.models import PageRef, SourceKind
from sohoa.pipeline.ocr import OcrSettings
from sohoa.pipeline.runner import PageFailure, read_pages

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _page(path: Path, text_rows: int) -> Path:
    """A 300-dpi strip with ``text_rows`` printed lines of Vietnamese."""
    image = Image.new("L", (1400, 120 + 90 * text_rows), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, 48)
    for row in range(text_rows):
        draw.text((60, 60 + 90 * row), f"Dòng chữ số {row + 1}", font=font, fill=0)
    image.save(path, dpi=(300, 300))
    return path


def test_outcomes_come_back_in_input_order_and_a_bad_page_fails_alone(tmp_path: Path) -> None:
    paths = [_page(tmp_path / f"p{i}.png", i + 1) for i in range(4)]
    broken = tmp_path / "broken.png"
    broken.write_bytes(paths[0].read_bytes()[:200])
    refs = [PageRef(str(p), 0, SourceKind.png) for p in [*paths[:2], broken, *paths[2:]]]
    outcomes = list(read_pages(refs, OcrSettings(), jobs=2))
    assert [o.ref for o in outcomes] == refs
    assert isinstance(outcomes[2], PageFailure)
    texts = [o.text for o in outcomes if not isinstance(o, PageFailure)]
    assert [t.count("Dòng") for t in texts] == [1, 2, 3, 4]


def test_workers_do_not_hang_after_the_parent_used_opencv_threads(tmp_path: Path) -> None:
    """Forked workers inherited OpenCV's thread pool with its locks held and hung in
    ``cv2.setNumThreads``; a benchmark that generated scans first never finished."""
    page = _page(tmp_path / "page.png", 2)
    script = textwrap.dedent(
        f"""
        import cv2, numpy as np
        for _ in range(3):
            cv2.GaussianBlur(np.zeros((2000, 2000), np.uint8), (31, 31), 0)
        from sohoa.pipeline.models import PageRef, SourceKind
        from sohoa.pipeline.ocr import OcrSettings
        from sohoa.pipeline.runner import read_pages
        if __name__ == "__main__":
            refs = [PageRef({str(page)!r}, 0, SourceKind.png)] * 3
            print(len(list(read_pages(refs, OcrSettings(), jobs=2))))
        """
    )
    script_path = tmp_path / "parent.py"
    script_path.write_text(script)
    done = subprocess.run(
        [sys.executable, str(script_path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3"
