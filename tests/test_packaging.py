"""End to end: the wheel carries the web files, and `plw serve` builds, serves and answers."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import httpx
import pytest
from conftest import CORPUS, REPO, wait_healthy

from plw_bench.harness import free_port

PROBE = """
import sys
from pathlib import Path
from fastapi.testclient import TestClient
from plw_assistant.config import Settings
from plw_assistant.web.app import create_app
from plw_assistant.web.render import web_root
root = web_root()
assert root.is_relative_to(Path(sys.argv[1])), root
app = create_app(Settings(corpus_dir=sys.argv[2], index_dir=Path(sys.argv[3])))
with TestClient(app) as c:
    page = c.get("/")
    assert page.status_code == 200 and "Your question" in page.text, page.text
    assert c.get("/static/style.css").status_code == 200
print("ok", root)
"""

# The wheel never holds plw_bench: `plw` works without it and leaves `plw bench` out, though
# the wheel's metadata declares the entry point (one pyproject.toml for checkout and wheel).
PROBE_CLI = """
import sys
sys.modules["plw_bench"] = None  # cannot be imported, as where only the wheel is installed
from click.testing import CliRunner
from plw_assistant.cli import cli
shown = CliRunner().invoke(cli, ["-h"])
assert shown.exit_code == 0 and "index" in shown.stdout, shown.output
assert "\\n  bench " not in shown.stdout, shown.output  # not among the commands
missing = CliRunner().invoke(cli, ["bench"])
assert missing.exit_code == 2 and "No such command 'bench'" in missing.output, missing.output
print("ok")
"""


def test_building_the_wheel_needs_only_the_build_backend() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert project["build-system"]["requires"] == ["hatchling>=1.25"]


@pytest.mark.slow
def test_wheel_serves_the_page_from_its_own_files(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((tmp_path / "dist").glob("plw_assistant-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "plw_assistant/web/templates/base.html",
        "plw_assistant/web/templates/index.html",
        "plw_assistant/web/templates/_answer.html",
        "plw_assistant/web/static/style.css",
        "plw_assistant/web/static/chat.js",
        "plw_assistant/web/templates/document.html",
        "plw_assistant/web/routers/ask.py",
        "plw_assistant/store/reader.py",
    ):
        assert needed in names
    # Benchmarks live beside the product, never in its wheel.
    assert not [n for n in names if "plw_bench" in n or "bench" in n.split("/")[-1]], names
    points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    declared = zipfile.ZipFile(wheel).read(points).decode()
    assert "[plw_assistant.commands]\nbench = plw_bench.cli:bench_cmd" in declared
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    for probe, args in (
        (PROBE_CLI, []),
        (PROBE, [str(site), str(CORPUS), str(tmp_path / "no-index")]),
    ):
        out = subprocess.run(
            [sys.executable, "-c", probe, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(site)},
            timeout=120,
        )
        assert out.returncode == 0, out.stderr
        assert out.stdout.startswith("ok")


@pytest.mark.slow
def test_plw_serve_builds_missing_index_and_answers(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "PLW_CORPUS_DIR": str(CORPUS),
        "PLW_INDEX_DIR": str(tmp_path / "index"),
        "HF_HUB_OFFLINE": "1",
    }
    plw = Path(sys.executable).parent / "plw"
    proc = subprocess.Popen(
        [str(plw), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_healthy(proc, base)
        r = httpx.post(
            f"{base}/api/ask",
            timeout=30,
            json={"question": "How can clusters support their members with EU funding?"},
        )
        assert r.status_code == 200
        assert any(
            c["text"].startswith("Members are more and more interested in EU funding")
            for c in r.json()["citations"][:3]
        )
        page = httpx.get(base, params={"q": "EU funding"}, timeout=30)
        assert page.status_code == 200 and 'id="passage-1"' in page.text
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0]
    assert "Building the index: there is no index yet." in output
    assert "Indexed 6 documents" in output
