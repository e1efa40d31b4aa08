"""Persistence: the library folder, its schema, undoable commands in undo groups, and the one writer."""

from litreview.errors import LibraryError, NewerLibraryError
from litreview.store.commands import Changes, Command
from litreview.store.library import Library, decode_study, fts_query, sha256_file
from litreview.store.schema import SCHEMA_VERSION
from litreview.store.writer import Writer, inline

__all__ = ["Changes", "Command", "Library", "LibraryError", "NewerLibraryError", "SCHEMA_VERSION", "Writer",
           "decode_study", "fts_query", "inline", "sha256_file"]
