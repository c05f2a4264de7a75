"""What the command line's options offer from the enums and constants of the layers below, as
plain values.

An option's choices and help are made when its command is defined, at import; taking them from
the store or the pipeline would load those for every `--help`. tests/test_startup.py checks each
against the value it copies.
"""

from __future__ import annotations

# models.events.BundleState
BUNDLE_STATES = ("prepared", "dispatched", "delivered", "refused", "returned", "void")
# models.store.bundles.DispatchMethod
DISPATCH_METHODS = ("hand", "post")
# models.store.people.Role
ROLES = ("operator", "coordinator", "auditor", "admin")
# scanpipe.domain.outcomes.Outcome
OUTCOMES = ("freed", "acquitted", "charges-dropped", "released-on-bail", "sentence-reduced", "other")
# scanpipe.domain.outcomes.YEARS_BEFORE
OUTCOME_YEARS_BEFORE = 5
