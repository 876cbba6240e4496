"""Builds pairs.jsonl, the labelled near-duplicate corpus, from seeds.py (deterministic).

Run `python -m tests.worker.dedupe_corpus.build` after changing the seeds; the file is kept so
that the measured figures are of a corpus anyone can read.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path
from typing import Any

from tests.worker.dedupe_corpus import seeds

HERE = Path(__file__).resolve().parent
GREETINGS = ("Hi! ", "Hello, quick question: ", "Hey team,\n", "Question: ")
SIGN_OFFS = ("\n\nThanks in advance!", " Thank you.", "\nCheers", " Any help appreciated.")
ANSWER_TAILS = (" Hope this helps!", "\n\nLet me know if you need anything else.", " Good luck!")


def _pair(category: str, duplicate: bool, a: tuple[str, str], b: tuple[str, str]) -> dict[str, Any]:
    return {
        "category": category,
        "duplicate": duplicate,
        "a": {"input": a[0], "output": a[1]},
        "b": {"input": b[0], "output": b[1]},
    }


def _whitespace_and_case(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    out = []
    for word in words:
        roll = rng.random()
        if roll < 0.15:
            word = word.upper()
        elif roll < 0.3:
            word = word.lower()
        elif roll < 0.4:
            word = word.capitalize()
        out.append(word)
    separators = [rng.choice(("  ", " ", " ", "\n", "\t ")) for _ in out[1:]]
    joined = out[0] + "".join(s + w for s, w in zip(separators, out[1:], strict=True))
    return rng.choice(("", " ", "\n")) + joined + rng.choice(("", "  ", "\n\n"))


def _typos(text: str, rng: random.Random) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 3)):
        if len(chars) < 4:
            break
        i = rng.randrange(1, len(chars) - 1)
        edit = rng.choice(("drop", "swap", "punct"))
        if edit == "drop":
            del chars[i]
        elif edit == "swap":
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif chars[-1] in ".?!":
            chars.pop()
        else:
            chars.append(rng.choice(".?!"))
    return "".join(chars)


def _resample(answer: str, rng: random.Random) -> str:
    words = answer.split(" ")
    if len(words) > 6 and rng.random() < 0.5:
        i = rng.randrange(len(words))
        words[i] = rng.choice(("really", "simply", "usually", "also", "then"))
        return " ".join(words)
    return answer + rng.choice(ANSWER_TAILS)


def build() -> list[dict[str, Any]]:
    rng = random.Random(2026)
    pairs: list[dict[str, Any]] = []
    for base in seeds.BASES:
        pairs.append(_pair("exact copy", True, base, base))
        pairs.append(
            _pair(
                "whitespace and case",
                True,
                base,
                (_whitespace_and_case(base[0], rng), _whitespace_and_case(base[1], rng)),
            )
        )
        pairs.append(_pair("typos and punctuation", True, base, (_typos(base[0], rng), base[1])))
        boilerplate = (
            rng.choice(GREETINGS) + base[0] + rng.choice(SIGN_OFFS),
            base[1] + rng.choice(ANSWER_TAILS),
        )
        pairs.append(_pair("greeting and sign-off added", True, base, boilerplate))
        pairs.append(_pair("answer re-sampled", True, base, (base[0], _resample(base[1], rng))))
    for depth, original, paraphrase, answer in seeds.PARAPHRASES:
        pairs.append(_pair(f"paraphrase ({depth})", True, (original, answer), (paraphrase, answer)))
    for request, code, renamed in seeds.RENAMED_CODE:
        pairs.append(
            _pair("code with renamed variables", True, (request, code), (request, renamed))
        )
    for prompt, answer, values in seeds.TEMPLATES:
        for first, second in itertools.combinations(values, 2):
            pairs.append(
                _pair(
                    "template with other values",
                    False,
                    (prompt.format(*first), answer.format(*first)),
                    (prompt.format(*second), answer.format(*second)),
                )
            )
    for a, b in seeds.RELATED:
        pairs.append(_pair("related but different request", False, a, b))
    for a, b in seeds.DIFFERENT_CODE:
        pairs.append(_pair("code of the same shape, other job", False, a, b))
    for request, wrong, right in seeds.DIFFERENT_ANSWERS:
        pairs.append(
            _pair("same request, different answer", False, (request, wrong), (request, right))
        )
    unrelated = list(itertools.combinations(range(len(seeds.BASES)), 2))
    for i, j in rng.sample(unrelated, 40):
        pairs.append(_pair("unrelated", False, seeds.BASES[i], seeds.BASES[j]))
    return pairs


def main() -> None:
    lines = [json.dumps(pair, ensure_ascii=False, sort_keys=True) for pair in build()]
    (HERE / "pairs.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} pairs")


if __name__ == "__main__":
    main()
