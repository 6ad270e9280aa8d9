"""The rules of docs/architecture.md that neither ruff nor import-linter can see.

Each check reads the product's source with ``ast`` (tests and migrations aside, unless said):

- Rule 2: no hidden links. No string import, model looked up by name, "is it installed", signal
  receiver connected, or module discovered by name, whatever route reaches it (ruff's banned-API
  rule names the usual routes with their reasons; here every call of that name is refused), and
  no registry: no ``AppConfig.ready``, no module-level container filled by a function or at
  import.
- Rule 4, its last clause: roles are read only in ``accounts/roles.py`` (the table) and
  ``hiring/access.py`` (the funnel); nowhere else compares or filters on a role.
- Rule 5: every part uses the core only through its public packages, and only the names those
  packages export (``__all__``, pinned here for the three modules; ``core/tests`` pins the
  three packages).
- Rule 6: every ``type: ignore`` names its error code and says why, on its line.
- Rule 7: the candidate's stage is derived in one place.
"""

from __future__ import annotations

import ast
import functools
import io
import tokenize
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from django.apps import AppConfig, apps

import hireproof.core.audit as core_audit
import hireproof.core.canonical as canonical
import hireproof.core.errors as errors
import hireproof.core.playbook as core_playbook
import hireproof.core.scoring as core_scoring
import hireproof.core.timing as timing
from hireproof.hiring.models.stage import Stage

PACKAGE = Path(__file__).resolve().parents[1]
PUBLIC_CORE: dict[str, ModuleType] = {
    "hireproof.core.audit": core_audit,
    "hireproof.core.playbook": core_playbook,
    "hireproof.core.scoring": core_scoring,
    "hireproof.core.errors": errors,
    "hireproof.core.canonical": canonical,
    "hireproof.core.timing": timing,
}
STAGE_MODULE = "hiring/models/stage.py"


def product_files(*, tests: bool, core: bool = False) -> list[Path]:
    """Every Python file of the product outside the migrations: its tests, or all but its tests;
    the core's files only with ``core``."""
    files = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "migrations" in parts or (parts[0] == "core" and not core):
            continue
        if ("tests" in parts) == tests:
            files.append(path)
    return files


@functools.cache
def parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def named(path: Path) -> str:
    """``path`` as the messages name it: from the package, ``hiring/access.py``."""
    return str(path.relative_to(PACKAGE))


def called(node: ast.Call) -> str | None:
    """The name a call is made by: ``f`` for ``f()`` and ``x.f()`` alike."""
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


# --- rule 2: no hidden links ------------------------------------------------------------------

HIDDEN_LINKS = {
    "__import__": "a string import",
    "import_module": "a string import",
    "import_string": "a string import",
    "resolve_name": "a string import",
    "find_spec": "an 'is it installed' question",
    "is_installed": "an 'is it installed' question",
    "get_model": "a model looked up by name",
    "get_models": "models looked up by name",
    "get_app_config": "an app looked up by name",
    "autodiscover_modules": "modules discovered by name",
    "connect": "a signal receiver connected",
}
"""Calls that link one part to another where no import shows it, by the name they are called
by: whichever route reaches them (``django.apps.registry.apps``, an alias, ``builtins``)."""


def hidden_links(path: Path) -> Iterator[str]:
    for node in ast.walk(parsed(path)):
        if isinstance(node, ast.Call) and called(node) in HIDDEN_LINKS:
            yield f"{named(path)}:{node.lineno}: {HIDDEN_LINKS[called(node) or '']}"


def test_no_part_reaches_another_by_a_hidden_link() -> None:
    found = [link for path in product_files(tests=False, core=True) for link in hidden_links(path)]
    assert found == [], "import what you call: a part that needs another calls it directly"


def test_no_part_fills_a_registry_at_start_up() -> None:
    ours = [config for config in apps.get_app_configs() if config.name.startswith("hireproof.")]
    assert [config.label for config in ours] == ["platform", "audit", "accounts", "hiring", "views"]
    overriding = [config.name for config in ours if type(config).ready is not AppConfig.ready]
    assert overriding == [], "a part registers itself at start-up; call it where it is needed"


CONTAINERS = {
    "dict",
    "list",
    "set",
    "defaultdict",
    "OrderedDict",
    "Counter",
    "deque",
    "WeakKeyDictionary",
    "WeakValueDictionary",
    "WeakSet",
}
FILLING = {"append", "extend", "insert", "add", "update", "setdefault", "__setitem__", "__ior__"}
CACHES = {
    "audit/keys.py": {"_cache"},
    "core/scoring/plan.py": {"_memo"},
    "core/scoring/items.py": {"_prepared_memo"},
}
"""Module-level containers filled on demand that are caches, not registries: each keeps a value
computed from its key (a key file's bytes, a playbook's scoring plan), may be emptied at any
time, and links no part to another."""


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_containers(tree: ast.Module) -> dict[str, int]:
    """The module-level names bound to a mutable container, with the line that binds them."""
    found: dict[str, int] = {}
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        is_container = isinstance(
            value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp
        ) or (isinstance(value, ast.Call) and called(value) in CONTAINERS)
        if is_container:
            found |= {t.id: node.lineno for t in targets if isinstance(t, ast.Name)}
    return found


