"""Tools for load testers: `socialnet seed` fills a database fast, `socialnet load` drives
thousands of simulated users (each a trio task with its own HTTP session and WebSocket), and
`socialnet baseline` serves the bare stack the figures are compared with."""
