"""Complete the look: the outfit compatibility model, its training, evaluation and per-slot retrieval.

Modules, one job each: :mod:`.data` (outfit layouts behind one interface), :mod:`.features` (cached item
features), :mod:`.model` (projection head, save/load), :mod:`.train` (triplet training), :mod:`.evaluate`
(FITB and AUC by the Polyvore protocol), :mod:`.run` (evaluation with baselines), :mod:`.retrieval`
(per-slot indexes and :class:`~fashion_core.compat.retrieval.ComplementIndex`). Import from the modules.
"""
