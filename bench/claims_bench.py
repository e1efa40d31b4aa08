"""Claims extraction figures: grounding, coverage, cost per study; the model vs the no-model baseline.

    .venv/bin/python bench/claims_bench.py [--quick] [--n 30] [--mixture hierarchy/dev_mixed.csv] [--model PATH]

Loads the first N studies (title + abstract only) of a mixture from ../shared/data into a temporary library,
extracts claims with the configured model (default: the small default model) and, in the same run, with no
model at all (the best-ranked sentences: the baseline), and prints for each: share of claims grounded, share
of studies with an abstract that got at least one claim, claims per study, seconds per study, LLM calls and
prompt tokens per study, and how far the model moved the choice: the share of the model's evidence sentences
that the baseline did not pick, and the share of claims worded by the model rather than being the evidence
sentence itself (no gold claims exist offline; CHIME's NLI check of claims against abstracts is
not reproducible here). Ratios are model / baseline. Writes nothing outside a temporary folder.

``--structured N`` measures whether the picked sentences are findings: it takes N structured abstracts (with
both set-up labels such as BACKGROUND/METHODS and RESULTS/CONCLUSIONS labels) from the screening datasets
(in file-name order; most are the nudging review's), removes the labels (so neither run can read them) and
reports ``finding_precision``: the share of claims
whose evidence sentence was under RESULTS or CONCLUSIONS in the original.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litreview.claims import extract_claims  # noqa: E402
from litreview.claims.sentences import split_sentences  # noqa: E402
from litreview.store import Library  # noqa: E402

SHARED = Path(os.environ.get("LITREVIEW_SHARED_DATA", ROOT.parent / "shared" / "data"))


def load(library: Library, rows: list[dict[str, str]]) -> list[int]:
    with library.command("Import studies") as cmd:
        return [cmd.insert("studies", {"title": r["title"], "abstract": r["abstract"], "source": "csv"}) for r in rows]


FINDING_SECTIONS = {"results", "result", "conclusions", "conclusion", "findings", "main results", "interpretation"}


def structured_rows(count: int) -> tuple[list[dict[str, str]], dict[str, str]]:
    """Structured abstracts with their labels removed, and the original section of each sentence text."""
    rows, sections = [], {}
    folder = SHARED / "screening"
    for path in sorted([*folder.glob("*.csv"), *folder.glob("*/*.csv.gz")]):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            for record in csv.DictReader(handle):
                sentences = split_sentences(record.get("abstract") or "")
                labels = {s.section for s in sentences}
                if not (labels & FINDING_SECTIONS and labels - FINDING_SECTIONS - {""}):
                    continue
                rows.append({"title": record["title"], "abstract": " ".join(s.text for s in sentences)})
                sections.update({s.text: s.section for s in sentences})
                if len(rows) >= count:
                    return rows, sections
    return rows, sections


def run(rows: list[dict[str, str]], engine, label: str, show: bool = False,
        sections: dict[str, str] | None = None) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        library = Library(folder)
        ids = load(library, rows)
        if engine is not None:
            engine.record_to(library)
        started = time.perf_counter()
        summary = extract_claims(library, engine)
        seconds = time.perf_counter() - started
        if engine is not None:
            engine.record_to(None)
        claims = library.query("SELECT study_id, text, quote, grounded, source FROM claims")
        tokens = library.conn.execute("SELECT coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0) "
                                      "FROM llm_runs").fetchone()
        with_abstract = [i for i in ids if (library.study(i)["abstract"] or "").strip()]
        figures = {
            "run": label,
            "studies": len(ids),
            "claims_grounded": round(summary["grounded"] / max(summary["claims"], 1), 4),
            "studies_with_claim": round(len({c["study_id"] for c in claims} & set(with_abstract))
                                        / max(len(with_abstract), 1), 4),
            "claims_per_study": round(len(claims) / len(ids), 2),
            **({"finding_precision": round(sum(sections.get(c["quote"]) in FINDING_SECTIONS for c in claims)
                                           / max(len(claims), 1), 4)} if sections else {}),
            "claims_in_model_words": round(sum(c["text"] != c["quote"] for c in claims) / max(len(claims), 1), 4),
            "evidence": sorted((ids.index(c["study_id"]), c["quote"]) for c in claims),
            "seconds_per_study": round(seconds / len(ids), 3),
            "llm_calls": summary["llm_calls"],
            "prompt_tokens_per_study": round(tokens[0] / len(ids), 1),
            "completion_tokens_per_study": round(tokens[1] / len(ids), 1),
            "model_errors": summary["model_errors"],
        }
        if show:
            for claim in claims:
                print(f"[{claim['study_id']}] {claim['source']}: {claim['text']}\n    quote: {claim['quote']}")
        library.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 studies")
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--mixture", default="hierarchy/dev_mixed.csv")
    parser.add_argument("--model", help="GGUF path (default: the configured model / small default model)")
    parser.add_argument("--show", action="store_true", help="print the model's claims")
    parser.add_argument("--structured", type=int, metavar="N", help="N label-stripped structured abstracts instead")
    args = parser.parse_args()
    sections: dict[str, str] | None = None
    if args.structured:
        rows, sections = structured_rows(args.structured)
    else:
        path = SHARED / args.mixture
        if not path.exists():
            print(f"shared data not found: {path}", file=sys.stderr)
            return 2
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))[: 5 if args.quick else args.n]

    from litreview.llm import LlmSettings, open_engine

    settings = LlmSettings.load()
    if args.model:
        settings.model_path = args.model
    with open_engine(settings) as engine:
        model = run(rows, engine, f"model: {engine.name} ({engine.capability})", args.show, sections)
    baseline = run(rows, None, "baseline: best-ranked sentences, no model", sections=sections)
    picked, base = set(model.pop("evidence")), set(baseline.pop("evidence"))
    model["evidence_not_in_baseline"] = round(len(picked - base) / max(len(picked), 1), 4)
    for figures in (model, baseline):
        print(json.dumps(figures))
    ratios = {key: round(model[key] / baseline[key], 3) if isinstance(model.get(key), (int, float)) and baseline.get(key)
              else None for key in ("claims_grounded", "studies_with_claim", "claims_per_study", "finding_precision",
                                    "seconds_per_study")}
    print(json.dumps({"ratio_model_vs_baseline": ratios}))
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
