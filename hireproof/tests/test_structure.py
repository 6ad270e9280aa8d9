"""The rules of docs/architecture.md that neither ruff nor import-linter can see.

- Rule 2: no part fills a registry at start-up (no ``AppConfig.ready``); ruff's banned-API rule
  refuses string imports, "is it installed" and custom signals.
- Rule 5: every part uses the core only through its public packages, whose ``__all__`` is
  pinned (here for the three modules; ``core/tests`` pins the three packages).
- Rule 7: the candidate's stage is derived in one place.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import AppConfig, apps

import hireproof.core.canonical as canonical
import hireproof.core.errors as errors
import hireproof.core.timing as timing

PACKAGE = Path(__file__).resolve().parents[1]
PUBLIC_CORE = (
    "hireproof.core.audit",
    "hireproof.core.playbook",
    "hireproof.core.scoring",
    "hireproof.core.errors",
    "hireproof.core.canonical",
    "hireproof.core.timing",
)
STAGE_MODULE = PACKAGE / "hiring" / "models" / "stage.py"


def product_files(*, tests: bool) -> list[Path]:
    """Every Python file of the product outside the core and the migrations."""
    files = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if parts[0] == "core" or "migrations" in parts:
            continue
        if ("tests" in parts) == tests:
            files.append(path)
    return files


def core_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of a ``hireproof.core`` module in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
            if node.module == "hireproof.core":
                names = [f"hireproof.core.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.startswith("hireproof.core")]
    return found


def test_no_part_fills_a_registry_at_start_up() -> None:
    ours = [config for config in apps.get_app_configs() if config.name.startswith("hireproof.")]
    assert [config.label for config in ours] == ["platform", "audit", "accounts", "hiring", "views"]
    overriding = [config.name for config in ours if type(config).ready is not AppConfig.ready]
    assert overriding == [], "a part registers itself at start-up; call it where it is needed"


@pytest.mark.parametrize("tests", [False, True], ids=["code", "tests"])
def test_every_part_uses_the_core_only_through_its_public_packages(tests: bool) -> None:
    wrong = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {module}"
        for path in product_files(tests=tests)
        for line, module in core_imports(path)
        if module not in PUBLIC_CORE
        # The core's own test builders are shared with the tests of the command line.
        and not (tests and module.startswith("hireproof.core.tests."))
    ]
    assert wrong == [], "import these names from the public package instead"


def test_the_core_modules_pin_their_public_names() -> None:
    assert errors.__all__ == [
        "AnswersError",
        "AuditError",
        "ForkError",
        "HireproofError",
        "InterviewsError",
        "PlaybookError",
        "Problem",
        "ProofError",
        "SignatureError",
    ]
    assert canonical.__all__ == ["canonical_json", "sha256_hex"]
    assert timing.__all__ == [
        "GRACE",
        "Allowance",
        "Timeliness",
        "deadline_for",
        "judge_request",
        "seconds_left",
    ]
    for module in (errors, canonical, timing):
        assert all(hasattr(module, name) for name in module.__all__)


def conditional_names(tree: ast.AST) -> set[str]:
    """The local names a module gives Django's ``When`` and ``Case`` (aliases included)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in ("django.db.models",):
            names |= {a.asname or a.name for a in node.names if a.name in ("When", "Case")}
    return names


def test_the_stage_is_derived_in_one_place() -> None:
    """Only ``hiring/models/stage.py`` turns rows into a stage; everyone else reads it there."""
    deriving = []
    for path in [*product_files(tests=False), STAGE_MODULE]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = conditional_names(tree)
        for node in ast.walk(tree):
            # A ``When``/``Case`` naming a stage: a stage computed from the rows.
            func = node.func if isinstance(node, ast.Call) else None
            called = getattr(func, "id", None) or getattr(func, "attr", None)
            if called in names | {"When", "Case"} and "tage" in ast.unparse(node):
                deriving.append(str(path.relative_to(PACKAGE)))
                break
    assert sorted(set(deriving)) == ["hiring/models/stage.py"]
