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
