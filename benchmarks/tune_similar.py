"""Tune the similarity descriptor on fpi: encode the catalog once per input size (cached in data/cache),
then score block weights and PCA sizes by leave-one-out precision within the category (as bench_similar).

Run: .venv/bin/python benchmarks/tune_similar.py --sizes 160 224
"""

from __future__ import annotations

import argparse
import itertools

from _common import fpi_labels, fpi_parts, need_shared
from bench_similar import leave_one_out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[160])
    args = ap.parse_args()
    need_shared()
    from fashion_core.encoders.descriptor import Descriptor

    for size in args.sizes:
        parts = fpi_parts(size)
        at, col, cat = fpi_labels(parts.pop("ids"))
        for name in ("head", "colour"):
            r = leave_one_out(parts[name], cat, at, col)
            print(f"{size}px {name:6s} only: p10 type+col {r['p10_type_colour']:.3f} type {r['p10_type']:.3f}")
        for wh, wm, wc, dim in itertools.product((1.0,), (0.0, 0.5, 1.0), (1.0, 1.5, 2.0, 2.5), (128, 256)):
            d = Descriptor(weights={"head": wh, "mid": wm, "colour": wc}, dim=dim).fit(parts)
            r = leave_one_out(d.transform(parts), cat, at, col)
            print(f"{size}px head {wh} mid {wm} colour {wc} dim {dim}: p5 {r['p5_type_colour']:.3f} "
                  f"p10 type+col {r['p10_type_colour']:.3f} type {r['p10_type']:.3f}", flush=True)


if __name__ == "__main__":
    main()
