"""Fake tokens of the providers added from the gitleaks and TruffleHog catalogues, seeded.

Right alphabet, length and structure for each format; none was ever issued by a provider.
`ALL_TOKENS` is every format the corpus and the properties draw from.
"""

from __future__ import annotations

import random
import string

from tests.worker.sanitize_corpus.fakes import (
    ALNUM,
    DIGITS,
    LOWER_HEX,
    TOKENS,
    UPPER_DIGITS,
    URLSAFE,
    Maker,
    mixed,
    pick,
)

LOWER_ALNUM = string.ascii_lowercase + string.digits


def uuid(rnd: random.Random) -> str:
    hexed = pick(rnd, LOWER_HEX, 32)
    return f"{hexed[:8]}-{hexed[8:12]}-4{hexed[13:16]}-a{hexed[17:20]}-{hexed[20:]}"


PROVIDER_TOKENS: dict[str, list[Maker]] = {
    "langsmith_key": [
        lambda r, p=p: f"{p}{pick(r, LOWER_HEX, 32)}_{pick(r, LOWER_HEX, 10)}"
        for p in ("lsv2_pt_", "lsv2_sk_")
    ],
    "launchdarkly_key": [lambda r, p=p: p + uuid(r) for p in ("sdk-", "api-", "mob-")],
    "asana_token": [
        lambda r: f"2/{pick(r, DIGITS, 16)}/{pick(r, DIGITS, 16)}:{pick(r, LOWER_HEX, 32)}",
        lambda r: f"1/{pick(r, DIGITS, 16)}:{pick(r, LOWER_HEX, 32)}",
    ],
    "airtable_token": [lambda r: f"pat{mixed(r, ALNUM, 14)}.{pick(r, LOWER_HEX, 64)}"],
    "sourcegraph_token": [
        lambda r: f"sgp_{pick(r, LOWER_HEX, 16)}_{pick(r, LOWER_HEX, 40)}",
        lambda r: "sgp_local_" + pick(r, LOWER_HEX, 40),
    ],
    "tencent_key": [lambda r: "AKID" + mixed(r, ALNUM, 32)],
    "gcs_hmac_key": [lambda r: "GOOG1E" + pick(r, UPPER_DIGITS, 55)],
    "twitch_token": [lambda r: "oauth:" + mixed(r, LOWER_ALNUM, 30)],
    "resend_key": [lambda r: f"re_{mixed(r, ALNUM, 8)}_{mixed(r, ALNUM, 24)}"],
    "braintree_token": [
        lambda r: f"access_token$production${pick(r, LOWER_ALNUM, 16)}${pick(r, LOWER_HEX, 32)}"
    ],
    "openrouter_key": [lambda r: "sk-or-v1-" + pick(r, LOWER_HEX, 64)],
    "hubspot_token": [lambda r: "pat-na1-" + uuid(r)],
    "figma_token": [lambda r: "figd_" + mixed(r, URLSAFE, 40)],
    "pinecone_key": [lambda r: f"pcsk_{mixed(r, ALNUM, 5)}_{mixed(r, ALNUM, 63)}"],
    "nvidia_key": [lambda r: "nvapi-" + mixed(r, URLSAFE, 64)],
    "sonarqube_token": [lambda r, p=p: p + pick(r, LOWER_HEX, 40) for p in ("sqp_", "squ_")],
    "netlify_token": [lambda r: "nfp_" + mixed(r, ALNUM, 36)],
    "render_key": [lambda r: "rnd_" + mixed(r, ALNUM, 32)],
    "neon_key": [lambda r: "napi_" + pick(r, LOWER_ALNUM, 64)],
    "contentful_token": [lambda r: "CFPAT-" + mixed(r, URLSAFE, 43)],
    "bitbucket_token": [lambda r: "ATBB" + mixed(r, ALNUM, 32)],
    "posthog_key": [lambda r: "phx_" + mixed(r, ALNUM, 43)],
    "plaid_token": [lambda r: "access-production-" + uuid(r)],
    "frameio_token": [lambda r: "fio-u-" + mixed(r, URLSAFE, 64)],
    "adafruit_key": [lambda r: "aio_" + mixed(r, ALNUM, 28)],
    "clickup_token": [lambda r: f"pk_{pick(r, DIGITS, 8)}_{pick(r, UPPER_DIGITS, 32)}"],
    "volcengine_key": [lambda r: "AKLT" + mixed(r, URLSAFE, 44)],
    "flyio_token": [lambda r: "fo1_" + mixed(r, URLSAFE, 43)],
    "backblaze_key": [lambda r: "K00" + mixed(r, ALNUM, 28)],
}

ALL_TOKENS: dict[str, list[Maker]] = {**TOKENS, **PROVIDER_TOKENS}
