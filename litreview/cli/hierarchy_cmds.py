"""Sub-commands of `litreview` (being written)."""


def register(subparsers) -> None:
    """Adds no sub-command yet."""
