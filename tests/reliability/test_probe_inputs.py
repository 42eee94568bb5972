"""The probe script: its own corpus of malformed images and catalogs, through the library and the CLI, all held."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from .conftest import ROOT


def test_probe_inputs_every_probe_holds():
    res = subprocess.run([sys.executable, str(ROOT / "scripts" / "probe_inputs.py")], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    last = res.stdout.strip().splitlines()[-1]
    found = re.fullmatch(r"(\d+) tried, (\d+) held(; failed: .*)?", last)
    assert found, res.stdout[-3000:] + res.stderr[-2000:]
    tried, held = int(found.group(1)), int(found.group(2))
    assert tried >= 60 and held == tried and res.returncode == 0, res.stdout[-3000:]


def test_bench_catalog_keeps_every_good_row_on_a_small_run():
    """The benchmark's own checks (every good row, the planted line numbers) on 5,000 rows; figures not written."""
    res = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "bench_catalog.py"), "--rows", "5000",
                          "--no-write"], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert "csv: 4,997 products, 3 report lines (lines [1252, 2502, 3752])" in res.stdout, res.stdout
