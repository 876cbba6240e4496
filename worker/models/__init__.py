"""SQLAlchemy models of the platform's tables and of this service's own, and their vocabulary."""

# The golden-dataset tables live beside their code; imported here so the metadata holds them.
from worker.datasets import models as _dataset_models  # noqa: F401
from worker.models.base import NAMING_CONVENTION, NOW, Base, Timestamp
from worker.models.intake import DeadLetter, IntakeOutcome, SettingsAudit, TenantCapture
from worker.models.platform import (
    SiteSettings,
    Skill,
    SkillFeedback,
    Tenant,
    User,
    UserPreferences,
)
from worker.models.vocabulary import TRAINING_EXAMPLE, DeadLetterReason, Source, Status

__all__ = [
    "NAMING_CONVENTION",
    "NOW",
    "TRAINING_EXAMPLE",
    "Base",
    "DeadLetter",
    "DeadLetterReason",
    "IntakeOutcome",
    "SettingsAudit",
    "SiteSettings",
    "Skill",
    "SkillFeedback",
    "Source",
    "Status",
    "Tenant",
    "TenantCapture",
    "Timestamp",
    "User",
    "UserPreferences",
]
