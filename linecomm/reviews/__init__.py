"""Product reviews (レビュー): a small catalogue, members' 1–5 star reviews with an optional photo, "helpful"."""
