"""``auto`` precision: chosen by timing the candidates on this CPU (real model, real
onnxruntime), kept beside the export under a key of the CPU and versions, never measured twice
on one machine, measured again on another, and never in the way of an explicit setting."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from plw_assistant.embedding.base import LateText
from plw_assistant.embedding.build_precision import bf16_fastest, bf16_supported
from plw_assistant.embedding.late import LateEncoder
from plw_assistant.embedding.model import SentenceTransformerEmbedder
from plw_assistant.embedding.precision import choose, cpu_identity, decision_path
from plw_assistant.embedding.query_precision import MIN_COSINE, QUESTIONS, open_encoder

# /proc/cpuinfo of the machine of issue 23 (AVX2, no VNNI, no AVX-512), cut to what matters.
EPYC = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B12
flags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma avx2 bmi2 sha_ni
"""
# And of a Xeon with AVX-512 VNNI but no AVX-512 BF16.
XEON = """model name\t: Intel(R) Xeon(R) Processor @ 2.60GHz
flags\t\t: fpu sse avx f16c fma avx2 avx512f avx512bw avx512vl avx512_vnni gfni
"""
QUERY_THRESHOLDS = {"fp32": 0.9999, "int8": 0.995}
BUILD_THRESHOLDS = {"fp32": 1.0, "bf16": 0.999}


def test_the_cpu_is_known_by_its_model_and_the_flags_kernels_dispatch_on() -> None:
    epyc, xeon = cpu_identity(EPYC), cpu_identity(XEON)
    assert epyc["model"] == "AMD EPYC 7B12"
    assert epyc["flags"] == ["avx", "avx2", "fma", "f16c"]
    assert xeon["flags"] == ["avx", "avx2", "fma", "f16c", "avx512f", "avx512bw", "avx512vl",
                             "avx512_vnni"]  # fmt: skip
    arm = cpu_identity("Hardware\t: Graviton\nFeatures\t: fp asimd asimddp i8mm bf16\n")
    assert arm["model"] == "Graviton" and arm["flags"] == ["asimd", "asimddp", "i8mm", "bf16"]
    here = cpu_identity()
    assert here["model"] and here["cores"] >= 1


def test_auto_keeps_fp32_where_it_was_measured_fastest() -> None:
    # Issue 23's EPYC without VNNI: ms CPU a question.
    assert choose({"fp32": 10.4, "int8": 13.8}, {"int8": 0.9989}, QUERY_THRESHOLDS) == "fp32"
    # This Xeon with VNNI, measured by `auto` (BENCHMARKS.md): the 8-bit copy is faster.
    assert choose({"fp32": 6.80, "int8": 5.05}, {"int8": 0.9989}, QUERY_THRESHOLDS) == "int8"
    # Faster, but not agreeing with torch closely enough.
    assert choose({"fp32": 6.80, "int8": 5.05}, {"int8": 0.994}, QUERY_THRESHOLDS) == "fp32"
    # Within the noise of fp32: the exact one.
    assert choose({"fp32": 3.96, "int8": 3.86}, {"int8": 0.9989}, QUERY_THRESHOLDS) == "fp32"


def test_auto_builds_in_bf16_only_where_it_was_measured_faster() -> None:
    # This Xeon (AVX-512 without BF16): ms per batch of four passages, bf16 2.4x slower.
    assert choose({"fp32": 107.0, "bf16": 260.0}, {"bf16": 0.99998}, BUILD_THRESHOLDS) == "fp32"
    # The AVX-512 BF16 machine of BENCHMARKS.md: 320 abstracts in 5.0 s against 12.2 s.
    assert choose({"fp32": 12.2, "bf16": 5.0}, {"bf16": 0.99997}, BUILD_THRESHOLDS) == "bf16"
    with pytest.raises(ValueError, match="fp32 must be among"):
        choose({"bf16": 5.0}, {"bf16": 1.0}, BUILD_THRESHOLDS)


def test_the_key_changes_with_the_cpu_and_nothing_else_given() -> None:
    folder = Path("cache")
    a = decision_path(folder, "stem", "query", {"cpu": cpu_identity(EPYC), "threads": 1})
    b = decision_path(folder, "stem", "query", {"cpu": cpu_identity(XEON), "threads": 1})
    again = decision_path(folder, "stem", "query", {"threads": 1, "cpu": cpu_identity(EPYC)})
    assert a != b and a == again


@pytest.fixture
def export(embedder, tmp_path: Path) -> Path:
    """A copy of the session's verified export, with no precision decided yet."""
    shutil.copytree(embedder.cache_dir / "onnx", tmp_path / "onnx")
    shutil.rmtree(tmp_path / "onnx" / "precision")
    return tmp_path


def _decisions(cache: Path, kind: str = "query") -> list[Path]:
    return sorted((cache / "onnx" / "precision").glob(f"*.{kind}.*.json"))


