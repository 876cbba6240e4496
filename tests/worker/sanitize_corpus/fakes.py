"""Fake secrets of every format, made from a seeded random source: right alphabet and length,
valid checksum where the format has one. None of them was ever issued by a provider."""

from __future__ import annotations

import base64
import json
import random
import string
from collections.abc import Callable

from worker.sanitize.secrets import checksums

LOWER_HEX = "0123456789abcdef"
DIGITS = string.digits
UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"
B64 = ALNUM + "+/"


def pick(rnd: random.Random, alphabet: str, length: int) -> str:
    return "".join(rnd.choice(alphabet) for _ in range(length))


def mixed(rnd: random.Random, alphabet: str, length: int) -> str:
    """Random text of `alphabet` holding a digit, an upper and a lower case letter if it can."""
    while True:
        text = pick(rnd, alphabet, length)
        wanted = [
            cls
            for cls in (string.digits, string.ascii_uppercase, string.ascii_lowercase)
            if any(c in alphabet for c in cls)
        ]
        if all(any(c in cls for c in text) for cls in wanted):
            return text


def github_style(rnd: random.Random, prefix: str) -> str:
    entropy = mixed(rnd, ALNUM, 30)
    return prefix + entropy + checksums.crc32_base62(entropy)


def age_key(rnd: random.Random) -> str:
    hrp = "age-secret-key-"
    data = [rnd.randrange(32) for _ in range(52)]
    polymod = checksums.bech32_polymod([*checksums.bech32_expand(hrp), *data, 0, 0, 0, 0, 0, 0]) ^ 1
    data += [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return (
        "age-secret-key-1" + "".join("qpzry9x8gf2tvdw0s3jn54khce6mua7l"[v] for v in data)
    ).upper()


def pypi_token(rnd: random.Random) -> str:
    identifier = json.dumps({"version": 1, "permissions": "user"}).encode()
    macaroon = (
        b"\x02\x01\x08pypi.org\x02" + bytes((len(identifier),)) + identifier
        + b"\x00\x02\x06\x20" + rnd.randbytes(32)
    )  # fmt: skip
    return "pypi-" + base64.urlsafe_b64encode(macaroon).decode().rstrip("=")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def jwt(rnd: random.Random) -> str:
    header = b64url(
        json.dumps({"alg": rnd.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"}).encode()
    )
    claims = {
        "sub": str(rnd.randrange(10**6, 10**9)),
        "iat": rnd.randrange(1_600_000_000, 1_800_000_000),
    }
    return f"{header}.{b64url(json.dumps(claims).encode())}.{b64url(rnd.randbytes(32))}"


def discord(rnd: random.Random) -> str:
    user = str(rnd.randrange(10**17, 10**19)).encode()
    return f"{b64url(user)}.{pick(rnd, URLSAFE, 6)}.{mixed(rnd, URLSAFE, 38)}"


def anthropic(rnd: random.Random) -> str:
    return "sk-ant-api03-" + mixed(rnd, URLSAFE, 93) + "AA"


def openai(rnd: random.Random) -> str:
    return "sk-proj-" + mixed(rnd, URLSAFE, 74) + "T3BlbkFJ" + mixed(rnd, URLSAFE, 74)


Maker = Callable[[random.Random], str]

# kind -> makers: one per prefix or variant, each a realistic fake.
TOKENS: dict[str, list[Maker]] = {
    "github_token": [
        lambda r, p=p: github_style(r, p) for p in ("ghp_", "gho_", "ghu_", "ghs_", "ghr_")
    ],
    "github_fine_grained_token": [
        lambda r: (
            "github_pat_11"
            + pick(r, string.ascii_uppercase + string.digits, 20)
            + "_"
            + mixed(r, ALNUM, 59)
        )
    ],
    "gitlab_token": [
        lambda r, p=p: p + mixed(r, ALNUM, 20)
        for p in ("glpat-", "gldt-", "glrt-", "glptt-", "glft-", "glsoat-")
    ]
    + [
        lambda r: (
            "glpat-"
            + mixed(r, URLSAFE, 27)
            + ".01"
            + pick(r, string.digits + string.ascii_lowercase, 7)
        )
    ],
    "huggingface_token": [lambda r: "hf_" + mixed(r, string.ascii_letters, 34)],
    "anthropic_key": [anthropic],
    "openai_key": [
        openai,
        lambda r: "sk-" + mixed(r, ALNUM, 20) + "T3BlbkFJ" + mixed(r, ALNUM, 20),
    ],
    "slack_token": [
        lambda r: (
            f"xoxb-{pick(r, string.digits, 12)}-{pick(r, string.digits, 13)}-{mixed(r, ALNUM, 24)}"
        ),
        lambda r: (
            f"xoxp-{pick(r, DIGITS, 12)}-{pick(r, DIGITS, 12)}-{pick(r, DIGITS, 13)}-"
            + pick(r, LOWER_HEX, 32)
        ),
        lambda r: (
            f"xapp-1-A{pick(r, UPPER_DIGITS, 10)}-{pick(r, DIGITS, 13)}-" + pick(r, LOWER_HEX, 64)
        ),
    ],
    "stripe_key": [
        lambda r, p=p: p + mixed(r, ALNUM, 99) for p in ("sk_live_", "rk_live_", "sk_test_")
    ]
    + [lambda r: "whsec_" + mixed(r, ALNUM, 32)],
    "google_api_key": [lambda r: "AIza" + mixed(r, URLSAFE, 35)],
    "google_oauth_secret": [lambda r: "GOCSPX-" + mixed(r, URLSAFE, 28)],
    "google_oauth_token": [
        lambda r: "1//0" + r.choice("ghe69") + mixed(r, URLSAFE, 98),
        lambda r: "ya29.a0" + mixed(r, URLSAFE, 150),
    ],
    "aws_access_key": [
        lambda r, p=p: p + mixed(r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        for p in ("AKIA", "ASIA")
    ],
    "sendgrid_key": [lambda r: f"SG.{mixed(r, URLSAFE, 22)}.{mixed(r, URLSAFE, 43)}"],
    "twilio_key": [lambda r, p=p: p + pick(r, LOWER_HEX, 32) for p in ("AC", "SK")],
    "npm_token": [lambda r: github_style(r, "npm_")],
    "pypi_token": [pypi_token],
    "discord_token": [discord],
    "telegram_bot_token": [lambda r: f"{r.randrange(10**8, 10**10)}:AA{mixed(r, URLSAFE, 33)}"],
    "shopify_token": [
        lambda r, p=p: p + pick(r, LOWER_HEX, 32) for p in ("shpat_", "shpss_", "shpca_")
    ],
    "square_token": [
        lambda r: "EAAA" + mixed(r, URLSAFE, 60),
        lambda r: "sq0csp-" + mixed(r, URLSAFE, 43),
    ],
    "mailgun_key": [lambda r: "key-" + pick(r, LOWER_HEX, 32)],
    "mailchimp_key": [lambda r: pick(r, LOWER_HEX, 32) + "-us" + str(r.randrange(1, 21))],
    "digitalocean_token": [
        lambda r, p=p: p + pick(r, LOWER_HEX, 64) for p in ("dop_v1_", "doo_v1_")
    ],
    "heroku_key": [lambda r: "HRKU-AA" + mixed(r, URLSAFE, 58)],
    "azure_client_secret": [
        lambda r: mixed(r, ALNUM, 3) + str(r.randrange(10)) + "Q~" + mixed(r, ALNUM + "_~.-", 34)
    ],
    "databricks_token": [lambda r: "dapi" + pick(r, LOWER_HEX, 32)],
    "dockerhub_token": [lambda r: "dckr_pat_" + mixed(r, URLSAFE, 27)],
    "linear_key": [lambda r: "lin_api_" + mixed(r, ALNUM, 40)],
    "notion_token": [
        lambda r: "ntn_" + pick(r, string.digits, 11) + mixed(r, ALNUM, 35),
        lambda r: "secret_" + mixed(r, ALNUM, 43),
    ],
    "doppler_token": [
        lambda r: "dp.pt." + mixed(r, ALNUM, 43),
        lambda r: "dp.st.prd." + mixed(r, ALNUM, 40),
    ],
    "postman_key": [lambda r: f"PMAK-{pick(r, LOWER_HEX, 24)}-{pick(r, LOWER_HEX, 34)}"],
    "atlassian_token": [lambda r: "ATATT3xFfGF0" + mixed(r, URLSAFE, 174)],
    "sentry_token": [lambda r: "sntryu_" + pick(r, LOWER_HEX, 64)],
    "grafana_token": [
        lambda r: "glsa_" + mixed(r, ALNUM, 32) + "_" + pick(r, LOWER_HEX, 8),
        lambda r: (
            "glc_"
            + b64url(
                json.dumps(
                    {"o": str(r.randrange(10**6)), "n": "stack-token", "k": mixed(r, ALNUM, 24)}
                ).encode()
            )
        ),
    ],
    "newrelic_key": [lambda r: "NRAK-" + pick(r, string.ascii_uppercase + string.digits, 27)],
    "private_key": [age_key],
    "vault_token": [lambda r: "hvs." + mixed(r, URLSAFE, 92)],
    "jwt": [jwt],
    "pulumi_token": [lambda r: "pul-" + pick(r, LOWER_HEX, 40)],
    "supabase_key": [lambda r: "sbp_" + pick(r, LOWER_HEX, 40)],
    "groq_key": [lambda r: "gsk_" + mixed(r, ALNUM, 52)],
    "perplexity_key": [lambda r: "pplx-" + mixed(r, ALNUM, 48)],
    "rubygems_key": [lambda r: "rubygems_" + pick(r, LOWER_HEX, 48)],
    "tailscale_key": [lambda r: f"tskey-auth-k{mixed(r, ALNUM, 11)}CNTRL-{mixed(r, ALNUM, 33)}"],
    "dynatrace_token": [
        lambda r: f"dt0c01.{pick(r, UPPER_DIGITS, 24)}.{pick(r, UPPER_DIGITS, 64)}"
    ],
    "brevo_key": [lambda r: f"xkeysib-{pick(r, LOWER_HEX, 64)}-{mixed(r, ALNUM, 16)}"],
    "alibaba_key": [lambda r: "LTAI" + mixed(r, ALNUM, 20)],
    "openshift_token": [lambda r: "sha256~" + mixed(r, URLSAFE, 43)],
}


def aws_secret(rnd: random.Random) -> str:
    return mixed(rnd, B64, 40)


def random_base64(rnd: random.Random, length: int) -> str:
    return mixed(rnd, B64, length)
