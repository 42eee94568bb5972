"""Compatibility benchmark: the shipped joint model against a model trained on each source alone, per source,
FITB and AUC on held-out outfits, side by side in one run (with random and untrained-feature baselines).

Run: ``.venv/bin/python benchmarks/bench_compat.py`` (``--only demo,polyvore-text,ccp`` to pick sources,
``--retrain-joint`` to train the joint model here instead of scoring the shipped ``models/compat``; the rebuild
is deterministic, so both give the same model; ``--seeds N`` instead trains the recipe jointly and alone with N
seeds and prints the spread, to tell a gap from chance; ``--cv`` instead rotates the hash splits of polyvore-text and
ccp through 5 folds, so every outfit is a test outfit once: the recipe's FITB on 5x the questions). Splits, never
trained on:

- polyvore-text: ``../shared/data/polyvore-text`` split by ``sha1(set_id) % 10`` (0–1 test, 2 valid, 3–9 train),
  outfit-disjoint, titles only;
- ccp: ``../shared/data/ccp`` photos (garments worn together) split by ``sha1(file_name) % 10`` the same way,
  photo-disjoint, image features of the ground-truth box crops only;
- demo: the demo world's released ``disjoint`` split and questions (item-disjoint; image + title features).

"alone" = the same recipe (``fashion_core.compat.train``) on that source only; "joint" = one model on all three.
Figures go to ``benchmarks/results/bench_compat.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fashion_core.compat.evaluate import evaluate_vectors, questions, random_vectors  # noqa: E402
from fashion_core.compat.joint import SOURCES, load_sources, source_scores, train_joint  # noqa: E402
from fashion_core.config import Settings  # noqa: E402

TARGETS = {"polyvore-text": 0.45, "ccp": 0.63, "demo": 0.55}
TODAY = {"polyvore-text": 0.423, "ccp": 0.602, "demo": 0.510}
"""FITB of the per-source models before the joint model (README, bench_compat.py of 2026-11-23)."""


def baselines(data, feats) -> dict:
    """Random vectors and untrained features on the test split's questions."""
    fitb, compat = questions(data, "test")
    return {"random": evaluate_vectors(random_vectors(len(feats.ids)), feats.row, fitb, compat).to_dict(),
            "untrained": evaluate_vectors(feats.raw(), feats.row, fitb, compat).to_dict()}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write its JSON record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(SOURCES), help="comma-separated sources")
    parser.add_argument("--retrain-joint", action="store_true", help="train the joint model here")
    parser.add_argument("--wait", type=float, default=0, help="seconds to wait for models/compat (a rebuild "
                        "running beside)")
    parser.add_argument("--seeds", type=int, default=0, help="instead: train the shipped recipe jointly and on each "
                        "source alone with this many seeds and print the spread of test FITB (is a gap noise?)")
    parser.add_argument("--cv", action="store_true", help="instead: 5-fold cross-validation of the shipped recipe on "
                        "the hash-split sources (polyvore-text, ccp; the demo trains on its released split in every "
                        "fold), joint and alone")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    names = [c.strip() for c in args.only.split(",") if c.strip()]
    unknown = [c for c in names if c not in SOURCES]
    if unknown:
        parser.error(f"unknown source(s) {unknown}; expected {', '.join(SOURCES)}")
    settings = Settings.resolve()
    datas = load_sources(settings)
    if args.seeds:
        return seed_spread(settings, datas, names, args.seeds)
    if args.cv:
        return cross_validated(settings, datas, [n for n in names if n != "demo"])
    figures: dict[str, dict] = {}
    t0 = time.perf_counter()
    alone = {}
    for name in names:  # each source alone first (the shipped joint model is read afterwards)
        result, d, feats = train_joint(settings, (name,), datas=datas)
        alone[name] = (source_scores(result.model, d[name], feats[name]), round(result.seconds, 1), feats[name])
    if args.retrain_joint:
        joint_result, _, joint_feats = train_joint(settings, datas=datas)
        joint, joint_seconds = joint_result.model, round(joint_result.seconds, 1)
    else:
        from fashion_core.compat.model import load_model

        shipped = settings.models_dir / "compat"
        deadline = time.time() + args.wait
        while not (shipped / "config.json").exists() and time.time() < deadline:  # a rebuild may be running
            logging.warning("waiting for %s", shipped)
            time.sleep(30)
        if not (shipped / "config.json").exists():
            sys.exit(f"no shipped compatibility model at {shipped}; run `fashion-core models rebuild compat` or "
                     "pass --retrain-joint")
        joint, joint_seconds, joint_feats = load_model(shipped), None, None
    for name in names:
        d = datas[name]
        scores, seconds, feats = alone[name]
        if joint_feats is None:
            from fashion_core.compat.run import model_features

            jf = model_features(joint, d, "test", settings.cache_dir / "compat-features")
        else:
            jf = joint_feats[name]
        figures[name] = {"split_rule": d.split_rule, "n_train_outfits": len(d.outfits("train")),
                         "n_test_outfits": len(d.outfits("test")), **baselines(d, feats),
                         "alone": scores, "alone_train_seconds": seconds,
                         "joint": source_scores(joint, d, jf), "today": TODAY[name], "target": TARGETS[name]}
    print_table(figures)
    command = ".venv/bin/python benchmarks/bench_compat.py" + (f" --only {args.only}" if names != list(SOURCES) else "") \
        + (" --retrain-joint" if args.retrain_joint else "")
    print(f"joint model: {settings.compat_model if not args.retrain_joint else 'trained here'} ({joint.id}); "
          f"joint training {joint_seconds or 'n/a (shipped)'} s; whole run {time.perf_counter() - t0:.0f} s")
    print(f"machine: {platform.node()} ({platform.processor() or platform.machine()}), 2 shared CPU cores")
    print(f"reproduce: {command}")
    write_record("bench_compat.json", "bench_compat", command=command, joint_model=joint.id, figures=figures)
    return 0


