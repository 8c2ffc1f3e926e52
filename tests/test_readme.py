"""The README's definition example builds, passes its checks and its scenarios."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_CONFIG = REPO / "examples/example-service/service.yaml"


def _python_examples() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", readme, flags=re.S)


def _obsgen(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "obsgen", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_readme_rule_example_builds(tmp_path: Path) -> None:
    examples = _python_examples()
    assert examples, "the README has no python example"
    rules = tmp_path / "rules"
    rules.mkdir()
    (tmp_path / "dashboards").mkdir()
    (rules / "example.py").write_text(examples[0], encoding="utf-8")
    project = ["--config", str(EXAMPLE_CONFIG), "--rules", str(rules)]
    project += ["--dashboards", str(tmp_path / "dashboards")]

    built = _obsgen("build", *project, "--out", str(tmp_path / "bundle"))
    tested = _obsgen("test", *project)

    assert built.returncode == 0, built.stderr
    assert tested.returncode == 0, tested.stdout + tested.stderr
