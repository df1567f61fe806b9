#!/usr/bin/env bash
# Install everything (scripts/setup.sh), generate a small stack of realistic sample scans,
# and run sohoa's main job on them with the embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
out=${DEMO_DIR:-demo-output}
rm -rf "$out/scans"
echo "demo: generating sample scans into $out/scans"
.venv/bin/python -m sohoa.synth corpus "$out/scans" --seed 1 --pages 8
mv "$out/scans/ground_truth.jsonl" "$out/ground_truth.jsonl"  # the scans folder holds scans only
echo "demo: sohoa extract $out/scans --json > $out/extract.jsonl"
.venv/bin/sohoa extract "$out/scans" --json > "$out/extract.jsonl"
.venv/bin/python - "$out/extract.jsonl" <<'PY'
import json
import sys

for line in open(sys.argv[1], encoding="utf-8"):
    doc = json.loads(line)
    review = "  [needs review]" if doc["needs_review"] else ""
    print(f"{doc['source']}  pages {doc['pages']}  {doc['doc_type']}{review}")
    if not doc["fields"]:
        for text in doc["text"].splitlines()[:2]:
            print("    " + text)
    for name, value in doc["fields"].items():
        if isinstance(value, list):
            value = f"{len(value)} members: " + "; ".join(m["full_name"] or "?" for m in value)
        confidence = doc["field_confidence"].get(name, 0.0)
        flag = "?" if name in doc.get("problems", {}) or value is None else " "
        print(f"  {flag} {name}: {value}  ({confidence:.2f})")
PY
echo "demo: full JSON Lines in $out/extract.jsonl"
