"""The web app's library surface: training-example reads, review and settings, typed and documented.

Every function takes a SQLAlchemy `Session` and never commits: the caller owns the transaction
(commit to keep the change, roll back to drop it). Refusals raise `OperationError` subclasses
(all `worker.errors.PermanentError`), each with a machine-readable `reason`.

    from worker import api

    with session_factory() as session, session.begin():
        page = api.get_training_examples_for_skill(session, skill_id, limit=20)
        total = api.get_training_example_count(session, skill_id)
        api.approve_examples(session, [example_id], reviewer_id=current_user.id)

Golden datasets: versions are taken in a REPEATABLE READ transaction (every chunk of a large
version sees one snapshot), and exports stream from a server-side cursor:

    with session_factory() as session, session.begin():
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        version = api.create_dataset_version(
            session, api.Selection(api.ExportFilters(tenant_id), api.SplitPlan(0.8, 0.1, 0.1)),
            name="2026-12", created_by=current_user.id, note="before the launch",
        )
    with session_factory() as session, session.begin():
        request = api.ExportRequest(api.ExportFilters(tenant_id), api.ExportFormat.HF,
                                    version="2026-12")
        prepared = api.prepare_export(session, request)
        api.write_export_files(session, prepared, folder, created_at=datetime.now(UTC))
"""

from __future__ import annotations

from worker.datasets.chat import ChatOptions
from worker.datasets.duplicates import DuplicateInfo, DuplicateKind, Flag, duplicates_of
from worker.datasets.errors import OutputUnusable, UnknownVersion, VersionChanged, VersionExists
from worker.datasets.export import ExportRequest, Written
from worker.datasets.export import prepare as prepare_export
from worker.datasets.export import write_files as write_export_files
from worker.datasets.formats import ExportFormat
from worker.datasets.models import DatasetVersion
from worker.datasets.selection import ExportFilters, Selection
from worker.datasets.splits import SplitPlan
from worker.datasets.versions import Difference, VersionMember
from worker.datasets.versions import create_version as create_dataset_version
from worker.datasets.versions import diff_versions as diff_dataset_versions
from worker.datasets.versions import get_version as get_dataset_version
from worker.datasets.versions import list_versions as list_dataset_versions
from worker.datasets.versions import version_members as get_dataset_version_examples
from worker.ingest.facts import get_sample_rates
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
from worker.rules import sampled_in

__all__ = [
    "MAX_PAGE_SIZE",
    "CaptureSettings",
    "Change",
    "ChatOptions",
    "ConsentChange",
    "DatasetVersion",
    "Difference",
    "DuplicateInfo",
    "DuplicateKind",
    "ExportFilters",
    "ExportFormat",
    "ExportRequest",
    "Flag",
    "InvalidValue",
    "NotAllowed",
    "NotFound",
    "OperationError",
    "OutputUnusable",
    "Review",
    "ReviewStatus",
    "Selection",
    "SplitPlan",
    "TenantSettings",
    "TrainingExample",
    "UnknownExample",
    "UnknownTenant",
    "UnknownUser",
    "UnknownVersion",
    "VersionChanged",
    "VersionExists",
    "VersionMember",
    "Written",
    "approve_examples",
    "create_dataset_version",
    "create_training_example",
    "diff_dataset_versions",
    "dismiss_examples",
    "duplicates_of",
    "get_capture_settings",
    "get_dataset_version",
    "get_dataset_version_examples",
    "get_sample_rates",
    "get_site_settings",
    "get_training_example_count",
    "get_training_examples_for_skill",
    "get_user_preferences",
    "grant_consent",
    "list_dataset_versions",
    "may_review",
    "prepare_export",
    "review_examples",
    "revoke_consent",
    "sampled_in",
    "set_capture_enabled",
    "set_sample_rate",
    "write_export_files",
]
