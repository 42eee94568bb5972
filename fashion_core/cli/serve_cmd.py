"""``serve``: the HTTP service (FastAPI + uvicorn) over one index, with N worker processes."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``serve`` to the parser."""
    p = sub.add_parser("serve", help="the HTTP service: /v1/look, /v1/similar, /v1/complete, /v1/products/{id}")
    p.add_argument("--index", type=Path, default=None, help="index directory (default: FASHION_INDEX or the demo)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes; they memory-map the same index files, so its pages are shared")
    p.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    p.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from ..index import load_index
    from ..service.logs import uvicorn_log_config
    from ..service.protocol import HTTP_PROTOCOL

    if args.workers < 1:
        raise ValueError(f"--workers must be at least 1, got {args.workers}")
    if not 0 < args.port < 65536:
        raise ValueError(f"--port must be between 1 and 65535, got {args.port}")
    cfg = args.settings.with_(index_dir=args.index)
    index = load_index(cfg.index_dir)  # a missing or damaged index stops here, in one line, before any worker
    print(f"serving index {cfg.index_dir} ({index.manifest.n_products} products, version {index.manifest.build_id}) "
          f"on http://{args.host}:{args.port} with {args.workers} worker(s); docs at /docs", file=sys.stderr)
    del index
    # each worker process resolves its own Settings from the environment: hand it the one this command resolved
    os.environ["FASHION_INDEX"] = str(Path(cfg.index_dir).absolute())
    for name, var in (("category_model", "FASHION_CATEGORY_MODEL"), ("garment_parser", "FASHION_GARMENT_PARSER"),
                      ("detector", "FASHION_DETECTOR")):
        value = getattr(cfg, name)
        os.environ[var] = "none" if value is None else str(value)
    uvicorn.run("fashion_core.service.app:create_app", factory=True, host=args.host, port=args.port,
                workers=args.workers, log_config=uvicorn_log_config(args.log_level.upper()), access_log=False,
                timeout_graceful_shutdown=10, http=HTTP_PROTOCOL)  # TCP_NODELAY with any --workers
    return 0
