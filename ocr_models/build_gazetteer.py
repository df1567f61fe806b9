"""Build ``ocr_models/validation/gazetteer.json.gz``: the names of Vietnam's administrative units.

    .venv/bin/python -m sohoa.ocr_models.build_gazetteer [--wheel-dir DIR ...] [--output PATH]

Provenance. The names come from the PyPI package ``vietnam-provinces`` (Nguyễn Hồng Quân,
https://github.com/sunshine-tech/VietnamProvinces), which republishes the General Statistics
Office's list (Tổng cục Thống kê, danh mục hành chính), in two versions:

* 0.6.0 (January 2025), the three-level divisions before July 2025 -- 63 provinces, their
  districts, their wards -- that almost every archived dossier was written under;
* 2025.10.1, the two-level divisions from 1 July 2025 -- 34 provinces, wards directly under
  them -- that new documents use.

One environment cannot install two versions of a package, and sohoa needs neither at run
time, so the package is no dependency: this script downloads both wheels with
``pip download --no-deps`` into a temporary folder (or reuses wheels found under
``--wheel-dir``), reads ``vietnam_provinces/data/nested-divisions.json`` straight from each
wheel and keeps only the names. The output is versioned data; its ``"source"`` records the
versions and the wheels' sha256, so a rebuild can be checked to give the same bytes.

Format (JSON, gzip'd, every string NFC; unit types lower case, apart from the bare name)::

    {"format": 1,
     "source": {...},
     "types": {"province": [...], "district": [...], "ward": [...]},
     "legacy": {"Hà Nội": {"type": "thành phố",
                           "districts": [{"type": "huyện", "name": "Đan Phượng",
                                          "wards": {"xã": ["Tân Lập", ...],
                                                    "thị trấn": ["Phùng"]}}, ...]}, ...},
     "current": {"Hà Nội": {"type": "thành phố", "wards": {"phường": [...], "xã": [...]}}},
     "legacy_aliases": {"Thừa Thiên Huế": {"type": "tỉnh", "units_of": "Huế"}}}

Districts are a list, not a map: one province may hold a town and a district of one name
("thị xã Kỳ Anh" and "huyện Kỳ Anh"). ``legacy_aliases`` holds a hand-kept former name the
0.6.0 snapshot no longer has: Thừa Thiên Huế became the centrally governed city of Huế on
1 January 2025, days before that snapshot, but every earlier dossier says "tỉnh Thừa Thiên
Huế".
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

from sohoa import ocr_models

PACKAGE = "vietnam-provinces"
LEGACY_VERSION = "0.6.0"
CURRENT_VERSION = "2025.10.1"
NESTED_JSON = "vietnam_provinces/data/nested-divisions.json"
LEGACY_ALIASES = {"Thừa Thiên Huế": {"type": "tỉnh", "units_of": "Huế"}}

# printed prefixes of the package's full names, longest first where one starts another
PROVINCE_TYPES = ("Thành phố", "Tỉnh")
DISTRICT_TYPES = ("Thành phố", "Thị xã", "Quận", "Huyện")
WARD_TYPES = ("Thị trấn", "Phường", "Xã", "Đặc khu")

Json = dict[str, Any]


def nfc(text: str) -> str:
    """NFC with single spaces: the package is NFC today, but the output must stay NFC."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def split_type(full: str, prefixes: tuple[str, ...]) -> tuple[str, str]:
    """("huyện", "Đan Phượng") from "Huyện Đan Phượng" (or "Thành Phố ...", the package's case
    varies); a name without a known prefix is an error, because a silently kept prefix would
    make every later lookup of it fail."""
    full = nfc(full)
    for prefix in prefixes:
        if full.lower().startswith(prefix.lower() + " "):
            return prefix.lower(), full[len(prefix) + 1 :]
    raise ValueError(f"no unit type among {prefixes} in {full!r}")


def wheel_name(version: str) -> str:
    """The file name pip gives the pure-Python wheel of ``version``."""
    return f"{PACKAGE.replace('-', '_')}-{version}-py3-none-any.whl"


def find_wheel(version: str, dirs: list[Path]) -> Path | None:
    """The wheel of ``version`` under one of ``dirs`` (searched recursively), if any."""
    for folder in dirs:
        for path in sorted(folder.rglob(wheel_name(version))):
            return path
    return None


def download_wheel(version: str, dest: Path) -> Path:
    """``pip download`` the wheel alone (no dependencies: only its data file is read)."""
    command = [sys.executable, "-m", "pip", "download", f"{PACKAGE}=={version}", "--no-deps"]
    subprocess.run([*command, "--only-binary=:all:", "--dest", str(dest), "--quiet"], check=True)
    path = dest / wheel_name(version)
    if not path.is_file():
        raise FileNotFoundError(f"pip download gave no {path.name} in {dest}")
    return path


