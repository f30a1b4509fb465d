"""Member chat: the event context handlers get, and the router features register their handlers with."""
