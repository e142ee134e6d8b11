"""The apps depend one way (issue 13, docs/architecture.md):

    liaison  <-  offices  <-  scoring  <-  reception  <-  cases  <-  reports

A module may import its own app and any app below it, never one above; and no project module is
imported inside a function (the way cycles used to hide), except in an AppConfig's `ready()`, which
Django runs once the models are loaded (registering signals, exporters, checks). The root composition modules
(`liaison/urls.py`, `liaison/settings.py`, `liaison/celery.py`, `liaison/wsgi.py`, `liaison/asgi.py`)
wire the apps together and may import any of them. Migrations are history and are not checked.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["liaison", "offices", "scoring", "reception", "cases", "reports"]
RANK = {app: rank for rank, app in enumerate(LAYERS)}
ROOT_COMPOSITION = {f"liaison/{name}.py" for name in ("urls", "settings", "celery", "wsgi", "asgi")}


def modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel in ROOT_COMPOSITION:
                continue
            yield app, rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)


def imported_apps(node):
    """The project apps an import statement names (relative imports stay in their package)."""
    if isinstance(node, ast.ImportFrom):
        names = [node.module] if node.module and node.level == 0 else []
    else:
        names = [alias.name for alias in node.names]
    return [name.split(".")[0] for name in names if name.split(".")[0] in RANK]


def function_bodies(tree, rel="x.py"):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if rel.endswith("/apps.py") and getattr(node, "name", "") == "ready":
                continue
            yield node


def upward_imports():
    found = []
    for app, rel, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in imported_apps(node):
                    if RANK[target] > RANK[app]:
                        found.append(f"{rel}:{node.lineno} {app} imports {target}")
    return found


def imports_inside_functions():
    found = []
    for _app, rel, tree in modules():
        for func in function_bodies(tree, rel):
            for node in ast.walk(func):
                if isinstance(node, (ast.Import, ast.ImportFrom)) and (imported_apps(node) or getattr(node, "level", 0)):
                    found.append(f"{rel}:{node.lineno} in {getattr(func, 'name', 'lambda')}()")
    return sorted(set(found))


def test_no_app_imports_an_app_above_it():
    assert upward_imports() == []


def test_no_project_module_is_imported_inside_a_function():
    assert imports_inside_functions() == []


@pytest.mark.parametrize(
    "source, importer_app, expected",
    [
        ("from cases.models import Case", "offices", ["x.py:1 offices imports cases"]),
        ("import reports.dashboard_views", "reception", ["x.py:1 reception imports reports"]),
        ("from offices.models import Office", "cases", []),
        ("from .models import Office", "liaison", []),
    ],
)
def test_the_check_sees_an_upward_import(source, importer_app, expected):
    tree = ast.parse(source)
    node = tree.body[0]
    found = [f"x.py:1 {importer_app} imports {t}" for t in imported_apps(node) if RANK[t] > RANK[importer_app]]
    assert found == expected


def test_the_check_sees_an_import_inside_a_function():
    tree = ast.parse("def f():\n    from cases.models import Case\n    return Case\n")
    hits = [n for func in function_bodies(tree) for n in ast.walk(func) if isinstance(n, ast.ImportFrom)]
    assert hits and imported_apps(hits[0]) == ["cases"]
