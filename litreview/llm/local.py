"""llama.cpp in-process (llama-cpp-python): placement, structured generation, option scoring and embeddings.

Prompt-prefix reuse: stages send many prompts that share a long prefix (instructions, category list) and differ
only at the end. Generation keeps the KV cache of the longest prefix shared with the previous call, and
``choose`` evaluates the shared part once and then only each option's tokens, so consecutive calls of one stage
pay for the shared prefix once (figures in bench/llm_bench.py). ``prefix_reuse = false`` turns this off.
"""

from __future__ import annotations

import ctypes
import re
from pathlib import Path
from typing import Any

import numpy as np

from litreview.jobs import CancelToken
from litreview.llm import model_store, placement, structured
from litreview.llm.engine import Completion, Engine, OptionScores
from litreview.llm.errors import LlmError
from litreview.llm.gguf_info import GgufError, ModelInfo, read_model_info
from litreview.llm.planner import Plan, expert_rules, plan_placement
from litreview.llm.prompts import render_plain
from litreview.llm.settings import LlmSettings

SMALL_PARAMETERS = 1_000_000_000
_BUFFER_LINE = re.compile(r"(\S+) model buffer size\s*=\s*([\d.]+) MiB")
_OVERRIDE_LINE = re.compile(r"tensor (blk\.(\d+)\.\S+) \(.*\) buffer type overridden to (\S+)")


