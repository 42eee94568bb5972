"""The offline title encoder: character and word n-gram TF-IDF, reduced by SVD to a fixed dimension.

Fitted with scikit-learn on a list of titles, then applied with plain numpy so that a saved encoder
(JSON vocabularies + NPY arrays, no pickle) gives exactly the vectors it gave when it was fitted.
Pipeline per title: lower-case → counts of char n-grams (``char_wb`` 2–4) and word 1–2-grams →
sublinear tf × idf, L2 per block → concatenation → SVD projection → L2 normalisation.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

FORMAT_VERSION = 1
_BLOCKS: dict[str, dict] = {
    "char": {"analyzer": "char_wb", "ngram_range": (2, 4), "lowercase": True},
    "word": {"analyzer": "word", "ngram_range": (1, 2), "lowercase": True, "token_pattern": r"(?u)\b\w+\b"},
}


class TitleEncoder:
    """Titles → L2-normalised dense vectors of ``dim`` values (fit once, save/load as JSON + NPY)."""

    def __init__(self, dim: int = 256, min_df: int = 2, seed: int = 0):
        self.dim = dim
        self.min_df = min_df
        self.seed = seed
        self.vocab: dict[str, list[str]] = {}
        self.idf: dict[str, np.ndarray] = {}
        self.components: np.ndarray | None = None

    @property
    def fitted(self) -> bool:
        """True once :meth:`fit` or :meth:`load` has run."""
        return self.components is not None

    @property
    def id(self) -> str:
        """Short hash of the fitted vocabularies and weights: names this exact encoder."""
        self._check_fitted()
        h = hashlib.sha256()
        for name in _BLOCKS:
            h.update("\n".join(self.vocab[name]).encode())
            h.update(np.ascontiguousarray(self.idf[name], dtype=np.float32).tobytes())
        h.update(np.ascontiguousarray(self.components, dtype=np.float32).tobytes())
        return f"tfidf-svd{self.dim}-{h.hexdigest()[:10]}"

    def fit(self, titles: Sequence[str]) -> TitleEncoder:
        """Learn vocabularies, idf weights and the SVD projection from ``titles``; returns ``self``."""
        titles = _clean(titles)
        if len(titles) < 2:
            raise ValueError(f"TitleEncoder.fit needs at least 2 titles, got {len(titles)}")
        for name, params in _BLOCKS.items():
            min_df = self.min_df if len(titles) >= 10 * self.min_df else 1
            vec = TfidfVectorizer(**params, min_df=min_df, sublinear_tf=True, dtype=np.float32).fit(titles)
            terms = sorted(vec.vocabulary_, key=vec.vocabulary_.get)
            self.vocab[name] = terms
            self.idf[name] = vec.idf_.astype(np.float32)
        x = self._sparse(titles)
        dim = max(1, min(self.dim, x.shape[1] - 1, len(titles) - 1))
        svd = TruncatedSVD(n_components=dim, algorithm="randomized", n_iter=7, random_state=self.seed).fit(x)
        self.dim = dim
        self.components = svd.components_.astype(np.float32)
        return self

    def encode(self, titles: Sequence[str]) -> np.ndarray:
        """(n, dim) float32, L2-normalised; a title with no known n-gram gives a zero row."""
        self._check_fitted()
        titles = _clean(titles)
        if not titles:
            return np.zeros((0, self.dim), dtype=np.float32)
        z = np.asarray(self._sparse(titles) @ self.components.T, dtype=np.float32)
        return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12)

    def save(self, directory: str | Path) -> Path:
        """Write ``text_encoder.json`` and ``text_encoder_*.npy`` into ``directory`` (created)."""
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {"format_version": FORMAT_VERSION, "kind": "tfidf-svd", "id": self.id, "dim": self.dim,
                "min_df": self.min_df, "seed": self.seed,
                "blocks": {n: {**{k: list(v) if isinstance(v, tuple) else v for k, v in p.items()},
                               "vocabulary": self.vocab[n]} for n, p in _BLOCKS.items()}}
        (directory / "text_encoder.json").write_text(json.dumps(meta))
        for name in _BLOCKS:
            np.save(directory / f"text_encoder_idf_{name}.npy", self.idf[name])
        np.save(directory / "text_encoder_components.npy", self.components)
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> TitleEncoder:
        """Read an encoder written by :meth:`save`; refuses files of another format."""
        directory = Path(directory)
        path = directory / "text_encoder.json"
        if not path.exists():
            raise FileNotFoundError(f"no text encoder at {path}; it is written by `fashion-core compat train`")
        meta = json.loads(path.read_text())
        if meta.get("format_version") != FORMAT_VERSION or meta.get("kind") != "tfidf-svd":
            raise ValueError(f"{path}: unsupported text encoder format {meta.get('kind')!r} "
                             f"v{meta.get('format_version')}; retrain with `fashion-core compat train`")
        enc = cls(dim=int(meta["dim"]), min_df=int(meta["min_df"]), seed=int(meta["seed"]))
        for name in _BLOCKS:
            enc.vocab[name] = list(meta["blocks"][name]["vocabulary"])
            enc.idf[name] = np.load(directory / f"text_encoder_idf_{name}.npy", allow_pickle=False)
        enc.components = np.load(directory / "text_encoder_components.npy", allow_pickle=False).astype(np.float32)
        if enc.id != meta["id"]:
            raise ValueError(f"{directory}: text encoder files do not match their recorded id {meta['id']}; "
                             "the files were changed or mixed, retrain the model")
        return enc

    def _sparse(self, titles: list[str]) -> sparse.csr_matrix:
        blocks = []
        for name, params in _BLOCKS.items():
            vocab = {t: i for i, t in enumerate(self.vocab[name])}
            counts = CountVectorizer(**params, vocabulary=vocab, dtype=np.float32).transform(titles)
            counts = counts.tocsr()
            counts.data = (1.0 + np.log(counts.data)) * self.idf[name][counts.indices]
            norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
            blocks.append(sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ counts)
        return sparse.hstack(blocks, format="csr", dtype=np.float32)

    def _check_fitted(self) -> None:
        if self.components is None:
            raise ValueError("TitleEncoder is not fitted; call fit(titles) or TitleEncoder.load(dir) first")


def _clean(titles: Sequence[str]) -> list[str]:
    if isinstance(titles, str):
        raise TypeError("pass a list of titles, not one string")
    return [str(t) if t is not None else "" for t in titles]
