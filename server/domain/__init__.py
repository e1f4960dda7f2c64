"""The product's rules, once each: who may see, message, invite... HTTP, WebSocket and media
all call these; no route writes a rule in SQL of its own."""