def read_nested(wheel: Path) -> list[Json]:
    """The package's nested division list, read from inside the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        return json.loads(archive.read(NESTED_JSON).decode("utf-8"))


def wards_by_type(units: list[Json]) -> dict[str, list[str]]:
    """{"phường": [...], "xã": [...]} in the package's (code) order."""
    grouped: dict[str, list[str]] = {}
    for unit in units:
        kind, name = split_type(unit["name"], WARD_TYPES)
        grouped.setdefault(kind, []).append(name)
    return grouped


def legacy_units(provinces: list[Json]) -> dict[str, Json]:
    """Province -> its type and districts -> their types and wards (pre-July-2025)."""
    out: dict[str, Json] = {}
    for province in provinces:
        kind, name = split_type(province["name"], PROVINCE_TYPES)
        districts = []
        for district in province["districts"]:
            dkind, dname = split_type(district["name"], DISTRICT_TYPES)
            wards = wards_by_type(district["wards"])
            districts.append({"type": dkind, "name": dname, "wards": wards})
        out[name] = {"type": kind, "districts": districts}
    return out


def current_province_type(province: Json) -> str:
    """The 2025 list prints "Thành phố Hà Nội" but plain "Cao Bằng"; its division_type says
    which is which ("thành phố trung ương" or "tỉnh")."""
    return "thành phố" if province["division_type"].startswith("thành phố") else "tỉnh"


def current_units(provinces: list[Json]) -> dict[str, Json]:
    """Province -> its type and wards (from July 2025, no district level)."""
    out: dict[str, Json] = {}
    for province in provinces:
        kind = current_province_type(province)
        name = nfc(province["name"])
        if name.lower().startswith(kind + " "):
            name = name[len(kind) + 1 :]
        out[name] = {"type": kind, "wards": wards_by_type(province["wards"])}
    return out


def sha256(path: Path) -> str:
    """Hex digest of a wheel, recorded so a rebuild can be traced to the same input."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def source_entry(version: str, wheel: Path, note: str) -> Json:
    """Where one generation came from, for the output's ``"source"``."""
    return {
        "package": PACKAGE,
        "version": version,
        "wheel": wheel.name,
        "sha256": sha256(wheel),
        "file": NESTED_JSON,
        "divisions": note,
    }


def build(legacy_wheel: Path, current_wheel: Path) -> Json:
    """The whole gazetteer document from the two wheels."""
    legacy = legacy_units(read_nested(legacy_wheel))
    for alias, entry in LEGACY_ALIASES.items():
        if entry["units_of"] not in legacy:  # upstream renamed it: the alias must follow
            raise ValueError(f"{alias}: no province {entry['units_of']!r} in {LEGACY_VERSION}")
    return {
        "format": 1,
        "source": {
            "legacy": source_entry(
                LEGACY_VERSION, legacy_wheel, "before 1 July 2025: province, district, ward"
            ),
            "current": source_entry(
                CURRENT_VERSION, current_wheel, "from 1 July 2025: province, ward"
            ),
            "origin": "General Statistics Office of Viet Nam (Tổng cục Thống kê) unit list",
            "built_by": "python -m sohoa.ocr_models.build_gazetteer",
        },
        "types": {
            "province": [t.lower() for t in PROVINCE_TYPES],
            "district": [t.lower() for t in DISTRICT_TYPES],
            "ward": [t.lower() for t in WARD_TYPES],
        },
        "legacy": legacy,
        "current": current_units(read_nested(current_wheel)),
        "legacy_aliases": LEGACY_ALIASES,
    }


def write(doc: Json, output: Path) -> int:
    """Compact JSON, gzip'd without a timestamp so equal input gives equal bytes."""
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb") as handle, gzip.GzipFile("", "wb", 9, handle, mtime=0) as zipped:
        zipped.write(raw)
    return output.stat().st_size


def counts(doc: Json) -> str:
    """One line per generation, to compare with the package's own figures."""
    legacy = doc["legacy"].values()
    districts = sum(len(p["districts"]) for p in legacy)
    wards = sum(len(n) for p in legacy for d in p["districts"] for n in d["wards"].values())
    current = doc["current"].values()
    cwards = sum(len(n) for p in current for n in p["wards"].values())
    return (
        f"legacy {LEGACY_VERSION}: {len(doc['legacy'])} provinces, {districts} districts, "
        f"{wards} wards\ncurrent {CURRENT_VERSION}: {len(doc['current'])} provinces, "
        f"{cwards} wards"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--wheel-dir",
        type=Path,
        action="append",
        default=[],
        help="folder holding already downloaded wheels (repeatable); missing ones are fetched",
    )
    parser.add_argument("--output", type=Path, default=ocr_models.gazetteer_path())
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        wheels = []
        for version in (LEGACY_VERSION, CURRENT_VERSION):
            found = find_wheel(version, args.wheel_dir)
            wheels.append(found or download_wheel(version, Path(tmp)))
        doc = build(*wheels)
    size = write(doc, args.output)
    print(counts(doc))
    print(f"wrote {args.output} ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