class LocalEngine(Engine):
    """One GGUF loaded in this process. Not for concurrent use from several threads (calls are serialised)."""

    backend = "llama.cpp"

    def __init__(self, settings: LlmSettings | None = None, *, model_path: str | Path | None = None):
        super().__init__()
        self.settings = settings or LlmSettings()
        path = model_path or self.settings.model_path
        try:
            self.path = Path(path).expanduser() if path else model_store.preferred_model_path()
        except model_store.ModelStoreError as error:
            raise LlmError(str(error)) from error
        try:
            self.info: ModelInfo = read_model_info(self.path)
        except GgufError as error:
            raise LlmError(f"cannot use this model: {error}") from error
        self.is_default = model_store.is_default_model(self.path)
        self.name = model_store.display_name(self.path, self.info.name)
        self.capability = ("small" if self.is_default or self.info.parameters < SMALL_PARAMETERS
                           or not self.info.chat_template else "capable")
        self.plan: Plan | None = None
        self.rules, self.n_gpu_layers = self._placement()
        self.load_log = ""
        self.llm = self._load()
        self._embedder: Any = None
        self._formatter = self._chat_formatter()

    # -- loading ----------------------------------------------------------------------------------------
    def _placement(self) -> tuple[list[tuple[str, str]], int]:
        """(override rules, n_gpu_layers) for the configured mode; `auto` asks the planner."""
        import llama_cpp

        s, layers = self.settings, self.info.n_layer
        gpu_build = bool(llama_cpp.llama_supports_gpu_offload())
        raw = placement.parse_rules(s.override_rules)
        if s.placement == "auto":
            vram = placement.free_vram_bytes() if gpu_build else 0
            if vram and s.vram_budget_gb is not None:
                vram = min(vram, int(s.vram_budget_gb * 1e9))
            self.plan = plan_placement(self.info, vram_bytes=vram, ram_bytes=placement.available_ram_bytes(),
                                       n_ctx=s.n_ctx)
            if not self.plan.fits:
                raise LlmError(f"{self.name} does not fit this machine: {self.plan.reason}")
            return raw + self.plan.override_rules(), self.plan.n_gpu_layers
        if s.placement == "gpu":
            return raw, s.n_gpu_layers
        n = layers if s.placement == "cpu-moe" else max(0, min(s.n_cpu_moe, layers))
        return raw + (expert_rules(n, layers) if self.info.is_moe else []), s.n_gpu_layers

    def _load(self) -> Any:
        from llama_cpp import _logger

        s = self.settings
        try:
            overrides = placement.TensorOverrides(self.rules) if self.rules else None
        except ValueError as error:
            raise LlmError(str(error)) from error
        log: list[str] = []
        try:
            # verbose=True so the loader's log (buffer sizes, overridden tensors) can be kept for the status bar
            # and for diagnosis; it is captured, never shown, and logging is turned down again after the load.
            with placement.native_stderr() as log:
                llm = placement.load_llama(
                    str(self.path), overrides=overrides, n_ctx=s.n_ctx, n_threads=s.threads,
                    n_threads_batch=s.threads, n_batch=s.n_batch, n_gpu_layers=self.n_gpu_layers, seed=s.seed,
                    flash_attn=s.flash_attn, use_mmap=s.use_mmap, verbose=True)
        except (ValueError, RuntimeError, OSError) as error:
            tail = " ".join("".join(log).strip().splitlines()[-3:])
            raise LlmError(f"llama.cpp could not load {self.path.name}: {error}. {tail}".strip()) from error
        finally:
            _logger.set_verbose(False)
        self.load_log = "".join(log)
        llm.verbose = False
        return llm

    def _chat_formatter(self) -> Any:
        if not self.info.chat_template:
            return None
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        def text(token: int) -> str:
            return self.llm._model.token_get_text(token) if token != -1 else ""

        return Jinja2ChatFormatter(self.info.chat_template, eos_token=text(self.llm.token_eos()),
                                   bos_token=text(self.llm.token_bos()))

    # -- prompts ----------------------------------------------------------------------------------------
    def render(self, messages: list[dict]) -> list[int]:
        """Prompt tokens: the model's chat template when it has one, else plain text. (No stop strings are
        needed: the grammar ends every answer.)"""
        if self._formatter is not None:
            try:
                result = self._formatter(messages=messages)
            except Exception as error:  # jinja errors from a model's own template
                raise LlmError(f"the chat template of {self.name} failed: {error}") from error
            return self.llm.tokenize(result.prompt.encode("utf-8"), add_bos=not result.added_special, special=True)
        return self.llm.tokenize(render_plain(messages).encode("utf-8"), add_bos=True, special=False)

    def _prompt_text(self, prompt: str | list[dict]) -> tuple[str, bool]:
        """(text, special) for choose(): raw text as is, messages through the template or plain rendering."""
        if isinstance(prompt, str):
            return prompt, False
        if self._formatter is not None:
            return self._formatter(messages=prompt).prompt, True
        return render_plain(prompt), False

    def _check_room(self, n_prompt: int, needed: int) -> None:
        if n_prompt + needed >= self.settings.n_ctx:
            raise LlmError(f"the prompt ({n_prompt} tokens) leaves no room for the answer in the context of "
                           f"{self.settings.n_ctx} tokens: shorten the input or raise n_ctx in the settings")

    # -- Engine hooks -----------------------------------------------------------------------------------
    def _complete(self, messages: list[dict], plan: structured.SchemaPlan, *, max_tokens: int,
                  temperature: float, cancel: CancelToken | None) -> Completion:
        tokens = self.render(messages)
        self._check_room(len(tokens), 8)
        max_tokens = min(max_tokens, self.settings.n_ctx - len(tokens) - 1)
        try:
            with ConstrainedSampler(self.llm, plan.gbnf, temperature=temperature, seed=self.settings.seed) as sampler:
                out, finish = sampler.generate(tokens, max_tokens, reuse=self.settings.prefix_reuse, cancel=cancel)
        except RuntimeError as error:
            self.llm.reset()
            raise LlmError(f"llama.cpp failed while generating: {error}") from error
        # The grammar counts characters on llama.cpp's lenient UTF-8 decoding, so a model may emit stray bytes
        # (random-weight test models do); drop them, as llama-cpp-python's own completion does.
        text = self.llm.detokenize(out, prev_tokens=tokens).decode("utf-8", errors="ignore")
        return Completion(text=text, finish_reason=finish, prompt_tokens=len(tokens), completion_tokens=len(out))

    def _retry_room(self, room: int, prompt_tokens: int) -> int:
        return max(room, min(room * 2, self.settings.n_ctx - prompt_tokens - 1))

    def _option_logprobs(self, prompt: str | list[dict], options: list[str], *,
                         cancel: CancelToken | None) -> OptionScores:
        llm = self.llm
        text, special = self._prompt_text(prompt)
        add_bos = not special  # a chat template writes its own BOS (as in render())
        base = llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=special)
        fulls = [llm.tokenize((text + option).encode("utf-8"), add_bos=add_bos, special=special)
                 for option in options]
        # Score from the longest prefix that every tokenisation shares: a token that merges across the
        # prompt/option boundary is then scored as part of the option, the same way for every option.
        common = min(longest_common_prefix(base, full) for full in fulls)
        common = min(common, min(len(full) for full in fulls) - 1)
        if common < 1:
            raise LlmError("choose() needs a non-empty prompt")
        self._check_room(max(len(full) for full in fulls), 1)
        prefix = fulls[0][:common]
        reuse = longest_common_prefix(llm._input_ids.tolist(), prefix) if self.settings.prefix_reuse else 0
        reuse = min(reuse, common - 1)  # the last prefix token is always evaluated to get its logits
        llm.n_tokens = reuse
        try:
            llm.eval(prefix[reuse:])
            first = log_softmax(self._logits(-1))
            scores = []
            for full in fulls:
                if cancel is not None:
                    cancel.check()
                tail = full[common:]
                total = float(first[tail[0]])
                if len(tail) > 1:
                    llm.n_tokens = common
                    for index, logits in enumerate(self._eval_all_logits(tail[:-1])):
                        total += float(log_softmax(logits)[tail[index + 1]])
                scores.append(total)
        except RuntimeError as error:
            llm.reset()
            raise LlmError(f"llama.cpp failed while scoring options: {error}") from error
        finally:
            llm._requires_eval = True  # our decodes moved the logits; the next generate must re-evaluate one token
        return OptionScores(scores, prompt_tokens=len(base),
                            completion_tokens=sum(len(full) - common for full in fulls))

    def _logits(self, index: int) -> np.ndarray:
        return llm_logits(self.llm, index)

    def _eval_all_logits(self, tokens: list[int]) -> list[np.ndarray]:
        """Decode ``tokens`` after the current position with logits for every one (Llama.eval keeps only the last)."""
        llm, rows = self.llm, list[np.ndarray]()
        for start in range(0, len(tokens), llm.n_batch):
            batch = tokens[start:start + llm.n_batch]
            llm._ctx.kv_cache_seq_rm(-1, llm.n_tokens, -1)
            llm._batch.set_batch(batch=batch, n_past=llm.n_tokens, logits_all=True)
            llm._ctx.decode(llm._batch)
            llm.input_ids[llm.n_tokens:llm.n_tokens + len(batch)] = batch
            llm.n_tokens += len(batch)
            rows.extend(self._logits(i) for i in range(len(batch)))
        return rows

    def _embed(self, texts: list[str]) -> tuple[list[list[float]], int]:
        if self._embedder is None:
            import llama_cpp

            s = self.settings
            with placement.native_stderr():
                try:
                    self._embedder = llama_cpp.Llama(
                        model_path=str(self.path), embedding=True, pooling_type=llama_cpp.LLAMA_POOLING_TYPE_MEAN,
                        n_ctx=min(s.n_ctx, 2048), n_batch=min(s.n_ctx, 2048), n_ubatch=min(s.n_ctx, 2048),
                        n_threads=s.threads, n_gpu_layers=self.n_gpu_layers, verbose=False)
                except (ValueError, RuntimeError) as error:
                    raise LlmError(f"cannot compute embeddings with {self.name}: {error}") from error
        tokens = sum(len(self._embedder.tokenize(t.encode("utf-8"))) for t in texts)
        try:
            vectors = self._embedder.embed(texts, normalize=True, truncate=True)
        except (ValueError, RuntimeError) as error:
            raise LlmError(f"embedding failed: {error}") from error
        return [list(map(float, v)) for v in vectors], tokens

    # -- reporting --------------------------------------------------------------------------------------
    def settings_summary(self) -> dict[str, Any]:
        s = self.settings
        return {"model": self.path.name, "placement": self.plan.mode if self.plan else s.placement,
                "n_cpu_moe": self.expert_layers_on_cpu(), "n_gpu_layers": self.n_gpu_layers, "n_ctx": s.n_ctx,
                "n_threads": s.threads, "seed": s.seed, "prefix_reuse": s.prefix_reuse}

    def overridden_tensors(self) -> list[tuple[str, str]]:
        """(tensor, buffer type) for every tensor the loader says it moved, from its own log."""
        return [(m.group(1), m.group(3)) for m in _OVERRIDE_LINE.finditer(self.load_log)]

    def expert_layers_on_cpu(self) -> int:
        return len({int(m.group(2)) for m in _OVERRIDE_LINE.finditer(self.load_log)
                    if not m.group(3).startswith(("CUDA", "Vulkan", "Metal", "ROCm"))
                    or m.group(3).endswith("_Host")})

    def buffer_sizes(self) -> dict[str, float]:
        """MiB per buffer type from the loader log, e.g. {'CPU_Mapped': 241.0, 'CUDA0': 11840.5}."""
        sizes: dict[str, float] = {}
        for match in _BUFFER_LINE.finditer(self.load_log):
            sizes[match.group(1)] = sizes.get(match.group(1), 0.0) + float(match.group(2))
        return sizes

    def placement_summary(self) -> str:
        vram_mib = sum(v for k, v in self.buffer_sizes().items()
                       if k.startswith(("CUDA", "Vulkan", "Metal", "ROCm")) and not k.endswith("_Host"))
        parts = [self.name]
        if self.info.is_moe and self.rules:
            parts.append(f"experts: CPU for {self.expert_layers_on_cpu()}/{self.info.n_layer} layers")
        parts.append(f"{vram_mib * 1.048576 / 1000:.1f} GB VRAM" if vram_mib else f"CPU ({self.settings.threads} threads)")
        return " · ".join(parts)

    def close(self) -> None:
        for model in (self.llm, self._embedder):
            if model is not None:
                model.close()
        self.llm = self._embedder = None


