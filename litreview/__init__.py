"""litreview core: library store, import, LLM engine, screening, claims, hierarchy, feedback and export.

This package never imports Qt (an import-linter contract in pyproject.toml enforces it); the desktop front end
lives in the separate ``ui`` package and calls only what is here.
"""

__version__ = "0.1.0"
