"""The litreview desktop app (PySide6).

Everything here is presentation: widgets, Qt models over the library, background jobs. Every change to the
library goes through a function of ``litreview`` (the core never imports Qt; the import-linter contract in
pyproject.toml enforces it), so the CLI and the app always do the same thing.
"""
