"""The `intake` executable's entry point: Ctrl-C while the command line loads exits quietly.

Loading the commands takes a moment (the sanitizer compiles its rules); an interrupt in that
moment ends with status 130 and no traceback, as an interrupt of a running command does.
"""

from __future__ import annotations

import sys

INTERRUPTED = 130


def main() -> None:
    try:
        from worker.cli import main as run
    except KeyboardInterrupt:
        sys.exit(INTERRUPTED)
    run()
