"""Retrieval quality and answers with the real bundled model and a real FAISS index."""

from __future__ import annotations

import re

import numpy as np
import pytest

from plw_assistant.domain import Question

EU_LESSON = "Members are more and more interested in EU funding programmes"


def test_eu_funding_question_cites_the_eu_funding_lesson(assistant) -> None:
    answer = assistant.ask(Question("How can clusters support their members with EU funding?"))
    top3 = [c.text for c in answer.citations[:3]]
    assert any(t.startswith(EU_LESSON) for t in top3), top3


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "How should we talk to our members when times are hard?",
            "Communication has to be maintained at all costs",
        ),
        (
            "Should partnerships cooperate with other ESCP-4x projects?",
            "Look for synergies with other ESCP-4x projects",
        ),
    ],
)
def test_paraphrased_questions_find_their_lesson(assistant, question: str, expected: str) -> None:
    top3 = [c.text for c in assistant.ask(Question(question)).citations[:3]]
    assert any(t.startswith(expected) for t in top3), top3


def test_every_marker_points_to_a_returned_passage(assistant) -> None:
    answer = assistant.ask(
        Question("What did the webinars teach about digitalisation of services?", k=4)
    )
    assert [c.n for c in answer.citations] == [1, 2, 3, 4]
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers and markers <= {c.n for c in answer.citations}
    scores = [c.score for c in answer.citations]
    assert scores == sorted(scores, reverse=True)


def test_embeddings_are_normalised(embedder) -> None:
    vectors = embedder.encode(["one question", "another, longer question about clusters"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
