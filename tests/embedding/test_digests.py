"""The weights' sha256 is remembered across processes while the file stays the same, and
read again as soon as it is not."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from conftest import write

from plw_assistant.embedding.digests import DIGESTS, RECENT_NS, file_sha256
from plw_assistant.embedding.model import SentenceTransformerEmbedder, bundled_model_dir


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_a_settled_file_is_hashed_once_and_rewritten_it_is_hashed_again(tmp_path: Path) -> None:
    weights = write(tmp_path / "made-up-weights.bin", b"made-up weights, version one")
    time.sleep(RECENT_NS / 1e9 + 0.2)  # written long enough ago for its stamp to be trusted
    cache = tmp_path / "cache"
    assert file_sha256(weights, cache) == sha(b"made-up weights, version one")
    kept = json.loads((cache / DIGESTS).read_text())
    assert next(iter(kept.values()))[-1] == sha(b"made-up weights, version one")
    before = weights.stat()
    weights.write_bytes(b"made-up weights, version two")  # same size, time put back below
    os.utime(weights, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert file_sha256(weights, cache) == sha(b"made-up weights, version two")


def test_a_file_written_just_now_is_not_remembered_on_disk(tmp_path: Path) -> None:
    weights = write(tmp_path / "made-up-weights.bin", b"made-up weights")
    assert file_sha256(weights, tmp_path / "cache") == sha(b"made-up weights")
    assert not (tmp_path / "cache" / DIGESTS).exists()


def test_the_bundled_weights_are_checked_from_the_record_next_time(tmp_path: Path) -> None:
    first = SentenceTransformerEmbedder(cache_dir=tmp_path)
    expected = first.weights_sha256()
    kept = json.loads((tmp_path / DIGESTS).read_text())
    weights = str((bundled_model_dir() / "model.safetensors").resolve())
    assert kept[weights][-1] == expected
    assert SentenceTransformerEmbedder(cache_dir=tmp_path).weights_sha256() == expected


@pytest.mark.parametrize("record", ["not json at all", "[1, 2]", '{"KEY": [1]}', '{"KEY": 7}'])
def test_an_unusable_record_only_costs_a_reading(tmp_path: Path, record: str) -> None:
    weights = write(tmp_path / "made-up-weights.bin", b"made-up weights")
    write(tmp_path / "cache" / DIGESTS, record.replace("KEY", str(weights.resolve())))
    assert file_sha256(weights, tmp_path / "cache") == sha(b"made-up weights")
