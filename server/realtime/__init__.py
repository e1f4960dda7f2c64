"""The realtime core: one SessionActor task per WebSocket, one Router per process fanning events
out to their mailboxes, and the bus (Postgres NOTIFY) that carries events between processes."""
