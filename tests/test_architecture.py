"""The shape of the code, read from its imports: layers that point one way, and no loops.

Why a test: the redesign (issue 23) put each concern in one package and made the Rasa-server
side (channels/) independent of the action server (actions/). Without a check, the next
channel or feature quietly imports across again. The allowed arrows are data, here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, Set

ROOT = Path(__file__).resolve().parent.parent

#: Which product packages each package may import. steunpunt/ (settings, clock, clients,
#: regions, the turn context) is the base; library/ is the content domain; store/ the
#: database; signals/ the signal log; actions/ (action server), channels/ (Rasa server),
#: staff/ and website/ are the doors and import no door.
ALLOWED: Dict[str, Set[str]] = {
    "steunpunt": set(),
    "classifier": set(),
    "schools": {"steunpunt"},
    "library": {"steunpunt"},
    "store": {"steunpunt"},
    "signals": {"steunpunt", "store", "library"},
    "actions": {"steunpunt", "library", "signals", "store", "schools"},
    "channels": {"steunpunt", "library", "signals", "store"},
    "staff": {"steunpunt", "library", "signals", "store"},
    "website": {"steunpunt", "library", "schools"},
}


def modules() -> Dict[str, Path]:
    found = {}
    for package in ALLOWED:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports(path: Path, known: Dict[str, Path]) -> Set[str]:
    """The product modules a file imports, anywhere in it (a function-level import is a
    dependency too)."""
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [
                f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module
                for alias in node.names
            ]
        else:
            continue
        targets |= {name for name in names if name.split(".")[0] in ALLOWED}
    return targets


def test_packages_import_only_the_layers_below_them():
    known = modules()
    wrong = []
    for module, path in known.items():
        package = module.split(".")[0]
        for target in imports(path, known):
            other = target.split(".")[0]
            if other != package and other not in ALLOWED[package]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_the_rasa_server_side_never_imports_the_action_server():
    known = modules()
    assert not [
        m
        for m, p in known.items()
        if m.startswith("channels") and any(t.startswith("actions") for t in imports(p, known))
    ]


def test_no_module_imports_itself_back_through_others():
    """No import loop between modules (a package's __init__ re-exporting its own modules is
    not a loop)."""
    known = modules()
    graph = {
        m: {
            t
            for t in imports(p, known)
            if t in known and t != m and not (m.startswith(t + ".") and known[t].name == "__init__.py")
        }
        for m, p in known.items()
    }
    loops = []
    state: Dict[str, int] = {}

    def visit(module: str, trail: list) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                loops.append(" -> ".join(trail[trail.index(target) :] + [target]))
            elif target not in state:
                visit(target, trail + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not loops, "\n".join(loops)


#: Code that is not the product but must use it through public names: the evaluation package,
#: the operations scripts and the test support (issue 23, point 4).
TOOLS = ("evaluation", "scripts", "tests/support")


def python_files(*folders: str):
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_tools_and_packages_use_other_packages_only_through_public_names():
    """A name with a leading underscore is a package's own business; reaching into it from
    another package (or from evaluation/, scripts/, the test support) breaks with every
    refactoring. Unit tests may test private helpers; tools may not use them."""
    packages = set(ALLOWED) | {"evaluation", "scripts", "tests"}
    wrong = []
    for path in python_files(*ALLOWED, *TOOLS):
        own = path.relative_to(ROOT).parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                other = node.module.split(".")[0]
                if other in packages and other != own:
                    wrong += [
                        f"{path.relative_to(ROOT)}: {node.module}.{alias.name}"
                        for alias in node.names
                        if alias.name.startswith("_")
                    ]
    assert not wrong, "\n".join(wrong)


def test_no_file_patches_the_import_path():
    """Everything runs from the checkout as `python -m ...` or with the venv's pytest; a
    sys.path patch hides a wrong layout (issue 23 removed thirteen)."""
    found = [
        str(path.relative_to(ROOT))
        for path in python_files(*ALLOWED, *TOOLS, "tests")
        if "sys.path" in path.read_text(encoding="utf-8") and path.name != "test_architecture.py"
    ]
    found += [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "scripts").glob("*.sh"))
        if "sys.path" in path.read_text(encoding="utf-8")
    ]
    assert not found, found


def test_a_signal_is_built_in_one_place():
    """signals/record.py:signal_for builds a signal from a turn; every door calls it, so what a
    signal holds (and leaves out) is decided once."""
    builders = []
    for path in python_files(*ALLOWED):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            called = getattr(node, "func", None)
            if isinstance(node, ast.Call) and getattr(called, "id", getattr(called, "attr", "")) == "Signal":
                builders.append(str(path.relative_to(ROOT)))
    assert builders == ["signals/record.py"], builders


def test_message_metadata_is_read_where_the_turn_context_is_built():
    """Region, audience and client come from the turn context (steunpunt/turn.py); only the
    code that builds it reads a message's metadata or the tracker's latest message."""
    readers = {
        "steunpunt/turn.py",
        "steunpunt/audience.py",
        "steunpunt/clients.py",
        "steunpunt/regions.py",
        "actions/context.py",
        "channels/guarded.py",
    }
    # also a direct read: `message.metadata.get("region")`, `tracker.get_slot("audience")`
    direct = re.compile(
        r"""(?:metadata\s*(?:\.get\(|\[)|get_slot\()\s*["'](?:region|regio|audience|client)["']"""
    )
    found = []
    for path in python_files(*ALLOWED):
        name = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8")
        if name not in readers and (
            any(
                marker in text
                for marker in (
                    "latest_metadata(",
                    "region_from_metadata(",
                    "audience_from_metadata(",
                    "client_from_metadata(",
                    ".latest_message",
                )
            )
            or direct.search(text)
        ):
            found.append(name)
    assert not found, found
