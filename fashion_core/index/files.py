"""Each index file's record (size, SHA-256, a sampled fingerprint) and the checks that refuse a damaged file.

Loading checks every file's size and, for files up to :data:`FULL_HASH_BYTES`, its full SHA-256; larger files
(the Annoy trees of a million-product catalog) get a fingerprint of sampled blocks, so a truncated or zeroed
file is refused at once without reading a gigabyte. ``index verify`` checks every full hash.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

FULL_HASH_BYTES = 64 * 2**20
"""Files up to this size are hashed in full on every load (a few ms per MiB)."""

SAMPLE_BLOCK = 64 * 1024
SAMPLE_BLOCKS = 32
"""The fingerprint hashes this many blocks spread over the file, plus its size."""


class IndexDamaged(ValueError):
    """An index directory whose files do not match its manifest; the message is one line that names the file
    and says how to rebuild."""


@dataclass(frozen=True)
class FileRecord:
    """What the manifest knows about one file of an index version."""

    size: int
    sha256: str
    fingerprint: str

    def to_dict(self) -> dict:
        """JSON shape in ``manifest.json``."""
        return {"size": self.size, "sha256": self.sha256, "fingerprint": self.fingerprint}

    @classmethod
    def from_dict(cls, d: dict) -> FileRecord:
        """Read a manifest entry."""
        return cls(int(d["size"]), str(d["sha256"]), str(d.get("fingerprint", "")))


def sha256_of(path: Path) -> str:
    """Full SHA-256 of a file, hex."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fingerprint_of(path: Path, size: int | None = None) -> str:
    """SHA-256 of the file's size and :data:`SAMPLE_BLOCKS` blocks spread evenly over it (first and last
    included): cheap for any size, and it changes when a file is truncated, zeroed or overwritten in places."""
    size = os.path.getsize(path) if size is None else size
    h = hashlib.sha256(str(size).encode())
    with open(path, "rb") as fh:
        if size <= SAMPLE_BLOCK * SAMPLE_BLOCKS:
            h.update(fh.read())
        else:
            last = size - SAMPLE_BLOCK
            for i in range(SAMPLE_BLOCKS):
                fh.seek(last * i // (SAMPLE_BLOCKS - 1))
                h.update(fh.read(SAMPLE_BLOCK))
    return h.hexdigest()[:32]


def record_of(path: Path) -> FileRecord:
    """The record of a freshly written file."""
    size = os.path.getsize(path)
    return FileRecord(size, sha256_of(path), fingerprint_of(path, size))


def check_file(path: Path, rel: str, record: FileRecord, *, full: bool = False) -> str | None:
    """``None`` when the file matches its record, else what is wrong (``full``: always compare the full hash)."""
    if not path.is_file():
        return f"{rel} is missing"
    size = os.path.getsize(path)
    if size != record.size:
        return f"{rel} is {size} bytes, the manifest says {record.size}"
    if full or size <= FULL_HASH_BYTES:
        if sha256_of(path) != record.sha256:
            return f"{rel} does not match its SHA-256 in the manifest (its content changed)"
    elif record.fingerprint and fingerprint_of(path, size) != record.fingerprint:
        return f"{rel} does not match its fingerprint in the manifest (its content changed)"
    return None


def fsync_file(path: Path) -> None:
    """Flush a written file to disk, so a crash after the swap cannot leave it half-written."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (renames inside it) to disk; a no-op where folders cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
