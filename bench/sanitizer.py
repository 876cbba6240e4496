"""Sanitizer cost in microseconds per KB: kinds of text, adversarial shapes, the benign corpus.

Run as `python -m bench.sanitizer [--json PATH] [--repeat N]`: prints a table, writes JSON.
Adversarial shapes are measured at 1 KB and at 100 KB next to plain prose of the same size in
the same run: linear work keeps their ratio to prose the same at both sizes.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.worker.sanitize_corpus import BENIGN_FILES, entries
from worker.sanitize import Policy, redact, sanitize
from worker.sanitize.markup import neutralize

TARGET_BYTES = 4096
SHAPE_SIZES = (1024, 102_400)

_PROSE = (
    "Training examples are collected from the people who wrote each skill, and from real use "
    "when a tenant has switched capture on and the user has agreed to it. Every example is "
    "checked before it is stored: the author must own the skill, the tenant must be active, and "
    "the text must be short enough. Most of what arrives is ordinary writing like this, with the "
    "odd number (12 characters, 3 retries, version 2.4) and a note: nothing in it needs changing. "
    "The password policy requires twelve characters, and this token represents a unit of work. "
)
_UNICODE_PROSE = (
    "Les exemples d'entraînement arrivent chaque jour; déjà vérifiés, ils sont stockés tels quels. "
    "日本語の文章もそのまま保存されます。 مرحبا بالعالم، هذا نص عربي. Ünïcödé, emoji 🙂👩‍💻, "
    "combining e\u0301 and Hangul 한국어 stay as they are. "
)
_CODE = """def binary_search(items: list[int], target: int) -> int:
    low, high = 0, len(items) - 1
    while low <= high:
        middle = (low + high) // 2
        if items[middle] < target:
            low = middle + 1
        elif items[middle] > target:
            high = middle - 1
        else:
            return middle
    return -1

fn parse<T: FromStr>(input: &str) -> Result<Vec<T>, T::Err> {
    input.split(',').map(|part| part.trim().parse::<T>()).collect()
}

