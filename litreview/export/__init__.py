"""Writing the library out, for reference managers and for the paper.

``library`` (RIS, BibTeX, CSV), ``hierarchy`` (Markdown, assignment and summary CSV), ``decisions`` (screening
decisions CSV), ``prisma`` (the PRISMA 2020 numbers with their records) drawn by ``prisma_figure`` and written for
the PRISMA2020 R package by ``prisma_csv``, ``taxonomy`` (forest, Mermaid, Markdown) drawn by ``taxonomy_figure``;
``figures`` writes the figures to files. Shared: ``csv_safe`` (the formula guard every CSV goes through),
``citekeys`` (the one set of citation keys), ``files`` (whole files or none), ``drawing`` (the vector canvas),
``selection`` (which studies), ``provenance`` (who wrote what).
"""
