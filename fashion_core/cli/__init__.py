"""The operator's command line: ``fashion-core <command>`` (also ``python -m fashion_core``).

Each area registers its own sub-commands from a module of this package, so the parser is
assembled here and the commands live next to nothing else. Logs go to stderr; ``--json``
answers go to stdout as one document.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from fashion_core import __version__
from fashion_core.config import Settings
from fashion_core.index import IndexLocked

COMMAND_MODULES = ("catalog_cmd", "demo_cmd", "index_cmd", "similar_cmd", "category_cmd", "compat_cmd", "detect_cmd", "look_cmd",
                   "setup_cmd", "models_cmd", "serve_cmd")


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, with every area's sub-commands registered."""
    parser = argparse.ArgumentParser(prog="fashion-core", description="Shop the look / complete the look.")
    parser.add_argument("--version", action="version", version=f"fashion-core {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"fashion_core.cli.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the process exit code (2 for bad input, with a one-line message)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, stream=sys.stderr,
                         format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        args.settings = Settings.resolve()  # once per process; commands apply their own flags with .with_()
        return int(args.func(args) or 0)
    except (FileNotFoundError, ValueError, KeyError, IndexError, IndexLocked, OSError) as exc:
        msg = exc.args[0] if isinstance(exc, (KeyError, IndexError)) and exc.args else exc
        if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError) and exc.strerror:
            msg = exc.strerror if not exc.filename else f"{exc.filename}: {exc.strerror}"
        print(f"fashion-core {args.command}: error: {msg}", file=sys.stderr)
        return 2
