"""Study vectors and characteristic terms: the statistics the hierarchy stands on.

A small local model cannot see 150 abstracts at once, and it classifies abstracts into topics far worse than
clustering does, so the structure is built from vectors and the model only names and describes. Two pieces:

* ``study_space``: the geometry. Sentence embeddings (all-MiniLM-L6-v2, ``litreview.embeddings``, cached per
  study) of title + abstract. Measured on the dev mixtures they separate reviews far better than TF-IDF+LSA
  (dev_cohen NMI 0.96 vs 0.74 at the true k) and their silhouette curve peaks at the true k, which is what lets
  the number of topics be chosen from the data. Claims are left out of the geometry on purpose: they are
  sentences of the same abstract, and adding them made the structure worse on one mixture (issue 10). When the
  model cannot be loaded the build falls back to ``embed_texts`` (TF-IDF + LSA) and says so.
* ``class_terms``: BERTopic's class-based TF-IDF (c-TF-IDF) over word counts: all documents of a cluster are one
  "class document"; a term scores high when frequent in the class and rare across classes. The terms seed the
  category names and descriptions, and are kept beside the vectors whatever the geometry.

Boilerplate that PDFs carry (URLs, DOIs, licence lines) and sentences addressed to a model (prompt injection)
never become terms: the first are stop words here, the second are removed before counting (``readable_text``).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize

# Words that are frequent in every abstract of every field and so never characterise a group of studies.
ABSTRACT_STOP_WORDS = frozenset(
    """study studies patients patient results result conclusion conclusions methods method background objective
    objectives aim aims purpose design setting participants significant significantly compared compare comparison
    effect effects using used use group groups treatment treated mg day days week weeks month months year years
    showed shown data analysis reported observed versus vs total mean median respectively associated evaluate
    evaluated evaluation included including trial trials clinical randomized randomised controlled double blind
    placebo based increased decreased higher lower levels level difference differences 95 ci did time times
    baseline outcome outcomes effective efficacy safety tolerability new different findings finding present
    paper review reviews analysed analyzed research also however may well one two three""".split()
)
# Tokens of web addresses, identifiers and page furniture: they occur in many PDFs of every field and name nothing.
BOILERPLATE_WORDS = frozenset(
    """http https www com org net edu html htm pdf doi orcid github gitlab url urls email mail copyright
    licence license licensed creative commons elsevier springer wiley taylor francis ieee acm arxiv preprint
    journal vol volume pp page pages issue fig figure figures table tables supplementary appendix author authors
    university department institute received accepted published available online http://""".split()
)
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | ABSTRACT_STOP_WORDS | BOILERPLATE_WORDS)
TOKEN_PATTERN = r"(?u)\b[a-zA-Z][a-zA-Z0-9\-]{2,}\b"


@dataclass
class TextSpace:
    """The vector space of one set of texts: L2-normalised vectors plus the word counts behind the terms."""

    vectors: np.ndarray          # (n_texts, dims), rows L2-normalised (a zero row for an empty text)
    counts: sparse.csr_matrix    # (n_texts, vocabulary) raw term counts, for c-TF-IDF
    vocabulary: np.ndarray       # term of each count column
    tfidf: TfidfVectorizer | None = None
    svd: TruncatedSVD | None = None
    kind: str = "tfidf"          # "embeddings" | "tfidf"
    note: str = ""               # why the TF-IDF fallback was used, for the build report
    encoder: Any = None          # the sentence encoder of an embedding space

    def with_terms(self, texts: list[str]) -> TextSpace:
        """The same vectors with word counts taken from ``texts`` (e.g. title + abstract + claims)."""
        counts, vocabulary = term_counts(texts)
        return dataclasses.replace(self, counts=counts, vocabulary=vocabulary)

    def project(self, texts: list[str]) -> np.ndarray:
        """Vectors of other texts (a category's name and description) in this same space."""
        if self.encoder is not None:
            return self.encoder.encode(texts).astype(np.float64)
        if self.tfidf is None:
            return np.zeros((len(texts), self.vectors.shape[1]))
        weights = self.tfidf.transform([clean_text(t) for t in texts])
        reduced = self.svd.transform(weights) if self.svd is not None else weights.toarray()
        return normalize(reduced)


