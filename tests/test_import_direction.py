"""The code reads in one direction: reports -> assessments -> standards, with the project
package (`culture_of_care`: settings, the site shell) above them all and its NHS.UK form pack
below them all. No import cycle between
modules, no view importing another view module. Imports inside functions count too: a cycle
hidden in a function is still a cycle a reader has to untangle."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("standards", "assessments", "reports")  # each may import only those before it
PROJECT = "culture_of_care"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    found = {}
    for top in (*APPS, PROJECT):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `name` imports (a `from package import module` names the module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        else:
            continue
        found |= {c for c in candidates if c in known and c != name}
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


# The NHS.UK form pack and its template tags sit below every app: all forms use them. So does
# standards.numbers, the one place a number becomes text, which imports nothing of the project.
FOUNDATION = (f"{PROJECT}.nhsuk_forms", f"{PROJECT}.templatetags", "standards.numbers")


def layer(name: str) -> int:
    if name.startswith(FOUNDATION):
        return -1
    top = name.split(".")[0]
    return len(APPS) if top == PROJECT else APPS.index(top)


def test_apps_import_only_downwards():
    wrong = [
        f"{name} imports {target}"
        for name, targets in graph().items()
        for target in targets
        if layer(target) > layer(name)
        and not name.startswith(f"{PROJECT}.settings")  # settings name apps, never import them
    ]
    assert wrong == [], "imports against reports -> assessments -> standards:\n" + "\n".join(wrong)


def test_no_view_imports_another_view_module():
    wrong = [
        f"{name} imports {target}"
        for name, targets in graph().items()
        if ".views." in name
        for target in targets
        if ".views." in target
    ]
    assert wrong == [], "\n".join(wrong)


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    edges = graph()
    # A package's __init__ re-exporting its own modules is not a cycle a reader follows.
    for name, targets in edges.items():
        edges[name] = {
            t for t in targets if not (t == name.rpartition(".")[0] or name.startswith(t + "."))
        }
    assert cycles(edges) == []


def test_the_checker_sees_a_cycle_and_a_wrong_direction():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert layer("reports.views.jobs") > layer("assessments.rules") > layer("standards.models")
    assert layer("standards.models") > layer("culture_of_care.nhsuk_forms.layout")
    assert layer("culture_of_care.views") > layer("reports.views.jobs")