const total = items.filter((x) => x.price < limit && x.count > 0).reduce((a, b) => a + b, 0);
for (int i = 0; i < n; i++) { if (a[i] <= pivot) swap(a, i, j++); }
cat <<END > config.txt
timeout=30
END
ls -la 2>&1 | grep -v total | sort -k5 -n
"""
_HTML = """<div class="card"><h2 id="title">Results</h2><p>Inert markup <b>bold</b>, <em>em</em>,
<a href="https://example.com/docs?page=2">a link</a> and a list:</p><ul><li>one</li><li>two</li>
</ul><table><tr><td>1</td><td>2</td></tr></table><img src="chart.png" alt="chart">
<script>track("view")</script><span onclick="go()">click</span><style>p { color: red }</style>
<a href="javascript:alert(1)">bad</a><!-- a comment --><div style="background:url(x.png)">x</div>
"""
# Secret-shaped values are assembled here so that no scanner mistakes this file for a leak.
_SECRETS = """AWS_ACCESS_KEY_ID={aws}
aws_secret_access_key = "{aws_secret}"
export GITHUB_TOKEN={github}
client = OpenAI(api_key="{openai}")
DATABASE_URL=postgres://app:{password}@db.internal:5432/app
curl -H "Authorization: Bearer {jwt}" https://api.example.com/v1/items
{{"password": "{password}", "user": "svc"}}
"""


def _repeat_to(text: str, size: int) -> str:
    out = text
    while len(out.encode()) < size:
        out += text
    return out


def _secrets_text() -> str:
    mixed = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789aBcDeFgH" * 2
    secret = _SECRETS.format(
        aws="AKIA" + "Z7QW3RT5UVX2Y4PQ",
        aws_secret=mixed[:40],
        github="ghp" + "_" + mixed[:36],
        openai="sk" + "-proj-" + mixed[:64],
        password="s3cr3t-Pa55",
        jwt="eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0." + mixed[:32],
    )
    return _repeat_to(_PROSE[:300] + "\n" + secret, TARGET_BYTES)


def texts() -> dict[str, tuple[str, Policy]]:
    """The measured texts, about TARGET_BYTES each, with the policy each is sanitized under."""
    return {
        "plain prose": (_repeat_to(_PROSE, TARGET_BYTES), Policy.FAITHFUL),
        "unicode prose": (_repeat_to(_UNICODE_PROSE, TARGET_BYTES), Policy.FAITHFUL),
        "code": (_repeat_to(_CODE, TARGET_BYTES), Policy.FAITHFUL),
        "html-heavy": (_repeat_to(_HTML, TARGET_BYTES), Policy.FAITHFUL),
        "html-heavy, html policy": (_repeat_to(_HTML, TARGET_BYTES), Policy.HTML),
        "text with secrets": (_secrets_text(), Policy.FAITHFUL),
    }


def _filled(head: str, unit: str, tail: str, size: int) -> str:
    """`head`, `unit` repeated whole, spaces to make up `size` characters, then `tail`."""
    body = size - len(head) - len(tail)
    return head + unit * (body // len(unit)) + " " * (body % len(unit)) + tail


# Shapes that made an old scan quadratic or that a hostile sender would try, by name.
SHAPES: dict[str, Callable[[int], str]] = {
    "plain prose": lambda n: _filled("", _PROSE, "", n),
    "repeated <": lambda n: "<" * n,
    "unclosed tags <a<a<a": lambda n: _filled("", "<a", "", n),
    "unclosed tags <a <a <a": lambda n: _filled("", "<a ", "", n),
    "long attribute run, open": lambda n: _filled("<div", " a=1", "", n),
    "long attribute run, closed": lambda n: _filled("<div", " a=1", ">", n),
    "long attribute run, quoted": lambda n: _filled("<div", ' title="x y"', ">", n),
    "quotes pairing across tags": lambda n: _filled("", '<a x="', ">", n),
    "deep nesting": lambda n: "<div>" * (n // 11) + "</div>" * (n // 11) + "x" * (n % 11),
    "many comment openers": lambda n: _filled("", "<!--", "", n),
    "many closed comments": lambda n: _filled("", "<!--x-->", "", n),
    "<!-- without close": lambda n: _filled("<!--", _PROSE, "", n),
    "many </": lambda n: _filled("", "</", "", n),
    "many end tags": lambda n: _filled("", "</a>", "", n),
    "huge single tag": lambda n: _filled('<div title="', _PROSE.replace('"', ""), '">', n),
    "huge tag of nested tags": lambda n: _filled('<div title="', "<b>", '">', n),
    "entity soup": lambda n: _filled("", "&#x6a;&amp;&lt;", "", n),
    "entity soup in a value": lambda n: _filled('<a title="', "&#106;&#58;", '">', n),
    "code": lambda n: _filled("", _CODE, "", n),
    # Shell lines a secret detector reads a pipeline, a command or arguments of.
    "here-strings <<<": lambda n: _filled("", "<<<", "", n),
    "echo pipes on one line": lambda n: _filled("", "echo x | ", "", n),
    "printf calls on one line": lambda n: _filled("", "printf '%s' ", "", n),
    "short flags on one line": lambda n: _filled("mysql", " -p x", "", n),
    "long flags on one line": lambda n: _filled("", "--password ", "", n),
    "credential labels": lambda n: _filled("", "password=", "", n),
    # Labels a detector weighs the value of, at every place: read closely within a budget.
    "credential keys run together": lambda n: _filled("", "api_key=", "", n),
    "a credential key a line": lambda n: _filled("", "secret_key: x\n", "", n),
    "names a sentence gives": lambda n: _filled("", "DB_PASSWORD is x ", "", n),
    "keyword DSN words": lambda n: _filled("", "password=x dbname=y ", "", n),
    "short wrapped lines": lambda n: _filled("", "signature=\n", "", n),
    "sudo flags on one line": lambda n: _filled("", "sudo -S -u ", "", n),
    "Cookie headers on one line": lambda n: _filled("", "Cookie: a=1; ", "", n),
    "Authorization headers on one line": lambda n: _filled("", "Authorization: sig=", "", n),
}


def seconds_per_call(run: Callable[[], object], repeat: int) -> float:
    """Best of `repeat` samples, each made of enough calls to last a few tens of milliseconds."""
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            run()
        if time.perf_counter() - start > 0.02:
            break
        calls *= 2
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(calls):
            run()
        samples.append((time.perf_counter() - start) / calls)
    return min(samples)


def _timed(text: str, policy: Policy, repeat: int) -> tuple[float, dict[str, object]]:
    """(microseconds per KB, the row's common fields) for sanitizing `text` whole."""
    limit = len(text) * 8 + 16  # no truncation: measure the work, not the cut

    def run() -> object:
        return sanitize(text, max_length=limit, policy=policy)

    seconds = seconds_per_call(run, repeat)
    size = len(text.encode())
    result = sanitize(text, max_length=limit, policy=policy)
    us_per_kb = seconds * 1e6 * 1024 / size
    return us_per_kb, {
        "policy": str(policy),
        "bytes": size,
        "us_per_call": round(seconds * 1e6, 2),
        "us_per_kb": round(us_per_kb, 2),
        "changed": result.changed,
        "markup_neutralized": result.markup_neutralized,
        "secrets_found": list(result.secrets_found),
    }


def measure(repeat: int) -> list[dict[str, object]]:
    """Rows of three kinds: `text` (~4 KB of each kind), `shape` (adversarial shapes at each
    size, with the ratio to plain prose of that size) and `corpus` (the benign samples)."""
    rows: list[dict[str, object]] = []
    for name, (text, policy) in texts().items():
        _, row = _timed(text, policy, repeat)
        rows.append({"text": name, "kind": "text", **row})
    for size in SHAPE_SIZES:
        prose = None
        for name, make in SHAPES.items():
            text = make(size)
            us_per_kb, row = _timed(text, Policy.FAITHFUL, repeat)
            prose = us_per_kb if prose is None else prose
            redacted = redact(text).text
            markup = seconds_per_call(lambda redacted=redacted: neutralize(redacted), repeat)
            rows.append({"text": name, "kind": "shape", "size_kb": size // 1024, **row})
            rows[-1]["ratio_to_prose"] = round(us_per_kb / prose, 2)
            # The markup step alone (the rest is redaction, which runs first).
            rows[-1]["markup_us_per_kb"] = round(markup * 1e6 * 1024 / len(text.encode()), 2)
    rows.append(_benign_corpus(repeat))
    return rows


def _benign_corpus(repeat: int) -> dict[str, object]:
    samples = [entry.text for name in BENIGN_FILES for entry in entries(name)]
    size = sum(len(text.encode()) for text in samples)

    def run() -> object:
        return [sanitize(text) for text in samples]

    seconds = seconds_per_call(run, repeat)
    changed = sum(1 for text in samples if sanitize(text).markup_neutralized)
    return {
        "text": f"benign corpus, {len(samples)} samples",
        "kind": "corpus",
        "policy": str(Policy.FAITHFUL),
        "bytes": size,
        "us_per_call": round(seconds * 1e6 / len(samples), 2),
        "us_per_kb": round(seconds * 1e6 * 1024 / size, 2),
        "samples": len(samples),
        "neutralized": changed,
    }


def table(rows: list[dict[str, object]]) -> list[str]:
    """The rows as Markdown: kinds of text, then shapes against prose, then the corpus."""
    lines = [
        "| sanitizer: text (~4 KB) | policy | us per call | us per KB |",
        "|---|---|---:|---:|",
    ]
    lines += [
        f"| {row['text']} | {row['policy']} | {row['us_per_call']:,.1f} | {row['us_per_kb']:,.1f} |"
        for row in rows
        if row.get("kind", "text") == "text"
    ]
    shapes = [row for row in rows if row.get("kind") == "shape"]
    if shapes:
        sizes = sorted({int(str(row["size_kb"])) for row in shapes})
        header = " | ".join(f"us/KB at {kb} KB | vs prose | of it markup" for kb in sizes)
        lines += ["", f"| sanitizer: adversarial shape | {header} |"]
        lines.append("|---|" + "---:|---:|---:|" * len(sizes))
        by_name: dict[str, dict[int, dict[str, object]]] = {}
        for row in shapes:
            by_name.setdefault(str(row["text"]), {})[int(str(row["size_kb"]))] = row
        for name, by_size in by_name.items():
            cells = " | ".join(
                f"{by_size[kb]['us_per_kb']:,.1f} | {by_size[kb]['ratio_to_prose']:.1f}x "
                f"| {by_size[kb]['markup_us_per_kb']:,.1f}"
                for kb in sizes
            )
            lines.append(f"| {name} | {cells} |")
    for row in rows:
        if row.get("kind") == "corpus":
            lines += [
                "",
                f"Benign corpus: {row['neutralized']} of {row['samples']} samples neutralized "
                f"(the rest stored byte for byte); {row['us_per_kb']:,.1f} us per KB.",
            ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, default=Path("sanitizer-bench.json"))
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    rows = measure(args.repeat)
    print("\n".join(table(rows)))
    report = {
        "benchmark": "sanitizer",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "results": rows,
    }
    args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
