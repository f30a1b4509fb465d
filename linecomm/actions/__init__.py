"""Member actions: what a member did in the community, each recorded once (the points hook)."""
