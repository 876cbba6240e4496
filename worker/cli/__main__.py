"""`python -m worker.cli`: the `intake` command without its entry point installed."""

from worker.cli import main

main()
