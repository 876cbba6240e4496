"""Generated look-alikes: public keys, certificates, digests, placeholders, code and prose."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator

from tests.worker.sanitize_corpus.fakes import LOWER_HEX, pick
from tests.worker.sanitize_corpus.writing import PROSE_WORDS, entry


def negatives(rnd: random.Random) -> Iterator[str]:
    yield from _public_keys(rnd)
    yield from _more_negatives(rnd)
    yield from _digests(rnd)
    yield from _identifiers_and_data(rnd)


def _digests(rnd: random.Random) -> Iterator[str]:
    for _ in range(10):
        sha = pick(rnd, LOWER_HEX, 40)
        template = rnd.choice(
            [
                "commit {s}\nAuthor: Jane Doe <jane@example.com>",
                'Revert "Fix the cache"\n\nThis reverts commit {s}.',
                "The bug was introduced in commit {s} last week.",
                "see https://github.com/acme/app/commit/{s} for the fix",
                "git checkout {s}",
                "fixed in {s}",
            ]
        )
        yield entry("hash", "git sha", template.format(s=sha))
    for _ in range(10):
        digest = pick(rnd, LOWER_HEX, 64)
        template = rnd.choice(
            [
                "FROM python:3.12-slim@sha256:{s}",
                '    "checksum": "{s}",',
                'checksum = "{s}"',
                "{s}  dist/app-1.2.0.tar.gz",
                "pip install --require-hashes app==1.2 --hash=sha256:{s}",
                "oid sha256:{s}\nsize 1048576",
                "SHA256 ({s})",
            ]
        )
        yield entry("hash", "sha256 digest", template.format(s=digest))
    for _ in range(10):
        integrity = base64.b64encode(rnd.randbytes(64)).decode()
        template = rnd.choice(
            [
                '"integrity": "sha512-{s}",',
                "  integrity sha512-{s}",
                '<script src="x.js" integrity="sha384-{t}" crossorigin="anonymous"></script>',
                "github.com/pkg/errors v0.9.1 h1:{u}",
            ]
        )
        yield entry(
            "hash",
            "integrity string",
            template.format(
                s=integrity,
                t=base64.b64encode(rnd.randbytes(48)).decode(),
                u=base64.b64encode(rnd.randbytes(32)).decode(),
            ),
        )


def _identifiers_and_data(rnd: random.Random) -> Iterator[str]:
    for _ in range(8):
        uuids = " ".join(_uuid(rnd) for _ in range(rnd.randrange(1, 4)))
        yield entry(
            "uuid",
            "uuids",
            rnd.choice(["request {s} failed", "id: {s}", '{{"id": "{s}"}}']).format(s=uuids),
        )
    for _ in range(8):
        png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + rnd.randbytes(60)).decode()
        sentence = " ".join(rnd.choices(PROSE_WORDS, k=12)) + "."
        text = rnd.choice(
            [
                f'<img src="data:image/png;base64,{png}">',
                f"background: url(data:image/png;base64,{png});",
                f'FIXTURE = base64.b64decode("{base64.b64encode(sentence.encode()).decode()}")',
                f'const icon = "{png}";',
            ]
        )
        yield entry("base64_data", "encoded content", text)


PLACEHOLDERS = [
    "TOKEN", "<your-api-key>", "${API_KEY}", "$GITHUB_TOKEN", "<password>", "********",
    "YOUR_API_KEY", "{{ secrets.NPM_TOKEN }}", "%API_KEY%", "$(cat token.txt)", "<token>",
    "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "sk-...", "AKIAXXXXXXXXXXXXXXXX", "{token}",
    "your-secret-here", "${{ secrets.GITHUB_TOKEN }}", "process.env.API_KEY",
]  # fmt: skip
PLACEHOLDER_PLACES = [
    "usage: deploy --token={p} [--region=REGION]",
    "export OPENAI_API_KEY={p}",
    "api_key: {p}",
    'curl -H "Authorization: Bearer {p}" https://api.example.com',
    "  password: {p}",
    'token = "{p}"',
    "docker run -e API_KEY={p} app",
    "Set GITHUB_TOKEN to {p} before running the script.",
]
CODE_LINES = [
    'api_key = os.environ["OPENAI_API_KEY"]',
    "token = request.headers.get('Authorization', '').removeprefix('Bearer ')",
    "const password = await prompt('Password: ');",
    "if user.check_password(password):\n    login(request, user)",
    "func (c *Client) Token() (string, error) {{ return c.token, nil }}",
    'let secret = std::env::var("APP_SECRET")?;',
    "SELECT id, password_hash FROM users WHERE email = $1;",
    "hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt())",
    "self.tokenizer = AutoTokenizer.from_pretrained(model_name)",
    "for token in tokenizer(text):\n    counts[token] += 1",
    "max_tokens = {n}",
    "password_min_length = {n}",
    "assert len(token) == {n}",
    "read -s -p 'Password: ' PASSWORD",
    'kubectl create secret generic db --from-literal=password="$DB_PASSWORD"',
]
PROSE_LINES = [
    "Rotate the API key every {n} days and never commit it.",
    "The password must be at least {n} characters long.",
    "Tokens expire after {n} minutes; refresh them with the refresh token.",
    "Store the secret in the vault, not in the repository.",
    "If the token is invalid, the server answers 401.",
    "My password is too short, so the form rejects it.",
    "The key is stored in the keychain and the secret is never logged.",
    "Use a passphrase of {n} words instead of a password.",
]


def _more_negatives(rnd: random.Random) -> Iterator[str]:
    for _ in range(60):
        place = rnd.choice(PLACEHOLDER_PLACES)
        yield entry("placeholder", "placeholder", place.format(p=rnd.choice(PLACEHOLDERS)))
    for _ in range(50):
        line = rnd.choice(CODE_LINES).format(n=rnd.randrange(4, 4096))
        yield entry("code", "code naming credentials", line.replace("\\n", "\n"))
    for _ in range(40):
        yield entry(
            "prose",
            "prose about credentials",
            rnd.choice(PROSE_LINES).format(n=rnd.randrange(2, 120)),
        )
    for _ in range(20):
        digest = pick(rnd, LOWER_HEX, rnd.choice([32, 40, 64, 128]))
        name = rnd.choice(
            ["md5sum", "sha1", "sha256", "sha512", "digest", "etag", "hash", "checksum"]
        )
        yield entry("hash", "labelled digest", f'{name}: "{digest}"')
    for _ in range(20):
        yield entry("uuid", "uuid in code", f'request_id = "{_uuid(rnd)}"  # trace {_uuid(rnd)}')


def _uuid(rnd: random.Random) -> str:
    hexed = pick(rnd, LOWER_HEX, 32)
    return f"{hexed[:8]}-{hexed[8:12]}-4{hexed[13:16]}-a{hexed[17:20]}-{hexed[20:]}"


def _public_keys(rnd: random.Random) -> Iterator[str]:
    def wire(*parts: bytes) -> str:
        return base64.b64encode(b"".join(len(p).to_bytes(4, "big") + p for p in parts)).decode()

    for _ in range(8):
        ed = wire(b"ssh-ed25519", rnd.randbytes(32))
        rsa = wire(b"ssh-rsa", b"\x01\x00\x01", b"\x00" + rnd.randbytes(256))
        line = rnd.choice(
            [
                f"ssh-ed25519 {ed} alice@laptop",
                f"ssh-rsa {rsa} deploy@ci",
                f"github.com ssh-ed25519 {ed}",
                f'command="backup",no-pty ssh-rsa {rsa} backup@nas',
            ]
        )
        yield entry("public_key", "ssh public key", line)
    for label in ["CERTIFICATE", "PUBLIC KEY", "PGP PUBLIC KEY BLOCK", "CERTIFICATE REQUEST"] * 3:
        body = base64.b64encode(b"\x30\x82" + rnd.randbytes(rnd.randrange(300, 700))).decode()
        lines = [body[i : i + 64] for i in range(0, len(body), 64)]
        block = f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"
        group = "certificate" if "CERTIFICATE" in label else "public_key"
        yield entry(group, label.lower(), block)
