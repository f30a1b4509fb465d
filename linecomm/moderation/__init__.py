"""One moderation model for all member content: NG words, reports (通報), the review queue, sanctions."""
