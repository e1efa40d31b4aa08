"""Sentence embeddings of studies: all-MiniLM-L6-v2 run locally, cached per study in the library.

    from litreview.embeddings import load_encoder, study_vectors
    encoder = load_encoder()                     # EmbeddingError when the weights are missing or corrupt
    vectors = study_vectors(library, [(study_id, "title. abstract"), ...], encoder)

Measured on the review mixtures (``../shared/notes/embeddings.md``), these vectors separate topics far better
than TF-IDF+LSA, and their silhouette curve is informative enough to choose the number of clusters. The module
imports nothing from the rest of litreview except errors, jobs and (for the cache) the library's tables, so
screening and the hierarchy can both use it.
"""

from litreview.embeddings.cache import study_vectors, text_hash
from litreview.embeddings.encoder import (
    MAX_TOKENS,
    MODEL_ID,
    EmbeddingError,
    SentenceEncoder,
    default_threads,
    load_encoder,
)

__all__ = ["MAX_TOKENS", "MODEL_ID", "EmbeddingError", "SentenceEncoder", "default_threads", "load_encoder",
           "study_vectors", "text_hash"]
