"""The project documents itself: docs/DATA.md is the definitions' home, so nothing points at a
contract file outside the repository, and the README's and DATA.md's links all land inside it,
on a file that exists and a heading that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", ".git", "node_modules", "__pycache__", ".hypothesis", ".pytest_cache"}
# the build's two files, being reworked on another branch: their references are listed for it
NOT_HERE = {REPO / "queries" / "extract.py", REPO / "queries" / "sql" / "_rollups.sql"}
OUTSIDE = ("../" + "shared", "CONTRACT" + ".md")  # spelled apart so this file does not match itself
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def project_files(*suffixes: str) -> list[Path]:
    return sorted(p for p in REPO.rglob("*") if p.suffix in suffixes and p.is_file()
                  and not SKIPPED_DIRS & set(p.relative_to(REPO).parts) and p not in NOT_HERE)


def test_nothing_points_at_a_contract_outside_the_repository():
    files = project_files(".md", ".py", ".sql", ".toml")
    assert len(files) > 50
    found = [f"{p.relative_to(REPO)}:{n}: {line.strip()}" for p in files
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if any(word in line for word in OUTSIDE)]
    assert found == []


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped (letters of any script,
    digits, _ and - stay), spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(markdown: Path) -> set[str]:
    """The anchors of a file's headings, outside code blocks; a repeated heading gets -1, -2 …"""
    seen: dict[str, int] = {}
    found = set()
    fenced = False
    for line in markdown.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            base = slug(line.lstrip("#"))
            found.add(base if base not in seen else f"{base}-{seen[base]}")
            seen[base] = seen.get(base, 0) + 1
    return found


@pytest.mark.parametrize("doc", ["README.md", "docs/DATA.md"])
def test_links_stay_inside_the_repository_and_land_on_a_heading(doc):
    source = REPO / doc
    links = LINK.findall(source.read_text(encoding="utf-8"))
    assert links
    for link in links:
        assert not re.match(r"[a-z]+:", link), f"{doc} links outside the repository: {link}"
        path, _, anchor = link.partition("#")
        target = (source.parent / path).resolve() if path else source
        assert target.is_relative_to(REPO) and target.exists(), f"{doc}: {link} is not a file of the repository"
        if anchor:
            assert anchor in anchors(target), f"{doc}: {link} names no heading of {target.name}"


def test_slugs_follow_githubs_rule():
    assert slug(" 9. Building ahead of time (预先构建)") == "9-building-ahead-of-time-预先构建"
    assert slug(" Key and high-energy accounts (重点客户)") == "key-and-high-energy-accounts-重点客户"
