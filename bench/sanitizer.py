"""Sanitizer cost in microseconds per KB for prose, code, HTML-heavy text and text with secrets.

Run as `python -m bench.sanitizer [--json PATH] [--repeat N]`: prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

from worker.sanitize import Policy, sanitize

TARGET_BYTES = 4096

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


def measure(repeat: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for name, (text, policy) in texts().items():
        size = len(text.encode())
        limit = len(text) * 8  # no truncation: measure the work, not the cut

        def run(text: str = text, policy: Policy = policy, limit: int = limit) -> object:
            return sanitize(text, max_length=limit, policy=policy)

        seconds = seconds_per_call(run, repeat)
        result = sanitize(text, max_length=limit, policy=policy)
        rows.append(
            {
                "text": name,
                "policy": str(policy),
                "bytes": size,
                "us_per_call": round(seconds * 1e6, 2),
                "us_per_kb": round(seconds * 1e6 * 1024 / size, 2),
                "changed": result.changed,
                "markup_neutralized": result.markup_neutralized,
                "secrets_found": list(result.secrets_found),
            }
        )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, default=Path("sanitizer-bench.json"))
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    rows = measure(args.repeat)
    print(f"{'text':26} {'bytes':>6} {'us/call':>9} {'us/KB':>8}")
    for row in rows:
        print(
            f"{row['text']!s:26} {row['bytes']!s:>6} {row['us_per_call']!s:>9} "
            f"{row['us_per_kb']!s:>8}"
        )
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
