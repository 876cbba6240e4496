"""Token formats of developer platforms: code hosts, CI, registries, clouds, infrastructure."""

from __future__ import annotations

from worker.sanitize.secrets.formats import (
    ANY,
    HEX32,
    HEX40,
    HEX64,
    Format,
    age,
    github,
    grafana,
    json_payload,
    make,
    pypi,
    structured,
)

_B64 = r"[A-Za-z0-9+/]"
# GitLab's routable tokens end in `.<2-character version>.<7 to 9-character CRC>`.
_GITLAB_TAIL = r"(?:\.[0-9a-z]{2}\.[0-9a-z]{7,9}|\.[0-9a-z]{9})?"

CODE_HOSTS: tuple[Format, ...] = (
    make("github_token", "ghp_ gho_ ghu_ ghs_ ghr_", r"[A-Za-z0-9]{36,251}", (36, 36), github),
    make("github_fine_grained_token", "github_pat_", r"[A-Za-z0-9_]{22,255}", (82, 82)),
    make(
        "gitlab_token",
        "glpat- gldt- glft- glsoat- glrt- glcbt- glimt- glptt- glagent- gloas- glffct- glwt- "
        "GR1348941",
        ANY + r"{20,300}" + _GITLAB_TAIL,
        (20, 300),
    ),
    make("bitbucket_token", "ATBB", r"[A-Za-z0-9_=.-]{24,100}", (24, 100)),
    make("bitbucket_token", "BBDC-", r"[A-Za-z0-9+/@_-]{40,50}", (40, 50)),
    make("atlassian_token", "ATATT3 ATCTT3", r"[A-Za-z0-9_=-]{100,300}", (186, 186)),
    make("sourcegraph_token", "sgp_", r"(?:[a-f0-9]{16}_|local_)?" + HEX40, (40, 57)),
    make("sourcegraph_token", "slk_", HEX64, (64, 64)),
    make("sonarqube_token", "sqp_ sqa_ squ_", HEX40, (40, 40)),
    make("harness_token", "pat. sat.", ANY + r"{22}\.[0-9a-f]{24}\.[A-Za-z0-9]{20}", (68, 68)),
    make("dockerhub_token", "dckr_pat_ dckr_oat_", ANY + r"{27,60}", (27, 60)),
    make("buildkite_token", "bkua_", HEX40, (40, 40)),
    make("circleci_token", "CCIPAT_", r"[A-Za-z0-9]{22}_[a-f0-9]{40}", (63, 63)),
    make("octopus_key", "API-", r"[A-Z0-9]{26}", (26, 26), None, r"(?![A-Za-z0-9])"),
)

REGISTRIES: tuple[Format, ...] = (
    make("npm_token", "npm_", r"[A-Za-z0-9]{36}", (36, 36), github),
    make("pypi_token", "pypi-", r"AgE[A-Za-z0-9_-]{50,1000}", (150, 1000), pypi),
    make("rubygems_key", "rubygems_", r"[a-f0-9]{48}", (48, 48)),
    make("clojars_token", "CLOJARS_", r"[a-z0-9]{60}", (60, 60)),
    make("nuget_key", "oy2", r"[a-z0-9]{43}", (43, 43)),
    make("crates_token", "cio", r"[A-Za-z0-9]{32}", (32, 32)),
    make("artifactory_key", "AKCp", r"[A-Za-z0-9]{69}", (69, 69)),
    make("artifactory_key", "cmVmdGtuOj", r"[A-Za-z0-9]{50,80}", (50, 80)),
    make("deno_token", "ddp_ ddw_", r"[A-Za-z0-9]{36}", (36, 36)),
)

