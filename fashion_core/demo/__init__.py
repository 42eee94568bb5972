"""The generated demo world: a catalog, Polyvore-style outfits and look photos, deterministic from a seed.

``build_demo(out_dir, seed=0, n_products=1200, n_outfits=3000, n_looks=200)`` writes everything
(``build_looks`` only the look photos of the same world, e.g. to train the garment parser); the
modules say what each part is: :mod:`.palette` (colours, patterns), :mod:`.silhouettes` (garment kinds),
:mod:`.garments` (product-shot shapes), :mod:`.products` (catalog draw and shots), :mod:`.style` (outfit
rules), :mod:`.outfits` (outfits, splits, FITB, compatibility), :mod:`.polyvore` (file layout),
:mod:`.figure` / :mod:`.wear` / :mod:`.scenes` / :mod:`.looks` (look photos), :mod:`.sheet` (contact sheet).
"""

from .build import build_demo, build_looks

__all__ = ["build_demo", "build_looks"]
