"""Persistence: SQLAlchemy models, the unit of work, queries, Alembic migrations."""
