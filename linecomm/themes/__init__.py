"""Theme posts in chat: members' answers (community posts under moderation), reactions and polls."""
