"""`intake servers`: the embedded PostgreSQL and Redis under the data folder."""

from __future__ import annotations

import typer

from worker.embedded import EmbeddedServers
from worker.settings import get_settings

app = typer.Typer(
    help="Start, stop and inspect the embedded PostgreSQL and Redis.", no_args_is_help=True
)


def _servers() -> EmbeddedServers:
    return EmbeddedServers(get_settings().data_dir)


@app.command()
def start() -> None:
    """Start both embedded servers (reused when already running) and leave them running."""
    servers = _servers()
    servers.start()
    typer.echo(f"PostgreSQL {servers.postgres.url()}\nRedis {servers.redis.url()}")


@app.command()
def stop() -> None:
    """Stop both embedded servers cleanly."""
    _servers().stop()
    typer.echo("stopped")


@app.command("status")
def show_status() -> None:
    """Say whether each embedded server runs, and where."""
    servers = _servers()
    for name, server in (("PostgreSQL", servers.postgres), ("Redis", servers.redis)):
        typer.echo(f"{name}: {server.url() if server.is_running() else 'not running'}")
