"""The check reference, docs/checks.md, generated from the checks' docstrings.

Run `python -m obsgen.lint.docs` to rewrite it; a test fails while the file
and the docstrings disagree.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

from obsgen.lint.check import Check
from obsgen.lint.registry import REGISTRY

DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "checks.md"
_BLOCK = re.compile(r"```(?P<language>json|yaml)\n(?P<body>.*?)```", re.DOTALL)


@dataclass(frozen=True)
class Example:
    """The files of one example in a check's documentation."""

    fails: bool
    files: tuple[tuple[str, str], ...]  # (language, text)


def examples(check: type[Check]) -> list[Example]:
    """Return the failing and the passing example of a check's docstring."""
    text = check.documentation()
    found = []
    for fails, heading, end in ((True, "Fails", "Passes"), (False, "Passes", None)):
        match = re.search(rf"^{heading}\b.*?:$", text, re.MULTILINE)
        if match is None:
            continue
        stop = text.find(f"\n{end}", match.end()) if end else -1
        section = text[match.end() : stop if stop >= 0 else len(text)]
        files = tuple(
            (m.group("language"), m.group("body")) for m in _BLOCK.finditer(section)
        )
        found.append(Example(fails, files))
    return found


def render_docs() -> str:
    """Return the Markdown of docs/checks.md."""
    lines = [
        "# Lint checks",
        "",
        "Generated from the checks' docstrings by `python -m obsgen.lint.docs`; "
        "do not edit by hand.",
        "",
        "`obsgen check` and every `obsgen build` run these checks. A problem of "
        "severity error stops the build. To accept one finding, give the rule "
        '`suppress={"check/id": "reason"}`, the dashboard '
        "`@grafana_dashboard(name, suppress={...})`, or a panel "
        "`obsgen.suppress(panel, {...})`; in a rule file, write "
        "`# obsgen: suppress check/id reason` on the line above the rule.",
        "",
        "| Check | Severity | Summary |",
        "| --- | --- | --- |",
    ]
    for check_id in sorted(REGISTRY):
        check = REGISTRY[check_id]
        anchor = check_id.replace("/", "")
        lines.append(
            f"| [{check_id}](#{anchor}) | {check.severity.label} | {check.summary()} |"
        )
    for check_id in sorted(REGISTRY):
        check = REGISTRY[check_id]
        body = check.documentation().split("\n", 1)[1].strip()
        lines += ["", f"## {check_id}", "", f"Severity: {check.severity.label}.", ""]
        lines += [check.summary(), "", body]
    return "\n".join(lines) + "\n"


def main() -> None:
    DOCS_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOCS_PATH.write_text(render_docs(), encoding="utf-8")
    print(f"wrote {DOCS_PATH}", file=sys.stderr)


if __name__ == "__main__":
    main()
