"""The seeded platform: tenants, users and skills with capture on and every user consenting."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb

PREFIX = "bench-"


@dataclass(frozen=True, slots=True)
class Skill:
    id: str
    tenant_id: str
    author_id: str


@dataclass(frozen=True, slots=True)
class World:
    """Ids of what `seed` stored; every tenant has the same number of users and skills."""

    tenants: tuple[str, ...]
    users: dict[str, tuple[str, ...]]
    skills: dict[str, tuple[Skill, ...]]

    @property
    def all_skills(self) -> list[Skill]:
        return [skill for tenant in self.tenants for skill in self.skills[tenant]]


def build(tenants: int = 50, users: int = 20, skills: int = 20) -> World:
    """The ids of a world of `tenants` x (`users` users, `skills` skills), deterministic."""
    tenant_ids = tuple(f"{PREFIX}t{t:03d}" for t in range(tenants))
    user_ids = {t: tuple(f"{t}-u{u:03d}" for u in range(users)) for t in tenant_ids}
    skill_rows = {
        t: tuple(Skill(f"{t}-s{s:03d}", t, user_ids[t][s % users]) for s in range(skills))
        for t in tenant_ids
    }
    return World(tenant_ids, user_ids, skill_rows)


def seed(database_url: str, world: World) -> None:
    """Replace any earlier bench world with this one (capture on, consent given everywhere)."""
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        # Deleting the tenants cascades to their users, skills, settings, preferences and rows.
        cursor.execute("DELETE FROM tenants WHERE id LIKE %s", (PREFIX + "%",))
        cursor.executemany(
            "INSERT INTO tenants (id, name, slug, is_active) VALUES (%s, %s, %s, true)",
            [(t, f"Bench tenant {t}", t) for t in world.tenants],
        )
        cursor.executemany(
            "INSERT INTO users (id, tenant_id, email, name, image) VALUES (%s, %s, %s, %s, %s)",
            [
                (u, t, f"{u}@bench.example", f"Bench user {u}", f"/avatars/{u}.png")
                for t in world.tenants
                for u in world.users[t]
            ],
        )
        cursor.executemany(
            "INSERT INTO skills (id, tenant_id, name, slug, author_id) VALUES (%s, %s, %s, %s, %s)",
            [
                (s.id, s.tenant_id, f"Skill {s.id}", s.id, s.author_id)
                for t in world.tenants
                for s in world.skills[t]
            ],
        )
        cursor.executemany(
            "INSERT INTO site_settings (id, tenant_id, training_data_capture_enabled)"
            " VALUES (%s, %s, true)",
            [(f"{t}-settings", t) for t in world.tenants],
        )
        cursor.executemany(
            "INSERT INTO user_preferences (id, tenant_id, user_id, preferences)"
            " VALUES (%s, %s, %s, %s)",
            [
                (f"{u}-prefs", t, u, Jsonb({"trainingDataConsent": True, "theme": "dark"}))
                for t in world.tenants
                for u in world.users[t]
            ],
        )


def unseed(database_url: str) -> None:
    """Remove the bench world (and, by cascade, everything filed under it)."""
    with psycopg.connect(database_url) as connection:
        connection.execute("DELETE FROM tenants WHERE id LIKE %s", (PREFIX + "%",))
