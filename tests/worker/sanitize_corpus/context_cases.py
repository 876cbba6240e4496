"""Generated positives of the context classes: pairs, connection strings, headers, prose."""

from __future__ import annotations

import base64
import random
import string
from collections.abc import Iterator

from tests.worker.sanitize_corpus.fakes import LOWER_HEX, aws_secret, mixed, pick, random_base64
from tests.worker.sanitize_corpus.writing import MARK, PROSE_WORDS, broken, entry, fill


def pairs(rnd: random.Random) -> Iterator[str]:
    yield from _aws_pairs(rnd)
    yield from _other_pairs(rnd)


def _aws_pairs(rnd: random.Random) -> Iterator[str]:
    for _ in range(12):
        key_id = "AKIA" + mixed(rnd, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        secret = aws_secret(rnd)
        shapes = [
            ("{i} / {s}", "{m} / {m}"),
            ("keys for the staging bot: {i}:{s}", "keys for the staging bot: {m}:{m}"),
            ("{i}\n{s}", "{m}\n{m}"),
            (
                "aws_access_key_id,aws_secret_access_key\n{i},{s}",
                "aws_access_key_id,aws_secret_access_key\n{m},{m}",
            ),
            (
                "User name,Password,Access key ID,Secret access key,Console login link\n"
                "deploy-bot,,{i},{s},https://123456789012.signin.aws.amazon.com/console",
                "User name,Password,Access key ID,Secret access key,Console login link\n"
                "deploy-bot,,{m},{m},https://123456789012.signin.aws.amazon.com/console",
            ),
            ('s3 = boto3.client("s3", "{i}", "{s}")', 's3 = boto3.client("s3", "{m}", "{m}")'),
        ]
        text, expected = rnd.choice(shapes)
        yield entry(
            "pair",
            "aws_access_key aws_secret_key",
            text.format(i=broken(key_id), s=broken(secret)),
            expected.format(m=MARK),
        )


def _other_pairs(rnd: random.Random) -> Iterator[str]:
    for _ in range(6):
        sid, auth = "AC" + pick(rnd, LOWER_HEX, 32), pick(rnd, LOWER_HEX, 32)
        yield entry(
            "pair",
            "twilio_key",
            f"TwilioClient({broken(sid)!r}, {broken(auth)!r})",
            f"TwilioClient('{MARK}', '{MARK}')",
        )
    for _ in range(8):
        number = rnd.randrange(10**11, 10**12)
        client_id = f"{number}-{pick(rnd, string.ascii_lowercase + string.digits, 32)}"
        secret = mixed(rnd, string.ascii_letters + string.digits + "_-", 32)
        template = rnd.choice(
            [
                "client_id: {i}.apps.example.com\n  {s}",
                "client_id={i} {s}",
                '"client_id": "{i}", "{s}"',
            ]
        )
        yield entry(
            "pair",
            "paired_secret",
            template.format(i=client_id, s=broken(secret)),
            template.format(i=client_id, s=MARK),
        )
    for _ in range(6):
        user = rnd.choice(["svc-backup", "deploy", "ci-runner", "grafana"])
        secret = mixed(rnd, string.ascii_letters + string.digits + "!#%", 14)
        yield entry(
            "pair",
            "paired_secret",
            f"username,password,url\n{user},{broken(secret)},https://intranet.example.com",
            f"username,password,url\n{user},{MARK},https://intranet.example.com",
        )


def connection_strings(rnd: random.Random) -> Iterator[str]:
    yield from _urls(rnd)
    yield from _lists(rnd)


def _urls(rnd: random.Random) -> Iterator[str]:
    specials = ["p#ss", "pa/ss", "it's", "two words", "p@ss", "x;y", "q%40z"]
    for _ in range(20):
        password = mixed(rnd, string.ascii_letters + string.digits, 8) + rnd.choice(specials)
        scheme = rnd.choice(["postgresql", "mysql", "mongodb+srv", "redis", "amqps", "mssql"])
        host = rnd.choice(
            ["db.internal:5432", "10.0.4.17", "cluster0.ab1cd.mongodb.net", "localhost:3306"]
        )
        template = rnd.choice(
            [
                "DATABASE_URL={u}\n",
                'engine = create_engine("{u}")',
                "psql '{u}' -c 'select 1'",
                "{u}",
            ]
        )
        quote = "'" if "psql" in template else '"'
        if quote in password:
            password = password.replace(quote, "")
        if ";" in password and template == "{u}":
            password = password.replace(";", "")
        url = f"{scheme}://app:{broken(password)}@{host}/shop"
        stored = f"{scheme}://app:{MARK}@{host}/shop"
        yield entry(
            "connection_string",
            "connection_string",
            template.format(u=url),
            template.format(u=stored),
        )


def _lists(rnd: random.Random) -> Iterator[str]:
    for _ in range(8):
        password = mixed(rnd, string.ascii_letters + string.digits, 12)
        shapes = [
            "host=db.internal port=5432 dbname=shop user=app password={p} sslmode=require",
            "conn = psycopg.connect(\"host=localhost user=postgres password='{p}' dbname=test\")",
            "Server=tcp:sql.example.net,1433;Initial Catalog=shop;User ID=app;Password={p};"
            "Encrypt=True;",
            "jdbc:sqlserver://db.example.net:1433;databaseName=shop;user=sa;password={p};",
            "Driver={{ODBC Driver 18}};Server=db;Uid=app;Pwd={p};",
        ]
        template = rnd.choice(shapes)
        yield entry(
            "connection_string",
            "connection_string",
            template.format(p=broken(password)),
            template.format(p=MARK),
        )
    for _ in range(6):
        key = base64.b64encode(rnd.randbytes(64)).decode()
        text = (
            "DefaultEndpointsProtocol=https;AccountName=shopdata;AccountKey={k};"
            "EndpointSuffix=core.windows.net"
        )
        yield entry(
            "connection_string",
            "azure_storage_key",
            text.format(k=broken(key)),
            text.format(k=MARK),
        )
    for _ in range(6):
        sig = (
            base64.b64encode(rnd.randbytes(32))
            .decode()
            .replace("+", "%2B")
            .replace("/", "%2F")
            .replace("=", "%3D")
        )
        text = (
            "https://shopdata.blob.core.windows.net/exports/report.csv?sv=2022-11-02&ss=b&srt=o"
            "&sp=r&se=2025-01-01T00:00:00Z&spr=https&sig={g}"
        )
        yield entry(
            "connection_string", "url_signature", text.format(g=broken(sig)), text.format(g=MARK)
        )


def prose_and_headers(rnd: random.Random) -> Iterator[str]:
    for _ in range(10):
        password = mixed(rnd, string.ascii_letters + string.digits, 10) + rnd.choice("!#$&*")
        template = rnd.choice(
            [
                "my password is {s} if you need to log in",
                "The password for the staging db is {s}.",
                "btw the admin password was {s}, I changed it since",
                "our wifi password is {s}",
                "the API key is {s} (don't share)",
            ]
        )
        yield entry("prose_header", "secret_in_prose", *fill(template, password))
    for _ in range(6):
        phrase = " ".join(rnd.sample(PROSE_WORDS, 4))
        yield entry("prose_header", "secret_assignment", f"password: {phrase}", f"password: {MARK}")
    for _ in range(8):
        session = mixed(rnd, string.ascii_lowercase + string.digits, 32)
        template = rnd.choice(
            [
                "Cookie: sessionid={s}; theme=dark",
                "Set-Cookie: session={s}; Path=/; HttpOnly; Secure",
                "curl -b 'connect.sid={s}' https://app.example.com/api",
                '-H "Cookie: csrftoken=abc; sessionid={s}"',
            ]
        )
        yield entry("prose_header", "session_cookie", *fill(template, session))
    for _ in range(8):
        key = mixed(rnd, string.ascii_letters + string.digits, 32)
        template = rnd.choice(
            [
                'curl -H "X-API-Key: {s}" https://api.example.com/v1/items',
                "X-Api-Key: {s}",
                "curl --header 'Private-Token: {s}' https://gitlab.example.com/api/v4/projects",
            ]
        )
        yield entry("prose_header", "secret_assignment", *fill(template, key))
    for _ in range(6):
        basic = base64.b64encode(f"svc:{mixed(rnd, string.ascii_letters, 12)}".encode()).decode()
        template = rnd.choice(
            ["Authorization: Basic {s}", "curl -H 'Authorization: Basic {s}' https://x.example.com"]
        )
        yield entry("prose_header", "authorization_header", *fill(template, basic))
    for _ in range(4):
        password = mixed(rnd, string.ascii_letters + string.digits, 12)
        yield entry(
            "prose_header",
            "url_credentials",
            *fill("curl -u admin:{s} https://ci.example.com/api/json", password),
        )


def bare(rnd: random.Random) -> Iterator[str]:
    templates = [
        "the signing secret ended up in the log: {s}",
        "{s}",
        "seed = '{s}'",
        "INFO worker: handshake {s} accepted",
        "paste this into the box: {s}",
    ]
    for _ in range(16):
        run = random_base64(rnd, rnd.choice([40, 44, 64, 88]))
        yield entry("bare_entropy", "high_entropy_string", *fill(rnd.choice(templates), run))
    for _ in range(8):
        run = mixed(rnd, string.ascii_letters + string.digits + "_-", rnd.choice([43, 50, 86]))
        yield entry("bare_entropy", "high_entropy_string", *fill(rnd.choice(templates), run))
    for _ in range(6):
        run = pick(rnd, LOWER_HEX, rnd.choice([48, 50, 80]))
        yield entry("bare_entropy", "high_entropy_string", *fill(rnd.choice(templates), run))
