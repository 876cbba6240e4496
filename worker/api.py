"""The web app's library surface: training-example reads, review and settings, typed and documented.

Every function takes a SQLAlchemy `Session` and never commits: the caller owns the transaction
(commit to keep the change, roll back to drop it). Refusals raise `OperationError` subclasses
(all `worker.errors.PermanentError`), each with a machine-readable `reason`.

    from worker import api

    with session_factory() as session, session.begin():
        page = api.get_training_examples_for_skill(session, skill_id, limit=20)
        total = api.get_training_example_count(session, skill_id)
        api.approve_examples(session, [example_id], reviewer_id=current_user.id)
"""

from __future__ import annotations

from worker.operations.capture import (
    CaptureSettings,
    Change,
    get_capture_settings,
    set_capture_enabled,
    set_sample_rate,
)
from worker.operations.consent import ConsentChange, grant_consent, revoke_consent
from worker.operations.errors import (
    InvalidValue,
    NotAllowed,
    NotFound,
    OperationError,
    UnknownExample,
    UnknownTenant,
    UnknownUser,
)
from worker.operations.review import (
    Review,
    ReviewStatus,
    approve_examples,
    dismiss_examples,
    may_review,
    review_examples,
)
from worker.queries import (
    MAX_PAGE_SIZE,
    TenantSettings,
    TrainingExample,
    create_training_example,
    get_site_settings,
    get_training_example_count,
    get_training_examples_for_skill,
    get_user_preferences,
)
from worker.sampling import get_sample_rates, sampled_in

__all__ = [
    "MAX_PAGE_SIZE",
    "CaptureSettings",
    "Change",
    "ConsentChange",
    "InvalidValue",
    "NotAllowed",
    "NotFound",
    "OperationError",
    "Review",
    "ReviewStatus",
    "TenantSettings",
    "TrainingExample",
    "UnknownExample",
    "UnknownTenant",
    "UnknownUser",
    "approve_examples",
    "create_training_example",
    "dismiss_examples",
    "get_capture_settings",
    "get_sample_rates",
    "get_site_settings",
    "get_training_example_count",
    "get_training_examples_for_skill",
    "get_user_preferences",
    "grant_consent",
    "may_review",
    "review_examples",
    "revoke_consent",
    "sampled_in",
    "set_capture_enabled",
    "set_sample_rate",
]
