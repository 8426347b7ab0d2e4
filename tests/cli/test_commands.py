"""How `plw` finds its commands: its own by name, the others (`plw bench`) through the
``plw_assistant.commands`` entry-point group, each imported only when it runs."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from importlib.metadata import EntryPoint

import click
import pytest
from click.testing import CliRunner
from conftest import REPO

from plw_assistant.cli import cli
from plw_assistant.cli.app import GROUP, OWN, discover


def test_plw_bench_is_declared_as_an_entry_point_and_found_through_it() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["entry-points"][GROUP] == {"bench": "plw_bench.cli:bench_cmd"}
    found = discover()  # the installed metadata, here this checkout's (see conftest)
    assert sorted(found) == sorted([*OWN, "bench"])
    command = found["bench"].load()
    assert isinstance(command, click.Command) and command.name == "bench"
    assert "bench" in CliRunner().invoke(cli, ["-h"]).stdout


def test_without_its_package_a_declared_command_is_left_out(monkeypatch) -> None:
    """As installed from the wheel, which never holds plw_bench."""
    monkeypatch.setitem(sys.modules, "plw_bench", None)  # as if it could not be imported
    assert "bench" not in discover()
    ghost = EntryPoint("ghost", "made_up_missing_package.cli:command", GROUP)
    assert sorted(discover([ghost])) == sorted(OWN)


def test_a_declared_command_never_replaces_one_of_the_products() -> None:
    other = EntryPoint("index", "plw_bench.cli:bench_cmd", GROUP)
    assert discover([other])["index"].value == OWN["index"]


@pytest.mark.parametrize("command", sorted(OWN))
def test_a_command_imports_no_other_command(command: str) -> None:
    probe = (
        "import json, sys\n"
        "from plw_assistant.cli import main\n"
        f"sys.argv = ['plw', {command!r}, '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "mine = ('plw_bench', 'plw_assistant.cli.')\n"
        "print(json.dumps([m for m in sys.modules if m.startswith(mine)]), file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = json.loads(out.stderr.strip().splitlines()[-1])
    module = OWN[command].partition(":")[0]
    assert set(loaded) <= {"plw_assistant.cli.app", "plw_assistant.cli.common", module}
