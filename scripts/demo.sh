#!/usr/bin/env bash
# Install everything (scripts/setup.sh), generate a realistic scanner batch -- four
# dossiers behind their separator sheets, 19 pages, seven kinds of papers, a household
# register and a land-use certificate scanned lying open (two pages on one image) -- and run
# sohoa's main job on it with the embedded defaults: every document signed and stored
# in the local store and the SQLite catalog under $DEMO_DIR/home, the unsure ones set
# aside for review. Then find a citizen's documents without diacritics and verify one.
# Running it again resumes (nothing is stored twice).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
out=${DEMO_DIR:-demo-output}
export SOHOA_HOME=${SOHOA_HOME:-$(realpath -m "$out/home")}
sohoa=.venv/bin/sohoa
if [[ ! -f "$out/scans/batch.pdf" ]]; then
    echo "demo: generating a scanner batch into $out/scans"
    .venv/bin/python -m sohoa.synth batch "$out/scans/batch.pdf" --seed 3 --dossiers 4 \
        --docs-per-dossier 3,4 --spread-rate 1
    mv "$out/scans/batch.pdf.gt.json" "$out/ground_truth.json"  # the scans folder: scans only
fi
echo
echo "demo: sohoa process $out/scans --json  (SOHOA_HOME=$SOHOA_HOME)"
$sohoa process "$out/scans" --json --report "$out/report.json" > "$out/stored.jsonl"
echo "demo: one JSON line per stored document in $out/stored.jsonl, the report in $out/report.json"
echo
echo "demo: sohoa review list  (what a clerk must check before it is signed)"
$sohoa review list
waiting=$($sohoa review list --json | .venv/bin/python -c 'import json, sys; print(json.loads(sys.stdin.readline())["document_id"])')
echo
echo "demo: sohoa review show $waiting --image $out/review-sheet.png  (the page, the fields beside it)"
$sohoa review show "$waiting" --image "$out/review-sheet.png"
# a citizen named on a stored document, typed without diacritics, as an officer would
name=$(.venv/bin/python - "$out/stored.jsonl" <<'EOF'
import json, sys
from sohoa.pipeline.vntext import fold
for line in open(sys.argv[1], encoding="utf-8"):
    fields = json.loads(line)["fields"]
    name = fields.get("full_name") or fields.get("husband_name")
    if name:
        print(fold(name))
        break
EOF
)
echo
echo "demo: sohoa search \"$name\""
$sohoa search "$name"
id=$($sohoa search "$name" --json | .venv/bin/python -c 'import json, sys; print(json.loads(sys.stdin.readline())["document_id"])')
echo
echo "demo: sohoa get $id -o $out/$id.pdf; sohoa verify $out/$id.pdf"
$sohoa get "$id" -o "$out/$id.pdf"
$sohoa verify "$out/$id.pdf"
