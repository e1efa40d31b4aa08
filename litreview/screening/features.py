"""Text features for ranking: one TF-IDF matrix (fitted once per record set) and BM25 scores against a query.

The matrix is computed once and then only sliced, so retraining after a decision costs a classifier fit on the
labelled rows plus one sparse product, not a re-vectorisation (this is what keeps an update under a second at
10,000 records). The settings are ASReview's ELAS u4 ones (word 1-2-grams, sublinear tf, max_df 0.95): they
were tuned on 26 SYNERGY reviews, none of them ours, so we inherit them rather than tune on our own files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def tfidf_matrix(texts: Sequence[str]) -> sparse.csr_matrix:
    """Rows = records (title + abstract), l2-normalised TF-IDF of word 1-2-grams."""
    if not any(t.strip() for t in texts):
        return sparse.csr_matrix((len(texts), 1))
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=1, max_df=0.95)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # every term is in > 95 % of the records (tiny or degenerate sets): keep them all
        matrix = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit_transform(texts)
    return matrix.tocsr().astype(np.float32)


def tokenize(text: str) -> list[str]:
    """Lower-case words of 2+ characters without English stop words (BM25's bag of words)."""
    return [w for w in _TOKEN.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]


def bm25_scores(texts: Sequence[str], query: str) -> np.ndarray:
    """BM25 (Okapi, rank-bm25's defaults) of every text against ``query``; zeros when the query has no words."""
    from rank_bm25 import BM25Okapi

    words = sorted(set(tokenize(query)))
    documents = [tokenize(t) for t in texts]
    if not words or not documents or not any(documents):
        return np.zeros(len(texts))
    # rank-bm25 divides by the mean document length; an all-empty corpus is handled above.
    return np.asarray(BM25Okapi([d or [""] for d in documents]).get_scores(words), dtype=float)