class ConstrainedSampler:
    """Grammar-constrained sampling the way llama.cpp's own common sampler does it, which llama-cpp-python 0.3.36
    does not: sample from the plain chain first and only when the grammar rejects that token apply the grammar
    and sample again. Checking one token is cheap; masking 262k candidates (gemma) at every step is not (4-6x
    slower generation measured here). A rejected token is resampled from the SHORTLIST highest logits when
    they hold enough allowed tokens, which gives the same token as masking everything (greedy: the best allowed
    token; sampling: the top-k allowed ones are all in the shortlist), else from the whole vocabulary. Also
    reuses the KV cache of the longest prefix the prompt shares with the previous call, as ``Llama.generate``."""

    SHORTLIST = 256
    TOP_K = 40

    def __init__(self, llm: Any, gbnf: str, *, temperature: float, seed: int):
        import llama_cpp as lc
        from llama_cpp._internals import LlamaTokenDataArray

        self.lc, self.llm = lc, llm
        self.vocab = llm._model.vocab
        self.grammar = lc.llama_sampler_init_grammar(self.vocab, gbnf.encode("utf-8"), b"root")
        if not self.grammar:
            raise LlmError("llama.cpp rejected the grammar built from the JSON schema")
        self.chain = lc.llama_sampler_chain_init(lc.llama_sampler_chain_default_params())
        self.needed = 1 if temperature <= 0 else self.TOP_K  # allowed tokens the shortlist must hold
        if temperature <= 0:
            lc.llama_sampler_chain_add(self.chain, lc.llama_sampler_init_greedy())
        else:
            for sampler in (lc.llama_sampler_init_top_k(self.TOP_K), lc.llama_sampler_init_top_p(0.95, 1),
                            lc.llama_sampler_init_min_p(0.05, 1), lc.llama_sampler_init_temp(temperature),
                            lc.llama_sampler_init_dist(seed)):
                lc.llama_sampler_chain_add(self.chain, sampler)
        self.candidates = LlamaTokenDataArray(n_vocab=llm.n_vocab())
        self.short = LlamaTokenDataArray(n_vocab=min(self.SHORTLIST, llm.n_vocab()))
        self.one = (lc.llama_token_data * 1)()
        self.one_array = lc.llama_token_data_array(data=self.one, size=1, selected=-1, sorted=False)

    def __enter__(self) -> ConstrainedSampler:
        return self

    def __exit__(self, *exc: object) -> None:
        self.lc.llama_sampler_free(self.chain)
        self.lc.llama_sampler_free(self.grammar)

    def _pick(self, logits: np.ndarray, with_grammar: bool) -> int:
        self.candidates.copy_logits(logits)
        array = ctypes.byref(self.candidates.candidates)
        if with_grammar:
            self.lc.llama_sampler_apply(self.grammar, array)
        self.lc.llama_sampler_apply(self.chain, array)
        return int(self.candidates.candidates_data.id[self.candidates.candidates.selected])

    def _pick_from_shortlist(self, logits: np.ndarray) -> int | None:
        """The grammar-constrained choice among the highest logits, or None when too few of them are allowed."""
        short = self.short
        ids = np.argpartition(logits, -short.n_vocab)[-short.n_vocab:].astype(np.intc)
        short.candidates_data.id[:] = ids
        short.candidates_data.logit[:] = logits[ids]
        short.candidates_data.p[:] = 0.0
        short.candidates.size, short.candidates.sorted, short.candidates.selected = short.n_vocab, False, -1
        array = ctypes.byref(short.candidates)
        self.lc.llama_sampler_apply(self.grammar, array)
        if np.isfinite(short.candidates_data.logit[:short.candidates.size]).sum() < self.needed:
            return None
        self.lc.llama_sampler_apply(self.chain, array)
        return int(short.candidates_data.id[short.candidates.selected])

    def _allowed(self, token: int, logit: float) -> bool:
        self.one[0].id, self.one[0].logit, self.one[0].p = token, logit, 0.0  # type: ignore[assignment]
        self.one_array.size, self.one_array.selected = 1, -1
        self.lc.llama_sampler_apply(self.grammar, ctypes.byref(self.one_array))
        return bool(np.isfinite(self.one[0].logit))

    def generate(self, tokens: list[int], max_tokens: int, *, reuse: bool,
                 cancel: CancelToken | None) -> tuple[list[int], str]:
        llm, lc = self.llm, self.lc
        keep = min(longest_common_prefix(llm._input_ids.tolist(), tokens), len(tokens) - 1) if reuse else 0
        if keep and not llm._ctx.kv_cache_seq_rm(-1, keep, -1):
            keep = 0  # recurrent/hybrid memories cannot drop a suffix: evaluate everything again
        llm.n_tokens = keep
        llm.eval(tokens[keep:])
        out: list[int] = []
        while len(out) < max_tokens:
            if cancel is not None and cancel.cancelled:
                return out, "cancelled"
            logits = llm_logits(llm, -1)
            token = int(np.argmax(logits)) if self.needed == 1 else self._pick(logits, with_grammar=False)
            if not self._allowed(token, float(logits[token])):
                shortlisted = self._pick_from_shortlist(logits)
                token = shortlisted if shortlisted is not None else self._pick(logits, with_grammar=True)
            lc.llama_sampler_accept(self.grammar, token)
            lc.llama_sampler_accept(self.chain, token)
            if lc.llama_vocab_is_eog(self.vocab, token):
                return out, "stop"
            out.append(token)
            llm.eval([token])
        return out, "length"


def llm_logits(llm: Any, index: int) -> np.ndarray:
    """A copy of the logits of output row ``index`` (-1: the last token of the last decode)."""
    import llama_cpp

    pointer = llama_cpp.llama_get_logits_ith(llm.ctx, index)
    return np.ctypeslib.as_array(ctypes.cast(pointer, ctypes.POINTER(ctypes.c_float)), shape=(llm.n_vocab(),)).copy()


def longest_common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits.astype(np.float64) - float(np.max(logits))
    return shifted - np.log(np.sum(np.exp(shifted)))
