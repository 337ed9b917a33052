"""The layers' contract (pyproject.toml, [tool.importlinter]) really guards them: `make test` runs
`lint-imports` on the project, and here a copy of the project with one upward import fails it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _python_only(directory, names):
    # Only the packages matter to the import graph: leave templates, static files and caches behind.
    return [n for n in names if n == "__pycache__" or not (n.endswith(".py") or (Path(directory) / n).is_dir())]


@pytest.fixture
def project(tmp_path) -> Path:
    for package in ("registro", "config"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=_python_only)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(project / "pyproject.toml"), "--no-cache"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_project_keeps_its_layers(project):
    result = lint_imports(project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_build(project):
    with open(project / "registro" / "core" / "text.py", "a") as text:
        text.write("\nimport registro.entities.account.models  # noqa\n")
    result = lint_imports(project)
    assert result.returncode != 0
    assert "Apps: publico > servicedesk > entities > accounts > notifications > core BROKEN" in " ".join(
        result.stdout.split()
    )
    assert "registro.core.text -> registro.entities.account.models" in result.stdout


def test_a_capability_importing_one_above_breaks_the_build(project):
    with open(project / "registro" / "entities" / "account" / "selectors.py", "a") as selectors:
        selectors.write("\nfrom registro.entities.membership import acting  # noqa\n")
    result = lint_imports(project)
    assert result.returncode != 0
    assert "registro.entities.account.selectors -> registro.entities.membership.acting" in result.stdout
