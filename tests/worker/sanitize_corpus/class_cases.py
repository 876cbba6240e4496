"""Generated positives of the syntax classes: command lines, statements, base64-wrapped files,
hex keys, connection strings and pairs by their syntax, prose without a fixed cue, encodings."""

from __future__ import annotations

import base64
import random
import string
from collections.abc import Iterator

from tests.worker.sanitize_corpus.fakes import ALNUM, LOWER_HEX, aws_secret, mixed, pick
from tests.worker.sanitize_corpus.writing import MARK, broken, entry, fill

SYMBOLS = "!#%@^"  # none a shell reads unquoted (`&`, `$`, `*`)


def password(rnd: random.Random) -> str:
    """A password as people pick them: a capitalised word, digits, a symbol."""
    word = rnd.choice(["Harbor", "Copper", "Maple", "Falcon", "Velvet", "Orchid", "Tundra"])
    return word + str(rnd.randrange(10, 9999)) + rnd.choice(SYMBOLS) + pick(rnd, ALNUM, 3)


def syntax_cases(rnd: random.Random) -> Iterator[str]:
    yield from _command_lines(rnd)
    yield from _statements(rnd)
    yield from _connection_syntaxes(rnd)
    yield from _positional_pairs(rnd)


def _cases(
    rnd: random.Random, group: str, kind: str, templates: list[str], count: int
) -> Iterator[str]:
    for _ in range(count):
        yield entry(group, kind, *fill(rnd.choice(templates), password(rnd)))


def _command_lines(rnd: random.Random) -> Iterator[str]:
    yield from _cases(rnd, "cli", "cli_credential", [
        "mariadb -h db.internal -u report -p{s} sales",
        "sshpass -p '{s}' scp backup.tgz ops@10.1.2.3:/srv",
        "nerdctl login --username ci -p {s} registry.internal",
        "valkey-cli -h cache -a '{s}' PING",
        "sqlcmd -S sql01 -U sa -P '{s}' -Q \"SELECT 1\"",
        "ldapwhoami -x -D uid=svc,dc=corp -w '{s}'",
        "keytool -list -keystore app.jks -storepass {s}",
        "openssl rsa -in key.pem -passin pass:{s} -out plain.pem",
        "printf '%s\\n' '{s}' | sudo -S systemctl reload haproxy",
        "echo \"{s}\" | podman login quay.io -u bot --password-stdin",
        "machine git.internal login deploy password {s}",
        "net user svc_print {s} /add",
        "mongodump --uri mongodb://db:27017 --username backup --password '{s}'",
    ], 28)  # fmt: skip
    yield from _cases(rnd, "cli", "url_credentials", [
        "http --auth ops:{s} POST https://api.internal/jobs",
        "curl -sS --user 'deploy:{s}' https://artifacts.internal/upload",
        "smbclient //nas/share -U backup%{s}",
    ], 6)  # fmt: skip


def _statements(rnd: random.Random) -> Iterator[str]:
    yield from _cases(rnd, "statement", "secret_assignment", [
        "CREATE ROLE analytics WITH LOGIN PASSWORD '{s}';",
        "GRANT ALL ON shop.* TO 'app'@'%' IDENTIFIED BY '{s}';",
        "define('AUTH_KEY', '{s}');",
        "$ PGPASSWORD='{s}' pg_dump -h db -U app shop > shop.sql",
        "#define WIFI_PASSWORD \"{s}\"",
        "$cred = ConvertTo-SecureString -String '{s}' -AsPlainText -Force",
        "os.environ.setdefault(\"SMTP_PASSWORD\", \"{s}\")",
        "System.setProperty(\"mail.smtp.password\", \"{s}\");",
        "oauth:\n  credentials: \"{s}\"",
    ], 16)  # fmt: skip


# (text with `{p}` for the password, stored text with `{m}` for the marker)
_CONNECTIONS = [
    ("db.internal:5432:shop:app:{p}", "db.internal:5432:shop:app:{m}"),
    ("sqlplus scott/{p}@//ora.internal:1521/PDB1", "sqlplus scott/{m}@//ora.internal:1521/PDB1"),
    ("cache.internal:6380,password={p},ssl=True", "cache.internal:6380,password={m},ssl=True"),
    (
        "Driver={{ODBC}};Server=s;Uid=u;Pwd={{{p}}}}}x}};",
        "Driver={{ODBC}};Server=s;Uid=u;Pwd={{{m}}};",
    ),
    ("host=db user=app password='{q}' dbname=shop", "host=db user=app password='{m}' dbname=shop"),
    (
        "postgresql://app:{p}@/shop?host=/cloudsql/proj:eu:main",
        "postgresql://app:{m}@/shop?host=/cloudsql/proj:eu:main",
    ),
    ("amqp://svc:%C3%A9t%C3%A9{p}@rabbit:5672/", "amqp://svc:{m}@rabbit:5672/"),
]


def _connection_syntaxes(rnd: random.Random) -> Iterator[str]:
    for _ in range(12):
        pw = password(rnd).replace("@", "")
        text, expected = rnd.choice(_CONNECTIONS)
        quoted = broken(pw[:4] + "''" + pw[4:])
        yield entry(
            "connection_string",
            "connection_string",
            text.format(p=broken(pw), q=quoted),
            expected.format(m=MARK),
        )


