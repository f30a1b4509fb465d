"""Member lifecycle: follow/unfollow, invite codes, consent, nickname, leaving."""
