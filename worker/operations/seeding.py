"""Tenants, users and skills for development and evaluation (the platform owns them in production).

Each `put_*` creates the row, or updates the attributes it is given when the id exists, so a
script that seeds a world can run again. Capture settings and consent go through the audited
operations (`capture`, `consent`), as they would from the platform.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from worker.models import SiteSettings, Skill, Tenant, TenantCapture, User, UserPreferences
from worker.operations.errors import InvalidValue, UnknownTenant, UnknownUser, shown_id
from worker.rules import DEFAULT_SAMPLE_RATE, consents

MAX_ID_LENGTH = 255
ROLES = ("member", "admin")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Seeded:
    """What one `put_*` call did: `created` or `updated`, and the row's attributes now."""

    kind: str
    id: str
    created: bool
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def verb(self) -> str:
        return "created" if self.created else "updated"


def checked_id(kind: str, value: str) -> str:
    """An id the message contract accepts too: 1-255 printable characters."""
    if not value or len(value) > MAX_ID_LENGTH or _CONTROL.search(value) or value != value.strip():
        raise InvalidValue(
            f"a {kind} id is 1-{MAX_ID_LENGTH} printable characters without surrounding "
            f"spaces, not {value[:40]!r}"
        )
    return value


def slug_of(text: str) -> str:
    return _NOT_SLUG.sub("-", text.lower()).strip("-") or "x"


def put_tenant(
    session: Session,
    tenant_id: str,
    *,
    name: str | None = None,
    slug: str | None = None,
    active: bool | None = None,
) -> Seeded:
    """Create a tenant, or update the attributes given; the slug must stay unique."""
    checked_id("tenant", tenant_id)
    row = session.get(Tenant, tenant_id)
    created = row is None
    if row is None:
        row = Tenant(id=tenant_id, name=name or tenant_id, slug=slug or slug_of(tenant_id))
        row.is_active = True if active is None else active
        _unique(session, Tenant, "slug", row.slug, tenant_id, "tenant")
        session.add(row)
    else:
        if slug is not None and slug != row.slug:
            _unique(session, Tenant, "slug", slug, tenant_id, "tenant")
            row.slug = slug
        if name is not None:
            row.name = name
        if active is not None:
            row.is_active = active
        row.updated_at = func.now()
    session.flush()
    return Seeded(
        "tenant", tenant_id, created, {"name": row.name, "slug": row.slug, "active": row.is_active}
    )


