"""The devcontainer pre-pulls exactly lab.servers.images.IMAGES plus Ryuk, and nothing else names an image.

Drift is caught three ways: devcontainer.json must run the setup module; the setup's pull
list must follow lab.servers.images (an override of a variable moves it too); and no other file in
the product may spell out an image name of its own.
"""

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from testcontainers.core.config import testcontainers_config

from lab.classroom.setup import DEVCONTAINER_VARIABLE, SHOW_PORT
from lab.servers.images import IMAGES

ROOT = Path(__file__).resolve().parents[2]
DEVCONTAINER = json.loads((ROOT / ".devcontainer" / "devcontainer.json").read_text())
SETUP = "python3 -m lab.classroom.setup"


def setup_pull_list(**env) -> list[str]:
    ignored = {"TESTCONTAINERS_RYUK_DISABLED", "RYUK_CONTAINER_IMAGE", *(image.env_var for image in IMAGES.values())}
    clean = {k: v for k, v in os.environ.items() if k not in ignored}
    with tempfile.TemporaryDirectory() as home:  # no ~/.testcontainers.properties of the developer's
        run = subprocess.run(
            [sys.executable, "-m", "lab.classroom.setup", "images"],
            cwd=ROOT, env={**clean, "HOME": home, **env}, capture_output=True, text=True, timeout=60, check=True,
        )
    return run.stdout.split()


def test_the_devcontainer_runs_the_setup_on_create_and_makes_the_port_public_and_says_so_on_attach():
    """A prebuild runs onCreateCommand before anyone attaches: the attach step says the setup is complete again."""
    assert DEVCONTAINER["onCreateCommand"] == SETUP
    assert DEVCONTAINER["postAttachCommand"] == f"{SETUP} attach"
    assert DEVCONTAINER["containerEnv"][DEVCONTAINER_VARIABLE] == "true"  # the setup then ends "Codespace setup complete"
    assert any(feature.startswith("ghcr.io/devcontainers/features/docker-in-docker:") for feature in DEVCONTAINER["features"])
    assert "3.11" in DEVCONTAINER["image"]


def test_the_show_port_is_forwarded_with_a_label_and_a_notification():
    assert DEVCONTAINER["forwardPorts"] == [SHOW_PORT]
    attributes = DEVCONTAINER["portsAttributes"][str(SHOW_PORT)]
    assert attributes["label"] and attributes["onAutoForward"] == "notify"


def test_the_setup_pulls_exactly_our_images_and_the_library_ryuk():
    assert setup_pull_list() == [image.default for image in IMAGES.values()] + [testcontainers_config.ryuk_image]


def test_the_setup_list_follows_lab_images_overrides():
    overrides = {image.env_var: f"mirror.example/{image.role}:drift" for image in IMAGES.values()}

    assert setup_pull_list(**overrides, RYUK_CONTAINER_IMAGE="mirror.example/ryuk:drift") == [
        *overrides.values(), "mirror.example/ryuk:drift"
    ]


def product_files():
    """Every file the product ships besides lab/servers/images.py (tests and docs may name images)."""
    yield from (ROOT / ".devcontainer").iterdir()
    yield from (path for path in (ROOT / "lab").rglob("*.py") if path.name != "images.py")
    yield from ROOT.glob("*.py")
    yield from (path for path in (ROOT / ".ci").glob("*") if path.is_file())


def test_no_other_product_file_spells_out_an_image():
    names = [re.escape(image.default) for image in IMAGES.values()] + [r"testcontainers/ryuk"]
    pattern = re.compile("|".join(names))

    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in product_files() for match in pattern.finditer(path.read_text(errors="replace"))
    ]

    assert offenders == []


def top_level_imports(module: str) -> set[str]:
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text())
    found = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:  # a relative import names no module
            found.add(node.module)
    return found


def test_the_setup_the_image_list_the_doctor_and_the_venv_repair_start_with_the_standard_library_only():
    """They run before the requirements are installed (or to say they are missing)."""
    to_visit = ["lab.classroom.setup", "lab.servers.images", "lab.classroom.doctor", "lab.classroom.fix_venv"]
    seen, third_party = set(), set()
    while to_visit:
        module = to_visit.pop()
        seen.add(module)
        for name in top_level_imports(module):
            if name.startswith("lab."):
                to_visit += [] if name in seen else [name]
            elif name.split(".")[0] not in sys.stdlib_module_names:
                third_party.add(f"{module} imports {name}")

    assert third_party == set()
    assert "lab.errors" in seen  # the walk follows lab's own modules
