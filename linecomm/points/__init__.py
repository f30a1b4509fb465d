"""Points (ポイント): rules per member action, an exactly-once ledger, balances kept per grant and
recomputed by a periodic job (linecomm.points.jobs)."""
