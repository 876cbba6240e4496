"""The demo's world: tenants, users and skills that show every outcome, left in place after."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from worker.operations import capture, consent, seeding

CHANGED_BY = "intake demo"

TENANT = "demo-tenant"
TENANT_OFF = "demo-tenant-off"
TENANT_SAMPLED = "demo-sampled"
ALICE = "demo-alice"
BOB = "demo-bob"
CAROL = "demo-carol"
DAVE = "demo-dave"
SKILL = "demo-skill"
SKILL_OFF = "demo-skill-off"
SKILL_SAMPLED = "demo-skill-sampled"


@dataclass(frozen=True, slots=True)
class DemoTenant:
    id: str
    name: str
    capture: bool
    sample_rate: float


@dataclass(frozen=True, slots=True)
class DemoUser:
    id: str
    tenant_id: str
    name: str
    consent: bool


@dataclass(frozen=True, slots=True)
class DemoSkill:
    id: str
    author_id: str
    name: str


TENANTS = (
    DemoTenant(TENANT, "Demo Co", capture=True, sample_rate=1.0),
    DemoTenant(TENANT_OFF, "Capture-off Co", capture=False, sample_rate=1.0),
    DemoTenant(TENANT_SAMPLED, "Sampled Co", capture=True, sample_rate=0.0),
)
USERS = (
    DemoUser(ALICE, TENANT, "Alice Author", consent=True),
    DemoUser(BOB, TENANT, "Bob NoConsent", consent=False),
    DemoUser(CAROL, TENANT_OFF, "Carol Elsewhere", consent=True),
    DemoUser(DAVE, TENANT_SAMPLED, "Dave Sampled", consent=True),
)
SKILLS = (
    DemoSkill(SKILL, ALICE, "SQL helper"),
    DemoSkill(SKILL_OFF, CAROL, "Shell helper"),
    DemoSkill(SKILL_SAMPLED, DAVE, "Regex helper"),
)


def seed(session: Session) -> None:
    """Create the world, or put it back as it was (settings and consent are audited)."""
    for tenant in TENANTS:
        seeding.put_tenant(session, tenant.id, name=tenant.name, active=True)
        capture.set_capture_enabled(session, tenant.id, tenant.capture, changed_by=CHANGED_BY)
        capture.set_sample_rate(session, tenant.id, tenant.sample_rate, changed_by=CHANGED_BY)
    for user in USERS:
        seeding.put_user(
            session,
            user.id,
            tenant_id=user.tenant_id,
            name=user.name,
            email=f"{user.id}@demo.example",
        )
        if user.consent:
            consent.grant_consent(session, user.id, changed_by=CHANGED_BY)
        elif seeding.user_consents(session, user.id):
            consent.revoke_consent(session, user.id, changed_by=CHANGED_BY)
    for skill in SKILLS:
        seeding.put_skill(session, skill.id, author_id=skill.author_id, name=skill.name)


def describe() -> list[tuple[str, str]]:
    """The world in words, as (heading, text) pairs for the demo's closing summary."""
    tenants = ", ".join(
        f"{t.id} (capture {'on' if t.capture else 'off'}"
        + (f", sample rate {t.sample_rate:g})" if t.sample_rate != 1 else ")")
        for t in TENANTS
    )
    authors = {skill.author_id: skill.id for skill in SKILLS}
    users = ", ".join(
        f"{u.id} ({'consented' if u.consent else 'no consent'}"
        + (f"; author of {authors[u.id]})" if u.id in authors else ")")
        for u in USERS
    )
    return [
        ("tenants", tenants),
        ("users", users),
        ("skills", ", ".join(f"{s.id} ({s.name})" for s in SKILLS)),
    ]
