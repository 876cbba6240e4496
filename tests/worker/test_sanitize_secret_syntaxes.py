"""Properties of the syntax classes: each syntax gives the whole secret, and only the secret."""

from __future__ import annotations

import base64
import string
from urllib.parse import quote

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from worker.sanitize import REDACTED
from worker.sanitize.secrets import redact_built_in
from worker.sanitize.vocabulary import FUNCTION_WORDS

examples = settings(max_examples=200, deadline=None, database=None)

# Passwords as people pick them: letters, then digits and a symbol, no quote or space.
passwords = st.builds(
    lambda head, digits, symbol, tail: head + digits + symbol + tail,
    st.text(string.ascii_letters, min_size=4, max_size=10),
    st.text(string.digits, min_size=2, max_size=4),
    st.sampled_from("!#%@^"),
    st.text(string.ascii_letters + string.digits, min_size=2, max_size=6),
)


def _gone(secret: str, stored: str) -> bool:
    """No piece of the secret of eight characters (or all of a shorter one) is left."""
    width = min(8, len(secret))
    return all(secret[i : i + width] not in stored for i in range(len(secret) - width + 1))


COMMAND_LINES = [
    "sshpass -p '{p}' ssh ops@10.0.0.5",
    "mysql -u app -p{p} shop",
    "redis-cli -h cache -a '{p}' ping",
    "docker login -u ci -p {p} registry.internal",
    "echo '{p}' | sudo -S reboot",
    "machine ftp.internal login bob password {p}",
    "curl -u admin:{p} https://ci.internal/api",
    "net user backup {p} /add",
    "printf %s 'svc:{p}' | base64",
    "aws ssm put-parameter --name /app/key --type SecureString --value '{p}'",
    "sudo -S true <<< '{p}'",
]

# HTTP Basic credentials encoded in code.
ENCODED_PAIRS = [
    "const auth = 'Basic ' + btoa('ops:{p}');",
    'header = base64.b64encode(b"ops:{p}").decode()',
    "const h = Buffer.from(`ops:{p}`).toString('base64');",
]


@examples
@given(passwords, st.sampled_from(ENCODED_PAIRS))
def test_the_password_of_a_basic_pair_being_encoded_is_redacted(password: str, line: str) -> None:
    stored = redact_built_in(line.format(p=password)).text
    assert _gone(password, stored), stored
    assert "ops:" in stored  # the user stays


def test_a_basic_pair_is_encoded_with_no_credential_word_on_its_line() -> None:
    # Found by the generator: a line that names neither a credential nor Basic.
    stored = redact_built_in('header = base64.b64encode(b"ops:AAAA00!00").decode()').text
    assert stored == f'header = base64.b64encode(b"ops:{REDACTED}").decode()'


@examples
@given(passwords, st.sampled_from(COMMAND_LINES))
def test_a_password_a_command_line_takes_is_redacted_whole(password: str, line: str) -> None:
    stored = redact_built_in(line.format(p=password)).text
    assert _gone(password, stored), stored


# Shell pieces a detector reads a pipeline, a command or arguments of: each is read once a
# line, so many of them on the line of a secret must neither hide it nor cost a pass apiece.
SHELL_NOISE = ["echo x |", "printf '%s' a", "cat <<< y", "ls -p", "grep --password", "a=b"]


@examples
@given(
    passwords,
    st.sampled_from(COMMAND_LINES),
    st.lists(st.sampled_from(SHELL_NOISE), max_size=40),
    st.lists(st.sampled_from(SHELL_NOISE), max_size=40),
)
def test_a_command_line_among_many_shell_pieces_on_its_line_still_gives_its_password(
    password: str, line: str, before: list[str], after: list[str]
) -> None:
    text = " ; ".join([*before, line.format(p=password), *after])
    stored = redact_built_in(text).text
    assert _gone(password, stored), stored


def test_a_command_that_takes_a_password_as_an_argument_after_another_on_its_line() -> None:
    # Found by the generator: only a line's first command was looked at.
    stored = redact_built_in("echo x | ; net user backup AAAA00!00 /add").text
    assert stored == f"echo x | ; net user backup {REDACTED} /add"


# SQL and libpq escape a quote by doubling it.
STATEMENTS = [
    "CREATE USER app WITH PASSWORD '{q}';",
    "ALTER USER 'root'@'localhost' IDENTIFIED BY '{q}';",
    "host=db user=app password='{q}' dbname=shop",
]


