"""The `intake` command line."""

from __future__ import annotations

import logging
import sys

import typer

from worker.cli import demo, servers, status
from worker.settings import get_settings

app = typer.Typer(
    name="intake",
    help="training-intake: turn training-example submissions into clean, consented rows.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(servers.app, name="servers")
app.command("status")(status.status)
app.command("demo")(demo.demo)


@app.callback()
def _configure_logging() -> None:
    logging.basicConfig(
        level=get_settings().log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@app.command()
def migrate(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Upgrade the database schema (starts the embedded PostgreSQL when none is configured)."""
    from worker import migrate as migrations
    from worker.runtime import prepare

    prepare()
    migrations.upgrade(revision=revision)
    typer.echo(f"database at revision {revision}")


@app.command(context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def worker(
    ctx: typer.Context,
    concurrency: int = typer.Option(None, "--concurrency", "-c", help="Pool processes."),
    loglevel: str = typer.Option("INFO", "--loglevel", "-l"),
) -> None:
    """Run a Celery worker on the `intake` queue (extra options go to `celery worker`)."""
    from worker import migrate as migrations
    from worker.runtime import prepare

    runtime = prepare()
    if runtime.embedded is not None and "postgres" in runtime.embedded.serving:
        migrations.upgrade()
    from worker.app import app as celery_app

    argv = ["worker", "--queues", "intake", "--loglevel", loglevel, *ctx.args]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    celery_app.worker_main(argv)


def main() -> None:
    app()
