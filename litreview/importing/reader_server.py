"""What the PDF readers' fork server preloads: PyMuPDF (so each reader forks ready to read in milliseconds)
and a watch that ends the server when the program that started it is gone (see ``lifeline``).

Import this module only as the fork server's preload: importing it starts that watch in the importing process.
"""

from __future__ import annotations

from litreview.importing import pdf_worker  # noqa: F401  (loads PyMuPDF into the server)
from litreview.importing.lifeline import exit_with_parent

exit_with_parent()