def seed_spread(settings: Settings, datas: dict, names: list[str], n_seeds: int, threads: int = 1) -> int:
    """Train the shipped recipe jointly and on each source alone with ``n_seeds`` seeds (0, 10, 20, ...: each run's
    three heads take seed, seed + 1, seed + 2) and print per source the mean and spread of test FITB, joint and
    alone, and of their difference: how far one training run's figure moves by chance. One torch thread keeps the
    runs light beside other work; their exact numbers differ from a 2-thread run (the shipped rebuild's)."""
    from dataclasses import replace

    from fashion_core.compat.joint import shipped_recipe

    t0 = time.perf_counter()
    runs: dict[str, dict[str, list[float]]] = {n: {"joint": [], "alone": []} for n in names}
    seeds = [10 * k for k in range(n_seeds)]
    for seed in seeds:
        cfg = replace(shipped_recipe(), seed=seed, threads=threads)
        result, d, feats = train_joint(settings, cfg=cfg, datas=datas)
        for name in names:
            runs[name]["joint"].append(source_scores(result.model, d[name], feats[name])["fitb"])
            alone, da, fa = train_joint(settings, (name,), cfg=cfg, datas=datas)
            runs[name]["alone"].append(source_scores(alone.model, da[name], fa[name])["fitb"])
        print(f"seed {seed}: " + ", ".join(f"{n} joint {runs[n]['joint'][-1]:.3f} alone {runs[n]['alone'][-1]:.3f}"
                                           for n in names), flush=True)
    figures = {}
    for name in names:
        j, a = np.array(runs[name]["joint"]), np.array(runs[name]["alone"])
        figures[name] = {"joint": runs[name]["joint"], "alone": runs[name]["alone"], "target": TARGETS[name],
                         "joint_mean": float(j.mean()), "joint_sd": float(j.std(ddof=1)) if len(j) > 1 else 0.0,
                         "alone_mean": float(a.mean()), "diff_mean": float((j - a).mean()),
                         "diff_sd": float((j - a).std(ddof=1)) if len(j) > 1 else 0.0}
        f = figures[name]
        print(f"{name}: joint FITB {f['joint_mean']:.3f} +- {f['joint_sd']:.3f} (min {j.min():.3f}, max {j.max():.3f};"
              f" target {TARGETS[name]}), alone {f['alone_mean']:.3f}, joint - alone {f['diff_mean']:+.3f} +- "
              f"{f['diff_sd']:.3f} over {len(j)} seeds")
    command = f".venv/bin/python benchmarks/bench_compat.py --seeds {n_seeds}" + (
        f" --only {','.join(names)}" if names != list(SOURCES) else "")
    print(f"seeds {seeds}; whole run {time.perf_counter() - t0:.0f} s\nreproduce: {command}")
    write_record("bench_compat_seeds.json", "bench_compat --seeds", command=command, seeds=seeds, figures=figures)
    return 0


