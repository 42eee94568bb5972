"""FITB and AUC by the Polyvore protocol: question generation and scoring."""

from __future__ import annotations

import numpy as np

from fashion_core.compat.evaluate import (
    compat_auc,
    evaluate_vectors,
    fitb_accuracy,
    make_compat,
    make_fitb,
    questions,
    random_vectors,
)

from .synthetic import synthetic_outfits


def _style_vectors(ids: list[str], n_styles: int = 6) -> np.ndarray:
    """Perfect vectors: one-hot of the hidden style (what a perfect compatibility model would learn)."""
    return np.eye(n_styles, dtype=np.float32)[[int(i.split("-")[1]) for i in ids]]


def test_questions_follow_the_protocol():
    data, _ = synthetic_outfits()
    outfits = data.outfits("test")
    fitb = make_fitb(outfits, data.items)
    assert len(fitb) == 4 * len(outfits)  # every item blanked once
    for q in fitb:
        slots = {data.items[c].slot for c in q.candidates}
        assert len(q.candidates) == 4 and len(slots) == 1  # all candidates of the blank's slot
        right = q.candidates[q.answer]
        outfit = next(o for o in outfits if o.set_id == q.set_id)
        assert right in outfit.item_ids and right not in q.context
        assert all(c not in outfit.item_ids for i, c in enumerate(q.candidates) if i != q.answer)
    assert {q.answer for q in fitb} == {0, 1, 2, 3}  # the right answer's position is drawn
    comp = make_compat(outfits, data.items)
    assert [q.label for q in comp].count(0) == len(outfits)
    for real, fake in zip(comp[::2], comp[1::2]):
        assert [data.items[i].slot for i in real.item_ids] == [data.items[i].slot for i in fake.item_ids]
    assert make_fitb(outfits, data.items) == fitb  # fixed seed: same questions every run


def test_scores_separate_perfect_random_and_raw():
    data, feats = synthetic_outfits(n_styles=20, per_cell=4)
    fitb, comp = questions(data, "test")
    perfect = evaluate_vectors(_style_vectors(feats.ids, 20), feats.row, fitb, comp)
    assert perfect.fitb > 0.8 and perfect.auc > 0.95  # ties with same-style wrong answers keep it below 1
    rand = evaluate_vectors(random_vectors(len(feats.ids)), feats.row, fitb, comp)
    assert 0.15 < rand.fitb < 0.35 and 0.4 < rand.auc < 0.6
    assert fitb_accuracy(feats.raw(), feats.row, fitb) < 0.4  # raw cosine cannot see the hidden style
    assert np.isnan(compat_auc(feats.raw(), feats.row, comp[::2]))  # one class only: undefined, not a crash
    assert perfect.to_dict().keys() >= {"fitb", "auc", "n_questions"}
    same = np.ones((len(feats.ids), 4), dtype=np.float32)  # every candidate ties: chance, whatever the order
    assert fitb_accuracy(same, feats.row, [q for q in fitb if q.answer == 0]) == 0.25
