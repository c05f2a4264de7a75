"""The ledger's schema migrations (Alembic): `env.py`, the revision template and `versions/`.

scanpipe runs them itself when it opens a ledger (`models.store.schema.migrate`); see `alembic.ini`
at the repository root for writing a new revision.
"""
