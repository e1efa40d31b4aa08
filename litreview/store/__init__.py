"""Persistence: the library folder, its schema, and undoable user commands."""

from litreview.store.commands import Command
from litreview.store.library import Library, decode_study, fts_query, sha256_file
from litreview.store.schema import SCHEMA_VERSION, NewerLibraryError

__all__ = ["Command", "Library", "NewerLibraryError", "SCHEMA_VERSION", "decode_study", "fts_query", "sha256_file"]
