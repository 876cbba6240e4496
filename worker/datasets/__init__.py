"""Golden datasets: duplicate flags, deterministic splits, immutable versions and their exports."""
