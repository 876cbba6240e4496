"""Token formats of hosted services: AI, payments, messaging, productivity, media."""

from __future__ import annotations

from worker.sanitize.secrets.formats import (
    ANY,
    HEX32,
    HEX40,
    HEX64,
    UUID,
    Format,
    anthropic,
    make,
    openai,
    structured,
)

AI: tuple[Format, ...] = (
    make("anthropic_key", "sk-ant-", ANY + r"{20,300}", (95, 101), anthropic),
    make(
        "openai_key",
        "sk-proj- sk-svcacct- sk-admin- sk-None-",
        ANY + r"{20,300}",
        (100, 300),
        openai,
    ),
    make("openrouter_key", "sk-or-v1-", HEX64, (64, 64)),
    make("langfuse_key", "sk-lf-", UUID, (36, 36), structured),
    # (Not the head of another provider's `sk-` token cut short at a line end.)
    make("openai_key", "sk-", r"(?!or-v1-|ant-|lf-)[A-Za-z0-9_-]{20,300}", (48, 48), openai),
    make("elevenlabs_key", "sk_", r"[a-f0-9]{48}", (48, 48)),
    make("huggingface_token", "hf_ api_org_", r"[A-Za-z0-9]{34}", (34, 34)),
    make("langsmith_key", "lsv2_pt_ lsv2_sk_", HEX32 + r"_[a-f0-9]{10}", (43, 43), structured),
    make("pinecone_key", "pcsk_", r"[A-Za-z0-9]{5,6}_[A-Za-z0-9]{63}", (69, 70)),
    make("nvidia_key", "nvapi-", ANY + r"{64}", (64, 64)),
    make("perplexity_key", "pplx-", r"[A-Za-z0-9]{48}", (48, 48)),
    make("groq_key", "gsk_", r"[A-Za-z0-9]{52}", (52, 52)),
    make("replicate_token", "r8_", r"[A-Za-z0-9_-]{37}", (37, 37)),
    make("xai_key", "xai-", r"[A-Za-z0-9_]{80}", (80, 80)),
    make("fireworks_key", "fw_", r"[A-Za-z0-9]{24}", (24, 24)),
    make("cerebras_key", "csk-", r"[a-z0-9]{48}", (48, 48)),
    make("voiceflow_key", "VF.", r"(?:DM\.|WS\.)?[a-fA-F0-9]{24}\.[A-Za-z0-9]{16}", (41, 44)),
)

PAYMENTS: tuple[Format, ...] = (
    make(
        "stripe_key",
        "sk_live_ sk_test_ sk_prod_ rk_live_ rk_test_ rk_prod_",
        r"[A-Za-z0-9]{10,247}",
        (24, 247),
    ),
    make("stripe_key", "whsec_", r"[A-Za-z0-9+/=]{20,80}", (32, 80)),
    make("stripe_key", "pi_", r"[A-Za-z0-9]{24}_secret_[A-Za-z0-9]{25}", (57, 57), structured),
    make("square_token", "EAAA", ANY + r"{60}", (60, 60)),
    make("square_token", "sq0atp-", ANY + r"{22}", (22, 22)),
    make("square_token", "sq0csp- sandbox-sq0csb-", ANY + r"{43}", (43, 43)),
    make(
        "braintree_token",
        "access_token$production$ access_token$sandbox$",
        r"[0-9a-z]{16}\$[0-9a-f]{32}",
        (49, 49),
        structured,
    ),
    make("plaid_token", "access-production- access-development- access-sandbox-", UUID, (36, 36)),
    make("flutterwave_key", "FLWSECK_TEST- FLWSECK-", r"[a-h0-9]{32}-X", (34, 34)),
    make("shippo_token", "shippo_live_ shippo_test_", HEX40, (40, 40)),
    make("easypost_key", "EZAK EZTK", r"[A-Za-z0-9]{54}", (54, 54)),
    make("duffel_token", "duffel_test_ duffel_live_", r"[A-Za-z0-9_=-]{43}", (43, 43)),
    make("paddle_key", "pdl_live_apikey_ pdl_sdbx_apikey_", ANY + r"{40,80}", (40, 80)),
    # GoCardless, Lob and Mollie live keys share the prefix; test keys are not credentials.
    make("payment_key", "live_", r"[A-Za-z0-9_=-]{30,40}", (30, 40)),
    make("pagarme_key", "ak_live_", r"[A-Za-z0-9]{30}", (30, 30)),
    make("ramp_key", "ramp_sec_", r"[A-Za-z0-9]{48}", (48, 48)),
)

