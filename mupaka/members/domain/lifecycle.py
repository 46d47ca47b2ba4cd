"""Member lifecycle: pending → active → inactive → exited.

An applicant is *pending* until she has paid her entry fee and shares; she is
then *active*. An active member may become *inactive* (dormant, suspended) and
be reactivated. *Exited* is final: the record stays for ever (no deletion), a
returning person is registered again and linked by the duplicate check.
"""

from __future__ import annotations

PENDING = "pending"
ACTIVE = "active"
INACTIVE = "inactive"
EXITED = "exited"

TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({ACTIVE, EXITED}),
    ACTIVE: frozenset({INACTIVE, EXITED}),
    INACTIVE: frozenset({ACTIVE, EXITED}),
    EXITED: frozenset(),
}

# Moving to these needs a written reason.
REASON_REQUIRED = frozenset({INACTIVE, EXITED})


def transition_allowed(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def next_statuses(current: str) -> list[str]:
    order = [PENDING, ACTIVE, INACTIVE, EXITED]
    return [s for s in order if s in TRANSITIONS.get(current, frozenset())]
