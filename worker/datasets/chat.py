"""Chat fine-tuning lines: messages built from an example, and the checks a training job applies."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

ROLES = ("system", "user", "assistant")
MESSAGE_KEYS = {"role", "content", "name", "weight"}
# The estimate a line must stay under; set it to the context of the model being tuned.
DEFAULT_MAX_TOKENS = 16_384
# Tokens a chat format adds around each message and to prime the reply (OpenAI's cookbook).
TOKENS_PER_MESSAGE = 3
TOKENS_PER_REPLY = 3


class Problem(StrEnum):
    """Why a fine-tuning job would refuse a line."""

    MALFORMED = "malformed"
    BAD_ROLE = "bad_role"
    EMPTY_TURN = "empty_turn"
    NO_ASSISTANT_TURN = "no_assistant_turn"
    SYSTEM_NOT_FIRST = "system_not_first"
    TOO_LONG = "too_long"


@dataclass(frozen=True, slots=True)
class ChatOptions:
    """How examples become conversations."""

    # The system message for every line; None takes each skill's description (if it has one).
    system: str | None = None
    # The assistant turn is the expected output when an example has one (else its output);
    # False always takes the output the skill produced.
    use_expected: bool = True
    max_tokens: int = DEFAULT_MAX_TOKENS


def conversation(
    example_input: str | None,
    example_output: str | None,
    expected_output: str | None,
    system: str | None,
    options: ChatOptions,
) -> dict[str, Any]:
    """The `{"messages": [...]}` object of one example."""
    answer = (expected_output or example_output) if options.use_expected else example_output
    messages = [] if system is None else [{"role": "system", "content": system}]
    messages.append({"role": "user", "content": example_input or ""})
    messages.append({"role": "assistant", "content": answer or ""})
    return {"messages": messages}


def estimate_tokens(text: str) -> int:
    """A cautious token count: four ASCII characters a token, every other character one.

    English text and code average about four characters a token in common tokenizers; CJK and
    other scripts take one or more a character, so counting them one each rarely underestimates.
    """
    ascii_count = sum(1 for character in text if character < "\x80")
    return math.ceil(ascii_count / 4) + len(text) - ascii_count


def problems(document: Any, max_tokens: int = DEFAULT_MAX_TOKENS) -> list[Problem]:
    """What a chat fine-tuning job would refuse in one line's object (empty: it trains)."""
    messages = document.get("messages") if isinstance(document, Mapping) else None
    if not isinstance(messages, list) or not messages:
        return [Problem.MALFORMED]
    found: set[Problem] = set()
    tokens = TOKENS_PER_REPLY
    for position, message in enumerate(messages):
        if not isinstance(message, Mapping) or not set(message) <= MESSAGE_KEYS:
            found.add(Problem.MALFORMED)
            continue
        role, content = message.get("role"), message.get("content")
        if role not in ROLES:
            found.add(Problem.BAD_ROLE)
        elif role == "system" and position != 0:
            found.add(Problem.SYSTEM_NOT_FIRST)
        if not isinstance(content, str):
            found.add(Problem.MALFORMED)
            continue
        if not content.strip():
            found.add(Problem.EMPTY_TURN)
        tokens += TOKENS_PER_MESSAGE + estimate_tokens(content)
    if not any(isinstance(m, Mapping) and m.get("role") == "assistant" for m in messages):
        found.add(Problem.NO_ASSISTANT_TURN)
    if tokens > max_tokens:
        found.add(Problem.TOO_LONG)
    return sorted(found)