MESSAGING: tuple[Format, ...] = (
    make(
        "slack_token",
        "xoxb- xoxp- xoxa- xoxr- xoxs- xoxo- xoxe- xapp- xoxe.xoxp- xoxe.xoxb-",
        r"[A-Za-z0-9.-]{10,300}",
        (40, 300),
    ),
    make("sendgrid_key", "SG.", ANY + r"{22}\." + ANY + r"{43}", (66, 66)),
    make("twilio_key", "AC SK", r"(?:[0-9a-f]{32}|[0-9A-F]{32})", (32, 32)),
    make("mailgun_key", "key-", HEX32, (32, 32)),
    make("brevo_key", "xkeysib- xsmtpsib-", HEX64 + r"-[A-Za-z0-9]{16}", (81, 81)),
    make("resend_key", "re_", r"[A-Za-z0-9]{8,12}_[A-Za-z0-9_-]{20,40}", (33, 45)),
    make("twitch_token", "oauth:", r"[a-z0-9]{30}", (30, 30)),
    make("facebook_token", "EAAB EAAC EAAG EAAM EAAU", r"[A-Za-z0-9]{90,400}", (90, 400)),
    make("instagram_token", "IGQV IGQW IGAA", ANY + r"{100,400}", (100, 400)),
    make("twitter_token", "AAAAAAAAAAAAAAAAAAAA", r"A*[A-Za-z0-9%]{40,120}", (40, 140)),
    make("riot_key", "RGAPI-", UUID, (36, 36), structured),
)

PRODUCTIVITY: tuple[Format, ...] = (
    make("airtable_token", "pat", r"[A-Za-z0-9]{14}\.[a-f0-9]{64}", (79, 79), structured),
    make("asana_token", "0/", HEX32, (32, 32)),
    make("linear_key", "lin_api_", r"[A-Za-z0-9]{40}", (40, 40)),
    make("linear_key", "lin_oauth_", HEX64, (64, 64)),
    make("notion_token", "ntn_", r"[0-9]{11}[A-Za-z0-9]{35}", (46, 46)),
    make("notion_token", "secret_", r"[A-Za-z0-9]{43}", (43, 43)),
    make("clickup_token", "pk_", r"[0-9]{6,9}_[0-9A-Z]{32}", (39, 42)),
    make("figma_token", "figd_ figp_", ANY + r"{40,60}", (40, 60)),
    make("trello_token", "ATTA", r"[A-Za-z0-9]{60,70}", (64, 68)),
    make("contentful_token", "CFPAT-", ANY + r"{43}", (43, 43)),
    make("hubspot_token", "pat-na1- pat-eu1- pat-na2- pat-ap1-", UUID, (36, 36), structured),
    make("intercom_token", "dG9rOi", r"[A-Za-z0-9+/=_-]{40,120}", (40, 120)),
    make("zoho_token", "1000.", HEX32 + r"\." + HEX32, (65, 65), structured),
    make("salesforce_token", "5AEP861", r"[A-Za-z0-9._=]{80,200}", (80, 200)),
    make("postman_key", "PMAK-", r"[a-f0-9]{24}-[a-f0-9]{34}", (59, 59)),
    make("typeform_token", "tfp_", r"[A-Za-z0-9_=.-]{40,80}", (59, 80)),
    make("readme_key", "rdme_", r"[a-z0-9]{70}", (70, 70)),
    make("shopify_token", "shpat_ shpca_ shppa_ shpss_", r"[a-fA-F0-9]{32}", (32, 32)),
    make("launchdarkly_key", "sdk- api- mob-", UUID, (36, 36), structured),
    make("settlemint_token", "sm_pat_ sm_aat_ sm_sat_", r"[A-Za-z0-9]{16}", (16, 16)),
    make("apify_token", "apify_api_", r"[A-Za-z0-9]{36}", (36, 36)),
)

MEDIA_AND_MAPS: tuple[Format, ...] = (
    make("mapbox_token", "sk.eyJ", r"[A-Za-z0-9_-]{20,200}\.[A-Za-z0-9_-]{20,}", (60, 300)),
    make("dropbox_token", "sl.u. sl.", ANY + r"{130,1400}", (130, 1400)),
    make("frameio_token", "fio-u-", ANY + r"{64}", (64, 64)),
    make("adobe_key", "p8e-", r"[A-Za-z0-9]{32}", (32, 32)),
    make("adafruit_key", "aio_", r"[A-Za-z0-9]{28}", (28, 28)),
)

FORMATS: tuple[Format, ...] = AI + PAYMENTS + MESSAGING + PRODUCTIVITY + MEDIA_AND_MAPS