@examples
@given(passwords, st.integers(min_value=1, max_value=6), st.sampled_from(STATEMENTS))
def test_a_quoted_password_with_a_doubled_quote_inside_is_redacted_whole(
    password: str, cut: int, statement: str
) -> None:
    doubled = password[:cut] + "''" + password[cut:]
    stored = redact_built_in(statement.format(q=doubled)).text
    assert stored == statement.format(q=REDACTED), stored


@examples
@given(st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=6, max_size=24))
def test_a_percent_encoded_url_password_of_any_text_is_redacted(password: str) -> None:
    encoded = quote(password, safe="")
    assume(encoded != password)  # something in it needed an escape
    assume(not (password.isalpha() and password.isupper()))  # `PASSWORD`: a placeholder
    stored = redact_built_in(f"DATABASE_URL=postgresql://app:{encoded}@db:5432/shop").text
    assert stored == f"DATABASE_URL=postgresql://app:{REDACTED}@db:5432/shop", stored


@pytest.mark.parametrize(
    "password",
    [
        # Found by the generator: percent-decoded in the view, `<`, `(`, `$`, a `;` after
        # digits and an `@` are part of the password.
        "00::<G",
        "(::000",
        "$\u00a10000",
        "000;:{",
        "000:@;",
        "0000@\u00af",
    ],
)
def test_named_url_passwords_are_redacted(password: str) -> None:
    encoded = quote(password, safe="")
    stored = redact_built_in(f"postgresql://app:{encoded}@db:5432/shop").text
    assert stored == f"postgresql://app:{REDACTED}@db:5432/shop"


@examples
@given(passwords, st.sampled_from(["AWS", "DOCKER", "NETRC", "ENV"]))
def test_base64_of_a_credentials_file_is_redacted_whole(password: str, shape: str) -> None:
    files = {
        "AWS": f"[default]\naws_secret_access_key = {password}Ab12Cd34Ef56Gh78Ij90Kl12Mn\n",
        "DOCKER": f'{{"auths": {{"r.internal": {{"username": "ci", "password": "{password}"}}}}}}',
        "NETRC": f"machine git.internal login ci password {password}\n",
        "ENV": f"DB_PASSWORD={password}\nDB_HOST=db\n",
    }
    encoded = base64.b64encode(files[shape].encode()).decode()
    stored = redact_built_in(f"  blob: {encoded}").text
    assert stored == f"  blob: {REDACTED}", stored


words = st.sampled_from([*sorted(FUNCTION_WORDS), "stored", "rotated", "secure", "vault"])


@examples
@given(
    st.sampled_from(["password", "the pass", "the API key", "my token", "passphrase"]),
    st.sampled_from([" is ", ": ", " = ", "'s ", " to ", " (currently "]),
    st.lists(words, min_size=1, max_size=6).map(" ".join),
)
def test_sentences_about_credentials_made_of_words_stay_as_written(
    noun: str, link: str, rest: str
) -> None:
    """A credential noun, any link, then plain words: prose about a credential, never one."""
    text = f"Note: {noun}{link}{rest}."
    assert redact_built_in(text).text == text


@examples
@given(st.text("0123456789abcdef", min_size=64, max_size=64))
def test_hex_is_a_key_where_a_signer_takes_it_and_a_digest_after_a_commit(value: str) -> None:
    if len(set(value)) < 10:
        return  # a pattern, not random: neither a key nor a digest's look
    signed = redact_built_in(f'sig = hmac.new(b"{value}", body, "sha256")').text
    assert value not in signed
    log = f"Merge commit {value[:40]} into main"
    assert redact_built_in(log).text == log


@pytest.mark.parametrize(
    "text",
    [
        # Found while building the classes; kept as named cases.
        "x-amz-id-2: kT9v2LmQ8wR4zX1bN7cP3fH6dJ0gA5sE2uY4iO6pQ8rT1vW3yZ5=",
        "passwd: all authentication tokens updated successfully.",
        "Cache restored from key: npm-cache-Linux-9a8b7c6d5e4f30211a2b3c4d5e6f70819a8b7c6d5e4f3021",
        "openssl req -new -key server.key -out server.csr",
        "pbkdf2Sync('secret', 'salt', 100000, 64, 'sha512')",
        "curl --mail-auth user@example.com -T mail smtp://example.com/",
    ],
)
def test_named_look_alikes_stay_as_written(text: str) -> None:
    assert redact_built_in(text).text == text
