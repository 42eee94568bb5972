"""Outfits on a real catalog: wearer fit, occasion, slot rules, diversity, refine and speed, with and without the
compatibility model and the outfit rules, side by side in one run.

Run: ``.venv/bin/python benchmarks/bench_outfits.py`` (``--ccp-photos 0`` skips the street photos; ``--quick`` for
a small smoke run). On ``../shared/data/fpi``: ``--n-index`` products (default 500, drawn with ``--seed``) are
indexed the way ``index build`` does it (attribute heads, a wearer model fitted on those 500 products' own labels,
its gender head the shipped wearer model's when that scores better on them);
``--n-queries`` other products (default 300, never indexed, and never seen by the shipped wearer model: its
held-out fold) are queried *as images* with their category, once
with their catalog attributes given (gender, usage, season, colour) and once with none (the wearer, occasion and
season are inferred from the photo). Street photos: ccp garment crops (ground-truth boxes) as queries with no
attributes, through ``Recommender.answer`` (one wearer inferred per look). Rows: ``no compatibility model`` (an
index built with ``--compat-model none``, rules off: today's fallback), ``shipped model`` (the shipped
compatibility model, rules off), ``shipped model + rules`` (what is served), and for reference ``no compatibility
model + rules``. Every returned item counts: the outfit and every alternative of every slot.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from _common import FPI_CSV, ROOT, need_shared, write_results

from fashion_core import taxonomy  # noqa: E402
from fashion_core.catalog import Catalog, load_catalog  # noqa: E402
from fashion_core.config import Settings  # noqa: E402
from fashion_core.encoders.descriptor import PARTS_VERSION  # noqa: E402
from fashion_core.outfits import rules  # noqa: E402
from fashion_core.outfits.wearer_prior import held_out, load_prior  # noqa: E402
from fashion_core.results import Filters  # noqa: E402

ATTRIBUTES = ("gender", "usage", "season", "baseColour")
"""The catalog columns an image query is given in the "attributes known" mode."""
ROWS = ("no compatibility model", "shipped model", "shipped model + rules", "no compatibility model + rules")
TARGETS = {"gender_fit": 0.99, "gender_fit_inferred": 0.90, "same_usage": 0.85, "one_wearer_street": 0.97,
           "refine_black_shoes": 0.90, "complete_p50_ms": 60.0}


def cache_dir(settings: Settings) -> Path:
    """Where this benchmark keeps its encoded parts and indexes (git-ignored)."""
    path = settings.cache_dir / "bench-outfits"
    path.mkdir(parents=True, exist_ok=True)
    return path


def encode(products, encoder, path: Path) -> dict[str, np.ndarray]:
    """Encoder parts of the products' images, cached as .npz (keyed by ids and encoder weights)."""
    from tqdm import tqdm

    from fashion_core.ingest import encode_chunk

    if path.exists():
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    chunks = [encode_chunk(products[i:i + 64], encoder, None)
              for i in tqdm(range(0, len(products), 64), desc=f"encoding {path.stem}", file=sys.stderr)]
    parts = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0] if k != "ok"}
    np.savez(path, **parts)
    return parts


def build_indexes(settings: Settings, products, parts, encoder, key: str) -> dict[str, Path]:
    """The benchmark's two indexes (shipped compatibility model, and none) over the same encoded products."""
    from fashion_core.index import EncoderInfo, current_version, load_index
    from fashion_core.ingest import index_from_parts

    if settings.compat_model is None:
        sys.exit("no shipped compatibility model (models/compat); build it with `fashion-core models rebuild compat`")
    from fashion_core.compat.model import load_model

    model_id = load_model(settings.compat_model).id
    out = {}
    for name, compat in (("none", None), (f"compat-{model_id}", settings.compat_model)):
        path = cache_dir(settings) / f"index-{key}-{name}"
        fresh = current_version(path) is None
        if not fresh:
            try:
                load_index(path, encoder)
            except (ValueError, OSError):
                fresh = True
        if fresh:
            index_from_parts(path, Catalog(products, FPI_CSV.parent), FPI_CSV,
                             EncoderInfo(encoder.name, encoder.weights_id, int(encoder.dim)), parts,
                             attributes=None, compat_model=compat, force=True, wearer_model=settings.wearer_model)
        out["none" if compat is None else "compat"] = path
    return out


