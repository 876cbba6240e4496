"""The sanitizer's test corpora: attack vectors, benign text, secrets and look-alikes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
# The labelled benign samples: code, front-end templates, documents, markup and prose. An entry
# named "neutralized: why" is active pasted raw into a page; the others are stored as written.
BENIGN_FILES = (
    "benign_code.txt",
    "benign_frontend.txt",
    "benign_generics.txt",
    "benign_docs.txt",
    "benign_markup.txt",
    "benign_prose.txt",
)
# Written between the letters of secret-shaped literals in the corpus files so that no secret
# scanner takes them for real credentials; removed when the corpus is loaded.
BREAK = "¦"


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    text: str
    expected: str | None = None


def entries(file_name: str) -> list[Entry]:
    """The entries of a corpus file: `=== name` opens one; `--- expect` starts its expected text.

    Lines before the first `===` are the file's header. An entry's text runs up to the next
    `===` (or `--- expect`) line, without its final newline.
    """
    found: list[Entry] = []
    name: str | None = None
    text: list[str] = []
    expected: list[str] | None = None
    lines = (HERE / file_name).read_text(encoding="utf-8").replace(BREAK, "").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for line in [*lines, "=== "]:
        if line.startswith("=== "):
            if name is not None:
                found.append(
                    Entry(name, "\n".join(text), None if expected is None else "\n".join(expected))
                )
            name, text, expected = line[4:].strip(), [], None
        elif line == "--- expect" and name is not None:
            expected = []
        elif expected is not None:
            expected.append(line)
        elif name is not None:
            text.append(line)
    return found