@functools.cache
def containers_by_module() -> dict[str, set[str]]:
    return {
        module_name(path): set(module_containers(parsed(path)))
        for path in product_files(tests=False, core=True)
    }


def registry_fills(path: Path) -> Iterator[str]:
    """Where ``path`` fills a module-level container after binding it: from a function (a
    decorator, a ``register()``, a start-up hook) or by a later statement at import, its own
    container or one imported from another module."""
    tree = parsed(path)
    own = module_containers(tree)
    known = containers_by_module()
    names = set(own)  # local names of containers: its own and those imported by name
    modules = {}  # local names of our modules that hold containers
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name in known.get(node.module, set()):
                    names.add(alias.asname or alias.name)
                if known.get(f"{node.module}.{alias.name}"):
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname and known.get(alias.name):
                    modules[alias.asname] = alias.name

    def container(node: ast.AST) -> str | None:
        if isinstance(node, ast.Name) and node.id in names:
            return node.id
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.attr in known.get(modules.get(node.value.id, ""), set())
        ):
            return f"{node.value.id}.{node.attr}"
        return None

    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt | ast.expr):
            continue
        target = None
        if isinstance(node, ast.Call) and called(node) in FILLING:
            target = container(getattr(node.func, "value", node.func))
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete):
            targets = node.targets if isinstance(node, ast.Assign | ast.Delete) else [node.target]
            for each in targets:
                inner = each.value if isinstance(each, ast.Subscript) else None
                target = target or (container(inner) if inner is not None else None)
                if isinstance(node, ast.AugAssign) and container(each):
                    target = container(each)
        cache = target in CACHES.get(named(path), set())
        if target is not None and node.lineno != own.get(target) and not cache:
            yield f"{named(path)}:{node.lineno}: {target}"


def test_no_module_keeps_a_registry_filled_at_import_or_start_up() -> None:
    files = product_files(tests=False, core=True)
    fills = [fill for path in files for fill in registry_fills(path)]
    assert fills == [], "a module-level registry; call what you need where you need it"
    # The caches let through are still there, under the names given.
    kept = {named(path): set(module_containers(parsed(path))) for path in files}
    assert all(names <= kept.get(where, set()) for where, names in CACHES.items())


# --- rule 4: roles are read in the table and the funnel only -----------------------------------

ROLE_READERS = {"accounts/roles.py", "accounts/models.py", "hiring/access.py"}
FILTERING = {"filter", "exclude", "get", "get_or_create", "update_or_create", "Q", "When"}


def is_role(node: ast.AST) -> bool:
    """A role read: ``x.role``, ``getattr(x, "role")``, or a ``Role`` member to compare with."""
    if isinstance(node, ast.Attribute):
        return node.attr == "role" or (isinstance(node.value, ast.Name) and node.value.id == "Role")
    if isinstance(node, ast.Call) and called(node) == "getattr" and len(node.args) > 1:
        name = node.args[1]
        return isinstance(name, ast.Constant) and name.value == "role"
    return False


def role_reads(path: Path) -> Iterator[str]:
    for node in ast.walk(parsed(path)):
        if not isinstance(node, ast.stmt | ast.expr | ast.pattern):
            continue
        read = False
        if isinstance(node, ast.Compare):
            read = any(is_role(side) for side in (node.left, *node.comparators))
        elif isinstance(node, ast.Match):
            read = is_role(node.subject)
        elif isinstance(node, ast.Subscript):
            read = is_role(node.slice)
        elif isinstance(node, ast.Call):
            read = called(node) == "roles_with" or any(
                keyword.arg
                and (
                    keyword.arg.startswith("role__")
                    or (keyword.arg == "role" and called(node) in FILTERING)
                )
                for keyword in node.keywords
            )
        elif isinstance(node, ast.Name):
            read = node.id == "PERMISSION_ROLES"
        if read:
            yield f"{named(path)}:{node.lineno}"


def test_roles_are_read_only_by_the_permission_table_and_the_access_funnel() -> None:
    reads = [
        read
        for path in product_files(tests=False)
        if named(path) not in ROLE_READERS
        for read in role_reads(path)
    ]
    assert reads == [], "ask may()/has_permission(), or filter staff with holders_of()"


# --- rule 5: the core through its public packages ----------------------------------------------


