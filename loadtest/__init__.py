"""Tools for load testers: `socialnet seed` fills a database fast, `socialnet load` drives
thousands of simulated users (each a trio task with its own HTTP session and WebSocket), and
`socialnet baseline` serves the bare stack the figures are compared with.

A package of its own beside `server`, installed with the `load` extra (`pip install '.[load]'`):
the production image ships without it, and `server` never imports it (server/cli.py finds these
commands through their entry points)."""
