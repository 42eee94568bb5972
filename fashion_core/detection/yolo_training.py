"""The shipped YOLO detector's recipe: which photos it learns from, how it is trained, how it is saved.

It learns from the ccp photos outside one held-out fold (5 photo-disjoint folds by sha1 of the file name, the
folds of the detection benchmarks) and the parser's generated demo training looks (seed 1); the held-out fold and
the shipped demo world's looks (seed 0) stay unseen, so the model card's scores are of the shipped weights
themselves (``benchmarks/bench_yolo.py``). ``yolov8n`` is built from its yaml (no pretrained weights offline) and
trained on CPU; the weights ship as float16 safetensors (half the bytes; loaded back as float32).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from ..results import RebuildResult
from .parser_training import photo_fold  # noqa: F401  (re-exported: the split every detection benchmark uses)

YOLO_RECIPE: dict = {"model": "yolov8n.yaml", "epochs": 36, "imgsz": 320, "batch": 16, "seed": 0, "held_out_fold": 0,
                     "folds": 5, "val_looks": 10}
"""Architecture, epochs, image size, batch, seed; the ccp fold it never trains on; demo looks it validates on
after the last epoch (ultralytics needs a val split; nothing is chosen on it)."""
WEIGHTS_FILE = "yolo.safetensors"


def training_splits(ccp_json: Path, demo_ann: Path, held_out: int, folds: int = 5,
                    val_looks: int = YOLO_RECIPE["val_looks"]) -> dict[str, list]:
    """``{"train": ccp photos outside fold ``held_out`` + demo looks, "val": the first ``val_looks`` demo looks}``."""
    from .converters import coco_samples

    ccp = coco_samples(ccp_json, ccp_json.parent, None, Counter())
    demo = coco_samples(demo_ann, demo_ann.parent, None, Counter())
    root = ccp_json.parent.resolve()
    train = [s for s in ccp if photo_fold(str(s.image.relative_to(root)), folds) != held_out] + demo
    return {"train": train, "val": demo[:val_looks]}


def train_recipe(ccp_json: Path, demo_ann: Path, work_dir: Path, recipe: dict | None = None) -> tuple[Path, dict]:
    """Write the dataset and train YOLO by ``recipe`` under ``work_dir``; returns the float32 safetensors written
    by :func:`fashion_core.detection.yolo.train_yolo` and facts for the card (images, seconds)."""
    from .converters import write_dataset
    from .yolo import train_yolo

    r = {**YOLO_RECIPE, **(recipe or {})}
    data = write_dataset(training_splits(ccp_json, demo_ann, r["held_out_fold"], r["folds"], r["val_looks"]),
                         Path(work_dir) / "data")
    t0 = time.perf_counter()
    weights = train_yolo(data.data_yaml, Path(work_dir) / "run", epochs=r["epochs"], imgsz=r["imgsz"],
                         model=r["model"], seed=r["seed"], batch=r["batch"], val=False)
    return weights, {"train_images": data.images["train"], "boxes": dict(data.boxes),
                     "train_seconds": round(time.perf_counter() - t0, 1)}


def ship(weights: Path, out: Path, facts: dict, recipe: dict | None = None) -> Path:
    """Copy trained weights into a shipped model folder as float16 safetensors + ``config.json``."""
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    r = {**YOLO_RECIPE, **(recipe or {})}
    with safe_open(str(weights), framework="pt") as f:
        meta = f.metadata() or {}
    state = {k: v.half() if v.is_floating_point() else v for k, v in load_file(str(weights)).items()}
    out.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out / WEIGHTS_FILE), metadata=meta)
    (out / "config.json").write_text(json.dumps({"kind": "yolo", "weights": WEIGHTS_FILE, "imgsz": r["imgsz"],
                                                 "conf": 0.25, "recipe": r, **facts}, indent=2) + "\n")
    return out / WEIGHTS_FILE


def rebuild(out: Path, settings, progress: bool = False) -> RebuildResult:
    """``models rebuild garment-yolo``: train the recipe (tens of minutes on 2 CPU cores), ship it into ``out``;
    the scores come from the benchmark of the same recipe (``bench_yolo_fold0.json``)."""
    from .parser_training import DEMO_LOOKS, DEMO_LOOKS_SEED, demo_training_looks

    demo_ann = demo_training_looks(settings.cache_dir, DEMO_LOOKS_SEED, DEMO_LOOKS)
    weights, facts = train_recipe(settings.shared_data / "ccp" / "annotations.json", demo_ann,
                                  settings.cache_dir / "yolo" / "rebuild")
    ship(weights, out, facts)
    return card_facts(settings)


def card_facts(settings) -> RebuildResult:
    """The model card's data, split, recipe, held-out scores (from ``benchmarks/results/bench_yolo_fold0.json``)."""
    r = YOLO_RECIPE
    path = settings.results_dir / f"bench_yolo_fold{r['held_out_fold']}.json"
    scores: dict = {"see": f"{path.name} (not run yet)"}
    split = ""
    if path.is_file():
        doc = json.loads(path.read_text())
        fig = doc["figures"]
        r4 = lambda v: round(float(v), 4)  # noqa: E731
        scores = {"benchmark": doc.get("command"), "benchmark date": doc.get("date")}
        for name, label in (("yolo", "YOLO (these weights)"), ("parser", "pose + garment parser, same fold"),
                            ("ensemble", "pose-ensemble (both fused, without the box rescorer)")):
            f = fig.get(name)
            if f is None:
                continue
            scores[f"{label}: ccp fold mAP@0.5, 7 target classes"] = r4(f["ccp"]["map50_target"])
            scores[f"{label}: ccp fold mAP@0.5, all 12 classes"] = r4(f["ccp"]["map50_all"])
            scores[f"{label}: held-out demo looks mAP@0.5, 7 target classes"] = r4(f["demo_looks"]["map50_target"])
            scores[f"{label}: latency p50 ms (550x832 ccp)"] = round(f["latency_ms"]["p50"], 1)
        scores["YOLO AP@0.5 per class, ccp fold"] = {c: r4(v["ap50"]) for c, v in
                                                    sorted(fig["yolo"]["ccp"]["per_class"].items())}
        split = fig.get("split", "")
    others, measured = [], []
    for k in range(r["folds"]):
        other = settings.results_dir / f"bench_yolo_fold{k}.json"
        if not other.is_file():
            continue
        f = json.loads(other.read_text())["figures"]
        if "ensemble" in f:
            measured.append(f)
        if k == r["held_out_fold"]:
            continue
        others.append(f"Fold {k} (the same recipe without fold {k}; those weights are not shipped): ccp mAP@0.5 over "
                      f"the 7 classes {f['yolo']['ccp']['map50_target']:.3f} against the parser's "
                      f"{f['parser']['ccp']['map50_target']:.3f} on that fold; held-out demo looks "
                      f"{f['yolo']['demo_looks']['map50_target']:.3f} against {f['parser']['demo_looks']['map50_target']:.3f}"
                      + (f"; both fused (pose-ensemble without its box rescorer): ccp "
                         f"{f['ensemble']['ccp']['map50_target']:.3f}, demo looks "
                         f"{f['ensemble']['demo_looks']['map50_target']:.3f}." if "ensemble" in f else "."))
    if len(measured) > 1:
        mean = lambda n, t: sum(f[n][t]["map50_target"] for f in measured) / len(measured)  # noqa: E731
        per = {c: sum(f["ensemble"]["ccp"]["per_class"][c]["ap50"] for f in measured) / len(measured)
               for c in sorted(measured[0]["ensemble"]["ccp"]["per_class"])}
        others.append(f"Mean over folds {[f['fold'] for f in measured]} (each detector refitted without its fold; "
                      f"`benchmarks/bench_yolo.py --summary`): ccp mAP@0.5 over the 7 classes YOLO "
                      f"{mean('yolo', 'ccp'):.3f}, parser {mean('parser', 'ccp'):.3f}, pose-ensemble "
                      f"{mean('ensemble', 'ccp'):.3f}; held-out demo looks {mean('yolo', 'demo_looks'):.3f} / "
                      f"{mean('parser', 'demo_looks'):.3f} / {mean('ensemble', 'demo_looks'):.3f}; pose-ensemble "
                      "AP@0.5 per class: " + ", ".join(f"{c} {v:.2f}" for c, v in per.items()) + ".")
    return RebuildResult(
        ["ccp", "demo-looks"], scores, split,
        f"ultralytics {r['model']} built from its yaml (no pretrained weights), trained {r['epochs']} epochs at "
        f"{r['imgsz']} px, batch {r['batch']}, seed {r['seed']}, on CPU with ultralytics' augmentation, on the ccp "
        f"photos outside fold {r['held_out_fold']} of {r['folds']} (sha1 of the file name) + the parser's generated "
        "demo training looks (seed 1); no epoch chosen on held-out photos (validation only after the last); "
        "float16 safetensors (`detection/yolo_training.py`).",
        ["Fold 0 of ccp is never trained on, so the scores above are of these weights, not of a refit.",
         "It serves by default fused with the garment parser (`pose-ensemble`: weighted boxes fusion, "
         "`detection/fusion.py`; the ensemble's figures are in `benchmarks/bench_yolo.py`'s results), reading the "
         "photo at 416 px with ultralytics' test-time augmentation (chosen on the 5 folds by `bench_yolo.py --tta`; "
         "`ENSEMBLE_YOLO_IMGSZ` in `detection/__init__.py`), and its fused boxes rescored by `models/box-rescorer` "
         "(whose card has the 5-fold figures of the default detector). Alone: "
         "`--detector yolo` (boxes only) or `--detector pose-yolo` (its boxes, given to the people the pose model "
         "finds: wearer per person and the knee-to-hip icon for bottoms).", *others])
