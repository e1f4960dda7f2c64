"""Data layer: the schema (SQLAlchemy Core, for Alembic only) and plain asyncpg functions."""
