"""``models list | rebuild | card``: the shipped models (``fashion_core.shipped``): what is shipped, loaded, and its hashes;
retraining from ``../shared`` with everything that depends on it."""

from __future__ import annotations

import argparse
import sys

from .output import emit_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``models`` command group."""
    p = sub.add_parser("models", help="the shipped models: list them, or rebuild them from ../shared")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    p.set_defaults(func=lambda a: (p.print_help(sys.stderr), 2)[1])
    ls = msub.add_parser("list", help="what is shipped, what the settings load, file hashes")
    ls.add_argument("--json", action="store_true", help="one JSON document on stdout")
    ls.set_defaults(func=_list)
    rb = msub.add_parser("rebuild", help="retrain shipped models from ../shared (with the models that depend on them)")
    rb.add_argument("names", nargs="*", help="models to rebuild (default: all); their dependents follow")
    rb.add_argument("--check", action="store_true",
                    help="train each model twice and say whether the weights are identical (determinism)")
    rb.add_argument("--dry-run", action="store_true", help="only print what would be rebuilt, in order")
    rb.add_argument("--no-progress", action="store_true")
    rb.add_argument("--json", action="store_true", help="one JSON document on stdout")
    rb.set_defaults(func=_rebuild)
    cd = msub.add_parser("card", help="re-read a model's held-out figures from its benchmark into its card "
                                      "(weights untouched)")
    cd.add_argument("name", help="a shipped model whose card figures come from a benchmark (fashion-encoder)")
    cd.add_argument("--json", action="store_true", help="one JSON document on stdout")
    cd.set_defaults(func=_card)


def _list(args: argparse.Namespace) -> int:
    from ..shipped import SIZE_BUDGET_MB, describe

    rows = describe(args.settings)
    total = sum(r["bytes"] for r in rows)
    doc = {"models": rows, "total_bytes": total, "budget_mb": SIZE_BUDGET_MB, "encoder": args.settings.encoder}
    if args.json:
        emit_json(doc)
        return 0
    print_table([{"model": r["name"], "shipped": "yes" if r["present"] else "no", "loaded": r["loaded"],
                  "MB": f"{r['bytes'] / 2**20:.2f}", "weights": r["weights_hash"] or "-",
                  "depends on": ", ".join(r["depends_on"]) or "-", "card date": r["card_date"] or "-"}
                 for r in rows], ["model", "shipped", "loaded", "MB", "weights", "depends on", "card date"])
    print(f"\nimage encoder in use: {args.settings.encoder}; shipped models together {total / 2**20:.2f} MB "
          f"(budget {SIZE_BUDGET_MB:.0f} MB)")
    for r in rows:
        for name, f in r["files"].items():
            print(f"  {r['name']}/{name}  {f['bytes']:>10,d} B  sha256 {f['sha256']}")
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    from ..shipped import rebuild, rebuild_order

    order = rebuild_order(args.names or None)
    if args.dry_run:
        names = [m.name for m in order]
        emit_json({"order": names}) if args.json else print("would rebuild, in order: " + ", ".join(names))
        return 0
    summaries = rebuild(args.names or None, args.settings, progress=not args.no_progress, check=args.check)
    if args.json:
        emit_json({"rebuilt": summaries})
        return 0
    for s in summaries:
        det = "" if s["deterministic"] is None else f", deterministic: {'yes' if s['deterministic'] else 'NO'}"
        print(f"{s['name']}: {s['folder']} (weights {s['weights_hash']}, {s['seconds']} s{det})")
        for k, v in s["scores"].items():
            print(f"  {k}: {v}")
    return 0


def _card(args: argparse.Namespace) -> int:
    from ..shipped import refresh_card

    card = refresh_card(args.name, args.settings)
    if args.json:
        emit_json({"card": card})
        return 0
    print(f"{args.name}: card refreshed from its benchmark (weights {card.get('weights_hash')}, unchanged)")
    for k, v in card["scores"].items():
        print(f"  {k}: {v}")
    return 0
