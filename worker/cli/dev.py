"""`intake dev`: make tenants, users and skills to try the service with your own data.

For development and evaluation only: in production the platform owns these tables and this
service only reads them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from worker.cli import output
from worker.cli.database import transaction
from worker.cli.options import ByOption, changed_by
from worker.cli.options import sample_rate as checked_rate
from worker.operations import capture, consent, seeding

DEV_ONLY = (
    "For development and evaluation only: in production the platform owns tenants, users "
    "and skills, and this service only reads them."
)

app = typer.Typer(
    help=f"Create tenants, users and skills to try the service with. {DEV_ONLY}",
    short_help="Tenants, users and skills to try the service with (development only).",
    no_args_is_help=True,
)
tenant_app = typer.Typer(help=f"Tenants. {DEV_ONLY}", no_args_is_help=True)
user_app = typer.Typer(help=f"Users of a tenant. {DEV_ONLY}", no_args_is_help=True)
skill_app = typer.Typer(help=f"Skills, each written by a user. {DEV_ONLY}", no_args_is_help=True)
app.add_typer(tenant_app, name="tenant")
app.add_typer(user_app, name="user")
app.add_typer(skill_app, name="skill")


class Switch(StrEnum):
    ON = "on"
    OFF = "off"


class Role(StrEnum):
    MEMBER = "member"
    ADMIN = "admin"


NameOption = Annotated[str | None, typer.Option("--name", help="Display name (default: the id).")]
SlugOption = Annotated[
    str | None, typer.Option("--slug", help="URL slug, unique (default: from the id).")
]


@tenant_app.command("create")
def create_tenant(
    tenant_id: Annotated[str, typer.Argument(help="The tenant's id, e.g. acme.")],
    name: NameOption = None,
    slug: SlugOption = None,
    capture_state: Annotated[
        Switch | None,
        typer.Option("--capture", help="Usage capture on or off (a new tenant: off)."),
    ] = None,
    sample_rate: Annotated[
        float | None,
        typer.Option(
            "--sample-rate", help="Fraction of captures kept (0-1).", callback=checked_rate
        ),
    ] = None,
    inactive: Annotated[
        bool, typer.Option("--inactive", help="Make it inactive (its submissions are rejected).")
    ] = False,
    by: ByOption = None,
) -> None:
    """Create or update a tenant (development and evaluation only).

    Capture settings are changed as `intake settings capture` and `intake capture sample-rate`
    change them (audited).
    """
    author = changed_by(by)
    with transaction() as session:
        seeded = seeding.put_tenant(
            session, tenant_id, name=name, slug=slug, active=False if inactive else None
        )
        if capture_state is not None:
            capture.set_capture_enabled(
                session, tenant_id, capture_state is Switch.ON, changed_by=author
            )
        if sample_rate is not None:
            capture.set_sample_rate(session, tenant_id, sample_rate, changed_by=author)
        settings = capture.get_capture_settings(session, tenant_id, history=0)
    output.say(
        f"{seeded.verb} tenant {tenant_id} (capture {'on' if settings.capture_enabled else 'off'}, "
        f"sample rate {settings.sample_rate:g}"
        f"{'' if settings.tenant_active else ', inactive'})"
    )


@user_app.command("create")
def create_user(
    user_id: Annotated[str, typer.Argument(help="The user's id, e.g. alice.")],
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="The user's tenant (needed to create).")
    ] = None,
    name: NameOption = None,
    email: Annotated[
        str | None, typer.Option("--email", help="Unique e-mail (default: made from the ids).")
    ] = None,
    role: Annotated[
        Role | None, typer.Option("--role", help="member, or admin (may review every skill).")
    ] = None,
    user_consent: Annotated[
        bool | None,
        typer.Option(
            "--consent/--no-consent",
            help="Training-data consent (default for a new user: none).",
            show_default=False,
        ),
    ] = None,
    by: ByOption = None,
) -> None:
    """Create or update a user of a tenant (development and evaluation only).

    Consent is changed as `intake consent grant|revoke` changes it (audited; revoking deletes
    the user's usage captures).
    """
    author = changed_by(by)
    with transaction() as session:
        seeded = seeding.put_user(
            session,
            user_id,
            tenant_id=tenant,
            email=email,
            name=name,
            role=None if role is None else role.value,
        )
        if user_consent is True:
            consent.grant_consent(session, user_id, changed_by=author)
        elif user_consent is False:
            consent.revoke_consent(session, user_id, changed_by=author)
        has_consent = seeding.user_consents(session, user_id)
    attributes = seeded.attributes
    output.say(
        f"{seeded.verb} user {user_id} of tenant {attributes['tenant_id']} "
        f"({attributes['role']}, {'consented' if has_consent else 'no consent'})"
    )


@skill_app.command("create")
def create_skill(
    skill_id: Annotated[str, typer.Argument(help="The skill's id, e.g. sql-helper.")],
    author_id: Annotated[
        str | None,
        typer.Option("--author", help="The user who wrote it (needed to create); its tenant's."),
    ] = None,
    tenant: Annotated[
        str | None, typer.Option("--tenant", help="The skill's tenant (default: the author's).")
    ] = None,
    name: NameOption = None,
    slug: SlugOption = None,
) -> None:
    """Create or update a skill written by a user (development and evaluation only).

    Only the author may send golden examples for it; the author or an admin of its tenant
    reviews its usage captures.
    """
    with transaction() as session:
        seeded = seeding.put_skill(
            session, skill_id, author_id=author_id, tenant_id=tenant, name=name, slug=slug
        )
    attributes = seeded.attributes
    output.say(
        f"{seeded.verb} skill {skill_id} of tenant {attributes['tenant_id']} "
        f"(author {attributes['author_id']})"
    )


@app.command("show")
def show(
    tenant: Annotated[str | None, typer.Option("--tenant", help="Only this tenant.")] = None,
) -> None:
    """Tenants with their capture settings, users (role, consent) and skills (author)."""
    with transaction() as session:
        worlds = seeding.describe_tenants(session, tenant)
        rows = [
            [
                world.tenant.id,
                "active" if world.tenant.is_active else "inactive",
                f"capture {'on' if world.capture_enabled else 'off'}",
                f"sample rate {world.sample_rate:g}",
                ", ".join(
                    f"{user.id} ({user.role}{', consented' if consented else ''})"
                    for user, consented in world.users
                ),
                ", ".join(f"{skill.id} (by {skill.author_id})" for skill in world.skills),
            ]
            for world in worlds
        ]
    if not rows:
        output.say("no tenants yet: create one with `intake dev tenant create ID`")
        return
    output.table("tenants", ["tenant", "state", "capture", "sampling", "users", "skills"], rows)