class CachedEncoder:
    """The index's encoder, remembering what it encoded (by pixels): the street rows crop the same garments for
    every row, and the look's wearer reads the same crops, so each crop is encoded once in the whole run."""

    def __init__(self, encoder):
        self.inner, self.name, self.weights_id, self.dim = encoder, encoder.name, encoder.weights_id, encoder.dim
        self.cache: dict[str, dict[str, np.ndarray]] = {}

    @staticmethod
    def _key(image) -> str:
        return hashlib.sha1(f"{image.mode}{image.size}".encode() + image.tobytes()).hexdigest()

    def encode_parts(self, images) -> dict[str, np.ndarray]:
        """Encoder parts of the images (cached ones are not encoded again)."""
        keys = [self._key(im) for im in images]
        todo = [i for i, k in enumerate(keys) if k not in self.cache]
        if todo:
            fresh = self.inner.encode_parts([images[i] for i in todo]) if hasattr(self.inner, "encode_parts") \
                else {"head": self.inner.encode([images[i] for i in todo])}
            for j, i in enumerate(todo):
                self.cache[keys[i]] = {k: np.asarray(v)[j] for k, v in fresh.items()}
        return {k: np.stack([self.cache[key][k] for key in keys]) for k in self.cache[keys[0]]}

    def encode(self, images) -> np.ndarray:
        """The ``head`` part (the encoder protocol)."""
        return self.encode_parts(images)["head"]


def row_of(parts: dict[str, np.ndarray], i: int) -> dict[str, np.ndarray]:
    """One product's parts, as a batch of one."""
    return {k: v[i:i + 1] for k, v in parts.items()}


def all_items(outfit) -> list:
    """Every recommendation an outfit answer shows: the outfit and every slot's alternatives (once each)."""
    seen, out = set(), []
    for r in list(outfit.outfit) + [r for recs in outfit.by_slot.values() for r in recs]:
        key = (r.slot, r.product.product_id)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return out


def gender_fits(item_gender: str | None, query_gender: str | None) -> bool:
    """The benchmark's fit: some wearer the query is for may wear the item (unknown on either side: fits)."""
    if item_gender is None or query_gender is None:
        return True
    return bool(rules.wearers_of(item_gender) & rules.wearers_of(query_gender))


def usage_of(value: str | None) -> str | None:
    """The occasion a usage value names, as the rules read it (``NA`` and unknown values: None)."""
    return rules.USAGE_VALUES.get(str(value or "").strip().lower())


def outfit_figures(answers: list[tuple[dict, object]]) -> dict:
    """The outfit figures over (query attributes, Outfit) pairs."""
    fit = usage = usage_n = n_items = dup = own = bottoms = dresses = 0
    outfits_n = len(answers)
    one_wearer = 0
    for q, outfit in answers:
        items = all_items(outfit)
        g = rules.gender_of_value(q.get("gender"))
        qslot = taxonomy.slot_of(q["category"])
        for r in items:
            a = r.product.attributes
            fit += gender_fits(rules.gender_of_value(a.get("gender")), g)
            qu, au = usage_of(q.get("usage")), usage_of(a.get("usage"))
            if qu and au:  # both say an occasion ("NA" says none)
                usage_n += 1
                usage += au == qu
            own += r.slot == qslot
            bottoms += q["category"] == "dress" and r.slot == "bottom"
            dresses += g in ("Men", "Boys") and r.product.category == "dress"
        n_items += len(items)
        for recs in outfit.by_slot.values():
            titles = Counter(" ".join(r.product.title.lower().split()) for r in recs)
            dup += sum(c - 1 for c in titles.values())
        genders = [rules.gender_of_value(r.product.attributes.get("gender")) for r in outfit.outfit]
        options = set(rules.WEARERS)
        for x in genders:
            options &= rules.wearers_of(x)
        one_wearer += bool(options)
    return {"queries": outfits_n, "items": n_items, "items_per_query": round(n_items / max(outfits_n, 1), 2),
            "gender_fit": round(fit / max(n_items, 1), 4), "same_usage": round(usage / max(usage_n, 1), 4),
            "duplicate_titles_in_a_slot": dup, "items_of_the_query_slot": own, "bottoms_for_a_dress": bottoms,
            "dresses_for_a_mens_item": dresses, "outfits_for_one_wearer": round(one_wearer / max(outfits_n, 1), 4)}


