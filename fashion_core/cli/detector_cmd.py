"""Placeholder kept in the CLI module list: ``detector convert | train`` are registered by ``detect_cmd``.

Registering them here too would make argparse reject the duplicate ``detector`` command, so this module
adds nothing; the implementations are :mod:`fashion_core.detection.converters` and
:func:`fashion_core.detection.yolo.train_yolo`.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Add nothing: the ``detector`` group lives in :mod:`fashion_core.cli.detect_cmd`."""
