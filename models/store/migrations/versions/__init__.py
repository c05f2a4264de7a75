"""Alembic revisions of the ledger's schema, oldest first by their `down_revision`."""
