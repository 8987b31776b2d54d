"""``kakunin webhook add | list | remove | test``: the receivers of signed webhooks (issue 18
item 5). Registered on the main app by :mod:`intake.cli`."""

from __future__ import annotations

import json
import urllib.error
from typing import TYPE_CHECKING, Annotated

import typer

from intake.settings import load_settings

if TYPE_CHECKING:
    from intake.services import Services

webhook_app = typer.Typer(
    help="Signed webhooks (Standard Webhooks) for every state change", no_args_is_help=True
)


def _services() -> Services:
    """Imported here: every ``kakunin`` command loads this module, few need the database."""
    from intake.services import Services  # noqa: PLC0415 - see the docstring

    return Services(load_settings())


def _fail(message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(1)


@webhook_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="the receiver's http(s) URL")],
    events: Annotated[
        list[str] | None,
        typer.Option("--events", help="event types, comma-separated or repeated (all by default)"),
    ] = None,
) -> None:
    """Register a receiver; its whsec_ secret is printed once (keep it: it verifies the signatures)."""
    from intake.webhooks import WebhookError, add_target  # noqa: PLC0415 - loads the database layer

    try:
        target, secret = add_target(_services(), url, events or [])
    except WebhookError as exc:
        raise _fail(str(exc)) from None
    typer.echo(json.dumps(target.to_json(), ensure_ascii=False))
    typer.echo(f"署名用シークレット（一度だけ表示します）: {secret}")


@webhook_app.command("list")
def list_() -> None:
    """The receivers, one JSON line each (never their secrets)."""
    from intake.webhooks import list_targets  # noqa: PLC0415 - loads the database layer

    for target in list_targets(_services()):
        typer.echo(json.dumps(target.to_json(), ensure_ascii=False))


@webhook_app.command("remove")
def remove(
    target_id: Annotated[int, typer.Argument(help="the receiver's id (kakunin webhook list)")],
) -> None:
    """Remove a receiver and the events still waiting for it."""
    from intake.webhooks import remove_target  # noqa: PLC0415 - loads the database layer

    if not remove_target(_services(), target_id):
        raise _fail(f"webhook {target_id} does not exist")
    typer.echo(f"webhook {target_id} removed")


@webhook_app.command("test")
def test(url: Annotated[str, typer.Argument(help="a registered receiver's URL")]) -> None:
    """Send a signed webhook.test event to a registered receiver now; exit 1 unless it answers 2xx."""
    from intake.webhooks import WebhookError, send_test  # noqa: PLC0415 - loads the database layer

    try:
        event_id, status = send_test(_services(), url)
    except WebhookError as exc:
        raise _fail(str(exc)) from None
    except (OSError, urllib.error.URLError) as exc:
        raise _fail(f"delivery failed: {exc}") from None
    typer.echo(json.dumps({"webhook_id": event_id, "status": status}))


def register(app: typer.Typer) -> None:
    """Add ``kakunin webhook …`` to the main app."""
    app.add_typer(webhook_app, name="webhook")
