"""LLM engine figures: speed per model and placement mode, prefix reuse, JSON validity, tokens per call.

    .venv/bin/python bench/llm_bench.py [--quick]

Every section prints its figures and a ratio against a baseline measured in the same run:
  1. speed: load time, prompt tok/s, generation tok/s, time to first token (TTFT) for the small default model
     (gemma-3-270m) and a synthetic MoE of realistic shape (24 layers, 64 experts, 8 used; random weights)
     under each placement mode (baseline: `gpu`, i.e. no overrides; `n-cpu-moe N` uses the N the planner picks
     for a GPU with 60 % of the weights' size free). On a CPU-only llama.cpp build every mode
     computes on the same CPU, so the ratios should be ~1.0: the bench then shows the override path costs
     nothing, not the GPU speed-up (that needs a CUDA build; see the report).
  2. prefix reuse: a stage-like run (long shared instructions + category list, one item per call), for
     generate_json and choose, with vs without reuse (baseline: without).
  3. structured output: JSON validity rate (must be 100 %) and mean prompt/completion tokens per call per stage,
     from the engine's own run records.
  4. constrained sampling: llama-cpp-python's stock grammar sampling vs our check-first sampler (baseline: stock).
  5. threads: OpenMP passive vs active waiting on this (shared) machine (baseline: active, llama.cpp's default).
Outputs go to bench/out/ only (the synthetic model is cached there).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litreview.llm import LlmSettings, physical_cores  # noqa: E402  (sets OMP_WAIT_POLICY before llama_cpp loads)
from litreview.llm.gguf_info import read_model_info  # noqa: E402
from litreview.llm.local import LocalEngine  # noqa: E402
from litreview.llm.placement import available_ram_bytes  # noqa: E402
from litreview.llm.planner import compute_reserve, plan_placement  # noqa: E402
from litreview.llm.tiny_moe import REALISTIC, TINY, write_moe_gguf  # noqa: E402
from litreview.store import Library  # noqa: E402

OUT = ROOT / "bench" / "out"
TEXT = ("Background: Loneliness is common among older adults living alone and is associated with depression. "
        "Methods: We randomly assigned 412 adults aged 70 or older to weekly telephone befriending or usual care "
        "for six months. The primary outcome was the UCLA loneliness score. Results: Befriending reduced "
        "loneliness by 4.1 points (95% CI 2.6 to 5.6) compared with usual care; depression did not differ. ")
CATEGORIES = ["randomised controlled trial", "cohort study", "case-control study", "cross-sectional survey",
              "qualitative interview study", "systematic review", "case report", "economic evaluation"]
TITLES = ["Telephone befriending for lonely older adults: a randomised trial",
          "Air pollution and asthma admissions: a case-crossover analysis",
          "Living alone in later life: interviews with 30 widowers",
          "Cost-effectiveness of hip protectors in care homes",
          "Statins and dementia risk in 120,000 adults followed for ten years",
          "A rare presentation of Takotsubo cardiomyopathy after bad news",
          "Meta-analysis of exercise for depression in older people",
          "Prevalence of hearing loss in a national survey of adults",
          "Sleep hygiene education in primary care: a cluster randomised trial",
          "Smoking and lung cancer: a hospital-based case-control study",
          "Peer support for new mothers: a qualitative study",
          "Screening for atrial fibrillation: a randomised comparison of two methods"]


def speed(engine: LocalEngine, prompt_tokens: int, gen_tokens: int) -> dict:
    """Prompt tok/s (one fresh evaluation of `prompt_tokens` tokens), then greedy generation of `gen_tokens`
    tokens token by token (Llama.generate; end-of-text does not stop it): time to first token, generation tok/s."""
    llm = engine.llm
    tokens = llm.tokenize((TEXT * 8).encode(), add_bos=True)[:prompt_tokens]
    llm.reset()
    started = time.perf_counter()
    llm.eval(tokens)
    prompt_s = time.perf_counter() - started
    llm.reset()
    stamps = []
    started = time.perf_counter()
    for _ in llm.generate(tokens, temp=0.0, top_k=1):
        stamps.append(time.perf_counter())
        if len(stamps) >= gen_tokens:
            break
    gen_rate = (len(stamps) - 1) / (stamps[-1] - stamps[0]) if len(stamps) > 1 else 0.0
    return {"prompt_tokens": len(tokens), "prompt_tok_s": len(tokens) / prompt_s, "ttft_s": stamps[0] - started,
            "gen_tokens": len(stamps), "gen_tok_s": gen_rate}


def median_of(results: list[dict]) -> dict:
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def section_speed(quick: bool, rows: list[dict]) -> None:
    print(f"\n== 1. speed per model and placement mode (n_threads = {physical_cores()} physical cores) ==")
    n_prompt, n_gen, repeats = (128, 32, 3) if quick else (384, 96, 5)
    moe = OUT / f"realistic-moe-{REALISTIC.n_layer}L-{REALISTIC.n_expert}E-{REALISTIC.n_expert_used}used.gguf"
    if not moe.exists():
        started = time.perf_counter()
        write_moe_gguf(moe, REALISTIC, name="synthetic-qwen3moe-realistic")
        print(f"wrote {moe.name} ({moe.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s")
    import llama_cpp

    print(f"llama.cpp GPU offload available: {bool(llama_cpp.llama_supports_gpu_offload())}; "
          f"prompt {n_prompt} tokens, {n_gen} generated, median of {repeats} runs, modes measured in turn")
    info = read_model_info(moe)
    budget = int(0.6 * info.weight_bytes) + compute_reserve(info) + info.kv_bytes(1024)
    plan = plan_placement(info, vram_bytes=budget, ram_bytes=available_ram_bytes(), n_ctx=1024)
    print(f"planner for a GPU with {budget / 1e6:.0f} MB free (the model's weights: {info.weight_bytes / 1e6:.0f} MB):"
          f" mode {plan.mode}, n_cpu_moe {plan.n_cpu_moe}: {plan.reason}")
    cases = [("small default model", None, "auto", 0)]
    cases += [("synthetic MoE", moe, mode, n) for mode, n in [("gpu", 0), ("cpu-moe", 0),
                                                             ("n-cpu-moe", plan.n_cpu_moe), ("auto", 0)]]
    engines, loads = [], []
    try:
        for _label, path, mode, n in cases:
            settings = LlmSettings(model_path=str(path) if path else None, placement=mode, n_cpu_moe=n,
                                   n_ctx=1024)
            started = time.perf_counter()
            engines.append(LocalEngine(settings))
            loads.append(time.perf_counter() - started)
            speed(engines[-1], 8, 2)  # warm-up (first-use allocations)
        samples: list[list[dict]] = [[] for _ in cases]
        for _ in range(repeats):  # round robin, so load changes on this shared machine hit every mode alike
            for index, engine in enumerate(engines):
                samples[index].append(speed(engine, n_prompt, n_gen))
        results = [median_of(s) for s in samples]
        baseline = {cases[0][0]: results[0], "synthetic MoE": results[1]}
        for (label, _, mode, n), engine, load_s, result in zip(cases, engines, loads, results):
            base = baseline[label]
            row = {"section": "speed", "model": label, "mode": mode + (f" {n}" if n else ""), "load_s": load_s,
                   "expert_layers_on_cpu": engine.expert_layers_on_cpu(),
                   "overridden_tensors": len(engine.overridden_tensors()),
                   "summary": engine.placement_summary(), **result,
                   "gen_ratio": result["gen_tok_s"] / base["gen_tok_s"],
                   "prompt_ratio": result["prompt_tok_s"] / base["prompt_tok_s"]}
            rows.append(row)
            print(f"{label:20s} {row['mode']:13s} load {load_s:5.2f} s | prompt {result['prompt_tok_s']:7.1f} tok/s"
                  f" | gen {result['gen_tok_s']:6.1f} tok/s | TTFT {result['ttft_s'] * 1000:6.0f} ms | experts on "
                  f"CPU: {row['expert_layers_on_cpu']:2d} layers ({row['overridden_tensors']:2d} tensors) | vs "
                  f"{'itself' if label == cases[0][0] else 'gpu'}: gen x{row['gen_ratio']:.2f}, "
                  f"prompt x{row['prompt_ratio']:.2f}")
    finally:
        for engine in engines:
            engine.close()


def stage_messages(title: str) -> list[dict]:
    instructions = ("You classify biomedical studies by design. Categories:\n"
                    + "\n".join(f"- {c}: studies whose design is a {c}" for c in CATEGORIES)
                    + "\nAnswer with the category of the study and a confidence.\n\nExample abstract:\n" + TEXT)
    return [{"role": "system", "content": instructions}, {"role": "user", "content": f"Title: {title}"}]


STAGE_SCHEMA = {"type": "object", "properties": {"design": {"enum": CATEGORIES},
                                                 "confidence": {"enum": ["low", "medium", "high"]}},
                "required": ["design", "confidence"], "additionalProperties": False}


def section_prefix_reuse(quick: bool, rows: list[dict]) -> None:
    print("\n== 2. prompt-prefix reuse (small default model; shared instructions + category list) ==")
    titles = TITLES[:6] if quick else TITLES
    results = {}
    for reuse in (False, True):
        engine = LocalEngine(LlmSettings(n_ctx=2048, prefix_reuse=reuse))
        try:
            engine.generate_json(stage_messages("warm-up"), STAGE_SCHEMA, stage="warm-up", max_tokens=32)
            started = time.perf_counter()
            for title in titles:
                engine.generate_json(stage_messages(title), STAGE_SCHEMA, stage="classify", max_tokens=32)
            generate_s = (time.perf_counter() - started) / len(titles)
            prompt_tokens = len(engine.render(stage_messages(titles[0])))
            started = time.perf_counter()
            for title in titles:
                text = engine.llm.detokenize(engine.render(stage_messages(title))).decode() + "Design:"
                engine.choose(text, [" trial", " cohort", " review", " survey"], stage="classify")
            choose_s = (time.perf_counter() - started) / len(titles)
        finally:
            engine.close()
        results[reuse] = (generate_s, choose_s)
        print(f"prefix reuse {'on ' if reuse else 'off'}: generate_json {generate_s * 1000:7.0f} ms/call, "
              f"choose {choose_s * 1000:7.0f} ms/call  (prompt ~{prompt_tokens} tokens, {len(titles)} items)")
    (g_off, c_off), (g_on, c_on) = results[False], results[True]
    print(f"speed-up from reuse: generate_json x{g_off / g_on:.2f}, choose x{c_off / c_on:.2f} (baseline: reuse off)")
    rows.append({"section": "prefix_reuse", "generate_ms_off": g_off * 1000, "generate_ms_on": g_on * 1000,
                 "choose_ms_off": c_off * 1000, "choose_ms_on": c_on * 1000,
                 "generate_speedup": g_off / g_on, "choose_speedup": c_off / c_on})


SCHEMAS = {
    "extract": {"type": "object", "properties": {
        "design": {"enum": ["randomized controlled trial", "cohort study", "case report"]},
        "sample_size": {"type": "integer", "minimum": 0, "maximum": 100000},
        "population": {"type": "string", "maxLength": 40}},
        "required": ["design", "sample_size", "population"], "additionalProperties": False},
    "name": {"type": "object", "properties": {"name": {"type": "string", "minLength": 3, "maxLength": 40},
                                              "description": {"type": "string", "maxLength": 80}},
             "required": ["name", "description"], "additionalProperties": False},
    "group": {"type": "object", "properties": {"topics": {"type": "array", "minItems": 2, "maxItems": 2, "items": {
        "type": "object", "properties": {"name": {"type": "string", "maxLength": 30},
                                         "papers": {"type": "array", "items": {"enum": list(range(1, 9))},
                                                    "minItems": 1, "maxItems": 8}},
        "required": ["name", "papers"], "additionalProperties": False}}},
        "required": ["topics"], "additionalProperties": False},
}


def section_validity(quick: bool, rows: list[dict]) -> None:
    print("\n== 3. structured output: validity and tokens per call (from the engine's run records) ==")
    tiny = write_moe_gguf(OUT / "tiny-moe.gguf", TINY)
    library_dir = OUT / "llm-bench-library"
    if library_dir.exists():
        import shutil

        shutil.rmtree(library_dir)
    attempts = failures = 0
    with Library(library_dir) as library:
        plans = [("tiny MoE", LlmSettings(model_path=str(tiny), n_ctx=1024), 60 if quick else 150, 1.0),
                 ("small default model", LlmSettings(n_ctx=1024), 6 if quick else 18, 0.7)]
        for label, settings, count, temperature in plans:
            engine = LocalEngine(settings)
            engine.record_to(library)
            try:
                for index in range(count):
                    stage = list(SCHEMAS)[index % len(SCHEMAS)]
                    messages = [{"role": "system", "content": f"Task: {stage}. Answer in JSON."},
                                {"role": "user", "content": f"{TEXT} {TITLES[index % len(TITLES)]}"}]
                    attempts += 1
                    try:
                        engine.generate_json(messages, SCHEMAS[stage], stage=f"{label}/{stage}", max_tokens=160,
                                             temperature=temperature if index % 3 else 0.0)
                    except Exception as error:  # counted, reported, never hidden
                        failures += 1
                        print(f"  FAILED {label}/{stage}: {error}")
            finally:
                engine.close()
        per_stage = library.query(
            "SELECT stage, COUNT(*) AS calls, AVG(prompt_tokens) AS prompt, AVG(completion_tokens) AS completion, "
            "AVG(seconds) AS seconds, SUM(ok) AS ok FROM llm_runs GROUP BY stage ORDER BY stage")
    for row in per_stage:
        print(f"  {row['stage']:30s} {row['calls']:4d} calls (incl. retries) | prompt {row['prompt']:6.1f} tok | "
              f"completion {row['completion']:5.1f} tok | {row['seconds'] * 1000:6.0f} ms/call | ok {row['ok']}")
        rows.append({"section": "tokens_per_call", **row})
    rate = (attempts - failures) / attempts
    print(f"JSON validity: {attempts - failures}/{attempts} = {rate:.1%} parsed and schema-valid "
          f"(baseline: 100 % required)")
    rows.append({"section": "validity", "attempts": attempts, "valid": attempts - failures, "rate": rate})


def section_grammar(quick: bool, rows: list[dict]) -> None:
    print("\n== 4. constrained sampling: llama-cpp-python's grammar on every token vs ours (small default model) ==")
    from llama_cpp import LlamaGrammar

    from litreview.llm import structured

    titles = TITLES[:4] if quick else TITLES
    plan = structured.prepare(STAGE_SCHEMA)
    engine = LocalEngine(LlmSettings(n_ctx=2048, prefix_reuse=True))
    grammar = LlamaGrammar.from_string(plan.gbnf, verbose=False)
    try:
        engine.generate_json(stage_messages("warm-up"), STAGE_SCHEMA, stage="warm-up", max_tokens=40)
        stock_s = ours_s = 0.0
        same = 0
        for title in titles:
            tokens = engine.render(stage_messages(title))
            engine.llm.reset()
            engine.llm.eval(tokens)  # both paths then find the prompt cached: only the sampling differs
            started = time.perf_counter()
            stock = engine.llm.create_completion(tokens, max_tokens=40, temperature=0.0, grammar=grammar)
            stock_s += time.perf_counter() - started
            started = time.perf_counter()
            ours = engine.generate_json(stage_messages(title), STAGE_SCHEMA, stage="classify", max_tokens=40)
            ours_s += time.perf_counter() - started
            same += json.loads(stock["choices"][0]["text"]) == ours
    finally:
        engine.close()
    print(f"stock: {stock_s / len(titles) * 1000:6.0f} ms/call | ours: {ours_s / len(titles) * 1000:6.0f} ms/call | "
          f"speed-up x{stock_s / ours_s:.2f} (baseline: stock) | identical greedy answers: {same}/{len(titles)}")
    rows.append({"section": "grammar", "stock_ms": stock_s / len(titles) * 1000,
                 "ours_ms": ours_s / len(titles) * 1000, "speedup": stock_s / ours_s, "identical": same,
                 "calls": len(titles)})


WAIT_PROBE = """
import time, sys
sys.path.insert(0, {root!r})
from litreview.llm import LlmSettings
from litreview.llm.local import LocalEngine
e = LocalEngine(LlmSettings(n_ctx=512))
t = e.llm.tokenize(b"The history of science", add_bos=True)
e.llm.create_completion(t, max_tokens=4, temperature=0)
s = time.perf_counter(); out = e.llm.create_completion(t, max_tokens={n}, temperature=0, logit_bias={{e.llm.token_eos(): -1e9}})
print(out["usage"]["completion_tokens"] / (time.perf_counter() - s))
"""


def section_wait_policy(quick: bool, rows: list[dict]) -> None:
    print("\n== 5. OpenMP wait policy (small default model, generation tok/s, separate processes) ==")
    load = os.getloadavg()[0]
    rates = {}
    for policy in ("ACTIVE", "PASSIVE"):
        env = {**os.environ, "OMP_WAIT_POLICY": policy}
        code = WAIT_PROBE.format(root=str(ROOT), n=24 if quick else 64)
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
        rates[policy] = float(done.stdout.strip().splitlines()[-1]) if done.returncode == 0 else float("nan")
    print(f"load average {load:.1f} on {os.cpu_count()} CPUs: active {rates['ACTIVE']:.1f} tok/s, passive "
          f"{rates['PASSIVE']:.1f} tok/s -> passive x{rates['PASSIVE'] / rates['ACTIVE']:.2f} (baseline: active)")
    rows.append({"section": "wait_policy", "load_average": load, **{f"{k.lower()}_tok_s": v for k, v in rates.items()}})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer calls and shorter generations (a few minutes)")
    parser.add_argument("--only", choices=["speed", "prefix", "validity", "grammar", "wait"], help="run one section")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    rows: list[dict] = []
    started = time.perf_counter()
    sections = {"speed": section_speed, "prefix": section_prefix_reuse, "validity": section_validity,
                "grammar": section_grammar, "wait": section_wait_policy}
    for name, section in sections.items():
        if args.only in (None, name):
            section(args.quick, rows)
    (OUT / "llm_bench.json").write_text(json.dumps(rows, indent=1, default=float))
    print(f"\n{len(rows)} rows -> bench/out/llm_bench.json in {time.perf_counter() - started:.0f} s "
          f"(load average now {statistics.mean(os.getloadavg()):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
