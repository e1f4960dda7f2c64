"""socialnet: a Facebook-like social network on an actor-style realtime core (trio)."""
