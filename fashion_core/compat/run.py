"""End-to-end evaluation of a saved model on an outfit dataset, with the baselines, for the CLI and benchmark."""

from __future__ import annotations

from pathlib import Path

from .data import OutfitData
from .evaluate import EvalResult, evaluate_vectors, questions, random_vectors
from .features import CACHE_DIR, ItemFeatures, item_features
from .model import CompatModel


def split_features(data: OutfitData, split: str, modalities: tuple[str, ...], encoder=None, text_encoder=None,
                   cache_dir: Path | None = CACHE_DIR, progress: bool = False) -> ItemFeatures:
    """Features of every item the split's questions mention (outfits and released questions)."""
    fitb, compat = questions(data, split)
    ids = {i for o in data.outfits(split) for i in o.item_ids}
    ids |= {i for q in fitb for i in (*q.context, *q.candidates)} | {i for q in compat for i in q.item_ids}
    items = [data.items[i] for i in sorted(ids)]
    return item_features(items, modalities, encoder, text_encoder, cache_dir, progress)


def model_features(model: CompatModel, data: OutfitData, split: str = "test", cache_dir: Path | None = CACHE_DIR,
                   progress: bool = False) -> ItemFeatures:
    """The split's item features in the form ``model`` reads (its image encoder, its title encoder): the
    modalities both the model and the data have (a ``sum``-fusion model copes with a missing one)."""
    wanted = [m for m in model.cfg.mode.split("+") if m in data.modalities]
    if not wanted or (model.cfg.fusion == "concat" and len(wanted) < len(model.cfg.mode.split("+"))):
        raise ValueError(f"the model reads {model.cfg.mode} but {data.source} has {'+'.join(data.modalities)}; "
                         "use a model trained on these modalities")
    encoder = None
    if "image" in wanted:
        from ..encoders import create_encoder
        encoder = create_encoder(model.cfg.image_encoder["name"])
        if encoder.weights_id != model.cfg.image_encoder.get("weights_id"):
            raise ValueError(f"the model was trained on {model.cfg.image_encoder} features but this machine's "
                             f"{encoder.name} has weights {encoder.weights_id}; retrain the model")
    return split_features(data, split, tuple(wanted), encoder, model.text_encoder, cache_dir, progress)


def evaluate_model(model: CompatModel, data: OutfitData, split: str = "test", cache_dir: Path | None = CACHE_DIR,
                   progress: bool = False) -> dict[str, EvalResult]:
    """``{"random", "untrained", "trained"}`` results on one split, all on the same questions."""
    feats = model_features(model, data, split, cache_dir, progress)
    fitb, compat = questions(data, split)
    row = feats.row
    emb = model.embed_features(feats.image, feats.text)
    return {"random": evaluate_vectors(random_vectors(len(feats.ids)), row, fitb, compat),
            "untrained": evaluate_vectors(feats.raw(), row, fitb, compat),
            "trained": evaluate_vectors(emb, row, fitb, compat)}
