#!/usr/bin/env bash
# Install everything sohoa needs on a Debian 12 machine, idempotently:
#   system packages (Tesseract + Vietnamese, poppler, qpdf, fonts, ...), the OCR model
#   chosen in docs/ocr-models.md, and a virtual environment .venv with sohoa installed.
# Usage: scripts/setup.sh [--dev]      (run as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng tesseract-ocr-osd
  # tesserocr (Tesseract in-process) is built against Debian's libtesseract
  libtesseract-dev libleptonica-dev pkg-config g++
  poppler-utils qpdf ghostscript unpaper ocrmypdf
  # jpegtran: scanners' JPEGs re-packed losslessly for the archive (pipeline/archive.py)
  libjpeg-turbo-progs
  fonts-dejavu-core fonts-noto-core fonts-liberation2 fonts-freefont-ttf
  nodejs npm
)
# --dev: also the typefaces that no part of sohoa was developed on, for the benchmarks'
# unseen-font corpora (synth/fonts.py), and SoftHSM2, the software PKCS#11 token that the
# token-signing tests make (tests/signing/test_tokens.py; real tokens bring their own module);
# and Chromium, the browser the web service's journeys run in through Playwright
# (tests/web/browser: /usr/bin/chromium, so that no browser is downloaded by `playwright install`)
# and wrk, the load generator of benchmarks/serve.py
DEV_APT_PACKAGES=(fonts-texgyre fonts-roboto-unhinted fonts-open-sans softhsm2 chromium wrk)
PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
extra=""
if [ "${1:-}" = "--dev" ]; then
  extra="[dev]"
  APT_PACKAGES+=("${DEV_APT_PACKAGES[@]}")
fi

sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  # Node.js from another source (e.g. NodeSource) already brings npm and conflicts with
  # Debian's npm package: any working npm will do, it only downloads the OCR model.
  if [[ $pkg == nodejs || $pkg == npm ]] && command -v npm >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -x scripts/install-ocr-models.sh ]; then
  scripts/install-ocr-models.sh
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip setuptools wheel
# --no-binary tesserocr: built here against Debian's libtesseract, the Tesseract the rest
# of sohoa (and OCRmyPDF) uses; PyPI's wheel bundles another
.venv/bin/python -m pip install -q --disable-pip-version-check --no-binary tesserocr -e ".${extra}"
echo "setup: ready ($(.venv/bin/sohoa --help >/dev/null && echo 'sohoa installed'))"