def put_user(
    session: Session,
    user_id: str,
    *,
    tenant_id: str | None = None,
    email: str | None = None,
    name: str | None = None,
    role: str | None = None,
) -> Seeded:
    """Create a user of a tenant, or update the attributes given (a user never changes tenant)."""
    checked_id("user", user_id)
    if role is not None and role not in ROLES:
        raise InvalidValue(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    row = session.get(User, user_id)
    created = row is None
    if row is None:
        if tenant_id is None:
            raise InvalidValue(f"user {user_id} does not exist yet: name its tenant")
        if session.get(Tenant, tenant_id) is None:
            raise UnknownTenant(tenant_id)
        row = User(
            id=user_id,
            tenant_id=tenant_id,
            email=email or f"{slug_of(user_id)}@{slug_of(tenant_id)}.example",
            name=name or user_id,
            role=role or "member",
        )
        _unique(session, User, "email", row.email, user_id, "user")
        session.add(row)
    else:
        if tenant_id is not None and tenant_id != row.tenant_id:
            raise InvalidValue(
                f"user {user_id} belongs to tenant {row.tenant_id}, not {shown_id(tenant_id)}"
            )
        if email is not None and email != row.email:
            _unique(session, User, "email", email, user_id, "user")
            row.email = email
        if name is not None:
            row.name = name
        if role is not None:
            row.role = role
        row.updated_at = func.now()
    session.flush()
    return Seeded(
        "user",
        user_id,
        created,
        {"tenant_id": row.tenant_id, "email": row.email, "name": row.name, "role": row.role},
    )


def put_skill(
    session: Session,
    skill_id: str,
    *,
    author_id: str | None = None,
    tenant_id: str | None = None,
    name: str | None = None,
    slug: str | None = None,
) -> Seeded:
    """Create a skill written by a user (in the author's tenant), or update what is given."""
    checked_id("skill", skill_id)
    author = None
    if author_id is not None:
        author = session.get(User, author_id)
        if author is None:
            raise UnknownUser(author_id)
    row = session.get(Skill, skill_id)
    created = row is None
    if row is None:
        row = _new_skill(session, skill_id, author, tenant_id, name, slug)
    else:
        _update_skill(session, row, author, tenant_id, name, slug)
    session.flush()
    return Seeded(
        "skill",
        skill_id,
        created,
        {
            "tenant_id": row.tenant_id,
            "author_id": row.author_id,
            "name": row.name,
            "slug": row.slug,
        },
    )


def _new_skill(
    session: Session,
    skill_id: str,
    author: User | None,
    tenant_id: str | None,
    name: str | None,
    slug: str | None,
) -> Skill:
    if author is None:
        raise InvalidValue(f"skill {skill_id} does not exist yet: name its author")
    tenant = tenant_id or author.tenant_id
    if tenant != author.tenant_id:
        raise InvalidValue(
            f"the author {author.id} belongs to tenant {author.tenant_id}, not {shown_id(tenant)}: "
            "a skill's author is a user of its tenant"
        )
    row = Skill(
        id=skill_id,
        tenant_id=tenant,
        author_id=author.id,
        name=name or skill_id,
        slug=slug or slug_of(skill_id),
    )
    _unique_slug_in_tenant(session, row.slug, tenant, skill_id)
    session.add(row)
    return row


def _update_skill(
    session: Session,
    row: Skill,
    author: User | None,
    tenant_id: str | None,
    name: str | None,
    slug: str | None,
) -> None:
    if tenant_id is not None and tenant_id != row.tenant_id:
        raise InvalidValue(
            f"skill {row.id} belongs to tenant {row.tenant_id}, not {shown_id(tenant_id)}"
        )
    if author is not None:
        if author.tenant_id != row.tenant_id:
            raise InvalidValue(
                f"the author {author.id} belongs to tenant {author.tenant_id}, "
                f"not the skill's tenant {row.tenant_id}"
            )
        row.author_id = author.id
    if slug is not None and slug != row.slug:
        _unique_slug_in_tenant(session, slug, row.tenant_id, row.id)
        row.slug = slug
    if name is not None:
        row.name = name
    row.updated_at = func.now()


def _unique(session: Session, model: Any, column: str, value: str, own_id: str, kind: str) -> None:
    holder = session.scalar(select(model.id).where(getattr(model, column) == value))
    if holder is not None and holder != own_id:
        raise InvalidValue(f"{column} {value!r} is taken by {kind} {holder}")


def _unique_slug_in_tenant(session: Session, slug: str, tenant_id: str, own_id: str) -> None:
    holder = session.scalar(
        select(Skill.id).where(Skill.tenant_id == tenant_id, Skill.slug == slug)
    )
    if holder is not None and holder != own_id:
        raise InvalidValue(f"slug {slug!r} is taken by skill {holder} in tenant {tenant_id}")


@dataclass(frozen=True, slots=True)
class TenantWorld:
    """A tenant with its settings, users (and their consent) and skills (and their authors)."""

    tenant: Tenant
    capture_enabled: bool
    sample_rate: float
    users: list[tuple[User, bool]]
    skills: list[Skill]


def describe_tenants(session: Session, tenant_id: str | None = None) -> list[TenantWorld]:
    """Every tenant (or one) with what decides its submissions' outcomes."""
    query = select(Tenant).order_by(Tenant.id)
    if tenant_id is not None:
        query = query.where(Tenant.id == tenant_id)
    tenants = list(session.scalars(query))
    if tenant_id is not None and not tenants:
        raise UnknownTenant(tenant_id)
    worlds = []
    for tenant in tenants:
        capture = session.scalar(
            select(SiteSettings.training_data_capture_enabled).where(
                SiteSettings.tenant_id == tenant.id
            )
        )
        rate = session.scalar(
            select(TenantCapture.sample_rate).where(TenantCapture.tenant_id == tenant.id)
        )
        users = session.execute(
            select(User, UserPreferences.preferences)
            .outerjoin(UserPreferences, UserPreferences.user_id == User.id)
            .where(User.tenant_id == tenant.id)
            .order_by(User.id)
        ).all()
        skills = list(
            session.scalars(select(Skill).where(Skill.tenant_id == tenant.id).order_by(Skill.id))
        )
        worlds.append(
            TenantWorld(
                tenant,
                bool(capture),
                DEFAULT_SAMPLE_RATE if rate is None else float(rate),
                [(user, consents(p)) for user, p in users],
                skills,
            )
        )
    return worlds


def user_consents(session: Session, user_id: str) -> bool:
    """Whether the user consented to training-data capture (no row or key: no)."""
    stored = session.scalar(
        select(UserPreferences.preferences).where(UserPreferences.user_id == user_id)
    )
    return consents(stored)
