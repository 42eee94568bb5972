"""Benchmark: does MediaPipe's legacy pose model see the demo figures as people, and where it puts the joints.

Run: ``.venv/bin/python benchmarks/demo_pose.py [--demo DIR] [--looks 40]``. Uses a built demo (default
``data/demo``; built at a small size in a temporary folder when missing), runs
``mediapipe.solutions.pose.Pose(static_image_mode=True)`` on each look, and reports the share of looks with a
person found and the keypoint error against the generator's keypoints, in pixels and as a share of the
shoulder-to-hip height. Writes ``benchmarks/results/demo_pose.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fashion_core.config import DEMO_DIR  # noqa: E402
from fashion_core.imageio import load_image  # noqa: E402

JOINTS = ("nose", "left_eye", "right_eye", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
          "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle")


def measure(demo: Path, n: int) -> dict:
    """Person-found rate and keypoint errors of MediaPipe Pose on the first ``n`` looks of ``demo``."""
    import mediapipe as mp

    doc = json.loads((demo / "looks" / "annotations.json").read_text())
    images = doc["images"][:n]
    landmark = mp.solutions.pose.PoseLandmark
    found, errors, rel = 0, {j: [] for j in JOINTS}, []
    with mp.solutions.pose.Pose(static_image_mode=True, model_complexity=1) as pose:
        for im in images:
            rgb = np.asarray(load_image(demo / "looks" / im["file_name"]))
            result = pose.process(rgb)
            if result.pose_landmarks is None:
                continue
            found += 1
            kp = im["people"][0]["keypoints"]
            h, w = rgb.shape[:2]
            torso = abs(kp["left_hip"][1] - kp["left_shoulder"][1])
            per = []
            for j in JOINTS:
                lm = result.pose_landmarks.landmark[landmark[j.upper()]]
                e = float(np.hypot(lm.x * w - kp[j][0], lm.y * h - kp[j][1]))
                errors[j].append(e)
                per.append(e)
            rel.append(float(np.median(per)) / torso)
    return {"looks": len(images), "person_found": found, "person_found_rate": round(found / max(1, len(images)), 3),
            "median_error_px": {j: round(float(np.median(v)), 1) for j, v in errors.items() if v},
            "median_error_over_torso": round(float(np.median(rel)), 3) if rel else None}


def main() -> int:
    """Measure, print and write the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--demo", type=Path, default=DEMO_DIR)
    ap.add_argument("--looks", type=int, default=40)
    args = ap.parse_args()
    command = ".venv/bin/python benchmarks/demo_pose.py " + " ".join(sys.argv[1:])
    with tempfile.TemporaryDirectory() as tmp:
        demo = args.demo
        if not (demo / "looks" / "annotations.json").exists():
            from fashion_core.demo import build_demo

            demo = build_demo(Path(tmp) / "demo", n_products=240, n_outfits=400, n_looks=args.looks, progress=False)
        figures = measure(demo, args.looks)
    doc = {"name": "demo_pose", "machine": f"{platform.node()} · {platform.processor() or platform.machine()} · "
                                           f"{os.cpu_count()} CPUs (shared)",
           "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "command": command, "figures": figures}
    out = ROOT / "benchmarks" / "results" / "demo_pose.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc, indent=2))
    print(f"\nMediaPipe Pose found a person in {figures['person_found']}/{figures['looks']} demo looks; median "
          f"keypoint error {figures['median_error_over_torso']} × torso height\nreproduce: {command}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
