"""The index directory on disk: which folders are ours, one build at a time, versions swapped by one atomic step.

Layout of an index directory (the folder ``--out`` / ``--index`` names)::

    .fashion-index        marker: this folder is a fashion-core index (never build into a folder without it,
                          unless it is empty or ``--force``; nothing the project did not create is deleted)
    CURRENT               the name of the served version; replaced atomically (write + ``os.replace``)
    versions/<build id>/  complete versions: manifest.json and its files (the current one and the previous one)
    .staging/             the build in progress: resumable work (``shards/``) and the new version's files
    .lock                 held (``flock``) by the one build writing here

A build writes everything into ``.staging/``, moves the finished version into ``versions/`` and then replaces
``CURRENT``: a crash at any moment leaves ``CURRENT`` naming one complete version, the old or the new one.
Readers never wait for builds; an interrupted swap is recovered at the next build (and tolerated at load).
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .files import IndexDamaged, fsync_dir, fsync_file, record_of
from .manifest import SCHEMA_VERSION, Manifest

MARKER = ".fashion-index"
POINTER = "CURRENT"
VERSIONS = "versions"
STAGING = ".staging"
LOCK = ".lock"
MANIFEST = "manifest.json"

LEGACY_FILES = ("manifest.json", "ids.json", "features.npy", "vectors.npy", "descriptor.npz", "build.json")
LEGACY_DIRS = ("ann", "compat", "shards")
"""Files and folders of a schema-1 index (flat layout); a build over one replaces exactly these."""

KEEP_VERSIONS = 2
"""Versions kept: the served one and the one before it (a reader that opened it keeps working)."""


class IndexLocked(RuntimeError):
    """Another build holds the index directory's lock."""


class UnsafeOutput(ValueError):
    """An ``--out`` that the project must not build into (a file, someone's folder, the catalog's home)."""


def category_file(category: str) -> str:
    """File-name stem for a category (``scarf/tie`` -> ``scarf-tie``)."""
    return category.replace("/", "-").replace(" ", "_")


def rebuild_hint(root: Path, catalog: str | None = None) -> str:
    """The command that rebuilds the index at ``root``."""
    return f"rebuild it with `fashion-core index build --catalog {catalog or 'CATALOG'} --out {root}`"


def is_index_root(root: Path) -> bool:
    """True when ``root`` is a folder this project made for an index (marker, or a schema-1 index)."""
    return (root / MARKER).is_file() or _legacy_manifest(root) is not None


def _legacy_manifest(root: Path) -> dict | None:
    path = root / MANIFEST
    if not path.is_file():
        return None
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    return doc if isinstance(doc, dict) and doc.get("schema_version") == 1 and (root / "ids.json").exists() else None


def check_output(root: Path, *, protect: Iterable[Path] = (), force: bool = False) -> None:
    """Refuse an ``--out`` that is not safe to build into (see :class:`UnsafeOutput`); ``protect`` lists paths
    (the catalog file, its images' folder) that must not lie inside it, whatever ``force`` says."""
    root = Path(root).absolute()
    if root.exists() and not root.is_dir():
        raise UnsafeOutput(f"--out {root} is a file, not a folder; pass a folder for the index (it is created)")
    real = root.resolve()  # an --out that is a symlink to the catalog's folder is that folder
    for path in protect:
        p = Path(path).absolute()
        if p == root or p.is_relative_to(root) or p.resolve().is_relative_to(real):
            raise UnsafeOutput(f"the catalog or its images ({p}) lie inside --out {root}; choose an --out folder "
                               "outside the catalog's folders (the index would share a folder with the catalog's "
                               "own files)")
    if root.is_dir() and not is_index_root(root) and any(root.iterdir()) and not force:
        raise UnsafeOutput(f"--out {root} is not empty and is not a fashion-core index; pass a new or empty folder, "
                           "or --force to build beside its files (nothing in it is deleted or overwritten)")


def current_version(root: Path) -> Path | None:
    """The version folder ``CURRENT`` names, or — when the pointer is missing or dangling after an interrupted
    swap — the newest complete version; None when there is none."""
    root = Path(root)
    pointer = root / POINTER
    if pointer.is_file():
        try:
            name = pointer.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            name = ""
        if name and "/" not in name and (root / VERSIONS / name / MANIFEST).is_file():
            return root / VERSIONS / name
    complete = complete_versions(root)
    return complete[-1] if complete else None


def complete_versions(root: Path) -> list[Path]:
    """Version folders that hold a manifest, oldest first (build ids sort by time)."""
    folder = Path(root) / VERSIONS
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_dir() and (p / MANIFEST).is_file())


def new_build_id() -> str:
    """A build id that sorts by time and is unique on this machine."""
    now = datetime.now(UTC)
    return f"v{now:%Y%m%dT%H%M%S}-{now.microsecond:06d}-{os.getpid()}"