def cross_validated(settings: Settings, datas: dict, names: list[str]) -> int:
    """Train the shipped recipe jointly and on each source alone in every fold of
    :func:`fashion_core.compat.data.fold_split` and print per source the test FITB pooled over the folds (weighted by
    their questions): a figure on every outfit of the source instead of one fifth of them."""
    from fashion_core.compat.data import CV_FOLDS, fold_split

    t0 = time.perf_counter()
    runs = {n: {"joint": [], "alone": [], "questions": []} for n in names}
    for fold in range(CV_FOLDS):
        folded = {**datas, **{n: fold_split(datas[n], fold) for n in names}}
        joint, d, feats = train_joint(settings, datas=folded)
        for name in names:
            scores = source_scores(joint.model, d[name], feats[name])
            alone, da, fa = train_joint(settings, (name,), datas=folded)
            runs[name]["joint"].append(scores["fitb"])
            runs[name]["questions"].append(scores["n_questions"])
            runs[name]["alone"].append(source_scores(alone.model, da[name], fa[name])["fitb"])
        print(f"fold {fold}: " + ", ".join(f"{n} joint {runs[n]['joint'][-1]:.3f} alone {runs[n]['alone'][-1]:.3f}"
                                           for n in names), flush=True)
    figures = {}
    for name in names:
        w = np.array(runs[name]["questions"], dtype=float)
        j, a = float(np.average(runs[name]["joint"], weights=w)), float(np.average(runs[name]["alone"], weights=w))
        figures[name] = {**runs[name], "target": TARGETS[name], "joint_pooled": round(j, 4),
                         "alone_pooled": round(a, 4), "diff_pooled": round(j - a, 4), "n_questions": int(w.sum()),
                         "split_rule": fold_split(datas[name], 0).split_rule.replace("fold 0", "fold f")}
        print(f"{name}: joint FITB {j:.3f} (target {TARGETS[name]}), alone {a:.3f}, joint - alone {j - a:+.3f}, over "
              f"{int(w.sum())} questions of {CV_FOLDS} folds (fold 0 is the standard split)")
    command = ".venv/bin/python benchmarks/bench_compat.py --cv" + (
        f" --only {','.join(names)}" if names != ["polyvore-text", "ccp"] else "")
    print(f"whole run {time.perf_counter() - t0:.0f} s\nreproduce: {command}")
    write_record("bench_compat_cv.json", "bench_compat --cv", command=command, folds=CV_FOLDS, figures=figures)
    return 0


def write_record(file: str, benchmark: str, **doc) -> None:
    """Write ``benchmarks/results/<file>``: the benchmark's name, machine and date, then ``doc``."""
    out = ROOT / "benchmarks" / "results" / file
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"benchmark": benchmark, "machine": platform.node(),
                               "date": datetime.now(UTC).isoformat(timespec="seconds"), **doc}, indent=2) + "\n")


def print_table(figures: dict[str, dict]) -> None:
    """Rows × sources, ``AUC / FITB`` in each cell, then the acceptance checks."""
    cols = list(figures)
    print(f"{'':<22}" + "".join(f"{c + ' (AUC / FITB)':>30}" for c in cols))
    for row in ("random", "untrained", "alone", "joint"):
        cells = [f"{figures[c][row]['auc']:.3f} / {figures[c][row]['fitb']:.3f}" for c in cols]
        print(f"{row:<22}" + "".join(f"{x:>30}" for x in cells))
    print("questions (FITB / AUC outfits): " + ", ".join(
        f"{c} {figures[c]['joint']['n_questions']} / {figures[c]['joint']['n_outfits_auc']}" for c in cols))
    for c in cols:
        f = figures[c]
        j, a = f["joint"]["fitb"], f["alone"]["fitb"]
        print(f"{c}: joint FITB {j:.3f} (target >= {f['target']}: {'ok' if j >= f['target'] else 'MISSED'}; "
              f"today {f['today']}), alone {a:.3f}, joint - alone {j - a:+.3f} (>= -0.01: "
              f"{'ok' if j - a >= -0.01 else 'MISSED'}); {f['n_train_outfits']} train outfits; split: {f['split_rule']}")


if __name__ == "__main__":
    raise SystemExit(main())
