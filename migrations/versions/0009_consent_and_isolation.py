"""Consent withdrawn anywhere wins; isolation for this service's tables; consistent tenant pairs.

* A trigger on `user_preferences` removes a user's usage-captured examples in the very statement
  that withdraws their consent, whoever runs it (the platform's settings page, a SQL console,
  `intake consent revoke`). It runs with its owner's rights, so a platform role that may update
  preferences need not be able to delete examples. With the worker reading preferences
  `FOR SHARE` in its inserting transaction, a revocation either waits for an insert in flight to
  commit and then removes it, or is seen by it: once it commits, no captured row remains and
  none appears.
* Authorization reads only what the rules need: a capturing user's consent as one boolean
  (only a JSON `true` under `trainingDataConsent` is consent), not their whole preferences.
* The functions the worker calls pin their `search_path`, so no schema earlier on a caller's
  path can substitute a table.
* Row-level security on `intake_outcomes` and `intake_dead_letters`: the platform's
  tenant-scoped roles see their tenant's rows only; the worker role sees every tenant's (it
  decides for all of them, and submission ids are global, so it must see a repeat of any).
* Composite foreign keys make a training example's `(tenant_id, skill_id)` and
  `(tenant_id, user_id)` pairs name a skill and a user of that very tenant: row-level security
  filters what a role sees, it does not check what a row references.

Revision ID: 0009_consent_and_isolation
Revises: 0008_keyed_dead_letters
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_consent_and_isolation"
down_revision = "0008_keyed_dead_letters"
branch_labels = None
depends_on = None

ROLE = "intake_worker"
CURRENT_TENANT = "current_setting('app.current_tenant_id', true)"

WITHDRAW_CONSENT = """
CREATE FUNCTION intake_withdraw_consent() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = {schema}, pg_temp
AS $$
BEGIN
    -- Only a JSON `true` is consent (a missing key, "true" or 1 are not), as the worker reads it.
    IF TG_OP = 'DELETE' OR OLD.user_id IS DISTINCT FROM NEW.user_id THEN
        DELETE FROM skill_feedback
        WHERE user_id = OLD.user_id
          AND feedback_type = 'training_example' AND source = 'usage_capture';
    END IF;
    IF TG_OP = 'UPDATE'
       AND NOT coalesce(NEW.preferences -> 'trainingDataConsent' = 'true'::jsonb, false) THEN
        DELETE FROM skill_feedback
        WHERE user_id = NEW.user_id
          AND feedback_type = 'training_example' AND source = 'usage_capture';
    END IF;
    RETURN NULL;
END
$$
"""

WITHDRAW_TRIGGER = """
CREATE TRIGGER intake_withdraw_consent
AFTER UPDATE OR DELETE ON user_preferences
FOR EACH ROW EXECUTE FUNCTION intake_withdraw_consent()
"""

OWN_TABLES = ("intake_outcomes", "intake_dead_letters")

# Migration 0007's function, the preferences row reduced to the consent the rules read.
CONSENT = "coalesce(p.preferences -> 'trainingDataConsent' = 'true'::jsonb, false)"
TENANT_FACTS = """
CREATE OR REPLACE FUNCTION intake_tenant_facts(groups json)
RETURNS TABLE (tenant text, fact text, key text, author_id text, enabled boolean, preferences jsonb)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $$
DECLARE
    grp json;
