"""The structure the architecture promises (ARCHITECTURE.md): no Streamlit in the library, no import circle,
and one owner of the index directory format."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "fashion_core"

INDEX_FILE_NAMES = ("manifest.json", "ids.json", "features.npy", "vectors.npy", "descriptor.npz", "products.jsonl",
                    "rejections.json", "embeddings.npy", "CURRENT", ".fashion-index")
"""Names only the index package may spell (the files of an index directory)."""


def modules() -> dict[str, Path]:
    """Every module of the library by dotted name (``__main__`` runs the CLI, so it is not imported)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Library modules that ``name`` imports, at module level or inside functions (a lazy import still ties the
    two modules together); a ``TYPE_CHECKING`` block never runs, so it does not count."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for a in node.names:
                full = f"{base}.{a.name}"
                out.add(full if full in known else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {m for m in out if m in known and m != name}


def test_importing_every_library_module_never_imports_streamlit():
    code = ("import importlib, sys\n"
            f"for name in {sorted(modules())!r}:\n"
            "    importlib.import_module(name)\n"
            "    assert 'streamlit' not in sys.modules, name + ' imports streamlit'\n"
            "print(len(sys.modules))")
    res = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]


def test_the_library_has_no_import_circle():
    mods = modules()
    graph = {name: imports_of(name, path, set(mods)) for name, path in mods.items()}
    # a package importing its own submodules (re-exports) is not a circle; a submodule importing its package is
    # the edge that closes one, so both directions stay in the graph.
    cycles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cyc = stack[stack.index(nxt):] + [nxt]
                if not all(nxt.startswith(a + ".") or a.startswith(nxt + ".") or a == nxt for a in cyc):
                    cycles.append(cyc)
            elif nxt not in state:
                dfs(nxt)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            dfs(name)
    assert not cycles, "import circles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_graph_check_sees_a_circle():
    """The circle check would fail on a circle: two modules that import each other are found."""
    known = {"fashion_core.a", "fashion_core.b"}
    a = ast.parse("from .b import x\n")
    assert isinstance(a.body[0], ast.ImportFrom)
    tmp = ROOT / "test-output"
    tmp.mkdir(exist_ok=True)
    pa, pb = tmp / "a.py", tmp / "b.py"
    pa.write_text("from .b import x\n")
    pb.write_text("from . import a\n")
    try:
        assert imports_of("fashion_core.a", pa, known) == {"fashion_core.b"}
        assert imports_of("fashion_core.b", pb, known) == {"fashion_core.a"}
    finally:
        pa.unlink()
        pb.unlink()


def _python_files_outside_index() -> list[Path]:
    files = [p for p in PACKAGE.rglob("*.py") if "index" not in p.relative_to(PACKAGE).parts[:1]]
    for folder in ("benchmarks", "pages", "app_pages", "webui", "scripts"):
        files += sorted((ROOT / folder).rglob("*.py")) if (ROOT / folder).exists() else []
    return files + [ROOT / "app.py"]


def test_only_the_index_package_names_the_index_files():
    pattern = re.compile("|".join(re.escape(f'"{n}"') + "|" + re.escape(f"'{n}'") + "|" + re.escape(f'/ "{n}') for n in INDEX_FILE_NAMES))
    offenders = []
    for path in _python_files_outside_index():
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{i}: {line.strip()}")
    assert not offenders, "index files opened outside fashion_core/index:\n" + "\n".join(offenders)
    assert pattern.search('json.loads((root / "manifest.json").read_text())')  # the check can fail
