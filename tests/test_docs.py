"""The docs name what exists: every repo path a doc puts in backticks or links to, every module of lab/ in the README's layout."""

import re
from pathlib import Path

import pytest

from lab.paths import ROOT, STATE_DIR_NAME
from lab.servers.images import IMAGES

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FILE_SUFFIXES = ("py", "md", "txt", "in", "toml", "html", "js", "css", "json", "png", "svg", "sh", "yml", "ini")
FILE_NAME = re.compile(r"[\w.-]+\.(?:" + "|".join(FILE_SUFFIXES) + r")")
REPO_PATH = re.compile(r"\.?[A-Za-z_][\w-]*(?:/[\w.-]+)+/?")
NOT_REPO_PATHS = {
    "testcontainers/ryuk",  # the Ryuk image's name on Docker Hub
    *(image.default.split(":")[0] for image in IMAGES.values()),
}


def repo_files() -> set[Path]:
    skipped = {".git", ".venv", "node_modules", "__pycache__", STATE_DIR_NAME}
    return {path.relative_to(ROOT) for path in ROOT.rglob("*") if not skipped & set(path.relative_to(ROOT).parts)}


def named_paths(text: str) -> set[str]:
    """What a doc names as a file or folder: backticked tokens shaped like paths, and relative link targets."""
    tokens = {match.strip() for match in re.findall(r"`([^`\n]+)`", text)}
    links = {target.split("#")[0] for target in re.findall(r"\]\(([^)\s]+)\)", text)}
    named = {token for token in tokens if FILE_NAME.fullmatch(token) or REPO_PATH.fullmatch(token)}
    named |= {link for link in links if link and "://" not in link}
    return {path for path in named if path not in NOT_REPO_PATHS and not path.startswith(STATE_DIR_NAME + "/")}


def test_the_path_finder_takes_paths_and_leaves_code_alone():
    text = "Run `python3 workshop.py --list`, see `lab/web/routes.py`, `routes.py`, `lab/show/`, [x](docs/a.md#b), " \
           "`dev.tcmagic.role=postgres|redis`, `postgres:15-alpine`, `--engine docker|embedded|auto`, `1/3`, " \
           "`.tcmagic/progress.json`, [site](https://docs.astral.sh/uv/), `testcontainers/ryuk`"

    assert named_paths(text) == {"lab/web/routes.py", "routes.py", "lab/show/", "docs/a.md"}


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.name)
def test_every_path_a_doc_names_exists(doc):
    files = repo_files()
    names = {path.name for path in files}
    base = doc.parent
    missing = []
    for named in sorted(named_paths(doc.read_text())):
        if "/" in named.rstrip("/"):
            if not ((ROOT / named).exists() or (base / named).exists()):
                missing.append(named)
        elif not ((base / named).exists() or named.rstrip("/") in names):
            missing.append(named)

    assert missing == [], f"{doc.name} names paths that do not exist"


def layout_block() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## How the code is laid out", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("    "))


def test_the_readme_layout_names_every_module_in_lab_and_no_other():
    block = layout_block()
    named = set(re.findall(r"\b(\w+)\.py\b", block))
    modules = {path.stem for path in (ROOT / "lab").rglob("*.py") if path.stem != "__init__"}
    # the learner's files (the track's starters, its and the hands-on's solutions) are named by their folder
    learner_files = {stem for stem in modules if re.fullmatch(r"(test|starter)_\d_\w+", stem)}
    entry_scripts = {path.stem for path in ROOT.glob("*.py")}
    elsewhere = {"__init__", "conftest"} | entry_scripts | {path.stem for path in (ROOT / "tests").glob("*.py")}

    assert sorted(modules - learner_files - named) == [], "modules of lab/ the README's layout leaves out"
    assert sorted(named - modules - elsewhere) == [], "modules the README's layout names that lab/ does not hold"
