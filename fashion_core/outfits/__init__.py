"""Outfits from catalog attributes: the rules table (:mod:`.rules`), what the rules know of items
(:mod:`.profile`), who wears a photo (:mod:`.wearer`, fitted at ingest), the shopper's filters (:mod:`.filters`)
and the joint outfit search (:mod:`.search`). Import from the modules."""
