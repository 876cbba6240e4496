"""Generated look-alikes of the new classes: public identifiers and keys, ciphertext and
attachments, tool output, placeholders, and prose that talks about credentials."""

from __future__ import annotations

import base64
import random
import string
from collections.abc import Iterator

from tests.worker.sanitize_corpus.fakes import ALNUM, B64, LOWER_HEX, mixed, pick
from tests.worker.sanitize_corpus.writing import entry

BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def lookalikes(rnd: random.Random) -> Iterator[str]:
    yield from _public_identifiers(rnd)
    yield from _ciphertext(rnd)
    yield from _tool_output(rnd)
    yield from _placeholders(rnd)
    yield from _prose(rnd)


def _public_identifiers(rnd: random.Random) -> Iterator[str]:
    for _ in range(24):
        b64 = base64.b64encode(rnd.randbytes(32)).decode()
        doc = mixed(rnd, ALNUM + "_-", 44)
        template = rnd.choice(
            [
                f"[Peer]\nPublicKey = {b64}\nAllowedIPs = 10.9.0.0/24",
                f'{{"kty": "OKP", "crv": "Ed25519", "x": "{mixed(rnd, ALNUM + "_-", 43)}"}}',
                f"x-amz-id-2: {mixed(rnd, B64, 76)}\n"
                f"x-amz-request-id: {pick(rnd, '0123456789ABCDEF', 16)}",
                f"pinned: ipfs://Qm{pick(rnd, BASE58, 44)}",
                f"https://docs.google.com/document/d/{doc}/edit?usp=sharing",
                f"https://drive.google.com/file/d/{doc}/view",
                f"untrusted comment: minisign public key {pick(rnd, '0123456789ABCDEF', 16)}\n"
                f"RWQ{mixed(rnd, B64, 53)}",
                f"example.org. 3600 IN DNSKEY 257 3 13 {mixed(rnd, B64, 86)}==",
                f"state={pick(rnd, LOWER_HEX, 32)}&code_challenge={mixed(rnd, ALNUM + '_-', 43)}",
            ]
        )
        yield entry("public_id", "public identifier", template)


def _ciphertext(rnd: random.Random) -> Iterator[str]:
    for _ in range(16):
        hex_lines = "\n".join(pick(rnd, LOWER_HEX, 80) for _ in range(4))
        body = base64.b64encode(b"%PDF-1.7\n" + rnd.randbytes(160)).decode()
        mime = "\n".join(body[i : i + 76] for i in range(0, len(body), 76))
        iv = base64.b64encode(rnd.randbytes(32)).decode()
        template = rnd.choice(
            [
                f"$ANSIBLE_VAULT;1.1;AES256\n{hex_lines}",
                f"db_password: ENC[AES256_GCM,data:{mixed(rnd, B64, 20)},iv:{iv},"
                f"tag:{mixed(rnd, B64, 22)}==,type:str]",
                "Content-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n" + mime,
                "-----BEGIN AGE ENCRYPTED FILE-----\n"
                + base64.b64encode(rnd.randbytes(120)).decode()
                + "\n-----END AGE ENCRYPTED FILE-----",
            ]
        )
        yield entry("ciphertext", "ciphertext or attachment", template)


def _tool_output(rnd: random.Random) -> Iterator[str]:
    lines = [
        "passwd: password updated successfully",
        "passwd: all authentication tokens updated successfully.",
        "arn:aws:secretsmanager:us-east-2:{n}:secret:ci/deploy/token-{t}",
        "Authorization: Basic base64encode(credentials)",
        "Cache restored from key: npm-cache-Linux-{h}",
        "    key: ${{ runner.os }}-build-{h}",
        "Enter passphrase (empty for no passphrase):",
        "sudo: 3 incorrect password attempts",
        "The authenticity of host 'git.internal' can't be established.",
    ]
    for _ in range(18):
        line = rnd.choice(lines).format(
            n=pick(rnd, string.digits, 12), t=mixed(rnd, ALNUM, 6), h=pick(rnd, LOWER_HEX, 64)
        )
        yield entry("tool_output", "tool output", line)


def _placeholders(rnd: random.Random) -> Iterator[str]:
    lines = [
        "DATABASE_URL=postgres://user:password@localhost:5432/app",
        "REDIS_URL=redis://:password@127.0.0.1:6379/0",
        "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\n<paste the key here>\n-----END PRIVATE KEY-----",
        "mysql -u root -p{db} < dump.sql",
        "curl -u username:password https://api.example.com",
        "docker login -u $REGISTRY_USER -p $REGISTRY_PASSWORD",
        "net user guest /active:no",
    ]
    for _ in range(16):
        yield entry("placeholder", "placeholder", rnd.choice(lines).format(db=" shop"))


# Sentences about credentials: the policy, the process, the error, never the value.
_PROSE = [
    "The password is stored hashed with {algo}; nobody can read it back.",
    "Your new password must differ from the last {n} passwords.",
    "If the token is missing, the request fails with 401.",
    "The secret is {n} bytes long and rotates every {n} days.",
    "Pass the token in the Authorization header, not in the URL.",
    "The API key is optional when you run locally.",
    "Change the password to something you have not used anywhere else.",
    "Set the token to expire after {n} minutes.",
    "Le mot de passe est trop court.",
    "Das Passwort ist falsch.",
    "La contraseña es obligatoria.",
    "The primary key is (tenant_id, id) and the sort key is created_at.",
    "PIN must be {n} to 12 digits.",
    "He said the password is in the usual place.",
    "Login with your company account / SSO.",
    "The signing key fingerprint is listed on the release page.",
    "Reset password (requires the admin role)",
    "password (optional): leave it empty to be prompted",
]


def _prose(rnd: random.Random) -> Iterator[str]:
    for _ in range(40):
        line = rnd.choice(_PROSE).format(
            algo=rnd.choice(["argon2id", "bcrypt", "scrypt"]), n=rnd.randrange(4, 90)
        )
        yield entry("prose", "prose about credentials", line)
