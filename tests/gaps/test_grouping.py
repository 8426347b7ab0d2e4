"""Grouping recorded questions by meaning, with the real model and index: wordings of one
question come together and apart from unrelated ones; a group is labelled by its most
central question, shows the closest passages, and sorts as asked. All questions are made up."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from admin_support import admin_copy
from conftest import HashEmbedder

from plw_assistant.appdata.database import AppDatabase
from plw_assistant.appdata.gaps import GapLog
from plw_assistant.assistant import Assistant
from plw_assistant.gaps.grouping import cluster, common_words, most_central, subject
from plw_assistant.gaps.report import gap_groups, to_csv, wordings

# Made-up questions a member might ask, none of which the notes answer.
SETS = [
    [
        "How do we organise a hackathon for our members?",
        "What are tips for running a hackathon?",
        "How should a cluster plan a hackathon event?",
        "Any advice on hosting a hackathon with member companies?",
    ],
    [
        "How do clusters handle GDPR for member data?",
        "What does data protection law mean for our member database?",
        "Is our membership list covered by GDPR?",
    ],
    [
        "How do we set membership fees?",
        "How much should members pay to join a cluster?",
        "What fee should a cluster charge its members?",
    ],
    [
        "Which software do clusters use to manage members?",
        "What CRM tool should a cluster use for its member database?",
        "Is there a recommended CRM for managing cluster members?",
    ],
    [
        "How to write a good LinkedIn post for the cluster?",
        "How can our cluster get more followers on LinkedIn?",
        "Social media tips for LinkedIn?",
    ],
    ["How do I recruit interns for the cluster office?", "Tips for hiring an intern?"],
    ["What is the best coffee machine for the office?"],
    ["What is the weather in Brussels?"],
]


def _log(tmp_path: Path, questions: list[str]) -> GapLog:
    log = GapLog(AppDatabase(tmp_path / "app.sqlite"), 90)
    for q in questions:
        log.add("abstained", q)
    return log


def test_paraphrases_are_grouped_and_kept_apart_from_unrelated_questions(
    assistant, tmp_path: Path
) -> None:
    interleaved = [s[i] for i in range(4) for s in SETS if i < len(s)]  # as they would come
    groups = gap_groups(assistant, _log(tmp_path, interleaved))
    assert sorted(sorted(g.questions) for g in groups) == sorted(sorted(s) for s in SETS)
    assert [g.count for g in groups] == [4, 3, 3, 3, 3, 2, 1, 1]  # most asked first


def test_a_group_is_labelled_by_its_most_central_question_whatever_the_order(
    assistant, tmp_path: Path
) -> None:
    hackathon = SETS[0]
    first = gap_groups(assistant, _log(tmp_path / "a", hackathon))
    again = gap_groups(assistant, _log(tmp_path / "b", hackathon[::-1]))
    assert len(first) == len(again) == 1
    assert first[0].label == again[0].label and first[0].label in hackathon
    assert first[0].questions[0] == first[0].label


def test_the_same_question_asked_again_is_one_wording(assistant, tmp_path: Path) -> None:
    q = SETS[1][0]
    log = _log(tmp_path, [q, q.upper(), f"  {q} ", SETS[1][2]])
    (group,) = gap_groups(assistant, log)
    assert group.count == 4 and group.questions == (q, SETS[1][2])
    assert group.outcomes == {"abstained": 4}


def test_each_group_shows_the_closest_passages_and_sorts(assistant, tmp_path: Path) -> None:
    log = _log(tmp_path, [*SETS[0][:3], SETS[6][0]])
    log.add("no", SETS[6][0], ["made-up#1"], "Made-up comment: not about coffee")
    groups = gap_groups(assistant, log)
    assert [g.label in SETS[0] for g in groups] == [True, False]
    coffee = groups[1]
    assert coffee.outcomes == {"abstained": 1, "no": 1}
    assert coffee.comments == ("Made-up comment: not about coffee",)
    assert 1 <= len(coffee.closest) <= 3
    scores = [p.score for p in coffee.closest]
    assert scores == sorted(scores, reverse=True) and all(-1 <= s < 0.5 for s in scores)
    assert [g.label for g in gap_groups(assistant, log, "label")] == sorted(
        (g.label for g in groups), key=str.casefold
    )
    assert gap_groups(assistant, log, "last")[0].label == coffee.label  # asked last
    csv_text = to_csv(groups)
    assert csv_text.splitlines()[0].startswith("group,label,count,last_asked,abstained")
    assert "Made-up comment: not about coffee" in csv_text


def test_only_the_most_recently_asked_wordings_are_grouped(tmp_path: Path) -> None:
    log = _log(tmp_path, ["Made-up A?", "Made-up B?", "Made-up C?", "made-up a?"])
    assert list(wordings(log.gaps(), limit=2)) == ["Made-up A?", "Made-up C?"]
    assert [len(rows) for rows in wordings(log.gaps()).values()] == [2, 1, 1]


def test_no_log_no_groups(assistant, tmp_path: Path) -> None:
    assert gap_groups(assistant, GapLog(AppDatabase(tmp_path / "none.sqlite"), 90)) == []


def test_the_subject_leaves_out_the_notes_own_vocabulary() -> None:
    common = common_words(["The cluster helps.", "A cluster meets.", "Cluster news."])
    assert "cluster" in common
    assert subject("How should a cluster plan a hackathon?", common) == "plan hackathon"
    assert subject("How should a cluster?", common) == "How should a cluster?"  # nothing left


def test_clustering_is_average_linkage_cut_at_the_threshold() -> None:
    vectors = np.array(
        [[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.0, 0.9, 0.2], [0.0, 0.0, 1.0]]
    )
    assert cluster(vectors, 0.9) == [[0, 1], [2, 3], [4]]
    assert cluster(vectors, 0.99999) == [[0], [1], [2], [3], [4]]
    assert cluster(vectors, -1.0) == [[0, 1, 2, 3, 4]]
    assert cluster(np.zeros((0, 3))) == []
    # average, not single, linkage: a chain of neighbours is not one group
    chain = np.array([[np.cos(a), np.sin(a)] for a in (0.0, 0.5, 1.0, 1.5)])
    assert cluster(chain, np.cos(0.5) - 1e-6) != [[0, 1, 2, 3]]
    assert most_central([0, 1, 2], np.array([[1.0, 0], [0.8, 0.6], [0.6, 0.8]]), [1, 1, 1]) == 1


@pytest.mark.parametrize("weights", [[5, 1, 1], [1, 1, 1]])
def test_central_ties_go_to_the_most_asked(weights: list[int]) -> None:
    same = np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
    assert most_central([0, 1, 2], same, weights) == 0
    assert most_central([0, 1, 2], same, [1, 3, 1]) == 1


def test_groups_are_computed_once_per_change_of_the_log(tmp_path: Path) -> None:
    settings = admin_copy(tmp_path)
    embedder = HashEmbedder()
    assistant = Assistant(settings, embedder)
    assert assistant.gaps is not None
    for q in ("Made-up question on hackathons?", "Made-up question on coffee?"):
        assistant.gaps.add("abstained", q)
    first = gap_groups(assistant, assistant.gaps)
    encoded = len(embedder.encoded)
    assert gap_groups(assistant, assistant.gaps, "label") and len(embedder.encoded) == encoded
    assistant.gaps.add("abstained", "Made-up question on interns?")  # a change: grouped anew
    asked = [q for g in gap_groups(assistant, assistant.gaps) for q in g.questions]
    assert len(asked) == sum(len(g.questions) for g in first) + 1
    assert len(embedder.encoded) > encoded
