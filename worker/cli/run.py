"""`intake migrate` and `intake worker`: the schema and the Celery worker."""

from __future__ import annotations

import typer

from producers.contract import QUEUES


def migrate(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Upgrade the database schema (starts the embedded PostgreSQL when none is configured)."""
    from worker import migrate as migrations
    from worker.runtime import prepare

    prepare(create=True)
    migrations.upgrade(revision=revision)
    typer.echo(f"database at revision {revision}")


def _check_database() -> None:
    """Refuse to start against a database that cannot be reached (one line, exit 1), instead of
    a worker that says it is ready and then retries every batch."""
    from sqlalchemy import text

    from worker.db import get_engine

    with get_engine().connect() as connection:
        connection.execute(text("SELECT 1"))


def worker(
    ctx: typer.Context,
    concurrency: int = typer.Option(None, "--concurrency", "-c", help="Pool processes."),
    loglevel: str = typer.Option("INFO", "--loglevel", "-l"),
) -> None:
    """Run a Celery worker on the intake queues (extra options go to `celery worker`)."""
    from worker import migrate as migrations
    from worker.runtime import prepare

    runtime = prepare(create=True)
    if runtime.embedded is not None and "postgres" in runtime.embedded.serving:
        migrations.upgrade()
    else:
        _check_database()
    from worker.app import app as celery_app

    argv = ["worker", "--queues", ",".join(QUEUES), "--loglevel", loglevel, *ctx.args]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    celery_app.worker_main(argv)
