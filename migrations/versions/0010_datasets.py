"""Golden datasets: duplicate flags of examples (written at ingest), versions and their members.

The ingest pipeline flags duplicates in its inserting transaction as `intake_worker`, under
row-level security: like migration 0007, two functions take the batch grouped by tenant and set
each tenant before touching its rows. Candidates are looked up by their keys (exact and LSH band
keys, one btree probe each), and each tenant is locked for the rest of the transaction first, so
two workers flagging the same tenant at once see each other's clusters.

Revision ID: 0010_datasets
Revises: 0009_consent_and_isolation
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0010_datasets"
down_revision = "0009_consent_and_isolation"
branch_labels = None
depends_on = None

TS = postgresql.TIMESTAMP(timezone=True, precision=3)
NOW = sa.text("CURRENT_TIMESTAMP")
ROLE = "intake_worker"
POLICY = "tenant_isolation"
CURRENT_TENANT = "current_setting('app.current_tenant_id', true)"
TABLES = (
    "intake_example_duplicates",
    "intake_duplicate_keys",
    "intake_dataset_versions",
    "intake_version_examples",
)

# Per tenant group: lock the tenant's duplicate flags until the transaction ends (tenants come in
# sorted order, so concurrent batches never deadlock), then return each flagged example of the
# tenant sharing a key with the group's new examples, once, with the keys it shares. A key shared
# by many cluster heads is boilerplate common to unrelated examples (heads are never near each
# other): only the first PER_KEY of them are offered, which bounds the work of a batch.
PER_KEY = 8
CANDIDATES = """
CREATE FUNCTION intake_duplicate_candidates(groups json)
RETURNS TABLE (cluster_id text, exact_key bigint, signature bytea, matched bigint[])
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
-- A lookup is one index probe a key, whatever the table's size. Under the tenant policy the
-- planner misjudges how many rows a tenant has and may scan whole tables instead; compiling
-- (JIT) or parallel workers cost more than the probes themselves.
SET enable_seqscan = off
SET enable_hashjoin = off
SET enable_bitmapscan = off
SET enable_mergejoin = off
SET jit = off
SET max_parallel_workers_per_gather = 0
AS $$
DECLARE
    grp json;
BEGIN
    FOR grp IN SELECT value FROM json_array_elements(groups) LOOP
        PERFORM set_config('app.current_tenant_id', grp->>'tenant_id', true);
        -- One lock a tenant, not a skill: a batch may hold hundreds of skills, and the shared
        -- lock table is small.
        PERFORM pg_advisory_xact_lock(
            hashtextextended('intake_duplicates:' || (grp->>'tenant_id'), 0)
        );
        RETURN QUERY
            SELECT d.cluster_id, d.exact_key, d.signature, array_agg(x.key)
            FROM unnest(CAST(grp->>'keys' AS bigint[])) AS k (key)
            CROSS JOIN LATERAL (
                SELECT found.key, found.example_id
                FROM intake_duplicate_keys found
                WHERE found.key = k.key
                ORDER BY found.example_id
                LIMIT {per_key}
            ) AS x
            JOIN intake_example_duplicates d ON d.example_id = x.example_id
            GROUP BY d.example_id, d.cluster_id, d.exact_key, d.signature;
    END LOOP;
    PERFORM set_config('app.current_tenant_id', '', true);
END
$$
"""

# Per tenant group: the flags, then their lookup keys. The keys carry no foreign key: checking
# one costs more than inserting it, and FORGET_KEYS removes the keys of a removed flag.
INSERT_FLAGS = """
CREATE FUNCTION intake_insert_duplicates(groups json)
RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY INVOKER
SET jit = off
AS $$
DECLARE
    tenant text;
    rows json;
BEGIN
    FOR tenant, rows IN SELECT g->>'tenant_id', g->'rows' FROM json_array_elements(groups) g LOOP
        PERFORM set_config('app.current_tenant_id', tenant, true);
        -- Plain inserts, no ON CONFLICT: only rows this transaction inserted are flagged, once.
        WITH r AS (
            SELECT * FROM json_to_recordset(rows) AS r (
                id text, skill_id text, cluster_id text, kind text, similarity double precision,
                exact_key bigint, signature text, keys text
            )
        ), flagged AS (
            INSERT INTO intake_example_duplicates (
                example_id, tenant_id, skill_id, cluster_id, kind, similarity, exact_key, signature,
                keys
            )
            SELECT r.id, tenant, r.skill_id, r.cluster_id, r.kind, r.similarity, r.exact_key,
                   decode(r.signature, 'base64'), CAST(r.keys AS bigint[])
            FROM r
        )
        INSERT INTO intake_duplicate_keys (key, example_id, tenant_id)
        SELECT DISTINCT k.key, r.id, tenant
        FROM r, unnest(CAST(r.keys AS bigint[])) AS k (key);
    END LOOP;
    PERFORM set_config('app.current_tenant_id', '', true);
END
$$
"""

# When flags go (their example was removed, e.g. by a consent revocation), their keys go too.
# Statement-level, so a revocation removing thousands of examples runs one DELETE here.
FORGET_KEYS = """
CREATE FUNCTION intake_forget_duplicate_keys()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = {schema}, pg_temp
AS $$
BEGIN
    DELETE FROM intake_duplicate_keys k
    USING (SELECT unnest(gone.keys) AS key, gone.example_id FROM gone) AS g
    WHERE k.key = g.key AND k.example_id = g.example_id;
    RETURN NULL;
