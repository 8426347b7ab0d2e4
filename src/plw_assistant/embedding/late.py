"""Passage and sentence vectors from one forward pass ("late chunking", Günther et al. 2024,
arXiv 2409.04701): the passage is run through the model once; its vector is the model's own
pooling of the whole window, and each sentence's vector the mean of the passage's token
embeddings over that sentence's tokens (and the heading's) — so every sentence is read in its
passage's context and costs nothing more than the passage.

A passage longer than the model's window is read in windows: the first is exactly what the
model would see of the passage (it gives the passage vector); each later one starts a few
tokens before the first sentence not yet read whole, so every sentence is pooled from a window
that holds it (a sentence longer than a window is pooled over the part that fits).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .base import LateText, LateVectors, Progress

log = logging.getLogger("plw_assistant")

# Tokens of context a later window keeps before the sentence it was opened for.
OVERLAP = 32
# bf16 is used only if it agrees with fp32 this closely on the probes (it gave 0.99997 on
# 320 SciFact abstracts; BENCHMARKS.md). Whether it is faster depends on the CPU:
# ``embedding.build_precision`` times it.
MIN_COSINE = 0.999
PROBES = (
    "Members are more and more interested in EU funding programmes but supporting members "
    "for applying to that type of funds is time-consuming.",
    "Communicate in a fog period: say what you know and what you do not know.",
    "PLW#3: enlarge the sharing knowledge",
)


@dataclass(frozen=True)
class _Job:
    item: int
    start: int  # first content token of the window
    end: int
    sentences: tuple[tuple[int, int, int], ...]  # (sentence index, first token, end token)
    head: int = 0  # tokens before the first sentence (the heading path)


class LateEncoder:
    """Runs a loaded sentence-transformers model for ``LateText`` items."""

    def __init__(self, model: Any, bf16: bool = False) -> None:
        self.model = model
        self.tokenizer = model.tokenizer
        if not getattr(self.tokenizer, "is_fast", False):
            raise ValueError("late chunking needs a fast tokenizer (character offsets)")
        one = self.tokenizer("a", add_special_tokens=False)["input_ids"]
        full = self.tokenizer("a")["input_ids"]
        at = full.index(one[0]) if len(one) == 1 and one[0] in full else 0
        self.prefix, self.suffix = list(full[:at]), list(full[at + 1 :])
        self.limit = int(model.max_seq_length) - len(self.prefix) - len(self.suffix)
        self.bf16 = bf16 and self._bf16_agrees()

    def _bf16_agrees(self) -> bool:
        items = [LateText(p, ((0, len(p)),)) for p in PROBES]
        exact = self._run(items, 8, None, bf16=False).passages
        fast = self._run(items, 8, None, bf16=True).passages
        worst = float((exact * fast).sum(1).min())
        if worst < MIN_COSINE:
            log.warning("bf16 embeddings disagree with fp32 (cosine %.5f): using fp32", worst)
        return worst >= MIN_COSINE

    def encode(
        self, items: Sequence[LateText], batch_size: int = 32, progress: Progress | None = None
    ) -> LateVectors:
        return self._run(items, batch_size, progress, self.bf16)

    def encode_in(self, items: Sequence[LateText], bf16: bool) -> LateVectors:
        """``items`` as one batch in bf16 or fp32, whichever this encoder builds in (the
        candidates ``PLW_BUILD_PRECISION=auto`` times)."""
        return self._run(items, max(len(items), 1), None, bf16)

    def _run(
        self,
        items: Sequence[LateText],
        batch_size: int,
        progress: Progress | None,
        bf16: bool,
    ) -> LateVectors:
        dim = int(self.model.get_embedding_dimension())
        encoded = self.tokenizer(
            [it.text for it in items],
            add_special_tokens=False,
            return_offsets_mapping=True,
            truncation=False,
            verbose=False,
        )
        ids: list[list[int]] = encoded["input_ids"]
        jobs: list[_Job] = []
        for i, it in enumerate(items):
            jobs += self._windows(i, len(ids[i]), _token_spans(encoded["offset_mapping"][i], it))
        passages = np.zeros((len(items), dim), np.float32)
        sentences = [np.zeros((len(it.spans), dim), np.float32) for it in items]
        jobs.sort(key=lambda j: j.end - j.start, reverse=True)  # batches pad little
        done = 0
        for batch in _batches(jobs, batch_size):
            tokens, pooled = self._forward([ids[j.item][j.start : j.end] for j in batch], bf16)
            for row, job in enumerate(batch):
                if job.start == 0:
                    passages[job.item] = pooled[row]
                self._pool(tokens[row], job, sentences[job.item])
            finished = sum(j.start == 0 for j in batch)
            done += finished
            if progress is not None and finished:
                progress(finished)
        for block in sentences:
            _normalise(block)
        _normalise(passages)
        long = sum(len(x) > self.limit for x in ids)
        windows = len(jobs) - len(items)
        precision = "bf16" if bf16 else "fp32"
        return LateVectors(passages, sentences, windows, long, precision, len(jobs))

    def _pool(self, tokens: np.ndarray, job: _Job, out: np.ndarray) -> None:
        """Each sentence of ``job``: the mean of its tokens with the window's start and end
        tokens and, in the first window, the heading path's tokens — the context a separately
        embedded "heading: sentence" had (SciFact dense nDCG@10 0.670 with the sentence's
        tokens alone, 0.677 with these; BENCHMARKS.md)."""
        lead = len(self.prefix) - job.start
        last = len(self.prefix) + job.end - job.start + len(self.suffix) - 1
        head = tokens[: lead + job.head] if job.start == 0 else tokens[: len(self.prefix)]
        for s, a, b in job.sentences:
            out[s] = np.vstack([head, tokens[lead + a : lead + b], tokens[last : last + 1]]).mean(0)

    def _windows(self, item: int, n: int, spans: list[tuple[int, int]]) -> list[_Job]:
        """The windows item ``item`` (``n`` tokens, sentences at token ``spans``) is read in."""
        jobs: list[_Job] = []
        start, end = 0, min(n, self.limit)
        pending = [(s, a, b) for s, (a, b) in enumerate(spans)]
        while True:
            inside = [p for p in pending if p[1] >= start and p[2] <= end]
            if start > 0 and pending and pending[0] not in inside:
                s, a, b = pending[0]  # longer than a window: pooled over the part that fits
                inside = [(s, a, min(b, end)), *inside]
            head = min(spans[0][0], end) if spans and start == 0 else 0
            jobs.append(_Job(item, start, end, tuple(inside), head))
            taken = {p[0] for p in inside}
            pending = [p for p in pending if p[0] not in taken]
            if not pending:
                return jobs
            # Strictly later each time: the next sentence starts after the one opened for.
            start = max(pending[0][1] - min(OVERLAP, self.limit // 4), start + 1)
            end = min(n, start + self.limit)

    def _forward(self, rows: list[list[int]], bf16: bool) -> tuple[Any, np.ndarray]:
        """Token embeddings (batch, tokens, dim) and pooled vectors of token rows."""
        import contextlib

        import torch

        padded = self.tokenizer.pad(
            {"input_ids": [self.prefix + r + self.suffix for r in rows]}, return_tensors="pt"
        )
        precision = (
            torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()
        )
        with torch.inference_mode(), precision:
            out = self.model(dict(padded))
        tokens = out["token_embeddings"].float().numpy()
        return tokens, out["sentence_embedding"].float().numpy()


def _token_spans(offsets: Sequence[tuple[int, int]], item: LateText) -> list[tuple[int, int]]:
    """For each sentence (a character span of the text), its tokens ``[first, end)``."""
    if not item.spans or not offsets:
        return [(0, 0)] * len(item.spans)
    starts = np.fromiter((o[0] for o in offsets), np.int64, len(offsets))
    ends = np.fromiter((o[1] for o in offsets), np.int64, len(offsets))
    out = []
    for s, e in item.spans:
        a = int(np.searchsorted(ends, s, side="right"))
        b = int(np.searchsorted(starts, e, side="left"))
        a = min(a, len(offsets) - 1)
        out.append((a, max(b, a + 1)))
    return out


def _batches(jobs: list[_Job], size: int) -> Iterator[list[_Job]]:
    for lo in range(0, len(jobs), max(size, 1)):
        yield jobs[lo : lo + size]


def _normalise(block: np.ndarray) -> None:
    if block.size:
        block /= np.maximum(np.linalg.norm(block, axis=1, keepdims=True), 1e-12)