BEGIN
    FOR grp IN SELECT value FROM json_array_elements(groups) LOOP
        PERFORM set_config('app.current_tenant_id', grp->>'tenant_id', true);
        RETURN QUERY
            SELECT u.tenant_id, 'user', u.id, NULL::text, NULL::boolean, NULL::jsonb
            FROM users u
            WHERE u.id = ANY (ARRAY(SELECT json_array_elements_text(grp->'user_ids')));
        RETURN QUERY
            SELECT s.tenant_id, 'skill', s.id, s.author_id, NULL::boolean, NULL::jsonb
            FROM skills s
            WHERE s.id = ANY (ARRAY(SELECT json_array_elements_text(grp->'skill_ids')));
        IF json_array_length(grp->'capture_user_ids') > 0 THEN
            RETURN QUERY
                SELECT st.tenant_id, 'capture', st.tenant_id, NULL::text,
                       st.training_data_capture_enabled, NULL::jsonb
                FROM site_settings st
                WHERE st.tenant_id = grp->>'tenant_id';
            RETURN QUERY
                SELECT p.tenant_id, 'preferences', p.user_id, NULL::text,
                       {consent}, NULL::jsonb
                FROM user_preferences p
                WHERE p.user_id = ANY (
                    ARRAY(SELECT json_array_elements_text(grp->'capture_user_ids'))
                )
                ORDER BY p.user_id
                FOR SHARE;
        END IF;
    END LOOP;
    PERFORM set_config('app.current_tenant_id', '', true);
END
$$
"""


def upgrade() -> None:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    op.execute(WITHDRAW_CONSENT.format(schema=schema))
    op.execute(WITHDRAW_TRIGGER)
    op.execute("REVOKE ALL ON FUNCTION intake_withdraw_consent() FROM PUBLIC")
    op.execute(TENANT_FACTS.format(consent=CONSENT))
    for function in ("intake_tenant_facts(json)", "intake_insert_examples(json)"):
        op.execute(f"ALTER FUNCTION {function} SET search_path = {schema}, pg_temp")

    op.add_column("intake_dead_letters", sa.Column("tenant_id", sa.Text(), nullable=True))
    for table in OWN_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY tenant_isolation ON {table}"
            f" USING (tenant_id = {CURRENT_TENANT}) WITH CHECK (tenant_id = {CURRENT_TENANT})"
        )
        op.execute(
            f"CREATE POLICY intake_worker_all_tenants ON {table} TO {ROLE}"
            " USING (true) WITH CHECK (true)"
        )

    op.create_unique_constraint("uq_users_tenant_id_id", "users", ["tenant_id", "id"])
    op.create_unique_constraint("uq_skills_tenant_id_id", "skills", ["tenant_id", "id"])
    op.create_foreign_key(
        "fk_skill_feedback_tenant_skill",
        "skill_feedback",
        "skills",
        ["tenant_id", "skill_id"],
        ["tenant_id", "id"],
        ondelete="CASCADE",
    )
    # Deleting a user keeps their feedback, without its user (as the platform's own key does).
    # PostgreSQL 15 can null just the user column; before it, the platform's key nulls it first
    # and this one only checks (NO ACTION runs at the end of the statement).
    version = int(bind.exec_driver_sql("SHOW server_version_num").scalar_one())
    on_delete = "ON DELETE SET NULL (user_id)" if version >= 150000 else ""
    op.execute(
        "ALTER TABLE skill_feedback ADD CONSTRAINT fk_skill_feedback_tenant_user"
        f" FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) {on_delete}"
    )


def downgrade() -> None:
    op.drop_constraint("fk_skill_feedback_tenant_user", "skill_feedback", type_="foreignkey")
    op.drop_constraint("fk_skill_feedback_tenant_skill", "skill_feedback", type_="foreignkey")
    op.drop_constraint("uq_skills_tenant_id_id", "skills", type_="unique")
    op.drop_constraint("uq_users_tenant_id_id", "users", type_="unique")
    for table in OWN_TABLES:
        op.execute(f"DROP POLICY intake_worker_all_tenants ON {table}")
        op.execute(f"DROP POLICY tenant_isolation ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    op.drop_column("intake_dead_letters", "tenant_id")
    for function in ("intake_tenant_facts(json)", "intake_insert_examples(json)"):
        op.execute(f"ALTER FUNCTION {function} RESET search_path")
    # 0007's function again: the whole preferences document.
    op.execute(
        TENANT_FACTS.format(consent="NULL::boolean").replace(
            "NULL::boolean, NULL::jsonb\n                FROM user_preferences",
            "NULL::boolean, p.preferences\n                FROM user_preferences",
        )
    )
    op.execute("DROP TRIGGER intake_withdraw_consent ON user_preferences")
    op.execute("DROP FUNCTION intake_withdraw_consent()")
