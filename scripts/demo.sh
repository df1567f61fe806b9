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
    print(f"{doc['source']}  pages {doc['pages']}  {doc['doc_type']}  review={doc['needs_review']}")
    for text in doc["text"].splitlines()[:3]:
        print("    " + text)
PY
echo "demo: full JSON Lines in $out/extract.jsonl"