def similar_figures(answers: list[tuple[dict, list]]) -> dict:
    """Gender fit of Similar items."""
    fit = n = 0
    for q, recs in answers:
        g = rules.gender_of_value(q.get("gender"))
        for r in recs:
            n += 1
            fit += gender_fits(rules.gender_of_value(r.product.attributes.get("gender")), g)
    return {"similar_items": n, "similar_gender_fit": round(fit / max(n, 1), 4)}


def fpi_rows(recs: dict, queries, qparts, k: int) -> dict:
    """Outfit and Similar figures per row, attributes known and inferred."""
    figures = {}
    for row, rec in recs.items():
        for mode in ("known", "inferred"):
            outs, sims = [], []
            for i, p in enumerate(queries):
                truth = {"category": p.category, **{a: p.attributes.get(a) for a in ATTRIBUTES}}
                given = {a: v for a, v in truth.items() if a != "category" and v} if mode == "known" else None
                query = rec.parts_query(row_of(qparts, i), p.category, given)
                outs.append((truth, rec.complete_for(query, k)))
                sims.append((truth, rec.similar_for(query, 10)))
            figures[f"{row} | {mode}"] = {**outfit_figures(outs), **similar_figures(sims)}
    return figures


def refine_figures(rec, queries, qparts, n: int, k: int) -> dict:
    """``refine black`` on ``n`` queries (attributes known): share of returned shoes that are Black, gender fit."""
    shoes = black = 0
    outs, sims = [], []
    outfit_shoes = outfit_black = 0
    filters = Filters(refine="black")
    for i, p in enumerate(queries[:n]):
        truth = {"category": p.category, **{a: p.attributes.get(a) for a in ATTRIBUTES}}
        query = rec.parts_query(row_of(qparts, i), p.category, {a: v for a, v in truth.items() if a != "category" and v})
        outfit = rec.complete_for(query, k, filters)
        outs.append((truth, outfit))
        sims.append((truth, rec.similar_for(query, 10, filters)))
        for r in all_items(outfit):
            if r.slot == "shoes":
                shoes += 1
                black += r.product.attributes.get("baseColour") == "Black"
        for r in outfit.outfit:
            if r.slot == "shoes":
                outfit_shoes += 1
                outfit_black += r.product.attributes.get("baseColour") == "Black"
    sim_black = [r.product.attributes.get("baseColour") == "Black" for _, recs in sims for r in recs]
    return {"queries": n, "shoes_returned": shoes, "black_shoes": round(black / max(shoes, 1), 4),
            "outfit_shoes": outfit_shoes, "outfit_black_shoes": round(outfit_black / max(outfit_shoes, 1), 4),
            "similar_black": round(float(np.mean(sim_black)) if sim_black else 0.0, 4),
            **{f"refine_{k2}": v for k2, v in outfit_figures(outs).items() if k2 in ("gender_fit", "same_usage")},
            **{f"refine_{k2}": v for k2, v in similar_figures(sims).items()}}


def latency(rec, queries, qparts, k: int, runs: int) -> dict:
    """complete-the-look in process (``complete_for`` on encoded queries, filters on), p50 / p95 in ms."""
    filters = Filters(refine="black", price_max=1e9, slots=tuple(taxonomy.SLOTS))
    qs = [rec.parts_query(row_of(qparts, i), p.category) for i, p in enumerate(queries)]
    for q in qs[:10]:
        rec.complete_for(q, k, filters)
    times = []
    for j in range(runs):
        q = qs[j % len(qs)]
        t0 = time.perf_counter()
        rec.complete_for(q, k, filters)
        times.append((time.perf_counter() - t0) * 1000)
    plain = []
    for j in range(min(runs, 100)):
        q = qs[j % len(qs)]
        t0 = time.perf_counter()
        rec.complete_for(q, k)
        plain.append((time.perf_counter() - t0) * 1000)
    return {"runs": runs, "p50_ms": round(float(np.percentile(times, 50)), 2),
            "p95_ms": round(float(np.percentile(times, 95)), 2),
            "no_filters_p50_ms": round(float(np.percentile(plain, 50)), 2)}


