"""Claims against real llama.cpp: the small default model (choose path) on real abstracts, and the generated tiny
MoE model driving the schema-constrained path (a random model: it exercises the mechanics and the fallback)."""

from __future__ import annotations

import pytest

from litreview.claims import extract_claims
from litreview.claims.extract import EXTRACTIVE
from tests.helpers.studies import add_studies

pytestmark = pytest.mark.slow


def _check_grounded(library):
    for claim in library.query("SELECT c.*, s.abstract FROM claims c JOIN studies s ON s.id = c.study_id"):
        assert claim["grounded"] == 1 and claim["page_no"] is None
        assert " ".join(claim["abstract"][claim["char_start"]:claim["char_end"]].split()) == claim["quote"]


def test_default_model_extracts_grounded_claims_from_real_abstracts(library, mixed_rows, gemma_engine):
    rows = [r for r in mixed_rows if r["topic"] in ("Triptans for migraine", "Nudging healthcare professionals")][:3]
    ids = add_studies(library, rows)
    gemma_engine.record_to(library)
    try:
        summary = extract_claims(library, gemma_engine)
    finally:
        gemma_engine.record_to(None)
    assert summary["studies"] == summary["with_claims"] == 3
    assert summary["grounded"] == summary["claims"] and summary["model_errors"] == 0
    _check_grounded(library)
    per_study = {i: library.query("SELECT * FROM claims WHERE study_id = ?", (i,)) for i in ids}
    assert all(1 <= len(claims) <= 3 for claims in per_study.values())
    assert {c["source"] for claims in per_study.values() for c in claims} == {gemma_engine.name}
    runs = library.query("SELECT stage, ok, prompt_tokens FROM llm_runs")
    assert len(runs) == 3 and all(r["stage"] == "claims" and r["ok"] and r["prompt_tokens"] > 50 for r in runs)
    assert len(library.query("SELECT * FROM commands WHERE label = 'Extract claims'")) == 3


def test_schema_path_on_real_llama_cpp_falls_back_cleanly(library, mixed_rows, tmp_path_factory):
    from litreview.llm import LlmSettings
    from litreview.llm.local import LocalEngine
    from litreview.llm.tiny_moe import write_moe_gguf

    model = write_moe_gguf(tmp_path_factory.mktemp("tiny") / "tiny-moe.gguf")
    engine = LocalEngine(LlmSettings(model_path=str(model), n_ctx=1024, placement="cpu-moe", seed=0))
    engine.capability = "capable"      # drive the generate_json path with a real (random) model
    try:
        add_studies(library, mixed_rows[:2])
        summary = extract_claims(library, engine)
    finally:
        engine.close()
    assert summary["with_claims"] == 2 and summary["grounded"] == summary["claims"]
    _check_grounded(library)
    # whatever the random model wrote, a claim is either its supported wording or the sentence itself
    for claim in library.query("SELECT * FROM claims"):
        assert claim["source"] in (EXTRACTIVE, engine.name)


def test_full_text_results_and_conclusions_are_used_with_page_offsets(library, gemma_engine):
    """A real PDF imported by the real importer: sentences from its conclusion section on page 2 are offered,
    and a claim taken from one of them points at the page and the exact characters."""
    from litreview.importing import import_paths
    from tests.helpers.fake_engine import FakeEngine
    from tests.helpers.paths import need_shared

    import_paths(library, need_shared("pdfs/varied/bmc_jtmo_2010_datta.pdf"))
    (study,) = library.studies()

    def pick_bleeding(prompt, options):
        line = next(l for l in prompt.splitlines() if "risk of bleeding and HIT" in l)
        return {o: (1.0 if line.startswith(f"[{o}]") else 1e-9) for o in options}

    extract_claims(library, FakeEngine(choices={"claims": pick_bleeding}, capability="small", name="scripted"))
    claim = next(c for c in library.query("SELECT * FROM claims") if "risk of bleeding and HIT" in c["quote"])
    assert claim["grounded"] == 1 and claim["page_no"] == 2
    page = dict(library.full_text(study["id"]))[2]
    assert "risk of bleeding and HIT" in " ".join(page[claim["char_start"]:claim["char_end"]].split())

    summary = extract_claims(library, gemma_engine, [study["id"]])   # the real model on the same study
    assert summary["with_claims"] == 1 and summary["grounded"] == summary["claims"]