def _positional_pairs(rnd: random.Random) -> Iterator[str]:
    for _ in range(10):
        app, key = pick(rnd, string.ascii_uppercase + string.digits, 10), pick(rnd, LOWER_HEX, 32)
        secret = broken(mixed(rnd, ALNUM, 30))
        alibaba = "LTAI" + mixed(rnd, ALNUM, 20)
        shapes = [
            ("index = algoliasearch('{a}', '{s}')", "paired_secret"),
            ("auth = oss2.Auth('{l}', '{s}')", "alibaba_key paired_secret"),
            ("client = SearchClient.create('{a}', '{s}')", "paired_secret"),
            ("mc alias set store https://s3.internal minio {s}", "cli_credential"),
            ("session = requests.Session()\nsession.auth = ('svc', '{s}')", "paired_secret"),
        ]
        template, kinds = rnd.choice(shapes)
        value = broken(key) if "{a}" in template else secret
        text = template.format(a=app, s=value, l=alibaba)
        stored = template.format(a=app, s=MARK, l=MARK)
        yield entry("pair", kinds, text, stored)


def prose_cases(rnd: random.Random) -> Iterator[str]:
    """Credentials given in sentences with no fixed cue, and in other languages."""
    yield from _cases(rnd, "prose_header", "secret_in_prose", [
        "the vpn pass is {s} until friday",
        "Password for the 'billing' mailbox is '{s}'",
        "passphrase for the release key: {s}",
        "- [ ] rotate the grafana password (currently {s})",
        "Reset her password to {s} and asked her to change it at first login.",
        "I set the router admin password to {s} for now.",
        "The db password's {s}, keep it to yourself",
        "office wifi pw {s}",
        "le mot de passe est {s}",
        "Das Kennwort ist {s}",
        "contraseña: {s}",
        "пароль: {s}",
        "[09:12] <ana> whats the staging db password?\n[09:13] <ben> {s}\n[09:13] <ana> thx",
        "you can sign in with admin / {s} on the test box",
        "default creds are root:{s}",
    ], 30)  # fmt: skip


def encoded_cases(rnd: random.Random) -> Iterator[str]:
    """Secrets in files that travel base64-encoded: Kubernetes secrets, CI variables."""
    for _ in range(12):
        secret = aws_secret(rnd)
        files = [
            f"[ci]\naws_access_key_id = AKIA{pick(rnd, string.ascii_uppercase + '234567', 16)}\n"
            f"aws_secret_access_key = {secret}\n",
            '{"auths": {"registry.internal": {"username": "ci", "password": "'
            + password(rnd)
            + '"}}}',
            f"machine registry.internal login ci password {password(rnd)}\n",
            f"SMTP_PASSWORD={password(rnd)}\nSMTP_HOST=mail.internal\n",
        ]
        encoded = base64.b64encode(rnd.choice(files).encode()).decode()
        template = rnd.choice(["  config.json: {s}", "CI_FILE_B64={s}", '{{"blob": "{s}"}}'])
        kinds = "aws_access_key" if "AKIA" in base64.b64decode(encoded).decode() else ""
        kinds = kinds or _encoded_kind(base64.b64decode(encoded).decode())
        yield entry("encoded", kinds, *fill(template, encoded))


def _encoded_kind(text: str) -> str:
    if text.startswith("machine"):
        return "cli_credential"
    return "secret_assignment"


def hex_cases(rnd: random.Random) -> Iterator[str]:
    """Lower-case hex keys, named as key material by their place: a signer's argument, a
    secret store's value, a credential word on the line."""
    for _ in range(12):
        length = rnd.choice([40, 64, 128])
        value = pick(rnd, LOWER_HEX, length)
        template, kind = rnd.choice([
            ('digest = hmac.new(b"{s}", body, "sha256").hexdigest()', "paired_secret"),
            ('token = jwt.decode(raw, "{s}", algorithms=["HS256"])', "paired_secret"),
            ("aws secretsmanager put-secret-value --secret-string {s}", "cli_credential"),
            ("signing key for the webhook: {s}", "high_entropy_string"),
            ('api = ApiClient("{s}")', "paired_secret"),
        ])  # fmt: skip
        yield entry("hex_key", kind, *fill(template, value))


def encoding_cases(rnd: random.Random) -> Iterator[str]:
    """Tokens percent-encoded whole or glued to an escape, joined by printf, full-width."""
    for _ in range(8):
        token = "ghp_" + mixed(rnd, ALNUM, 36)
        encoded = "".join(f"%{ord(char):02X}" for char in token)
        glued = f"?auth=Bearer%20{broken(token)}&page=2"
        pieces = f"printf '%s%s' '{broken(token[:14])}' '{token[14:]}'"
        wide = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in password(rnd))
        text, expected, kind = rnd.choice([
            (f"GET /hook?t={encoded} HTTP/1.1", f"GET /hook?t={MARK} HTTP/1.1", "github_token"),
            (glued, f"?auth={MARK}&page=2", "github_token"),
            (f"TOKEN=$({pieces})", f"TOKEN=$(printf '%s%s' '{MARK}')", "github_token"),
            (f"パスワード\uff1a{wide}", f"パスワード\uff1a{MARK}", "secret_in_prose"),
        ])  # fmt: skip
        yield entry("obfuscated", kind, text, expected)
