"""The audit log: one append-only row for every state-changing staff action."""
