"""The HTTP layer: one quart-trio blueprint per resource; handlers parse, call, serialise."""
