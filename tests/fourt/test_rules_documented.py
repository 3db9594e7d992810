"""docs/table-format.md documents every rule exactly as the catalogue defines it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kkod.fourt.rules import RULES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "table-format.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("rule", sorted(RULES))
def test_every_rule_is_documented_with_its_severity_and_title(rule):
    entry = RULES[rule]
    line = next((ln for ln in DOC.splitlines() if ln.startswith(f"| {rule} ")), None)
    assert line is not None, f"{rule} has no row in docs/table-format.md"
    assert entry.title in line and str(entry.severity) in line


def test_the_doc_says_which_fixes_change_the_match_key():
    for rule in RULES.values():
        if rule.changes_identity:
            assert f"{rule.id}" in DOC.split("## Fixes")[1]
