"""Late chunking: passage and sentence vectors from one pass over each passage (real model),
windows for passages longer than the model reads, and the build that records the method."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import CORPUS, HashEmbedder

from plw_assistant.config import Settings
from plw_assistant.embedding.base import LateText
from plw_assistant.embedding.cache import CachedEmbedder
from plw_assistant.embedding.late import LateEncoder
from plw_assistant.embedding.model import SentenceTransformerEmbedder
from plw_assistant.ingest.corpus import load_corpus
from plw_assistant.pipeline.build import build_index
from plw_assistant.pipeline.embed import embedding_texts, late_text
from plw_assistant.pipeline.freshness import stale_reason
from plw_assistant.text import sentence_spans

TOPICS = ["rivers", "mountains", "trains", "cheese", "violins", "tax", "football", "bees"]


def _multi_sentence_items() -> list[LateText]:
    _, chunks = load_corpus(CORPUS)
    items = [late_text(c, sentence_spans(c.text)) for c in chunks]
    return [it for it in items if len(it.spans) > 1]


@pytest.fixture(scope="module")
def exact(embedder) -> SentenceTransformerEmbedder:
    """The session's model, read in fp32 (the bf16 path is compared with it)."""
    fp32 = SentenceTransformerEmbedder(precision="fp32")
    fp32._model = embedder.sentence_transformer()  # the same loaded weights, loaded once
    return fp32


def test_the_passage_vector_is_the_models_own_embedding(exact) -> None:
    items = _multi_sentence_items()
    out = exact.encode_late(items)
    reference = exact.encode([it.text for it in items])
    assert float((out.passages * reference).sum(1).min()) >= 0.9999
    assert out.texts == len(items) and out.windows == 0  # one pass per passage, no more


def test_sentence_vectors_stand_in_for_separately_embedded_sentences(exact) -> None:
    """What the separate method stored for a sentence was the embedding of "heading:
    sentence"; the pooled vector must stay close to it (it replaces it in search)."""
    _, chunks = load_corpus(CORPUS)
    chunks = [c for c in chunks if len(sentence_spans(c.text)) > 1]
    items = [late_text(c, sentence_spans(c.text)) for c in chunks]
    out = exact.encode_late(items)
    own = []
    for chunk, vectors in zip(chunks, out.sentences, strict=True):
        alone = exact.encode(embedding_texts([chunk], "separate")[1:])
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
        own += list((vectors * alone).sum(1))
    assert len(own) > 30
    assert min(own) >= 0.7 and float(np.mean(own)) >= 0.9, (min(own), np.mean(own))


def test_a_passage_longer_than_the_window_is_read_in_windows(exact) -> None:
    sentences = [
        f"Sentence {n} is about topic {word} and says a little more about {word}."
        for n, word in enumerate(TOPICS * 5)
    ]
    text, spans = "", []
    for s in sentences:
        spans.append((len(text), len(text) + len(s)))
        text += s + " "
    item = LateText(text.rstrip(), tuple(spans))
    out = exact.encode_late([item])
    assert out.long == 1 and out.windows >= 1 and out.texts == 1 + out.windows
    alone = exact.encode(sentences)
    vectors = out.sentences[0]
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    # The last sentences, beyond the first window, were read too: each matches its own topic
    # better than the first sentence's topic.
    tail = range(len(sentences) - 5, len(sentences))
    assert all(vectors[i] @ alone[i] > vectors[i] @ alone[0] for i in tail)


def test_bf16_is_used_only_where_it_agrees_with_fp32(embedder, exact) -> None:
    items = _multi_sentence_items()[:20]
    fast = SentenceTransformerEmbedder(cache_dir=embedder.cache_dir, precision="auto")
    fast._model = embedder.sentence_transformer()
    a, b = exact.encode_late(items), fast.encode_late(items)
    assert a.precision == "fp32" and b.precision in {"bf16", "fp32"}
    assert float((a.passages * b.passages).sum(1).min()) >= 0.999
    for x, y in zip(a.sentences, b.sentences, strict=True):
        assert float((x * y).sum(1).min()) >= 0.999


def test_windows_cover_every_sentence_once_and_move_forward() -> None:
    encoder = object.__new__(LateEncoder)
    encoder.limit = 20
    spans = [(0, 3), (3, 12), (12, 30), (30, 33), (33, 61), (61, 64)]  # two longer than 20
    jobs = encoder._windows(0, 64, spans)
    starts = [j.start for j in jobs]
    assert starts == sorted(set(starts)) and starts[0] == 0
    assert all(j.end - j.start <= 20 for j in jobs)
    covered = [s for j in jobs for s, _, _ in j.sentences]
    assert sorted(covered) == list(range(len(spans)))
    for j in jobs:
        assert all(j.start <= a < b <= j.end for _, a, b in j.sentences)


def test_late_vectors_are_cached_per_passage(tmp_path) -> None:
    inner = HashEmbedder()
    cached = CachedEmbedder(inner, tmp_path)
    items = [LateText("Heading: One sentence. Another one.", ((9, 22), (23, 35)))]
    first = cached.encode_late(items)
    seen = len(inner.encoded)
    again = cached.encode_late(items)
    assert len(inner.encoded) == seen and again.precision == "cached"
    assert np.array_equal(first.passages, again.passages)
    assert np.array_equal(first.sentences[0], again.sentences[0])


def test_the_manifest_records_the_method_and_a_change_rebuilds(tmp_path) -> None:
    settings = Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index")
    report = build_index(settings, HashEmbedder())
    assert report.index is not None and report.index.manifest.sentence_vectors == "late"
    other = Settings(corpus_dir=CORPUS, index_dir=tmp_path / "index", sentence_vectors="separate")
    assert stale_reason(other, HashEmbedder()) == (
        "PLW_SENTENCE_VECTORS changed since the index was built"
    )
    rebuilt = build_index(other, HashEmbedder())
    assert rebuilt.full_rebuild == "PLW_SENTENCE_VECTORS changed"
    assert rebuilt.index is not None and rebuilt.index.manifest.sentence_vectors == "separate"
    assert stale_reason(other, HashEmbedder()) is None
