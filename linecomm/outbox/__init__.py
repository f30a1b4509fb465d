"""Messages to members: stored before they are sent, sent once (reply when fresh, else push with a retry key)."""
