"""The journey store's schema versions (Alembic): applied in order when a store is opened."""
