"""Keyword scores are bm25s's own, reached through its public API only: the same scores as
bm25s's public tokenizer, index and ``retrieve`` give, in memory and memory-mapped from disk
(made-up passages and questions)."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np
import pytest

from plw_assistant.store.lexical import BM25
from plw_assistant.words import BM25_PARAMS, _stemmer, american

PASSAGES = [
    "Made-up lesson: clusters help their members find EU funding and write proposals.",
    "Made-up lesson: the organisation of peer learning webinars needs a clear agenda.",
    "Made-up lesson: SMEs in a crisis need their cluster to keep communicating.",
    "Made-up lesson: partner search works best through trusted cluster networks.",
    "the and of",  # only stop words: never matches
]
QUESTIONS = [
    "How do clusters support members with EU funding?",
    "organization of webinars",
    "crisis communication for SMEs",
    "partner search networks clusters",
    "nothing about any of these",
]


class AmericanStemmer:
    """bm25s's Snowball stemmer with the one step our tokenizer adds: American spellings."""

    def stemWords(self, words: list[str]) -> list[str]:
        return list(_stemmer().stemWords([american(w) for w in words]))


def bm25s_scores(question: str) -> np.ndarray:
    def tokens(texts: list[str]) -> list[list[str]]:
        return bm25s.tokenize(
            texts,
            stopwords=BM25_PARAMS["stopwords"],
            stemmer=AmericanStemmer(),
            return_ids=False,
            show_progress=False,
        )

    model = bm25s.BM25(k1=BM25_PARAMS["k1"], b=BM25_PARAMS["b"], method=BM25_PARAMS["method"])
    model.index(tokens(PASSAGES), show_progress=False)
    words = [w for w in tokens([question])[0] if w in model.vocab_dict]
    out = np.zeros(len(PASSAGES), dtype=np.float32)
    if words:
        docs, scores = model.retrieve([words], k=len(PASSAGES), show_progress=False)
        out[docs[0]] = scores[0]
    return out


@pytest.mark.parametrize("question", QUESTIONS)
def test_scores_are_those_of_bm25s_public_api(question: str, tmp_path: Path) -> None:
    ours = BM25.build(PASSAGES)
    expected = bm25s_scores(question)
    assert (expected.max() > 0) == (question != QUESTIONS[-1])  # the made-up last matches none
    assert np.allclose(ours.scores(question), expected, atol=1e-6)
    ours.save(tmp_path / "bm25")
    assert np.allclose(BM25.load(tmp_path / "bm25").scores(question), expected, atol=1e-6)
