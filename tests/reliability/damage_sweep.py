"""Damage every file of an index, one at a time, and say what loading and querying it did (one JSON line each).

Run as a child process by ``test_damaged_index.py`` (``python damage_sweep.py INDEX_DIR``), so that a crash of
the process (the old segfault of a truncated Annoy file) shows as a failed test naming the file, not as a dead
test run. Each case restores the file afterwards. Modes: ``truncate`` (half its size), ``zero`` (same size,
all zero bytes), and ``truncate-recorded`` (cut, then the manifest rewritten to match, as a buggy build would:
the deeper checks — shapes, counts, Annoy item counts — must still refuse it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np


def damage(path: Path, mode: str) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if mode.startswith("truncate") else b"\0" * len(data))


def rerecord(version: Path, rel: str) -> None:
    from fashion_core.index.files import record_of

    manifest = version / "manifest.json"
    doc = json.loads(manifest.read_text())
    doc["files"][rel] = record_of(version / rel).to_dict()
    manifest.write_text(json.dumps(doc))


def query_all(index_dir: Path) -> int:
    """Load the index and query every category with one of its products; returns the number of hits."""
    from fashion_core.index import load_index

    index = load_index(index_dir)
    hits = 0
    for category, ci in sorted(index.categories.items()):
        row = int(ci.rows[0])
        hits += len(index.search(np.asarray(index.vectors[row]), 5, category))
    return hits


def main(index_dir: Path) -> None:
    from fashion_core.index import IndexDamaged
    from fashion_core.index.store import current_version

    version = current_version(index_dir)
    rels = sorted(str(p.relative_to(version)) for p in version.rglob("*") if p.is_file())
    extra = [str(p.relative_to(index_dir)) for p in (index_dir / "CURRENT", index_dir / ".fashion-index")]
    manifest_text = (version / "manifest.json").read_text()
    for rel, path in [(r, version / r) for r in rels] + [(r, index_dir / r) for r in extra]:
        modes = ["truncate", "zero"]
        if rel.endswith((".ann", ".npy")):
            modes.append("truncate-recorded")
        for mode in modes:
            original = path.read_bytes()
            print(json.dumps({"file": rel, "mode": mode, "outcome": "started"}), flush=True)
            damage(path, mode)
            if mode == "truncate-recorded":
                rerecord(version, rel)
            try:
                hits = query_all(index_dir)
                outcome, message = "served", f"{hits} hits"
            except IndexDamaged as exc:
                outcome, message = "refused", str(exc)
            except Exception as exc:  # noqa: BLE001 - the sweep reports whatever else escaped
                outcome, message = "error", f"{type(exc).__name__}: {exc}"
            finally:
                path.write_bytes(original)
                (version / "manifest.json").write_text(manifest_text)
            print(json.dumps({"file": rel, "mode": mode, "outcome": outcome, "message": message}), flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