class IndexWriter:
    """Writes one new version of an index directory into ``.staging/`` and swaps it in with :meth:`commit`.

    Use :func:`open_build`; every file of the version goes through this writer (``path`` / ``save_*``), so the
    manifest records each one."""

    def __init__(self, root: Path, staging: Path):
        self.root = root
        self.staging = staging
        self.files_dir = staging / "version"
        self.files_dir.mkdir(parents=True, exist_ok=True)
        self.committed: Path | None = None

    def scratch(self, name: str) -> Path:
        """A resumable work folder (e.g. encoder shards) that survives an interrupted build; not in the index."""
        path = self.staging / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def path(self, rel: str) -> Path:
        """Where the version's file ``rel`` is written (its parent folder exists)."""
        p = self.files_dir / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def save_npy(self, rel: str, array) -> str:
        """Write a NumPy array (no pickles)."""
        import numpy as np

        with open(self.path(rel), "wb") as fh:
            np.save(fh, np.ascontiguousarray(array), allow_pickle=False)
        return rel

    def save_npz(self, rel: str, **arrays) -> str:
        """Write several NumPy arrays in one ``.npz``."""
        import numpy as np

        with open(self.path(rel), "wb") as fh:
            np.savez(fh, **arrays)
        return rel

    def save_json(self, rel: str, doc) -> str:
        """Write a JSON document (no NaN)."""
        self.path(rel).write_text(json.dumps(doc, allow_nan=False), encoding="utf-8")
        return rel

    def save_lines(self, rel: str, docs: Iterable[dict]) -> str:
        """Write JSON lines (one document per line)."""
        with open(self.path(rel), "w", encoding="utf-8") as fh:
            for doc in docs:
                fh.write(json.dumps(doc, allow_nan=False, ensure_ascii=False))
                fh.write("\n")
        return rel

    def save_ann(self, rel_stem: str, ann) -> str:
        """Write an :class:`~fashion_core.ann.AnnIndex` (``.ann`` for Annoy, ``.npy`` for an exact set)."""
        path = self.path(rel_stem)
        ann.save(path)
        suffix = ".ann" if getattr(ann, "annoy", None) is not None else ".npy"
        return rel_stem + suffix

    def copy_tree(self, rel: str, src: Path) -> str:
        """Copy a folder (e.g. the compatibility model) into the version."""
        shutil.copytree(src, self.path(rel), dirs_exist_ok=True)
        return rel

    # ---------------------------------------------------------- the version's parts, by what they are
    def save_products(self, products, catalog_root: Path) -> None:
        """The product table and the row → id list (row order is the order of every array)."""
        from .products import TABLE, product_records

        self.save_json("ids.json", [p.product_id for p in products])
        self.save_lines(TABLE, product_records(products, Path(catalog_root)))

    def save_rejections(self, rejections: list[dict]) -> None:
        """The catalog rows the build rejected (for operators; never served)."""
        self.save_json("rejections.json", rejections)

    def save_features(self, features, vectors) -> None:
        """Raw encoder features and similarity vectors, row-aligned with the products."""
        self.save_npy("features.npy", features)
        self.save_npy("vectors.npy", vectors)

    def save_descriptor(self, descriptor) -> None:
        """The fitted similarity descriptor (a query is mapped exactly as the catalog was)."""
        descriptor.save(self.path("descriptor.npz"))

    def save_category_ann(self, category: str, ann, rows) -> None:
        """One category's ANN index and the global rows its ids stand for."""
        stem = f"ann/{category_file(category)}"
        self.save_ann(stem, ann)
        self.save_npy(f"{stem}.rows.npy", rows)

    def save_compat(self, embeddings, slots: dict, model_dir: Path) -> None:
        """Complete-the-look parts: compatibility embeddings, one ANN index per slot (``{slot: (ann, rows)}``)
        and a copy of the model, so the index is self-contained."""
        self.save_npy("compat/embeddings.npy", embeddings)
        for slot, (ann, rows) in slots.items():
            self.save_ann(f"compat/slot_{slot}", ann)
            self.save_npy(f"compat/slot_{slot}.rows.npy", rows)
        self.copy_tree("compat/model", Path(model_dir))

    def save_section_arrays(self, section: str, **arrays) -> None:
        """Arrays of a model fitted at ingest (e.g. the wearer classifier), read back with
        :meth:`LoadedIndex.section_arrays`."""
        self.save_npz(f"sections/{section}.npz", **arrays)

    def commit(self, manifest: Manifest, pause_at=None) -> Path:
        """Record every file, write the manifest, move the version into ``versions/`` and point ``CURRENT`` at it
        (one atomic step); returns the version folder. ``pause_at(phase)`` is the build's fault-injection hook."""
        files = sorted(p for p in self.files_dir.rglob("*") if p.is_file() and p.name != MANIFEST)
        manifest.files = {str(p.relative_to(self.files_dir)): record_of(p) for p in files}
        manifest.schema_version = SCHEMA_VERSION
        manifest.build_id = manifest.build_id or new_build_id()
        manifest.created = manifest.created or datetime.now(UTC).isoformat(timespec="seconds")
        (self.files_dir / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        for p in [*files, self.files_dir / MANIFEST]:
            fsync_file(p)
        versions = self.root / VERSIONS
        versions.mkdir(exist_ok=True)
        target = versions / manifest.build_id
        os.replace(self.files_dir, target)
        fsync_dir(versions)
        if pause_at is not None:
            pause_at("swap")  # the new version is in versions/, CURRENT still names the old one
        tmp = self.root / f".{POINTER}.{os.getpid()}.tmp"
        tmp.write_text(manifest.build_id + "\n", encoding="utf-8")
        fsync_file(tmp)
        os.replace(tmp, self.root / POINTER)
        fsync_dir(self.root)
        self.committed = target
        return target


@contextmanager
def open_build(root: str | Path, key: dict, *, protect: Iterable[Path] = (), force: bool = False):
    """Take the index directory ``root`` for one build: check it is safe, lock it, recover what an interrupted
    build left, and yield an :class:`IndexWriter` whose ``.staging`` resumes a build with the same ``key``.

    On success the staging folder is removed; on failure its resumable work stays and the half-written version
    files are removed."""
    root = Path(root).absolute()
    check_output(root, protect=protect, force=force)
    root.mkdir(parents=True, exist_ok=True)
    legacy = _legacy_manifest(root) is not None
    if not (root / MARKER).exists():
        (root / MARKER).write_text(json.dumps({"format": "fashion-core index", "schema_version": SCHEMA_VERSION,
                                               "note": "made by fashion-core; safe to rebuild into"}) + "\n")
    with _locked(root):
        _recover(root)
        staging = root / STAGING
        _prepare_staging(staging, key)
        writer = IndexWriter(root, staging)
        try:
            yield writer
        except BaseException:
            shutil.rmtree(writer.files_dir, ignore_errors=True)  # the version half-written; shards stay (resume)
            raise
        if writer.committed is not None:
            shutil.rmtree(staging, ignore_errors=True)
            _prune(root)
            if legacy:
                _remove_legacy(root)


@contextmanager
def _locked(root: Path):
    path = root / LOCK
    fh = open(path, "a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                fh.seek(0)
                who = fh.read().strip() or "another process"
                raise IndexLocked(f"another build is writing to {root} ({who}); wait for it to finish, then retry"
                                  ) from None
            raise
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()} since {time.strftime('%H:%M:%S')}")
        fh.flush()
        yield
    finally:
        fh.close()


def _prepare_staging(staging: Path, key: dict) -> None:
    """Reuse the staging folder when it belongs to the same build (resume), else start it afresh."""
    marker = staging / "build.json"
    if staging.exists():
        try:
            same = json.loads(marker.read_text()) == key
        except (OSError, json.JSONDecodeError):
            same = False
        if same:
            shutil.rmtree(staging / "version", ignore_errors=True)
            return
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    marker.write_text(json.dumps(key))


def _recover(root: Path) -> None:
    """Finish what an interrupted swap left: point ``CURRENT`` at a complete version when it names none, and
    remove stray pointer temp files (all of them ours)."""
    for tmp in root.glob(f".{POINTER}.*.tmp"):
        tmp.unlink(missing_ok=True)
    pointer = root / POINTER
    named = None
    if pointer.is_file():
        named = pointer.read_text(encoding="utf-8", errors="replace").strip()
    if named and (root / VERSIONS / named / MANIFEST).is_file():
        return
    complete = complete_versions(root)
    if complete:
        tmp = root / f".{POINTER}.{os.getpid()}.tmp"
        tmp.write_text(complete[-1].name + "\n", encoding="utf-8")
        os.replace(tmp, pointer)


def _prune(root: Path) -> None:
    """Keep the current version and the one before it; remove older versions and incomplete leftovers."""
    current = current_version(root)
    folder = root / VERSIONS
    if current is None or not folder.is_dir():
        return
    names = sorted(p.name for p in folder.iterdir() if p.is_dir())
    keep = {current.name}
    older = [n for n in names if n < current.name and (folder / n / MANIFEST).is_file()]
    keep.update(older[-(KEEP_VERSIONS - 1):] if KEEP_VERSIONS > 1 else [])
    for name in names:
        if name not in keep:
            shutil.rmtree(folder / name, ignore_errors=True)


def _remove_legacy(root: Path) -> None:
    """Remove the files of a schema-1 index that this build replaced (exactly the names it used)."""
    for name in LEGACY_FILES:
        (root / name).unlink(missing_ok=True)
    for name in LEGACY_DIRS:
        if (root / name).is_dir():
            shutil.rmtree(root / name, ignore_errors=True)


def version_for_reading(root: str | Path) -> Path:
    """The version folder to load; a clear error when ``root`` is no index, or an index of the old layout."""
    root = Path(root)
    if not root.exists():
        raise FileNotFoundError(f"no index at {root}; build one with `fashion-core index build --catalog FILE "
                                f"--out {root}`")
    version = current_version(root)
    if version is not None:
        return version
    legacy = _legacy_manifest(root)
    if legacy is not None:
        raise IndexDamaged(f"index {root} has schema version 1, this code reads {SCHEMA_VERSION}; "
                           f"{rebuild_hint(root, (legacy.get('catalog') or {}).get('path'))}")
    raise FileNotFoundError(f"{root} is not an index directory (no complete version in it); build one with "
                            f"`fashion-core index build --catalog FILE --out {root}`")