def full_catalog_latency(settings: Settings, catalog, encoder, k: int, runs: int) -> dict:
    """complete-the-look latency on the whole fpi catalog (10,041 products): an index built from *synthetic*
    image features (random unit vectors: the search's cost depends on slot sizes, not on the pixels), with the
    shipped compatibility model, the real titles and attributes; queries are catalog products."""
    from fashion_core.index import EncoderInfo, current_version
    from fashion_core.ingest import index_from_parts
    from fashion_core.recommend import Recommender

    path = cache_dir(settings) / f"index-full-synthetic-{encoder.weights_id}"
    if current_version(path) is None:
        rng = np.random.default_rng(0)
        head = rng.standard_normal((len(catalog.products), int(encoder.dim))).astype(np.float32)
        head /= np.linalg.norm(head, axis=1, keepdims=True)
        index_from_parts(path, Catalog(catalog.products, FPI_CSV.parent), FPI_CSV,
                         EncoderInfo(encoder.name, encoder.weights_id, int(encoder.dim)), {"head": head},
                         attributes=[], compat_model=settings.compat_model, force=True)
    rec = Recommender(path, settings=settings, encoder=encoder)
    ids = rec.index.ids[:: max(1, len(rec.index.ids) // 200)]
    filters = Filters(refine="black", price_max=1e9, slots=tuple(taxonomy.SLOTS))
    qs = [rec.product_query(i) for i in ids]
    for q in qs[:10]:
        rec.complete_for(q, k, filters)
    times = []
    for j in range(runs):
        t0 = time.perf_counter()
        rec.complete_for(qs[j % len(qs)], k, filters)
        times.append((time.perf_counter() - t0) * 1000)
    return {"products": len(rec.index), "runs": runs, "p50_ms": round(float(np.percentile(times, 50)), 2),
            "p95_ms": round(float(np.percentile(times, 95)), 2)}


def street_rows(recs: dict, settings: Settings, n_photos: int, seed: int, k: int) -> dict:
    """ccp photos: each ground-truth garment queried through ``Recommender.answer`` (no attributes)."""
    from fashion_core.imageio import load_image
    from fashion_core.recommend import people_of
    from fashion_core.results import Detection as Det
    from fashion_core.results import Look

    coco = json.loads((settings.shared_data / "ccp" / "annotations.json").read_text())
    names = {c["id"]: c["name"] for c in coco["categories"]}
    by_image: dict[int, list] = {}
    for a in coco["annotations"]:
        if a["bbox"][2] >= 16 and a["bbox"][3] >= 16:
            by_image.setdefault(a["image_id"], []).append(a)
    images = sorted(coco["images"], key=lambda im: im["id"])
    rng = np.random.default_rng(seed)
    pick = sorted(rng.choice(len(images), size=min(n_photos, len(images)), replace=False).tolist())
    from fashion_core.encoders.descriptor import extract_parts

    figures = {}
    for row, rec in recs.items():
        outs, labelled, right, right_image_only, wearers = [], 0, 0, 0, Counter()
        for i in pick:
            im = images[i]
            anns = by_image.get(im["id"], [])
            dets = [Det((a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2], a["bbox"][1] + a["bbox"][3]),
                        names[a["category_id"]], 1.0, 0) for a in anns]
            if not dets:
                continue
            image = load_image(settings.shared_data / "ccp" / im["file_name"])
            look = Look(image=image, detections=dets, people=people_of(dets))
            for g in range(len(dets)):
                answer = rec.answer(look, g, k_similar=5, k_outfit=k)
                outs.append(({"category": dets[g].category}, answer.outfit))
            cats = {d.category for d in dets}
            if look.wearer is not None:
                wearers[look.wearer.gender] += 1
            if cats & {"dress", "skirt"}:
                labelled += 1
                right += look.wearer is not None and look.wearer.gender == "Women"
                if rec.rules and rec.wearer_model is not None:
                    crops = extract_parts(rec.encoder, [rec.crop(image, d) for d in dets])
                    alone = rec.wearer_model.wearer(rec.index.descriptor.visual(crops), [d.category for d in dets],
                                                    category_rule=False, head_part=crops["head"])
                    right_image_only += alone.gender == "Women"
        f = outfit_figures(outs)
        figures[row] = {"photos": len(pick), "garment_queries": f["queries"],
                        "outfits_for_one_wearer": f["outfits_for_one_wearer"],
                        "items_per_query": f["items_per_query"],
                        "photos_labelled_women_by_dress_or_skirt": labelled,
                        "inferred_wearer_right": round(right / max(labelled, 1), 4) if rec.rules else None,
                        "inferred_wearer_right_without_the_category_rule":
                            round(right_image_only / max(labelled, 1), 4) if rec.rules else None,
                        "inferred_wearers": dict(wearers)}
    return figures


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print its tables and write ``benchmarks/results/bench_outfits.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-index", type=int, default=500)
    parser.add_argument("--n-queries", type=int, default=300)
    parser.add_argument("--refine-queries", type=int, default=200)
    parser.add_argument("--ccp-photos", type=int, default=60, help="street photos (0: skip)")
    parser.add_argument("-k", type=int, default=5, help="alternatives per slot")
    parser.add_argument("--latency-runs", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="a small smoke run (60 queries, 20 photos)")
    parser.add_argument("--reference-row", action="store_true",
                        help="also the row 'no compatibility model + rules' (what the rules do alone)")
    parser.add_argument("--no-full-latency", dest="full_latency", action="store_false",
                        help="skip the latency on the whole fpi catalog (synthetic image features)")
    args = parser.parse_args(argv)
    need_shared()
    if args.quick:
        args.n_queries, args.refine_queries, args.ccp_photos, args.latency_runs = 60, 40, 20, 60
    from fashion_core.encoders import create_encoder
    from fashion_core.recommend import Recommender

    settings = Settings.resolve()
    encoder = create_encoder(settings.encoder)
    catalog = load_catalog(FPI_CSV, check_images=False)
    perm = np.random.default_rng(args.seed).permutation(len(catalog.products))
    indexed = [catalog.products[i] for i in np.sort(perm[:args.n_index])]
    unseen = [i for i in perm[args.n_index:] if held_out(catalog.products[i].product_id)]  # the wearer model's
    queries = [catalog.products[i] for i in np.sort(unseen[:args.n_queries])]
    prior = load_prior(settings.wearer_model, encoder)
    version = f"{encoder.weights_id}-parts{PARTS_VERSION}"  # a new kind of parts is encoded again, never mixed
    key = hashlib.sha1(f"{args.seed}-{args.n_index}-{version}".encode()).hexdigest()[:10]
    qkey = hashlib.sha1(f"{args.seed}-{args.n_index}-{args.n_queries}-held-out-{version}"
                        .encode()).hexdigest()[:10]
    parts = encode(indexed, encoder, cache_dir(settings) / f"index-parts-{key}.npz")
    qparts = encode(queries, encoder, cache_dir(settings) / f"query-parts-{qkey}.npz")
    paths = build_indexes(settings, indexed, parts, encoder, f"{key}-wearer-{prior.id if prior else 'none'}")
    cached = CachedEncoder(encoder)
    recs = {"no compatibility model": Recommender(paths["none"], settings=settings, rules=False, encoder=cached),
            "shipped model": Recommender(paths["compat"], settings=settings, rules=False, encoder=cached),
            "shipped model + rules": Recommender(paths["compat"], settings=settings, rules=True, encoder=cached)}
    if args.reference_row:
        recs["no compatibility model + rules"] = Recommender(paths["none"], settings=settings, rules=True,
                                                             encoder=cached)
    t0 = time.perf_counter()
    fpi = fpi_rows(recs, queries, qparts, args.k)
    served = recs["shipped model + rules"]
    refine = {row: refine_figures(recs[row], queries, qparts, args.refine_queries, args.k)
              for row in ("shipped model", "shipped model + rules")}
    lat = latency(served, queries, qparts, args.k, args.latency_runs)
    lat_plain = latency(recs["shipped model"], queries, qparts, args.k, min(args.latency_runs, 100))
    full = full_catalog_latency(settings, catalog, encoder, args.k, args.latency_runs) if args.full_latency else {}
    street = street_rows(recs, settings, args.ccp_photos, args.seed, args.k) if args.ccp_photos else {}
    wearer = served.wearer_model
    print_tables(fpi, refine, lat, lat_plain, street, args)
    if full:
        print(f"complete the look on the whole fpi catalog ({full['products']} products, synthetic image features, "
              f"filters on), {full['runs']} runs: p50 {full['p50_ms']:.1f} ms, p95 {full['p95_ms']:.1f} ms")
    command = f".venv/bin/python benchmarks/bench_outfits.py --seed {args.seed} --n-index {args.n_index} " \
              f"--n-queries {args.n_queries} --refine-queries {args.refine_queries} --ccp-photos {args.ccp_photos}"
    print(f"split: fpi products drawn with numpy default_rng({args.seed}).permutation: the first {args.n_index} "
          f"indexed, the next {args.n_queries} that the shipped wearer model never saw (sha1(id) % 5 == 0) queried "
          "as images (never indexed); ccp photos drawn with the same seed")
    print(f"compatibility model: {settings.compat_model}; wearer model: "
          f"{wearer.section() if wearer else 'none'}; run took {time.perf_counter() - t0:.0f} s")
    print(f"reproduce: {command}")
    write_results("bench_outfits", command, {"fpi": fpi, "refine_black": refine, "latency": lat,
                                              "latency_rules_off": lat_plain, "latency_full_catalog": full,
                                              "street": street, "targets": TARGETS,
                                              "seed": args.seed, "n_index": args.n_index,
                                              "n_queries": args.n_queries,
                                              "compat_model": str(settings.compat_model)})
    return 0


def print_tables(fpi: dict, refine: dict, lat: dict, lat_plain: dict, street: dict, args) -> None:
    """The figures side by side."""
    cols = ["gender_fit", "same_usage", "duplicate_titles_in_a_slot", "items_of_the_query_slot",
            "bottoms_for_a_dress", "dresses_for_a_mens_item", "outfits_for_one_wearer", "items_per_query",
            "similar_gender_fit"]
    short = ["gender fit", "same usage", "dup titles", "own slot", "bottoms/dress", "dress/men", "one wearer",
             "items/q", "similar fit"]
    for mode, title in (("known", "image queries WITH their attributes (gender, usage, season, colour)"),
                        ("inferred", "image queries with NO attributes (wearer inferred from the photo)")):
        print(f"\nfpi: {args.n_index} indexed products, {args.n_queries} product photos as queries — {title}")
        print(f"{'':<32}" + "".join(f"{s:>14}" for s in short))
        for row in [r for r in ROWS if f"{r} | {mode}" in fpi]:
            f = fpi[f"{row} | {mode}"]
            print(f"{row:<32}" + "".join(f"{f[c]:>14}" for c in cols))
    print(f"\nrefine 'black' over {args.refine_queries} queries (attributes known): share of returned shoes that are "
          f"Black (target >= {TARGETS['refine_black_shoes']}), gender fit (>= {TARGETS['gender_fit']})")
    for row, f in refine.items():
        print(f"  {row:<30} shoes black {f['black_shoes']:.3f} ({f['shoes_returned']} shoes; outfit shoe "
              f"{f['outfit_black_shoes']:.3f}), gender fit {f['refine_gender_fit']:.3f}, similar black "
              f"{f['similar_black']:.3f}, similar gender fit {f['refine_similar_gender_fit']:.3f}")
    print(f"\ncomplete the look in process (complete_for, filters on: refine + price + slots), {lat['runs']} runs: "
          f"p50 {lat['p50_ms']:.1f} ms, p95 {lat['p95_ms']:.1f} ms (target p50 <= {TARGETS['complete_p50_ms']}); "
          f"without filters p50 {lat['no_filters_p50_ms']:.1f} ms; rules off p50 {lat_plain['p50_ms']:.1f} ms "
          f"(ratio rules on / off {lat['p50_ms'] / max(lat_plain['p50_ms'], 1e-9):.2f}, same run)")
    if street:
        print("\nstreet photos (ccp garment crops as queries, no attributes, one wearer inferred per look):")
        for row, f in street.items():
            print(f"  {row:<32} outfits for one wearer {f['outfits_for_one_wearer']:.3f} "
                  f"({f['garment_queries']} garments of {f['photos']} photos, {f['items_per_query']} items each); "
                  f"inferred wearer right on {f['photos_labelled_women_by_dress_or_skirt']} photos with a dress or "
                  f"skirt: {f['inferred_wearer_right']} (photos' evidence alone, without the rule that a look with a "
                  f"skirt or dress is not a man's: {f['inferred_wearer_right_without_the_category_rule']}); "
                  f"wearers {f['inferred_wearers']}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
