# sohoa in a container: the same Debian packages and install as scripts/setup.sh.
FROM python:3.11-slim-bookworm

ENV DEBIAN_FRONTEND=noninteractive \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONUNBUFFERED=1 \
    OMP_THREAD_LIMIT=1 \
    SOHOA_HOME=/data

WORKDIR /opt/sohoa
COPY scripts/ scripts/
COPY ocr_models/ ocr_models/
# System packages and the OCR model: one script, shared with bare-metal installs.
RUN apt-get update -qq \
    && bash -c 'source <(sed -n "/^APT_PACKAGES=(/,/^)/p" scripts/setup.sh); \
        apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}"' \
    && if [ -x scripts/install-ocr-models.sh ]; then scripts/install-ocr-models.sh; fi \
    && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
COPY pipeline/ pipeline/
COPY signing/ signing/
COPY storage/ storage/
COPY synth/ synth/
RUN pip install --no-cache-dir --no-binary tesserocr .

VOLUME ["/data"]
ENTRYPOINT ["sohoa"]
CMD ["--help"]
