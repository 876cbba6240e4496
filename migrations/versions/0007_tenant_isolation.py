"""Tenant isolation in depth: row-level security, a restricted worker role, tenant-scoped batches.

The platform's policy (`tenant_id = current_setting('app.current_tenant_id', true)`) on every
tenant-scoped platform table. The ingest pipeline runs each transaction as the role
`intake_worker` (`SET LOCAL ROLE`): not a table owner, so the policy binds it even when the
connection itself is a superuser or the tables' owner. Its grants are what the pipeline needs
and no more: it cannot read example text back, update or delete a row.

A batch spans many tenants, and a tenant is set per transaction. Setting it and querying once per
tenant from Python would cost a round trip per statement; the functions below take the whole
batch grouped by tenant and, for each group, set the tenant (`set_config(..., true)`) and run the
group's statements under it, all in one round trip. They run with the caller's rights, so the
policy applies to every statement inside.

Revision ID: 0007_tenant_isolation
Revises: 0006_golden_text_policy
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0007_tenant_isolation"
down_revision = "0006_golden_text_policy"
branch_labels = None
depends_on = None

ROLE = "intake_worker"
POLICY = "tenant_isolation"
TENANT_TABLES = ("users", "skills", "site_settings", "user_preferences", "skill_feedback")
CURRENT_TENANT = "current_setting('app.current_tenant_id', true)"

# Column grants: exactly what the pipeline reads and writes.
GRANTS = (
    "GRANT SELECT (id, is_active) ON tenants TO {role}",
    "GRANT SELECT (id, tenant_id) ON users TO {role}",
    "GRANT SELECT (id, tenant_id, author_id) ON skills TO {role}",
    "GRANT SELECT (tenant_id, training_data_capture_enabled) ON site_settings TO {role}",
    # UPDATE on one column only because `SELECT ... FOR SHARE` requires it: the pipeline locks a
    # user's preferences so that a consent revocation waits for it (and then wins).
    "GRANT SELECT (user_id, tenant_id, preferences), UPDATE (updated_at)"
    " ON user_preferences TO {role}",
    "GRANT SELECT (id, tenant_id, usage_event_id, feedback_type),"
    " INSERT (id, tenant_id, skill_id, user_id, usage_event_id, feedback_type, quality_score,"
    " source, status, example_input, example_output, expected_output)"
    " ON skill_feedback TO {role}",
    "GRANT SELECT, INSERT, UPDATE ON intake_outcomes TO {role}",
    "GRANT SELECT ON intake_tenant_capture TO {role}",
    "GRANT EXECUTE ON FUNCTION intake_tenant_facts(json) TO {role}",
    "GRANT EXECUTE ON FUNCTION intake_insert_examples(json) TO {role}",
    "GRANT EXECUTE ON FUNCTION intake_home_tenants(text[], text[]) TO {role}",
)

# The role is cluster-wide (several databases may share it); create it once, and let the
# migrating user switch to it unless it is a superuser (who may switch to any role).
CREATE_ROLE = f"""
DO $$
DECLARE
    can_switch boolean;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{ROLE}') THEN
        BEGIN
            CREATE ROLE {ROLE} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;  -- another database's migration created it a moment ago
        END;
    END IF;
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN;
    END IF;
    -- Since PostgreSQL 16 a membership may exist without the right to switch to the role.
    IF current_setting('server_version_num')::int >= 160000 THEN
        can_switch := pg_has_role(current_user, '{ROLE}', 'SET');
    ELSE
        can_switch := pg_has_role(current_user, '{ROLE}', 'MEMBER');
    END IF;
    IF NOT can_switch THEN
        EXECUTE format('GRANT {ROLE} TO %I', current_user);
    END IF;
END
$$
"""

CREATE_POLICY = """
DO $$
BEGIN
    IF NOT EXISTS (
        SELECT FROM pg_policies
        WHERE schemaname = current_schema() AND tablename = '{table}' AND policyname = '{policy}'
    ) THEN
        CREATE POLICY {policy} ON {table}
            USING (tenant_id = {current})
            WITH CHECK (tenant_id = {current});
    END IF;
