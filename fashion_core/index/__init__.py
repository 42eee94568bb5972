"""The one owner of the index directory format: writing, reading, verifying and describing it.

Every other module goes through this package: :func:`open_build` / :class:`IndexWriter` write a new version and
swap it in atomically, :func:`load_index` reads and checks the served version (:class:`LoadedIndex`),
:func:`verify_index` checks every hash, :func:`describe_index` says what an index holds, and :class:`Manifest`
is the typed ``manifest.json``. See :mod:`.store` for the layout on disk.
"""

from .files import FileRecord, IndexDamaged
from .loaded import CategoryIndex, LoadedIndex, describe_index, load_index, read_manifest, verify_index
from .manifest import (
                    N_TREES,
                    SCHEMA_VERSION,
                    SEARCH_K_PER_RESULT,
                    AnnInfo,
                    CatalogInfo,
                    CompatInfo,
                    EncoderInfo,
                    Manifest,
)
from .products import TABLE as PRODUCT_TABLE
from .products import product_records
from .store import (
                    IndexLocked,
                    IndexWriter,
                    UnsafeOutput,
                    category_file,
                    check_output,
                    current_version,
                    is_index_root,
                    open_build,
                    rebuild_hint,
)

__all__ = [
    "N_TREES", "PRODUCT_TABLE", "SCHEMA_VERSION", "SEARCH_K_PER_RESULT", "AnnInfo", "CatalogInfo", "CategoryIndex",
    "CompatInfo", "EncoderInfo", "FileRecord", "IndexDamaged", "IndexLocked", "IndexWriter", "LoadedIndex",
    "Manifest", "UnsafeOutput", "category_file", "check_output", "current_version", "describe_index",
    "is_index_root", "load_index", "open_build", "product_records", "read_manifest", "rebuild_hint",
    "verify_index",
]
