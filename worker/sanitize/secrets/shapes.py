"""Token formats with no literal prefix: a needle that must be there, then a pattern.

JWTs, Discord and Telegram bot tokens, Mailchimp and Azure secrets, Asana and Backblaze keys,
and capability URLs (Slack, Discord, Teams, Zapier, IFTTT, Make, Tines, Mattermost webhooks),
whose path is the credential.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from worker.sanitize.secrets import checksums


@dataclass(frozen=True, slots=True)
class Shape:
    """A pattern searched only inside the runs (of token characters) that hold its needle;
    a webhook URL, whose secret may run past the run, is searched from the run on."""

    kind: str
    needle: str
    pattern: re.Pattern[str]
    proof: Callable[[str], bool] | None = None
    group: int | str = 0
    in_runs: bool = True
    checked: bool = True  # False: the structure alone makes it a secret (a webhook URL)
    shortest: int = 20  # no run shorter than this can hold it


def _webhook(kind: str, needle: str, pattern: str, in_runs: bool = True) -> Shape:
    return Shape(kind, needle, re.compile(pattern), None, "secret", in_runs, False)


SHAPES: tuple[Shape, ...] = (
    Shape(
        "jwt",
        "eyJ",
        re.compile(
            r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+){0,2}"
        ),
        checksums.jwt_header,
    ),
    Shape(
        "discord_token",
        ".",
        re.compile(
            r"(?<![A-Za-z0-9_.-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,40}"
            r"(?![A-Za-z0-9_-])"
        ),
        lambda token: checksums.discord_user(token.split(".", 1)[0]),
        shortest=59,
    ),
    Shape(
        "telegram_bot_token",
        ":AA",
        re.compile(r"(?<![0-9])[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])"),
        shortest=44,
    ),
    Shape(
        "mailchimp_key",
        "-us",
        re.compile(r"(?<![A-Za-z0-9])[0-9a-f]{32}-us[0-9]{1,2}(?![A-Za-z0-9])"),
        shortest=36,
    ),
    Shape(
        "azure_client_secret",
        "Q~",
        re.compile(
            r"(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~-])"
        ),
        shortest=40,
    ),
    Shape(
        "terraform_token",
        ".atlasv1.",
        re.compile(r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}"),
        shortest=90,
    ),
    # Asana personal access tokens: `<version>/<user id>[/<app id>]:<secret>`.
    Shape(
        "asana_token",
        ":",
        re.compile(
            r"(?<![0-9/])[0-9]/[0-9]{10,20}(?:/[0-9]{10,20})?:[A-Za-z0-9]{32}(?![A-Za-z0-9])"
        ),
        lambda _token: True,
        shortest=45,
    ),
    # Backblaze B2 application keys: `K0`, a digit, then 28 base64 characters.
    Shape(
        "backblaze_key",
        "K0",
        re.compile(r"(?<![A-Za-z0-9+/])K0[0-9][A-Za-z0-9+/]{28}(?![A-Za-z0-9+/=])"),
        shortest=31,
    ),
    Shape(
        "newrelic_key",
        "FFFFNRAL",
        re.compile(r"(?:[0-9a-f]{32}|eu01xx[0-9a-f]{26})FFFFNRAL"),
        lambda _token: True,
        shortest=40,
    ),
    Shape(
        "maxmind_key",
        "_mmk",
        re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk(?![A-Za-z0-9])"),
        shortest=40,
    ),
    Shape(
        "salesforce_token",
        "00D",
        re.compile(r"(?<![A-Za-z0-9])00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{80,}"),
        lambda _token: True,
        in_runs=False,
    ),
    _webhook(
        "slack_webhook",
        "hooks.slack.com",
        r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9/_+-]+)",
    ),
    _webhook(
        "discord_webhook",
        "/api/webhooks/",
        r"/api/webhooks/[0-9]{5,25}/(?P<secret>[A-Za-z0-9_-]{30,100})",
    ),
    _webhook(
        "teams_webhook",
        "webhook.office.com",
        r"\.webhook\.office\.com/webhookb2/(?P<secret>[A-Za-z0-9@/-]{40,})",
        in_runs=False,
    ),
    _webhook(
        "zapier_webhook",
        "hooks.zapier.com",
        r"hooks\.zapier\.com/hooks/(?:catch|standard)/(?P<secret>[0-9]+/[A-Za-z0-9]+/?)",
    ),
    _webhook(
        "ifttt_webhook",
        "maker.ifttt.com",
        r"maker\.ifttt\.com/(?:trigger/[A-Za-z0-9_.-]+/(?:json/)?with/)?(?:use|key)/"
        r"(?P<secret>[A-Za-z0-9_-]{16,})",
    ),
    _webhook(
        "make_webhook",
        "make.com/",
        r"hook\.(?:[a-z0-9]+\.)?make\.com/(?P<secret>[A-Za-z0-9]{24,40})",
    ),
    _webhook(
        "tines_webhook",
        ".tines.com/webhook/",
        r"\.tines\.com/webhook/(?P<secret>[a-z0-9]{32}/[a-z0-9]{32})",
    ),
    _webhook(
        "mattermost_webhook",
        "/hooks/",
        r"/hooks/(?P<secret>[a-z0-9]{26})(?![A-Za-z0-9])",
    ),
)