CLOUDS: tuple[Format, ...] = (
    make(
        "aws_access_key",
        "AKIA ASIA ABIA ACCA A3T",
        r"[A-Z0-9]{16}",
        (16, 16),
        None,
        r"(?![A-Za-z0-9])",
    ),
    # Session tokens (their base64 starts with the same serialized header) and Bedrock keys.
    make("aws_session_token", "FwoGZXIvYXdz IQoJb3JpZ2lu", _B64 + r"{100,2000}={0,2}", (100, 2000)),
    make("aws_bedrock_key", "ABSK", _B64 + r"{109,269}={0,2}", (109, 269)),
    make("google_api_key", "AIza", ANY + r"{35}", (35, 35)),
    make("google_oauth_secret", "GOCSPX-", ANY + r"{28}", (28, 28)),
    make("google_oauth_token", "ya29.", r"[A-Za-z0-9_.-]{20,2000}(?<!\.)", (100, 2000)),
    make("google_oauth_token", "1//0", ANY + r"{30,500}", (99, 500)),
    make("gcs_hmac_key", "GOOG1", r"[A-Z0-9]{40,70}", (56, 56), None, r"(?![A-Za-z0-9])"),
    make("alibaba_key", "LTAI", r"[A-Za-z0-9]{17,21}", (20, 20)),
    make("tencent_key", "AKID", r"[A-Za-z0-9]{32}", (32, 32)),
    make("volcengine_key", "AKLT", ANY + r"{40,70}", (40, 70)),
    make("yandex_key", "AQVN", ANY + r"{35,38}", (35, 38)),
    make("yandex_key", "YC", ANY + r"{38}", (38, 38)),
    make("yandex_key", "y0_ y1_ y2_ y3_", ANY + r"{55,100}", (55, 100)),
    make("scaleway_key", "SCW", r"[A-Z0-9]{17}", (17, 17), None, r"(?![A-Za-z0-9])"),
    make("digitalocean_token", "dop_v1_ doo_v1_ dor_v1_", HEX64, (64, 64)),
    make("cloudflare_key", "v1.0-", r"[a-f0-9]{24}-[a-f0-9]{146}", (171, 171)),
    make("cloudflare_key", "cfat_ cfut_ cfk_", r"[A-Za-z0-9]{40}[a-f0-9]{8}", (48, 48)),
    make("heroku_key", "HRKU-AA", ANY + r"{58}", (58, 58)),
    make("flyio_token", "fo1_", ANY + r"{43}", (43, 43)),
    make("flyio_token", "fm1a_ fm1r_ fm2_", r"[A-Za-z0-9+/=,_-]{100,2000}", (100, 2000)),
    make("netlify_token", "nfp_", r"[A-Za-z0-9]{36}", (36, 36)),
    make("render_key", "rnd_", r"[A-Za-z0-9]{32}", (32, 32)),
    make("databricks_token", "dapi dose", HEX32 + r"(?:-\d)?", (32, 34)),
    make("clickhouse_key", "4b1d", r"[A-Za-z0-9]{38}", (38, 38)),
    make("supabase_key", "sbp_", HEX40, (40, 40)),
    make("supabase_key", "sb_secret_", ANY + r"{20,80}", (20, 80)),
    make("neon_key", "napi_", r"[a-z0-9]{64}", (64, 64)),
    make(
        "planetscale_token",
        "pscale_tkn_ pscale_pw_ pscale_oauth_",
        r"[A-Za-z0-9_=.-]{32,64}",
        (32, 64),
    ),
    make(
        "tailscale_key", "tskey-", r"[a-z]{3,8}-[A-Za-z0-9_]{6,30}-[A-Za-z0-9_]{16,60}", (30, 100)
    ),
)

INFRASTRUCTURE: tuple[Format, ...] = (
    make("vault_token", "hvs. hvb. hvr.", ANY + r"{24,400}", (90, 400)),
    make("pulumi_token", "pul-", HEX40, (40, 40)),
    make(
        "doppler_token",
        "dp.pt. dp.st. dp.ct. dp.sa. dp.scim. dp.audit.",
        r"(?:[a-z0-9_-]{1,30}\.)?[A-Za-z0-9]{40,44}",
        (40, 75),
    ),
    make("onepassword_token", "ops_eyJ", r"[A-Za-z0-9+/=_-]{100,2000}", (250, 2000)),
    make("private_key", "AGE-SECRET-KEY-1", r"[0-9A-Z]{58}", (58, 58), age),
    make("defined_networking_key", "dnkey-", r"[a-z0-9=_-]{26}-[a-z0-9=_-]{52}", (79, 79)),
    make("scalingo_token", "tk-us-", ANY + r"{48}", (48, 48)),
    make("openshift_token", "sha256~", ANY + r"{43}", (43, 43)),
    make("sentry_token", "sntrys_", r"eyJ[A-Za-z0-9+/=_]{40,600}", (100, 600), json_payload),
    make("sentry_token", "sntryu_ sntrya_", HEX64, (64, 64)),
    make(
        "grafana_token",
        "glc_",
        r"[A-Za-z0-9+/]{32,400}={0,2}",
        (32, 400),
        None,
        r"(?![A-Za-z0-9+/=_-])",
    ),
    make("grafana_token", "glsa_", r"[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}", (41, 41)),
    make(
        "grafana_token",
        "eyJrIjoi",
        r"[A-Za-z0-9]{40,400}={0,2}",
        (40, 400),
        grafana,
        r"(?![A-Za-z0-9+/=_.-])",
    ),
    make("newrelic_key", "NRAK-", r"[A-Z0-9]{27}", (27, 27)),
    make("newrelic_key", "NRII- NRRA- NRIQ-", ANY + r"{25,42}", (25, 42)),
    make("newrelic_key", "NRJS- NRBR-", r"[a-f0-9]{19}", (19, 19)),
    make("dynatrace_token", "dt0c01.", r"[A-Za-z0-9]{24}\.[A-Za-z0-9]{64}", (89, 89)),
    make("posthog_key", "phx_", ANY + r"{43,48}", (43, 48)),
    make("rootly_key", "rootly_", HEX64, (64, 64)),
    make("infracost_key", "ico-", r"[A-Za-z0-9]{32}", (32, 32)),
    make("prefect_key", "pnu_", r"[A-Za-z0-9]{36}", (36, 36)),
    make("intra42_secret", "s-s4t2ud- s-s4t2af-", HEX64, (64, 64), structured),
)

FORMATS: tuple[Format, ...] = CODE_HOSTS + REGISTRIES + CLOUDS + INFRASTRUCTURE
