"""Dev mixtures for the hierarchy bench, built from ``../shared/data/screening`` by the recipe of
``../shared/data/hierarchy/README.md``, written under ``bench/out/mixtures`` (never committed: the abstracts
belong to their publishers and the datasets' licences ask that they stay in shared/).

A mixture pools the included studies of several reviews; the review is each study's gold topic. Two families:

* **Cohen-style**: only the seven Cohen 2006 drug-class reviews (all pharmacology, fine-grained), in 4- to
  7-review combinations, balanced (25 each) and unbalanced (down to 7 studies);
* **mixed**: drug classes beside nudging of health professionals, software-engineering reviews and rodent
  memory studies (coarse differences).

Recipe (deterministic): included rows with title and abstract; duplicate titles within a review dropped (lowest
record id kept); titles shared by two reviews of the same mixture dropped from both; per review n studies drawn
with ``random.Random("20261123:{path under screening/}").sample`` (with n = 25 this gives exactly the studies of
the shipped ``dev_cohen``); rows shuffled with ``20261123:{mixture}`` and numbered S001…. ``dev_cohen`` and
``dev_mixed`` are read as shipped.

    python bench/hierarchy_mixtures.py        # writes the CSVs and prints their sizes
"""

from __future__ import annotations

import csv
import gzip
import os
import random
import sys
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("LITREVIEW_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "bench" / "out" / "mixtures"
SEED = 20261123

REVIEWS = {  # gold topic -> source file under shared/data/screening
    "ADHD drugs": "cohen2006/Cohen_2006_ADHD.csv.gz",
    "Antihistamines for allergy": "cohen2006/Cohen_2006_Antihistamines.csv.gz",
    "Estrogens for menopause": "cohen2006/Cohen_2006_Estrogens.csv.gz",
    "NSAIDs for arthritis pain": "cohen2006/Cohen_2006_NSAIDS.csv.gz",
    "Oral drugs for type 2 diabetes": "cohen2006/Cohen_2006_OralHypoglycemics.csv.gz",
    "Triptans for migraine": "cohen2006/Cohen_2006_Triptans.csv.gz",
    "Drugs for urinary incontinence": "cohen2006/Cohen_2006_UrinaryIncontinence.csv.gz",
    "Software engineering literature reviews": "Kitchenham_2010_softeng.csv",
    "Nudging healthcare professionals": "ferdinands2023_Nagtegaal_2019_nudging.csv",
    "Rodent object-in-context recognition memory": "synergy_Sep_2021.csv",
}
ADHD, ANTI, ESTRO, NSAID, DIAB, TRIP, UI, SOFT, NUDGE, RODENT = REVIEWS

# mixture -> (family, {topic: studies at most})
MIXTURES: dict[str, tuple[str, dict[str, int]]] = {
    "cohen4_balanced": ("cohen", {ADHD: 25, ESTRO: 25, DIAB: 25, TRIP: 25}),
    "cohen4_unbalanced": ("cohen", {ANTI: 7, NSAID: 30, UI: 16, ADHD: 18}),
    "cohen5_balanced": ("cohen", {ESTRO: 20, NSAID: 20, DIAB: 20, UI: 20, ANTI: 16}),
    "cohen5_unbalanced": ("cohen", {TRIP: 7, NSAID: 40, ADHD: 18, DIAB: 60, UI: 10}),
    "cohen6_balanced": ("cohen", {ADHD: 25, ANTI: 25, ESTRO: 25, NSAID: 25, DIAB: 25, UI: 25}),
    "cohen6_unbalanced": ("cohen", {ADHD: 12, ANTI: 16, NSAID: 8, DIAB: 45, TRIP: 24, UI: 30}),
    "cohen7_unbalanced": ("cohen", {ADHD: 7, ANTI: 16, ESTRO: 40, NSAID: 12, DIAB: 50, TRIP: 24, UI: 9}),
    "mixed4": ("mixed", {ADHD: 18, NSAID: 25, SOFT: 25, NUDGE: 25}),
    "mixed5_unbalanced": ("mixed", {ANTI: 7, UI: 30, RODENT: 40, SOFT: 45, NUDGE: 60}),
    "mixed_nonmedical": ("mixed", {NUDGE: 40, SOFT: 40, RODENT: 30, ESTRO: 10, TRIP: 7}),
    "mixed10": ("mixed", {topic: 15 for topic in REVIEWS}),
}
SHIPPED = {"dev_cohen": "cohen", "dev_mixed": "mixed"}


def title_key(title: str) -> str:
    text = " ".join(unicodedata.normalize("NFKC", title).casefold().split())
    return text[:-1] if text.endswith(".") else text


def included(source: str) -> list[dict[str, str]]:
    """A review's included rows with title and abstract, one per title (the lowest record id kept)."""
    path = SHARED / "screening" / source
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle)
                if r.get("label_included") == "1" and r.get("title", "").strip() and r.get("abstract", "").strip()]
    rows.sort(key=lambda r: int(r["record_id"]))
    seen, out = set(), []
    for row in rows:
        key = title_key(row["title"])
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out


def build(name: str, sizes: dict[str, int]) -> list[dict[str, str]]:
    pools = {topic: included(REVIEWS[topic]) for topic in sizes}
    owners: dict[str, set[str]] = {}
    for topic, rows in pools.items():
        for row in rows:
            owners.setdefault(title_key(row["title"]), set()).add(topic)
    out = []
    for topic, rows in pools.items():
        clean = [r for r in rows if len(owners[title_key(r["title"])]) == 1]
        picked = random.Random(f"{SEED}:{REVIEWS[topic]}").sample(clean, min(sizes[topic], len(clean)))
        for row in picked:
            out.append({"title": row["title"].strip(), "abstract": row["abstract"].strip(), "topic": topic,
                        "source": Path(REVIEWS[topic]).name, "source_record_id": row["record_id"]})
    random.Random(f"{SEED}:{name}").shuffle(out)
    return [{"study_id": f"S{i:03d}", **row} for i, row in enumerate(out, start=1)]


def family(name: str) -> str:
    return SHIPPED.get(name) or MIXTURES[name][0]


def write_all(out: Path = OUT) -> dict[str, Path]:
    """Every dev mixture's CSV path (shipped ones where they are, built ones under ``out``), by name."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: SHARED / "hierarchy" / f"{name}.csv" for name in SHIPPED}
    for name, (_, sizes) in MIXTURES.items():
        rows = build(name, sizes)
        path = out / f"{name}.csv"
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        paths[name] = path
    return paths


def main() -> int:
    for name, path in write_all().items():
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["topic"]] = counts.get(row["topic"], 0) + 1
        print(f"{name:20} {family(name):6} {len(rows):4} studies  " + ", ".join(f"{t} {n}" for t, n in counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
