"""Questions grouped by meaning: average-linkage clustering of their embeddings, cut at a
similarity, deterministic (numpy only; no randomness, ties go to the earlier question).

Members' questions share their framing ("How can a cluster … its members?"), and a small
sentence model weighs that framing as much as the subject: "GDPR for member data" and "EU
funding for members" come out closer than two wordings of the GDPR question. So what is
embedded is the question's subject: its words less stop words and less the words most notes
use (the corpus's own vocabulary, such as "cluster")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ..words import tokenize

# Average similarity (of the subjects) from which two groups are one; measured with the
# bundled all-MiniLM-L6-v2 on made-up paraphrases and unrelated questions
# (tests/gaps/test_grouping.py): wordings of one question average 0.60 (0.41 at the
# least), unrelated ones up to 0.44 between two questions but lower between groups.
GROUP_SIMILARITY = 0.4
# A word in at least this share of the notes' passages says nothing about a question.
COMMON_SHARE = 0.15
SAMPLE = 5_000  # passages read to find the common words of a large corpus
_WORD = re.compile(r"[\w’'-]+")


def common_words(passages: Sequence[str]) -> frozenset[str]:
    """Stems found in COMMON_SHARE of ``passages`` or more (at most SAMPLE, spread evenly)."""
    if not passages:
        return frozenset()
    step = max(1, len(passages) // SAMPLE)
    sample = passages[::step]
    df = Counter(w for words in tokenize(sample) for w in set(words))
    return frozenset(w for w, n in df.items() if n >= COMMON_SHARE * len(sample))


def subject(question: str, common: frozenset[str]) -> str:
    """The question's own words: no stop words, none of ``common``; all of it if that
    leaves nothing."""
    kept = [w for w in _WORD.findall(question) if (t := tokenize([w])[0]) and t[0] not in common]
    return " ".join(kept) or question


def cluster(vectors: np.ndarray, threshold: float = GROUP_SIMILARITY) -> list[list[int]]:
    """Rows of ``vectors`` grouped by average-linkage on cosine similarity, merging the most
    similar pair of groups while their average similarity reaches ``threshold``. Groups come
    in the order of their first row, each listing its rows in order."""
    n = len(vectors)
    if n == 0:
        return []
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    sim = (unit @ unit.T).astype(np.float64)
    np.fill_diagonal(sim, -np.inf)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    while len(members) > 1:
        best = int(np.argmax(sim))  # the first of equal pairs: deterministic
        i, j = divmod(best, n)
        if sim[i, j] < threshold:
            break
        i, j = min(i, j), max(i, j)
        a, b = len(members[i]), len(members[j])
        # Lance–Williams for average linkage: the merged group's mean similarity to each other.
        merged = (a * sim[i] + b * sim[j]) / (a + b)
        sim[i], sim[:, i] = merged, merged
        sim[i, i] = -np.inf
        sim[j, :], sim[:, j] = -np.inf, -np.inf
        members[i] += members.pop(j)
    return [sorted(rows) for _, rows in sorted(members.items(), key=lambda kv: min(kv[1]))]


def most_central(rows: Sequence[int], vectors: np.ndarray, weights: Sequence[int]) -> int:
    """The row most similar on average to every other time a question of its group was
    asked (``weights``: how often each row was); on a tie, the most asked, then the first."""
    if len(rows) == 1:
        return rows[0]
    unit = vectors[list(rows)]
    unit = unit / np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-12)
    w = np.asarray([weights[r] for r in rows], dtype=np.float64)
    sim = unit @ unit.T
    np.fill_diagonal(sim, 1.0)  # a wording asked again is as close as can be to itself
    centrality = np.round((sim @ w - 1.0) / max(float(w.sum()) - 1.0, 1.0), 6)
    order = sorted(range(len(rows)), key=lambda k: (-centrality[k], -w[k], rows[k]))
    return rows[order[0]]
