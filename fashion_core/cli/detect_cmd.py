"""``detect`` (garments in photos) and ``detector convert | train`` (YOLO datasets and training)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from .output import emit_json, print_table

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's commands to the parser."""
    p = sub.add_parser("detect", help="find garments in photos (boxes, categories, icon points)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--image", type=Path, help="one photo")
    src.add_argument("--queries", type=Path, help="CSV with an 'image' column: many photos, models loaded once")
    p.add_argument("--detector", default=None, help="pose-ensemble (the default when the YOLO and the garment parser "
                   "are shipped: both fused), pose, yolo[:<weights>] or pose-yolo[:<weights>] (no weights: the "
                   "shipped models/garment-yolo); default FASHION_DETECTOR")
    p.add_argument("--min-score", type=float, default=None, help="drop detections scored below this")
    p.add_argument("--category-model", type=Path, default=None,
                   help="pose detector: category evidence from this model (`fashion-core category train`) instead "
                        "of ImageNet classes (default: FASHION_CATEGORY_MODEL)")
    p.add_argument("--parser", default=None,
                   help="pose detector: garment parser folder (`fashion-core detector parser-train`), or 'none' for "
                        "the rule regions (default: FASHION_GARMENT_PARSER, else models/garment-parser when present)")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.set_defaults(func=_detect)

    d = sub.add_parser("detector", help="detection datasets and YOLO training")
    dsub = d.add_subparsers(dest="detector_command", metavar="SUBCOMMAND", required=True)
    c = dsub.add_parser("convert", help="a ModaNet / DeepFashion2 / CCP / demo dataset → YOLO dataset in 12 classes")
    c.add_argument("--from", dest="kind", required=True, choices=("ccp", "modanet", "deepfashion2", "demo"))
    c.add_argument("src", type=Path, help="the dataset folder (or ModaNet JSON)")
    c.add_argument("--out", type=Path, required=True)
    c.add_argument("--val-fraction", type=float, default=0.1)
    c.add_argument("--limit", type=int, default=None, help="only the first N photos")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_convert)
    t = dsub.add_parser("train", help="train an ultralytics YOLO detector (offline, from an architecture yaml)")
    t.add_argument("--data", type=Path, required=True, help="data.yaml written by `detector convert`")
    t.add_argument("--out", type=Path, default=Path("models/detector"), help="run folder (weights/best.pt inside)")
    t.add_argument("--epochs", type=int, default=50)
    t.add_argument("--imgsz", type=int, default=640)
    t.add_argument("--batch", type=int, default=16)
    t.add_argument("--model", default="yolov8n.yaml", help="architecture .yaml (from scratch) or a local .pt")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=_train)
    pt = dsub.add_parser("parser-train", help="fit the pose detector's garment parser on photos with garment masks")
    pt.add_argument("--data", type=Path, action="append", required=True,
                    help="COCO json whose info names the mask labels (e.g. ../shared/data/ccp/annotations.json); "
                         "repeatable")
    pt.add_argument("--out", type=Path, required=True, help="parser folder to write (config.json + parser.npz)")
    pt.add_argument("--limit", type=int, default=None, help="only the first N photos (quick trials)")
    pt.add_argument("--epochs", type=int, default=3)
    pt.add_argument("--hidden", type=int, default=256)
    pt.add_argument("--seed", type=int, default=0)
    pt.add_argument("--members", type=int, default=2, help="MLPs averaged (seeds seed, seed+1, …)")
    pt.add_argument("--no-progress", action="store_true")
    pt.add_argument("--json", action="store_true")
    pt.set_defaults(func=_parser_train)


def _detect(args: argparse.Namespace) -> int:
    from ..detection import choose_detector
    from ..imageio import load_image

    images = query_images(args.queries) if args.queries is not None else [args.image]
    kwargs = {} if args.min_score is None else {"min_score": args.min_score}
    cfg = args.settings.with_(detector=args.detector, category_model=args.category_model, garment_parser=args.parser)
    detector = choose_detector(cfg, category_model=cfg.category_model, **kwargs)
    results = []
    for path in images:
        dets = detector.detect(load_image(path))
        results.append({"query": str(path), "detections": [d.to_dict() for d in dets]})
    if args.json:
        emit_json(results[0] if args.queries is None else {"results": results})
        return 0
    for r in results:
        print(r["query"])
        print_table([{"#": i + 1, "category": d["category"], "score": f"{d['score']:.2f}",
                      "box": ",".join(f"{v:.0f}" for v in d["box"]), "icon": ",".join(f"{v:.0f}" for v in d["icon"]),
                      "person": d["person"]} for i, d in enumerate(r["detections"])],
                    ["#", "category", "score", "box", "icon", "person"])
    return 0


def _parser_train(args: argparse.Namespace) -> int:
    from ..detection.parser_training import train_parser

    parser = train_parser(args.data, limit=args.limit, progress=not args.no_progress, epochs=args.epochs,
                          hidden=args.hidden, seed=args.seed, members=args.members)
    out = parser.save(args.out)
    summary = {"out": str(out), "photos": parser.trained_on.get("photos"), "cells": parser.trained_on.get("cells"),
               "detector": "pose", "use": f"FASHION_GARMENT_PARSER={out}"}
    if args.json:
        emit_json(summary)
    else:
        print(f"garment parser {out}: {summary['photos']} photos, {summary['cells']} cells\n"
              f"use it with: fashion-core detect --parser {out} --image PHOTO (or FASHION_GARMENT_PARSER={out})")
    return 0


def query_images(csv_path: Path) -> list[Path]:
    """The photos a ``--queries`` CSV names (its ``image`` column, relative to the CSV's folder)."""
    import pandas as pd

    if not csv_path.is_file():
        raise FileNotFoundError(f"{csv_path}: no such queries file")
    frame = pd.read_csv(csv_path)
    if "image" not in frame.columns:
        raise ValueError(f"{csv_path}: needs an 'image' column (found: {', '.join(map(str, frame.columns))})")
    return [p if p.is_absolute() else csv_path.parent / p for p in map(Path, frame["image"].astype(str))]


def _convert(args: argparse.Namespace) -> int:
    from ..detection.converters import convert

    report = convert(args.kind, args.src, args.out, val_fraction=args.val_fraction, limit=args.limit)
    if args.json:
        emit_json(report.to_dict())
    else:
        print(f"wrote {report.data_yaml}: {report.images['train']} train / {report.images['val']} val images, "
              f"{sum(report.boxes.values())} boxes; skipped labels: {dict(report.skipped) or 'none'}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from ..detection.yolo import train_yolo

    best = train_yolo(args.data, args.out, model=args.model, epochs=args.epochs, imgsz=args.imgsz,
                      batch=args.batch, seed=args.seed)
    if args.json:
        emit_json({"weights": str(best), "detector": f"yolo:{best}"})
    else:
        print(f"weights: {best}\nuse it with: fashion-core detect --detector yolo:{best} --image PHOTO")
    return 0
