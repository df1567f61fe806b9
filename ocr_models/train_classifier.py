"""Train the document-type model of ``sohoa.pipeline.classify`` from generated documents.

    .venv/bin/python -m sohoa.ocr_models.train_classifier [--per-type 60] [--seed 1]

Documents come from ``sohoa.synth`` (every type, its layouts and wordings, fixed seed);
each page and each whole document is a training text, once clean and several times with
the damage OCR does after folding (letters confused, spaces lost or added, stray tokens
from seals and photos, lines lost or out of order). The features are hashed character
n-grams of the folded text (nothing to store but the weights); the model is a
multinomial logistic regression, whose probabilities are what ``classify`` reports.

Writes ``ocr_models/classifier/doc_type_model.npz`` (weights as float16) and
``training-report.md`` beside it: held-out accuracy on documents of another seed, log loss
and a reliability table (does 0.9 confidence mean 90 % right?).
"""

from __future__ import annotations

import argparse
import random
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss

from sohoa import ocr_models
from sohoa.pipeline.classify import hashing_vectorizer
from sohoa.pipeline.vntext import fold
from sohoa.synth.documents import DOC_TYPES, render_document

NGRAM_RANGE = (2, 4)
N_FEATURES = 2**16
_CONFUSIONS = {
    "o": "0c",
    "0": "o",
    "l": "1i",
    "1": "l",
    "i": "l1",
    "e": "c",
    "c": "e",
    "n": "m",
    "m": "n",
    "u": "v",
    "a": "o",
    "s": "5",
    "5": "s",
    "g": "q",
    "h": "b",
    "t": "f",
}
_JUNK = ["—", "^", "~", "|", "=", "“", "ˆ", "vì", "ñ", "`", "..", "_"]


def damaged(text: str, rng: random.Random, rate: float) -> str:
    """``text`` as a poor OCR pass might give it (after folding, which the model sees)."""
    lines = [line for line in text.splitlines() if rng.random() > rate]
    if len(lines) > 3 and rng.random() < 0.5:
        i = rng.randrange(len(lines) - 1)
        lines[i], lines[i + 1] = lines[i + 1], lines[i]
    out = []
    for line in lines:
        chars = []
        for ch in line:
            low = ch.lower()
            if low in _CONFUSIONS and rng.random() < rate / 2:
                chars.append(rng.choice(_CONFUSIONS[low]))
            elif ch == " " and rng.random() < rate:
                continue
            else:
                chars.append(ch)
        if rng.random() < rate:
            chars += [" ", rng.choice(_JUNK)]
        out.append("".join(chars))
    return "\n".join(out)


def samples(per_type: int, seed: int, damage: int) -> tuple[list[str], list[str]]:
    """(texts, labels): every page and whole document, clean and ``damage`` times damaged."""
    rng = random.Random(seed)
    texts, labels = [], []
    for doc_type in DOC_TYPES:
        for _ in range(per_type):
            doc = render_document(doc_type, rng, dpi=100)
            pieces = [page.text for page in doc.pages]
            if len(pieces) > 1:
                pieces.append(doc.text)
            for piece in pieces:
                variants = [piece] + [
                    damaged(piece, rng, rng.uniform(0.03, 0.15)) for _ in range(damage)
                ]
                texts += [fold(v) for v in variants]
                labels += [doc_type] * len(variants)
    return texts, labels


def reliability(confidence: np.ndarray, right: np.ndarray) -> list[tuple[str, int, float]]:
    rows = []
    for low, high in ((0.0, 0.5), (0.5, 0.7), (0.7, 0.9), (0.9, 0.97), (0.97, 1.01)):
        inside = (confidence >= low) & (confidence < high)
        if inside.any():
            rows.append(
                (f"{low:.2f}-{min(high, 1):.2f}", int(inside.sum()), float(right[inside].mean()))
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-type", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--damage", type=int, default=3, help="damaged copies per text")
    args = parser.parse_args()
    started = time.perf_counter()
    texts, labels = samples(args.per_type, args.seed, args.damage)
    held_texts, held_labels = samples(max(10, args.per_type // 3), args.seed + 1000, 1)
    vectorizer = hashing_vectorizer(NGRAM_RANGE, N_FEATURES)
    model = LogisticRegression(C=20.0, max_iter=3000)
    model.fit(vectorizer.transform(texts), labels)
    probabilities = model.predict_proba(vectorizer.transform(held_texts))
    predicted = model.classes_[probabilities.argmax(axis=1)]
    right = predicted == np.array(held_labels)
    out = ocr_models.classifier_model_path()
    np.savez_compressed(
        out,
        doc_types=np.array(model.classes_, dtype=str),
        weights=model.coef_.astype(np.float16),
        bias=model.intercept_.astype(np.float32),
        ngram_range=np.array(NGRAM_RANGE),
        n_features=np.array(N_FEATURES),
    )
    lines = [
        "# Document-type model: training report",
        "",
        f"`python -m sohoa.ocr_models.train_classifier --per-type {args.per_type} "
        f"--seed {args.seed} --damage {args.damage}` ({time.perf_counter() - started:.0f} s)",
        "",
        f"- training texts: {len(texts)} (pages and documents of {args.per_type} generated "
        f"documents per type, seed {args.seed}, each clean and {args.damage}x damaged)",
        f"- held out: {len(held_texts)} texts of documents generated with seed "
        f"{args.seed + 1000}, clean and once damaged",
        f"- held-out accuracy: {accuracy_score(held_labels, predicted):.4f}; log loss "
        f"{log_loss(held_labels, probabilities, labels=model.classes_):.4f}",
        f"- features: hashed character {NGRAM_RANGE} n-grams of the folded text, "
        f"{N_FEATURES} buckets; multinomial logistic regression, C=20",
        f"- model file: {out.name}, {out.stat().st_size // 1024} KiB",
        "",
        "Reliability on the held-out texts (the text model alone, before the title cue):",
        "",
        "| confidence | texts | right |",
        "|---|---|---|",
        *(
            f"| {band} | {n} | {share:.3f} |"
            for band, n, share in reliability(probabilities.max(axis=1), right)
        ),
        "",
        "Per type (held out): "
        + ", ".join(
            f"{t} {np.mean(right[np.array(held_labels) == t]):.3f}" for t in model.classes_
        ),
        "",
    ]
    report = out.with_name("training-report.md")
    report.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