def embed_texts(texts: list[str], *, max_dims: int = 100) -> TextSpace:
    """Normalised LSA vectors for ``texts`` (at least two non-empty ones are needed for a useful space).

    ``min_df=2`` keeps only terms shared by two studies: a word that appears in a single abstract cannot
    group anything, and it keeps text planted in one abstract (prompt injection) out of the shared terms.
    """
    cleaned = [clean_text(t) for t in texts]
    n = len(cleaned)
    min_df = 2 if n >= 10 else 1
    tfidf = TfidfVectorizer(sublinear_tf=True, stop_words=STOP_WORDS, token_pattern=TOKEN_PATTERN,
                            ngram_range=(1, 2), min_df=min_df, max_df=0.5 if n >= 10 else 1.0,
                            lowercase=True, dtype=np.float64)
    try:
        weights = tfidf.fit_transform(cleaned)
    except ValueError:  # empty vocabulary: no shared words at all
        empty = sparse.csr_matrix((n, 0))
        return TextSpace(np.zeros((n, 1)), empty, np.array([], dtype=object))
    dims = min(max_dims, weights.shape[1] - 1, n - 1)
    svd = None
    if dims >= 2:
        svd = TruncatedSVD(n_components=dims, random_state=0, algorithm="randomized", n_iter=7)
        reduced = svd.fit_transform(weights)
    else:
        reduced = weights.toarray()
    counter = CountVectorizer(vocabulary=tfidf.vocabulary_, stop_words=STOP_WORDS, token_pattern=TOKEN_PATTERN,
                              ngram_range=(1, 2), lowercase=True)
    counts = counter.transform(cleaned).tocsr()
    vocabulary = np.empty(len(tfidf.vocabulary_), dtype=object)
    for term, column in tfidf.vocabulary_.items():
        vocabulary[column] = term
    return TextSpace(normalize(reduced), counts, vocabulary, tfidf, svd)


def term_counts(texts: list[str]) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Raw counts of the uni- and bigrams shared by at least two texts (one text cannot characterise a group,
    and text planted in a single abstract stays out), with their vocabulary."""
    cleaned = [clean_text(t) for t in texts]
    counter = CountVectorizer(stop_words=STOP_WORDS, token_pattern=TOKEN_PATTERN, ngram_range=(1, 2),
                              min_df=2 if len(cleaned) >= 4 else 1, lowercase=True)
    try:
        counts = counter.fit_transform(cleaned).tocsr()
    except ValueError:  # no shared words at all
        return sparse.csr_matrix((len(cleaned), 0)), np.array([], dtype=object)
    return counts, np.array(counter.get_feature_names_out(), dtype=object)


def study_space(library, ids: list[int], texts: list[str], *, encoder_factory=None, write=None,
                progress=None, cancel=None) -> TextSpace:
    """Sentence-embedding vectors of ``texts`` (cached per study id), or TF-IDF+LSA vectors with ``note`` saying
    why when the embedding model cannot be loaded. ``encoder_factory`` (default ``load_encoder``) lets a caller
    share one loaded model; ``write`` routes the cache writes (the app's writer)."""
    from litreview.embeddings import EmbeddingError, load_encoder, study_vectors
    from litreview.jobs import no_progress

    try:
        encoder = (encoder_factory or load_encoder)()
    except EmbeddingError as error:
        space = embed_texts(texts)
        space.note = (f"sentence embeddings unavailable ({error}); topics were built from word statistics "
                      "(TF-IDF) instead, which separate them less well")
        return space
    vectors = study_vectors(library, list(zip(ids, texts)), encoder, progress=progress or no_progress,
                            cancel=cancel, write=write, stage="hierarchy.embeddings")
    return TextSpace(vectors.astype(np.float64), sparse.csr_matrix((len(texts), 0)), np.array([], dtype=object),
                     kind="embeddings", encoder=encoder)


def readable_text(text: str) -> str:
    """``text`` without the sentences addressed to a model ("Ignore previous instructions and ..."): whatever a
    PDF tells the reader to do is not what the study is about, so it never becomes a term or a name."""
    from litreview.claims.sentences import is_instruction, split_sentences

    if not text:
        return ""
    return " ".join(s.text for s in split_sentences(text) if not is_instruction(s.text))


def class_terms(counts: sparse.csr_matrix, vocabulary: np.ndarray, labels: list[int] | np.ndarray,
                top_n: int = 10) -> dict[int, list[str]]:
    """c-TF-IDF top terms per label (labels < 0 are ignored): tf of the term in the class, times
    log(1 + average words per class / total frequency of the term), as BERTopic computes it."""
    labels = np.asarray(labels)
    classes = sorted({int(x) for x in labels if x >= 0})
    if not classes or counts.shape[1] == 0:
        return {c: [] for c in classes}
    rows = []
    for c in classes:
        rows.append(np.asarray(counts[labels == c].sum(axis=0)).ravel())
    tf = np.vstack(rows).astype(float)
    average_words = tf.sum() / len(classes)
    frequency = tf.sum(axis=0)
    idf = np.log(1.0 + average_words / np.maximum(frequency, 1.0))
    scores = normalize(tf, norm="l1") * idf
    out: dict[int, list[str]] = {}
    for i, c in enumerate(classes):
        order = np.argsort(-scores[i])
        terms: list[str] = []
        for j in order:
            if scores[i, j] <= 0 or len(terms) >= top_n:
                break
            term = str(vocabulary[j])
            # A bigram adds nothing when both its words are already listed; a word nothing when its bigram is.
            if any(term in t.split() or t in term.split() for t in terms if " " in t or " " in term):
                continue
            terms.append(term)
        out[c] = terms
    return out


def clean_text(text: str | None) -> str:
    """Lower-risk text for vectorising: whitespace collapsed, hyphenated line breaks joined."""
    text = (text or "").replace("\u00ad", "")
    text = re.sub(r"(\w)-\s*\n\s*(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text).strip()
