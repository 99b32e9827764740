"""The layers point one way: core knows no domain app, notifications know events and no domain,
and the case file (oralman) does not depend on the programmes built on it (adaptation_centers).

Every import of every module (top-level and inside functions, `import x` and `from x import y`,
relative ones resolved) is read with `ast`; migrations are history and are not read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DOMAIN_APPS = {"oralman", "adaptation_centers", "quotas", "citizenship", "documents", "notifications"}

# layer -> the apps it must not import
FORBIDDEN = {
    "core": DOMAIN_APPS,
    "notifications": DOMAIN_APPS - {"notifications"},
    "oralman": {"adaptation_centers"},
}


def modules_of(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.relative_to(ROOT).parts)


def imported_modules(path: Path, source: str | None = None) -> set[str]:
    """Dotted names of everything `path` imports (relative imports made absolute)."""
    source = path.read_text(encoding="utf-8") if source is None else source
    package_parts = list(path.relative_to(ROOT).with_suffix("").parts[:-1])
    names = set()
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" if module else alias.name for alias in node.names)
    return names


def violations(package: str) -> list[str]:
    found = []
    for path in modules_of(package):
        for name in sorted(imported_modules(path)):
            if name.split(".")[0] in FORBIDDEN[package]:
                found.append(f"{path.relative_to(ROOT)} imports {name}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_each_layer_imports_no_app_above_it(package):
    assert modules_of(package), package
    assert violations(package) == []


def test_the_layer_check_sees_imports_inside_functions_and_relative_ones():
    source = "def f():\n    from oralman.models import Person\n\nfrom .. import quotas\nimport citizenship.tasks\n"
    names = imported_modules(ROOT / "core" / "probe.py", source)
    assert {"oralman.models", "quotas", "citizenship.tasks"} <= names
