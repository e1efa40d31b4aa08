"""Persistence: the library folder, its schema, undoable commands in undo groups, the one writer, and the read API
the app's views use (``queries``). This package's names are its public API."""

from litreview.errors import LibraryError, NewerLibraryError
from litreview.store.app_lock import AppLock
from litreview.store.commands import Changes, Command
from litreview.store.library import DB_NAME, Library, decode_study, fts_query, sha256_file
from litreview.store.queries import StudyFilter, exists, opening_text, search_snippets, study_detail, study_ids, table_rows
from litreview.store.schema import SCHEMA_VERSION
from litreview.store.writer import Write, Writer, WriteThrough, inline

__all__ = ["AppLock", "Changes", "Command", "DB_NAME", "Library", "LibraryError", "NewerLibraryError", "SCHEMA_VERSION",
           "StudyFilter", "Write", "WriteThrough", "Writer", "decode_study", "exists", "fts_query", "inline",
           "opening_text", "search_snippets", "sha256_file", "study_detail", "study_ids", "table_rows"]