END
$$
"""
FORGET_TRIGGER = """
CREATE TRIGGER intake_forget_duplicate_keys
AFTER DELETE ON intake_example_duplicates
REFERENCING OLD TABLE AS gone
FOR EACH STATEMENT EXECUTE FUNCTION intake_forget_duplicate_keys()
"""

FUNCTIONS = ("intake_duplicate_candidates(json)", "intake_insert_duplicates(json)")


def _duplicates_table() -> None:
    op.create_table(
        "intake_example_duplicates",
        sa.Column("example_id", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("skill_id", sa.Text(), nullable=False),
        sa.Column("cluster_id", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("exact_key", sa.BigInteger(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=True),
        sa.Column("keys", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("flagged_at", TS, server_default=NOW, nullable=False),
        sa.CheckConstraint(
            "kind IS NULL OR kind IN ('exact', 'near')",
            name="ck_intake_example_duplicates_kind_known",
        ),
        sa.ForeignKeyConstraint(
            ["example_id"],
            ["skill_feedback.id"],
            name="fk_intake_example_duplicates_example_id_skill_feedback",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("example_id", name="pk_intake_example_duplicates"),
    )
    op.create_index(
        "ix_intake_example_duplicates_cluster_id", "intake_example_duplicates", ["cluster_id"]
    )
    op.create_table(
        "intake_duplicate_keys",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("example_id", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", "example_id", name="pk_intake_duplicate_keys"),
    )


def _version_tables() -> None:
    op.create_table(
        "intake_dataset_versions",
        sa.Column("id", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("skill_id", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("created_at", TS, server_default=NOW, nullable=False),
        sa.Column("status_filter", sa.Text(), nullable=True),
        sa.Column("source_filter", sa.Text(), nullable=True),
        sa.Column("duplicates", sa.Text(), nullable=False),
        sa.Column("split_ratios", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("split_seed", sa.Text(), nullable=False),
        sa.Column("example_count", sa.Integer(), nullable=False),
        sa.Column("split_counts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("system_messages", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.CheckConstraint(
            "duplicates IN ('keep', 'drop')", name="ck_intake_dataset_versions_duplicates_known"
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_intake_dataset_versions_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"],
            ["skills.id"],
            name="fk_intake_dataset_versions_skill_id_skills",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_intake_dataset_versions"),
        sa.UniqueConstraint("tenant_id", "name", name="uq_intake_dataset_versions_tenant_id_name"),
    )
    op.create_table(
        "intake_version_examples",
        sa.Column("version_id", sa.Text(), nullable=False),
        sa.Column("example_id", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("content_sha256", sa.LargeBinary(), nullable=False),
        sa.Column("split", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("reviewed_by", sa.Text(), nullable=True),
        sa.Column("reviewed_at", TS, nullable=True),
        sa.Column("review_notes", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "split IN ('train', 'validation', 'test')",
            name="ck_intake_version_examples_split_known",
        ),
        sa.CheckConstraint(
            "octet_length(content_sha256) = 32",
            name="ck_intake_version_examples_content_sha256_length",
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["intake_dataset_versions.id"],
            name="fk_intake_version_examples_version_id_intake_dataset_versions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "example_id", name="pk_intake_version_examples"),
    )
    op.create_index(
        "ix_intake_version_examples_version_id_created_at",
        "intake_version_examples",
        ["version_id", "created_at", "example_id"],
    )


def upgrade() -> None:
    schema = op.get_bind().exec_driver_sql("SELECT current_schema()").scalar_one()
    _duplicates_table()
    _version_tables()
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY {POLICY} ON {table} USING (tenant_id = {CURRENT_TENANT}) "
            f"WITH CHECK (tenant_id = {CURRENT_TENANT})"
        )
    op.execute(CANDIDATES.replace("{per_key}", str(PER_KEY)))
    op.execute(INSERT_FLAGS)
    op.execute(FORGET_KEYS.format(schema=schema))
    op.execute(FORGET_TRIGGER)
    op.execute("REVOKE ALL ON FUNCTION intake_forget_duplicate_keys() FROM PUBLIC")
    for function in FUNCTIONS:
        # No schema earlier on a caller's path may substitute a table (as in migration 0009).
        op.execute(f"ALTER FUNCTION {function} SET search_path = {schema}, pg_temp")
        op.execute(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {function} TO {ROLE}")
    # The worker reads candidates and writes flags; it never changes or removes a flag.
    for table in ("intake_example_duplicates", "intake_duplicate_keys"):
        op.execute(f"GRANT SELECT, INSERT ON {schema}.{table} TO {ROLE}")


def downgrade() -> None:
    op.execute("DROP TRIGGER intake_forget_duplicate_keys ON intake_example_duplicates")
    op.execute("DROP FUNCTION intake_forget_duplicate_keys()")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}")
    op.drop_index(
        "ix_intake_version_examples_version_id_created_at",
        table_name="intake_version_examples",
    )
    op.drop_table("intake_version_examples")
    op.drop_table("intake_dataset_versions")
    op.drop_table("intake_duplicate_keys")
    op.drop_index("ix_intake_example_duplicates_cluster_id", table_name="intake_example_duplicates")
    op.drop_table("intake_example_duplicates")
