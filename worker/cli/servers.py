"""`intake servers`: the embedded PostgreSQL and Redis under the data folder."""

from __future__ import annotations

import shlex
from typing import Annotated

import typer

from producers.errors import safe_url
from worker.cli import output
from worker.embedded import EmbeddedServers
from worker.settings import get_settings

app = typer.Typer(
    help="Start, stop and inspect the embedded PostgreSQL and Redis (under INTAKE_DATA_DIR).",
    no_args_is_help=True,
)


def _servers() -> EmbeddedServers:
    return EmbeddedServers(get_settings().data_dir)


@app.command()
def start() -> None:
    """Start both embedded servers (reused when already running) and leave them running."""
    servers = _servers()
    servers.start()
    output.say(f"PostgreSQL {servers.database_url()}\nRedis {servers.broker_url()}")
    output.warn(
        f"running until `intake servers stop`; their URLs are in {servers.servers_file} "
        '(`eval "$(intake servers env)"` exports them)'
    )


@app.command()
def stop() -> None:
    """Stop both embedded servers cleanly."""
    _servers().stop()
    output.say("stopped")


@app.command("status")
def show_status() -> None:
    """Say whether each embedded server runs, and its URL (the database the tables are in)."""
    servers = _servers()
    running = servers.running()
    output.say(f"data folder: {servers.data_dir}")
    for name, variable in (("PostgreSQL", "DATABASE_URL"), ("Redis", "CELERY_BROKER_URL")):
        output.say(f"{name}: {running.get(variable, 'not running')}")
    settings = get_settings()
    for variable, value in (
        ("DATABASE_URL", settings.database_url),
        ("CELERY_BROKER_URL", settings.broker_url),
    ):
        if value:
            output.say(f"{variable} is set: commands use {safe_url(value)} instead")


@app.command("env")
def env(
    start_servers: Annotated[
        bool,
        typer.Option(
            "--start/--no-start",
            help="Start the embedded servers when they are not running (and leave them running).",
        ),
    ] = True,
) -> None:
    """Print the servers' URLs as shell `export` lines: eval "$(intake servers env)".

    Variables already set in the environment are printed as they are; the others point at the
    embedded servers of the data folder.
    """
    settings = get_settings()
    configured = {"DATABASE_URL": settings.database_url, "CELERY_BROKER_URL": settings.broker_url}
    urls = {name: value for name, value in configured.items() if value}
    if len(urls) < len(configured):
        servers = _servers()
        running = servers.running()
        if not all(name in running for name in configured if name not in urls):
            if not start_servers:
                output.fail("the embedded servers are not running: `intake servers start`")
            servers.start(
                postgres="DATABASE_URL" not in urls, redis="CELERY_BROKER_URL" not in urls
            )
            output.warn("started the embedded servers; `intake servers stop` stops them")
            running = servers.running()
        urls = {name: urls.get(name) or running[name] for name in configured}
    for name, value in urls.items():
        output.say(f"export {name}={shlex.quote(value)}")