END
$$
"""

# Per tenant group: the tenant's users and skills among the batch's ids, and for usage captures
# the tenant's capture switch and the users' preferences, locked FOR SHARE in a fixed order.
TENANT_FACTS = """
CREATE FUNCTION intake_tenant_facts(groups json)
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
                SELECT p.tenant_id, 'preferences', p.user_id, NULL::text, NULL::boolean,
                       p.preferences
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

# Per tenant group: insert the rows (conflicts on the id or the usage event skip), then name the
# rows not inserted whose id already exists (a redelivery) apart from usage-event conflicts.
INSERT_EXAMPLES = """
CREATE FUNCTION intake_insert_examples(groups json)
RETURNS TABLE (id text, state text)
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
AS $$
DECLARE
    tenant text;
    rows json;
    expected int;
    inserted text[];
BEGIN
    -- Each group's rows are extracted once and parsed once: they are most of the document.
    FOR tenant, rows, expected IN
        SELECT g->>'tenant_id', g->'rows', (g->>'count')::int FROM json_array_elements(groups) g
    LOOP
        PERFORM set_config('app.current_tenant_id', tenant, true);
        WITH added AS (
            INSERT INTO skill_feedback AS f (
                id, tenant_id, skill_id, user_id, usage_event_id, feedback_type, quality_score,
                source, status, example_input, example_output, expected_output
            )
            SELECT r.id, r.tenant_id, r.skill_id, r.user_id, r.usage_event_id, r.feedback_type,
                   r.quality_score, r.source, r.status, r.example_input, r.example_output,
                   r.expected_output
            FROM json_to_recordset(rows) AS r (
                id text, tenant_id text, skill_id text, user_id text, usage_event_id text,
                feedback_type text, quality_score int, source text, status text,
                example_input text, example_output text, expected_output text
            )
            ON CONFLICT DO NOTHING
            RETURNING f.id
        )
        SELECT coalesce(array_agg(added.id), '{}') INTO inserted FROM added;
        RETURN QUERY SELECT unnest(inserted), 'inserted'::text;
        IF cardinality(inserted) < expected THEN
            RETURN QUERY
                SELECT f.id, 'exists'::text
                FROM skill_feedback f
                WHERE f.id = ANY (ARRAY(SELECT r->>'id' FROM json_array_elements(rows) AS r))
                  AND NOT f.id = ANY (inserted);
        END IF;
    END LOOP;
    PERFORM set_config('app.current_tenant_id', '', true);
END
$$
"""

# The one look across tenants the pipeline needs: to which tenant an id it cannot see under the
# submission's tenant belongs, so that it can say `cross_tenant` rather than `unknown_user`. It
# runs with its owner's rights and returns ids and tenant ids, nothing else.
HOME_TENANTS = """
CREATE FUNCTION intake_home_tenants(user_ids text[], skill_ids text[])
RETURNS TABLE (fact text, key text, tenant text)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = {schema}, pg_temp
AS $$
    SELECT 'user', u.id, u.tenant_id FROM users u WHERE u.id = ANY (user_ids)
    UNION ALL
    SELECT 'skill', s.id, s.tenant_id FROM skills s WHERE s.id = ANY (skill_ids)
$$
"""


def upgrade() -> None:
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()
    op.execute(CREATE_ROLE)
    for table in TENANT_TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(CREATE_POLICY.format(table=table, policy=POLICY, current=CURRENT_TENANT))
    op.execute(TENANT_FACTS)
    op.execute(INSERT_EXAMPLES)
    op.execute(HOME_TENANTS.format(schema=schema))
    # Functions are executable by PUBLIC by default; only the worker role needs these.
    for function in (
        "intake_tenant_facts(json)",
        "intake_insert_examples(json)",
        "intake_home_tenants(text[], text[])",
    ):
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
    op.execute(f"GRANT USAGE ON SCHEMA {schema} TO {ROLE}")
    for grant in GRANTS:
        op.execute(grant.format(role=ROLE))


def downgrade() -> None:
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()
    # The role stays: it is cluster-wide and other databases may use it.
    op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA {schema} FROM {ROLE}")
    op.execute("DROP FUNCTION intake_home_tenants(text[], text[])")
    op.execute("DROP FUNCTION intake_insert_examples(json)")
    op.execute("DROP FUNCTION intake_tenant_facts(json)")
    for table in TENANT_TABLES:
        op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
