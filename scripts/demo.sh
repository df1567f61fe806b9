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
echo "demo: sohoa extract $out/scans --save $out/extract.jsonl"
.venv/bin/sohoa extract "$out/scans" --save "$out/extract.jsonl"
echo "demo: full JSON Lines in $out/extract.jsonl"
