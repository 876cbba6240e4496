"""Which words a text holds, asked once per word: the gates every detector shares.

Detectors ask through one `Needles` per text (`needles["word"]`): the text is read once for
every needle detectors ask for, and an answer costs a dictionary lookup. `credential` (whether
any credential word is there at all) answers the question most detectors start with.
"""

from __future__ import annotations

from functools import cache

import ahocorasick_rs

# Every credential word holds one of these: `pass` (password, passwd, passphrase, Passwort,
# mot de passe, sshpass, requirepass), `pw` (pwd), `key`, `token`, `secret`, `cred`, `auth`
# (oauth, authorization, masterauth), `pin`.
CREDENTIAL_STEMS = ("pass", "key", "token", "secret", "auth", "pw", "cred", "pin")

# Close reading: weighing what follows a credential label, or joining the pieces of a line
# break, costs tens of microseconds a place. Ordinary text, secrets and all, asks for a few
# places a KB (at most ten in any text of the corpora); a text asking for more than its budget
# (hundreds of labels or wrapped pieces in a few KB, made to be slow) has the rest read by
# coarse rules that over-redact (`dense.py`, `splits.py`), so that no text costs more than a
# fixed multiple of its length.
BUDGET_BASE = 32
BUDGET_CHARS_PER_PLACE = 128


class Exhausted(Exception):
    """A text asked for more close reading than its length allows (`Needles.spend`)."""


def places(text: str, word: str) -> list[int]:
    """Where `word` starts in `text`, found with `str.find` (a regex that opens with a
    case-blind word or an alternation would be tried at every character)."""
    found = []
    at = text.find(word)
    while at != -1:
        found.append(at)
        at = text.find(word, at + 1)
    return found


_COMMON = frozenset("abcdefghijklmnopqrstuvwxyz ")


@cache
def _guard(needle: str) -> str:
    """The first character of `needle` that is not a letter or a space, or ""."""
    return next((char for char in needle if char not in _COMMON), "")


class _Catalogue:
    """Every needle detectors ask for, found in a text in one pass (Aho-Corasick).

    Detectors ask for a few dozen words; scanning the text once per word cost more than all
    the rest of redacting prose. The catalogue learns the needles as they are first asked for,
    so that each text is read once for all of them; a needle first asked by a text is looked
    for with `str.find` there, and joins the next texts' pass.
    """

    def __init__(self) -> None:
        self.words: set[str] = set(CREDENTIAL_STEMS)
        self._automaton: ahocorasick_rs.AhoCorasick | None = None

    def present(self, lowered: str) -> set[str]:
        if self._automaton is None:
            self._automaton = ahocorasick_rs.AhoCorasick(sorted(self.words))
        return set(self._automaton.find_matches_as_strings(lowered, overlapping=True))

    def learn(self, needle: str) -> None:
        if needle not in self.words:
            self.words.add(needle)
            self._automaton = None


_CATALOGUE = _Catalogue()


class Needles(dict[str, bool]):
    """`needles[word]`: whether the lower-cased text holds `word`, looked for once."""

    __slots__ = ("_known", "_present", "budget", "credential", "lowered")

    def __init__(self, lowered: str) -> None:
        super().__init__()
        self.lowered = lowered  # the text with ASCII letters lower-cased, one byte a character
        self._known = frozenset(_CATALOGUE.words)
        self._present = _CATALOGUE.present(lowered)
        self.credential = not self._present.isdisjoint(CREDENTIAL_STEMS)
        self.budget = BUDGET_BASE + len(lowered) // BUDGET_CHARS_PER_PLACE

    def __missing__(self, needle: str) -> bool:
        if needle in self._known:
            found = needle in self._present
        else:
            _CATALOGUE.learn(needle)
            guard = _guard(needle)
            # A character a needle holds that text rarely does is looked for first: a single
            # character is found at memchr speed, a word costs a scan several times as slow.
            found = (not guard or guard in self.lowered) and needle in self.lowered
        self[needle] = found
        return found

    def spend(self) -> None:
        """Account for one place read closely; raises Exhausted past the text's budget."""
        self.budget -= 1
        if self.budget < 0:
            raise Exhausted

    def any(self, *needles: str) -> bool:
        return any(map(self.__getitem__, needles))  # (no generator: it costs more than a lookup)