def test_auto_measures_once_per_machine_and_again_on_another(
    embedder, export: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sha = embedder.weights_sha256()
    torch = embedder.encode
    with caplog.at_level(logging.INFO, logger="plw_assistant.precision"):
        chosen = open_encoder(export, sha, 1, "auto", torch)
    assert chosen is not None
    assert "Timing the query encoder in fp32 and int8 on this CPU" in caplog.text
    assert "Query encoder precision chosen on this CPU: " in caplog.text
    caplog.clear()
    [kept] = _decisions(export)
    record = json.loads(kept.read_text())
    assert record["cpu"] == cpu_identity() and record["weights_sha256"] == sha
    assert set(record["candidates"]) == {"fp32", "int8"} and chosen.precision == record["chosen"]
    fastest = record["candidates"][record["chosen"]]
    assert fastest["ms"] <= record["candidates"]["fp32"]["ms"]  # never slower than fp32
    vectors, reference = chosen.encode(list(QUESTIONS)), torch(list(QUESTIONS))
    assert float((vectors * reference).sum(1).min()) >= MIN_COSINE[chosen.precision]

    # The same machine reads the decision: made to say the other precision, it is obeyed.
    other = "fp32" if record["chosen"] == "int8" else "int8"
    kept.write_text(json.dumps({**record, "chosen": other}))
    stamp = kept.stat().st_mtime_ns
    with caplog.at_level(logging.INFO, logger="plw_assistant.precision"):
        again = open_encoder(export, sha, 1, "auto", torch)
    assert again is not None and again.precision == other and caplog.text == ""
    assert _decisions(export) == [kept] and kept.stat().st_mtime_ns == stamp

    # Another CPU (or the same with other flags) measures for itself, in its own file.
    elsewhere = open_encoder(export, sha, 1, "auto", torch, cpu=cpu_identity(EPYC))
    assert elsewhere is not None and len(_decisions(export)) == 2
    [new] = [p for p in _decisions(export) if p != kept]
    assert json.loads(new.read_text())["cpu"]["model"] == "AMD EPYC 7B12"


def test_an_explicit_precision_is_obeyed_and_measures_nothing(embedder, export: Path) -> None:
    sha = embedder.weights_sha256()
    for precision in ("int8", "fp32"):
        encoder = open_encoder(export, sha, 1, precision, embedder.encode)
        assert encoder is not None and encoder.precision == precision
    assert _decisions(export) == []
    fresh = SentenceTransformerEmbedder(cache_dir=export, query_precision="fp32")
    assert fresh.query_path == "onnx" and _decisions(export) == []


def test_the_server_encodes_with_what_auto_chose_here(embedder) -> None:
    [kept] = _decisions(embedder.cache_dir)
    record = json.loads(kept.read_text())
    assert embedder.query_path == {"int8": "onnx int8", "fp32": "onnx"}[record["chosen"]]


def test_without_an_8_bit_copy_auto_uses_fp32_without_measuring(embedder, export: Path) -> None:
    record = next((export / "onnx").glob("*[0-9a-f].json"))
    record.write_text(json.dumps({**json.loads(record.read_text()), "int8_min_cosine": None}))
    encoder = open_encoder(export, embedder.weights_sha256(), 1, "auto", embedder.encode)
    assert encoder is not None and encoder.precision == "fp32" and _decisions(export) == []


@pytest.fixture
def late(embedder) -> LateEncoder:
    return LateEncoder(embedder.sentence_transformer(), False)


@pytest.mark.skipif(not bf16_supported(), reason="torch has no bf16 kernels on this CPU")
def test_builds_measure_bf16_once_per_machine(embedder, late, tmp_path: Path) -> None:
    sha, name = embedder.weights_sha256(), embedder.name
    bf16 = bf16_fastest(late, tmp_path / "onnx", name, sha)
    [kept] = _decisions(tmp_path, "build")
    record = json.loads(kept.read_text())
    assert bf16 == (record["chosen"] == "bf16")
    assert set(record["candidates"]) == {"fp32", "bf16"}
    assert record["candidates"]["bf16"]["min_cosine"] >= 0.999  # bf16 agrees with fp32 here
    if bf16:
        assert record["candidates"]["bf16"]["ms"] < record["candidates"]["fp32"]["ms"]
    kept.write_text(json.dumps({**record, "chosen": "fp32" if bf16 else "bf16"}))
    assert bf16_fastest(late, tmp_path / "onnx", name, sha) is not bf16
    bf16_fastest(late, tmp_path / "onnx", name, sha, cpu=cpu_identity(EPYC))
    assert len(_decisions(tmp_path, "build")) == 2


def test_an_explicit_build_precision_measures_nothing(embedder, tmp_path: Path) -> None:
    for precision in ("fp32", "bf16"):
        model = SentenceTransformerEmbedder(cache_dir=tmp_path, precision=precision)
        model._model = embedder.sentence_transformer()  # the same loaded weights
        assert model.build_precision == precision  # bf16 agrees with fp32 on any CPU
    assert not (tmp_path / "onnx").exists()


def test_passages_built_under_auto_agree_with_fp32(embedder) -> None:
    fast = SentenceTransformerEmbedder(cache_dir=embedder.cache_dir)
    fast._model = embedder.sentence_transformer()
    texts = list(QUESTIONS)
    exact = np.asarray(embedder.sentence_transformer().encode(texts, normalize_embeddings=True))
    made = fast.encode_late([LateText(t) for t in texts])
    assert made.precision == fast.build_precision
    assert float((made.passages * exact).sum(1).min()) >= 0.999
