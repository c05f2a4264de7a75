"""The audit: the replay of every life, the checks, the reconciliation, signing, the export and
its verifier. Needs no database: an auditor runs it on an export."""
