"""Search speed on a 10,000-study library: FTS5 (what `litreview search` runs) against a LIKE scan baseline.

Builds (once; reused while its size matches) a synthetic library under bench/out/: 10,000 studies with a title,
an abstract and one page of body text each, words drawn Zipf-like from a 6,000-word vocabulary plus a few topic
words with known frequencies, written through one user command like a reference import. Then times a mixed set of
queries (common, rare, two-word AND, prefix, no hit) through ``Library.search`` plus the JSON decoding the CLI
does, and the same queries as a naive ``LIKE '%word%'`` scan over title, abstract and page text (the baseline: a
search without an index, unranked). Target (issue 2): under 50 ms per query. The last line times whole `litreview search`
processes, which add Python start-up to the query.

    .venv/bin/python bench/search_bench.py [--quick] [--studies N]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litreview.store import Library, decode_study  # noqa: E402

OUT = ROOT / "bench" / "out" / "search_bench"
TOPIC_WORDS = {"zebrafish": 0.002, "nudging": 0.01, "microplastics": 0.03, "heatwave": 0.1}  # share of studies
QUERIES = ["zebrafish", "nudging", "microplastics", "heatwave", "nudging heatwave", "micro*", "heat*",
           "qualitative", "randomised trial", "lorem", "zz-nothing-here", "effect", "model data"]
COMMON = ["the", "of", "and", "in", "to", "a", "with", "for", "was", "were", "we", "study", "effect", "trial",
          "randomised", "model", "data", "results", "patients", "qualitative", "analysis", "review"]


def vocabulary(rng: random.Random, size: int = 6000) -> list[str]:
    syllables = ["ka", "lo", "mi", "ten", "sor", "vi", "ra", "dun", "pel", "os", "tri", "gan", "bel", "ur", "es"]
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))))
    return COMMON + sorted(words)


def text(rng: random.Random, vocab: list[str], weights: list[float], n: int) -> str:
    return " ".join(rng.choices(vocab, weights, k=n))


def build(folder: Path, studies: int) -> float:
    rng = random.Random(20261123)
    vocab = vocabulary(rng)
    weights = [1.0 / (rank + 1) for rank in range(len(vocab))]
    start = time.perf_counter()
    with Library(folder) as library, library.command(f"Import synthetic ({studies} studies)") as cmd:
        for number in range(studies):
            topical = [w for w, share in TOPIC_WORDS.items() if rng.random() < share]
            title = text(rng, vocab, weights, rng.randint(7, 13)) + (" " + " ".join(topical) if topical else "")
            abstract = text(rng, vocab, weights, rng.randint(150, 250))
            study_id = cmd.insert("studies", {
                "title": title.capitalize(), "abstract": abstract, "year": 1990 + number % 35, "source": "csv",
                "authors": json.dumps([{"given": "A.", "family": vocab[100 + number % 3000].capitalize()}]),
                "n_pages": 1,
            })
            cmd.insert("pages", {"study_id": study_id, "page_no": 1, "text": text(rng, vocab, weights, 400)})
    return time.perf_counter() - start


def naive_scan(library: Library, query: str) -> int:
    """The baseline: what a search without an index does, a LIKE scan of title, abstract and page text."""
    words = [w.rstrip("*") for w in query.split()]
    where = " AND ".join("(s.title LIKE ? OR s.abstract LIKE ? OR EXISTS (SELECT 1 FROM pages p "
                         "WHERE p.study_id = s.id AND p.text LIKE ?))" for _ in words)
    params = [p for w in words for p in (f"%{w}%",) * 3]
    return len(library.query(f"SELECT s.id FROM studies s WHERE {where}", params))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--studies", type=int, default=10_000)
    args = parser.parse_args()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    existing = Library(OUT)
    count = existing.study_count()
    existing.close()
    if count != args.studies:
        for name in ("library.db", "library.db-wal", "library.db-shm"):
            (OUT / name).unlink(missing_ok=True)
        print(f"building a {args.studies}-study library in {OUT} ...", flush=True)
        print(f"built in {build(OUT, args.studies):.1f} s")
    else:
        print(f"reusing the {count}-study library in {OUT}")

    repeats = 3 if args.quick else 10
    fts_ms, like_ms, hits, slowest = [], [], {}, {}
    with Library(OUT) as library:
        for query in QUERIES:  # warm the page cache once, as a running app would be
            library.search(query)
        for _ in range(repeats):
            for query in QUERIES:
                start = time.perf_counter()
                hits[query] = len([decode_study(hit) for hit in library.search(query, limit=20)])
                fts_ms.append((time.perf_counter() - start) * 1000)
                slowest[query] = max(slowest.get(query, 0.0), fts_ms[-1])
                start = time.perf_counter()
                naive_scan(library, query)
                like_ms.append((time.perf_counter() - start) * 1000)

    cli = []
    for query in QUERIES[:3] if args.quick else QUERIES[:6]:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "litreview", "--library", str(OUT), "search", query, "--json"],
                       cwd=ROOT, check=True, capture_output=True)
        cli.append(time.perf_counter() - start)

    fts_med, like_med = statistics.median(fts_ms), statistics.median(like_ms)
    print(f"queries: {len(QUERIES)} x {repeats}; hits (top 20): {hits}")
    print(f"litreview search (FTS5, bm25)    : median {fts_med:6.2f} ms, p95 {percentile(fts_ms, 0.95):6.2f} ms, "
          f"max {max(fts_ms):6.2f} ms  (target < 50 ms)")
    print(f"baseline LIKE scan, no index      : median {like_med:6.2f} ms, p95 {percentile(like_ms, 0.95):6.2f} ms"
          f"  -> FTS is {like_med / fts_med:.0f}x faster (median)")
    print("slowest run per query (ms): " + ", ".join(f"{q!r} {ms:.1f}" for q, ms in slowest.items()))
    print(f"whole `litreview search` process  : median {statistics.median(cli) * 1000:6.0f} ms "
          f"(Python start-up and imports included)")


if __name__ == "__main__":
    main()
