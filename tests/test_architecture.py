"""The import graph, read from the code's own syntax trees (every import, also those inside
functions): the apps depend one way, lawgov → metrics → accounts → reports, and the
document renderer is a pure function that reaches no Django model."""

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("lawgov", "metrics", "accounts", "reports")
# What each app may import of the others: below it, never above.
ALLOWED = {
    "lawgov": set(),
    "metrics": {"lawgov"},
    "accounts": {"lawgov", "metrics"},
    "reports": {"lawgov", "metrics", "accounts"},
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


@cache
def imports_of(module: str) -> frozenset[str]:
    """Every first-party module `module` imports (`from x import y` counts x.y where that is a
    module, else x)."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return frozenset(name for name in names if name in modules())


def _app(module: str) -> str:
    return module.split(".")[0]


def test_every_app_imports_only_the_apps_below_it():
    wrong = sorted(
        f"{module} imports {target}"
        for module in modules()
        for target in imports_of(module)
        if _app(target) != _app(module) and _app(target) not in ALLOWED[_app(module)]
    )
    assert wrong == []


def test_the_apps_form_no_cycle():
    edges = {
        (_app(module), _app(target))
        for module in modules()
        for target in imports_of(module)
        if _app(module) != _app(target)
    }
    order = {app: rank for rank, app in enumerate(APPS)}
    assert all(order[source] > order[target] for source, target in edges), edges


def _reachable(start: str) -> set[str]:
    seen, stack = set(), [start]
    while stack:
        module = stack.pop()
        if module not in seen:
            seen.add(module)
            stack.extend(imports_of(module))
    return seen


@pytest.mark.parametrize(
    "module", sorted(m for m in modules() if m.startswith("reports.rendering"))
)
def test_the_renderer_reaches_no_django_model(module):
    reached = _reachable(module)
    models = sorted(m for m in reached if m.rsplit(".", 1)[-1] == "models" or ".models." in m)
    assert models == [], f"{module} reaches {models}"
    raw = {
        alias.name if isinstance(node, ast.Import) else node.module or ""
        for m in reached
        for node in ast.walk(ast.parse(modules()[m].read_text(encoding="utf-8")))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in (node.names if isinstance(node, ast.Import) else [None])
    }
    assert not {name for name in raw if name.startswith(("django.db", "django.apps"))}


def _is_type_checking(node) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


@cache
def _loaded_with(module: str) -> frozenset[str]:
    """The first-party modules `module` imports as it is loaded: its top-level imports (also
    under `if`/`try`), not those inside functions (test_no_import_is_deferred_without_its_reason
    keeps those few) nor those only a type checker reads."""
    path = modules()[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names, pending = set(), list(ast.parse(path.read_text(encoding="utf-8")).body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        if _is_type_checking(node):
            pending.extend(node.orelse)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + [base][: bool(base)])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        else:
            pending.extend(
                child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)
            )
    return frozenset(name for name in names if name in modules() and name != module)


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(module):
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in _loaded_with(module):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while not component or component[-1] != module:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(modules()):
        if module not in index:
            visit(module)
    return found


def test_no_two_modules_import_each_other():
    """No module needs another that needs it back while both load (a package and its own
    submodule included): such a pair works only in one import order."""
    assert _loaded_with("reports.dashboard") >= {"reports.dashboard.queries"}
    assert _cycles() == []


def test_the_graph_is_read_from_the_code():
    # The checks above would pass on an empty graph: make sure it is the real one.
    assert "metrics.models" in imports_of("metrics.services.figures")
    assert "metrics.numbers" in imports_of("reports.rendering.filters")
    assert any(_app(target) == "metrics" for target in imports_of("reports.services"))


# Imports inside functions, each with its reason; any other belongs at the top of its module.
DEFERRED = {
    # Django's documented place to connect an app's signals and checks.
    ("ready", "*"): "AppConfig.ready",
    # The worker alone loads WeasyPrint, python-docx and the OFD writer; the web never does.
    ("render_pdf", "reports.rendering.pdf"): "WeasyPrint in the worker only",
    ("render_pdf_and_ofd", "reports.rendering.ofd"): "WeasyPrint in the worker only",
    ("render_docx", "reports.rendering.docx"): "python-docx in the worker only",
    ("load_report_fonts", "reports.rendering.pdf"): "WeasyPrint in the worker only",
    ("preview_stylesheet", "reports.rendering.fonts"): "fontTools on this page only",
}


def _deferred_imports():
    for module, path in modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom):
                    base = node.module or ""
                    if node.level:
                        parts = package.split(".")
                        base = ".".join(parts[: len(parts) - node.level + 1] + [base][: bool(base)])
                    if _app(base) in APPS:
                        yield module, function.name, base
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        if _app(alias.name) in APPS:
                            yield module, function.name, alias.name


def test_no_import_is_deferred_without_its_reason():
    found = {(function, target) for _, function, target in _deferred_imports()}
    assert ("render_pdf", "reports.rendering.pdf") in found  # the walk sees them
    unexplained = sorted(
        f"{module}.{function} imports {target}"
        for module, function, target in _deferred_imports()
        if (function, target) not in DEFERRED and (function, "*") not in DEFERRED
    )
    assert unexplained == []


def test_the_services_queue_tasks_every_process_knows():
    """A service queues its task by name (the task module imports the services, never the
    other way): the apps' ready() make the names known in the web process too, where tasks
    run in-process without a broker; an unknown name would lose the work."""
    from lawgov.celery import app
    from metrics.services import reminders
    from reports import services as report_services

    assert {reminders.SEND_REMINDER_EMAIL, report_services.BUILD_REPORT} <= set(app.tasks)