def core_imports(path: Path) -> Iterator[tuple[int, str]]:
    """(line, what) of every use of the core in ``path`` that is not a public package's export:
    a submodule imported, a name the package does not export imported from it, or read from it
    as an attribute (``events`` in ``from hireproof.core.audit import events``)."""
    tree = parsed(path)
    packages: dict[str, ModuleType] = {}  # local names bound to a public package
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            module = node.module
            if module == "hireproof.core":
                for alias in node.names:
                    full = f"hireproof.core.{alias.name}"
                    if full in PUBLIC_CORE:
                        packages[alias.asname or alias.name] = PUBLIC_CORE[full]
                    else:
                        yield node.lineno, full
            elif module in PUBLIC_CORE:
                exported = PUBLIC_CORE[module].__all__
                for alias in node.names:
                    if alias.name not in exported:
                        yield node.lineno, f"{module}.{alias.name}"
            elif module.startswith("hireproof.core"):
                yield node.lineno, module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in PUBLIC_CORE and alias.asname:
                    packages[alias.asname] = PUBLIC_CORE[alias.name]
                elif alias.name.startswith("hireproof.core") and alias.name not in PUBLIC_CORE:
                    yield node.lineno, alias.name
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            package = packages.get(node.value.id)
            exported = node.attr in getattr(package, "__all__", ()) or node.attr.startswith("__")
            if package is not None and not exported:
                yield node.lineno, f"{package.__name__}.{node.attr}"


@pytest.mark.parametrize("tests", [False, True], ids=["code", "tests"])
def test_every_part_uses_the_core_only_through_its_public_packages(tests: bool) -> None:
    wrong = [
        f"{named(path)}:{line}: {what}"
        for path in product_files(tests=tests)
        for line, what in core_imports(path)
        # The core's own test builders are shared with the tests of the command line.
        if not (tests and what.startswith("hireproof.core.tests."))
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


# --- rule 6: every ignore with its code and its reason -----------------------------------------


def bare_ignores(path: Path) -> Iterator[str]:
    """``type: ignore`` comments without an error code, or without a reason after them."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for token in tokens:
        if token.type != tokenize.COMMENT or "type: ignore" not in token.string:
            continue
        after = token.string.split("type: ignore", 1)[1]
        code, _, reason = after.partition("]")
        if not code.startswith("[") or not reason.strip().lstrip("#").strip():
            yield f"{named(path)}:{token.start[0]}: {token.string}"


def test_every_type_ignore_names_its_error_and_says_why() -> None:
    bare = [
        found
        for tests in (False, True)
        for path in product_files(tests=tests, core=True)
        for found in bare_ignores(path)
    ]
    assert bare == [], "write `# type: ignore[code]  # why`, or better, remove the ignore"


# --- rule 7: one stage ------------------------------------------------------------------------

STAGE_TEXTS = {stage.value for stage in Stage}


def stage_members(node: ast.AST | None, stage_names: set[str]) -> bool:
    """True when ``node`` is a ``Stage`` member, or chooses among them (``a if c else b``)."""
    if isinstance(node, ast.IfExp):
        return stage_members(node.body, stage_names) or stage_members(node.orelse, stage_names)
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in stage_names
    ) or (isinstance(node, ast.Call) and called(node) in stage_names)


def texts_of(node: ast.expr) -> list[object]:
    """The constants an expression may give: itself, or either side of ``a if c else b``."""
    if isinstance(node, ast.IfExp):
        return [*texts_of(node.body), *texts_of(node.orelse)]
    return [node.value] if isinstance(node, ast.Constant) else []


def stage_derivations(path: Path) -> Iterator[str]:
    """Where ``path`` derives a position in the pipeline: a ``Case``/``When`` (rows turned into
    a value by the database), a ``Stage`` built from a value, a ``Stage`` member returned,
    assigned or passed on as the outcome of a choice, or a function returning two or more stage
    names as text."""
    tree = parsed(path)
    stage_names = {"Stage"}
    conditionals = {"Case", "When"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "Stage":
                    stage_names.add(alias.asname or alias.name)
                if alias.name in ("Case", "When"):
                    conditionals.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        what = None
        if isinstance(node, ast.Call) and called(node) in conditionals:
            what = "a Case/When"
        elif isinstance(node, ast.Call) and called(node) in stage_names:
            what = "a Stage built from a value"
        elif isinstance(node, ast.Return | ast.Assign | ast.AnnAssign | ast.keyword | ast.IfExp):
            value = node if isinstance(node, ast.IfExp) else node.value
            if stage_members(value, stage_names):
                what = "a Stage member chosen"
        elif isinstance(node, ast.Dict) and any(
            stage_members(value, stage_names) for value in node.values
        ):
            what = "a table of Stage members"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            returned = {
                text
                for inner in ast.walk(node)
                if isinstance(inner, ast.Return) and inner.value is not None
                for text in texts_of(inner.value)
                if text in STAGE_TEXTS
            }
            if len(returned) > 1:
                what = f"stage names returned ({', '.join(sorted(returned))})"
        if what:
            yield f"{named(path)}:{getattr(node, 'lineno', '?')}: {what}"


def test_the_stage_is_derived_in_one_place() -> None:
    """Only ``hiring/models/stage.py`` turns rows into a stage; everyone else reads it there
    (``stage_in``, ``stage_of``, ``with_stage``) and compares with its members."""
    files = product_files(tests=False)
    deriving = [found for path in files for found in stage_derivations(path)]
    assert [found for found in deriving if not found.startswith(STAGE_MODULE)] == []
    # The check sees the one place that does derive it.
    assert any(found.startswith(f"{STAGE_MODULE}:") for found in deriving)
