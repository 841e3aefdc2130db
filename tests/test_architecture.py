"""The shape of the package, checked: rooms by purpose, dependencies one way, no reaching through seams."""

import ast
from pathlib import Path

from lab.paths import ROOT

LAB = ROOT / "lab"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def lab_modules() -> dict[str, Path]:
    return {module_name(path): path for path in LAB.rglob("*.py")}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The lab modules `path` imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names] + [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found |= {name for name in names if name in known}
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, each once, as the modules along it."""
    found, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                found.append(trail[trail.index(target):] + [target])
            elif target not in state:
                visit(target, trail + [target])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_top_of_lab_holds_at_most_eight_modules_and_the_rest_are_rooms():
    top = sorted(path.name for path in LAB.glob("*.py"))
    rooms = sorted(path.name for path in LAB.iterdir() if (path / "__init__.py").exists())

    assert len(top) <= 8, top
    assert {"web", "show", "course", "servers", "classroom", "votes"} <= set(rooms)


def test_no_module_name_is_used_twice_in_lab():
    names = [path.stem for path in LAB.rglob("*.py") if path.stem != "__init__"]

    assert sorted({name for name in names if names.count(name) > 1}) == []


def test_no_import_circles_in_lab():
    modules = lab_modules()
    known = set(modules)
    graph = {}
    for name, path in modules.items():
        # a package's own __init__ importing its submodules is how a package is built, not a circle
        graph[name] = {target for target in imports_of(path, known) if target != name and not target.startswith(name + ".")}

    assert cycles(graph) == []


def test_the_web_layer_talks_to_stores_through_their_protocol_only():
    offenders = [f"{path.relative_to(ROOT)}:{number}" for path in (LAB / "web").rglob("*.py")
                 for number, line in enumerate(path.read_text().splitlines(), 1) if ".pool." in line or ".cursor(" in line]

    assert offenders == []


def test_votes_know_nothing_about_flask_and_servers_nothing_about_the_web():
    modules = lab_modules()
    known = set(modules)
    leaks = [(name, target) for name, path in modules.items() for target in imports_of(path, known | {"flask"})
             if (name.startswith("lab.votes") and target == "flask")
             or (name.startswith(("lab.servers", "lab.votes", "lab.ratelimit")) and target.startswith(("lab.web", "lab.show")))]

    assert leaks == []


def test_the_show_logic_knows_nothing_of_flask_socketio_or_the_web_layer():
    modules = lab_modules()
    known = set(modules) | {"flask", "flask_socketio", "socketio", "engineio", "gevent"}
    leaks = [(name, target) for name, path in modules.items() if name.startswith("lab.show")
             for target in imports_of(path, known) if target.startswith(("lab.web", "flask", "socketio", "engineio", "gevent"))]

    assert leaks == []


def test_the_web_face_holds_at_most_twenty_modules_and_its_transport_is_a_room_of_its_own():
    face = sorted(path.name for path in (LAB / "web").glob("*.py"))

    assert len(face) <= 20, face
    assert (LAB / "web" / "transport" / "__init__.py").exists()
    assert (LAB / "show" / "__init__.py").exists()


def test_lab_uses_testcontainers_through_its_public_api():
    """No Reaper (`:meta private:`), no override of a private method such as `_connect` (issue 23)."""
    private = [f"{path.relative_to(ROOT)}:{node.lineno}" for path in LAB.rglob("*.py")
               for node in ast.walk(ast.parse(path.read_text()))
               if (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("testcontainers")
                   and any(alias.name == "Reaper" or alias.name.startswith("_") for alias in node.names))
               or (isinstance(node, ast.FunctionDef) and node.name in {"_connect", "_configure", "_create_instance"})]

    assert private == []
