"""Where a model's weights should live for a VRAM and RAM budget: the choice llama.cpp users make by hand with
``-ngl``, ``--cpu-moe`` and ``--n-cpu-moe N``, made here from the GGUF's tensor sizes.

For a Mixture-of-Experts model the fast split keeps attention and the other dense weights on the GPU and moves
expert tensors to system RAM, starting with the first layers (exactly what ``--n-cpu-moe N`` does): each token
only touches a few experts, so streaming them from RAM costs far less than running whole layers on the CPU
(2-3x faster than a plain layer split, shared/notes/llm-moe.md §5). A pure function of the sizes, so it is
unit-tested without llama.cpp and reused by ``litreview models plan``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from litreview.llm.gguf_info import EXPERT_REGEX, ModelInfo, human_bytes

MODES = ("gpu", "n-cpu-moe", "cpu-moe", "layers", "cpu")
MIB = 1 << 20
UBATCH = 512


@dataclass
class Plan:
    fits: bool
    mode: str              # gpu | n-cpu-moe | cpu-moe (experts in RAM) | layers (plain layer split) | cpu
    n_gpu_layers: int      # llama.cpp's -ngl: repeating layers + the output layer; 0 = nothing on a GPU
    n_cpu_moe: int         # how many layers (from the first) keep their experts in RAM
    gpu_bytes: int         # weights + KV cache + compute reserve on the GPU
    cpu_bytes: int         # weights + KV cache in system RAM
    kv_bytes: int          # KV cache for n_ctx tokens (wherever it lives)
    reason: str
    n_layer: int = 0
    n_ctx: int = 0
    reserve_bytes: int = 0

    def to_dict(self) -> dict:
        return asdict(self)

    def override_rules(self) -> list[tuple[str, str]]:
        """The `-ot` rules (regex, buffer type) that put this plan's experts in RAM."""
        return expert_rules(self.n_cpu_moe, self.n_layer)


def expert_rules(n_cpu_moe: int, n_layer: int) -> list[tuple[str, str]]:
    """``--cpu-moe`` (one rule for every layer) or ``--n-cpu-moe N`` (one rule per layer 0..N-1)."""
    if n_cpu_moe <= 0:
        return []
    if n_layer and n_cpu_moe >= n_layer:
        return [(EXPERT_REGEX, "CPU")]
    return [(rf"blk\.{i}{EXPERT_REGEX}", "CPU") for i in range(n_cpu_moe)]


def compute_reserve(info: ModelInfo) -> int:
    """Rough size of llama.cpp's compute buffers on the GPU: logits for one micro-batch plus activations and
    slack. Measured CUDA buffers for 30B-class models are 0.3-0.5 GB at 4k context; this lands in that range."""
    return 64 * MIB + info.n_vocab * UBATCH * 4 + 8 * info.n_embd * UBATCH * 4


def plan_placement(info: ModelInfo, *, vram_bytes: int, ram_bytes: int, n_ctx: int = 4096) -> Plan:
    """The fastest placement that fits, or a plan with ``fits=False`` and the reason."""
    kv = info.kv_bytes(n_ctx)
    weights = info.weight_bytes
    layers = info.n_layer
    common = {"kv_bytes": kv, "n_layer": layers, "n_ctx": n_ctx}
    if vram_bytes <= 0:
        need = weights + kv
        fits = need <= ram_bytes
        reason = (f"no GPU: everything runs on the CPU ({human_bytes(need)} of {human_bytes(ram_bytes)} RAM)"
                  if fits else f"no GPU and the model needs {human_bytes(need)} of RAM; "
                  f"only {human_bytes(ram_bytes)} is free: choose a smaller model or a smaller context")
        return Plan(fits, "cpu", 0, 0, 0, need, reason=reason, **common)

    reserve = compute_reserve(info)
    room = vram_bytes - reserve - kv  # weights that fit beside the KV cache and compute buffers
    if weights <= room:
        return Plan(True, "gpu", layers + 1, 0, weights + kv + reserve, 0, reserve_bytes=reserve,
                    reason=f"everything fits on the GPU ({human_bytes(weights + kv + reserve)} of "
                    f"{human_bytes(vram_bytes)})", **common)

    if info.is_moe:
        experts = [info.expert_bytes.get(i, 0) for i in range(layers)]
        for n in range(1, layers + 1):
            on_gpu = weights - sum(experts[:n])
            if on_gpu <= room:
                in_ram = sum(experts[:n])
                mode = "cpu-moe" if n == layers else "n-cpu-moe"
                where = "all layers" if n == layers else f"layers 0-{n - 1}"
                plan = Plan(True, mode, layers + 1, n, on_gpu + kv + reserve, in_ram, reserve_bytes=reserve,
                            reason=f"experts of {where} ({human_bytes(in_ram)}) stay in RAM; attention, dense "
                            f"weights and the other experts use {human_bytes(on_gpu + kv + reserve)} of "
                            f"{human_bytes(vram_bytes)} VRAM", **common)
                return _check_ram(plan, ram_bytes)

    # Even without experts the dense part does not fit: offload as many whole layers as fit, from the last one
    # (llama.cpp puts layers n_layer-ngl.. on the GPU); a MoE model keeps all experts in RAM meanwhile.
    per_layer_kv = kv // max(layers, 1)
    gpu_layers, on_gpu = 0, 0
    for i in reversed(range(layers)):
        cost = info.layer_dense_bytes.get(i, 0) + per_layer_kv
        if not info.is_moe:
            cost += info.expert_bytes.get(i, 0)
        if on_gpu + cost > vram_bytes - reserve:
            break
        gpu_layers += 1
        on_gpu += cost
    n_cpu_moe = layers if info.is_moe else 0
    if gpu_layers == 0:
        need = weights + kv
        plan = Plan(True, "cpu", 0, 0, 0, need, reserve_bytes=0,
                    reason=f"the GPU ({human_bytes(vram_bytes)}) cannot hold even one layer; everything runs on "
                    f"the CPU", **common)
        return _check_ram(plan, ram_bytes)
    in_ram = weights + kv - on_gpu
    plan = Plan(True, "layers", gpu_layers, n_cpu_moe, on_gpu + reserve, in_ram, reserve_bytes=reserve,
                reason=f"{gpu_layers} of {layers} layers on the GPU"
                + (" (their experts in RAM)" if info.is_moe else "")
                + f"; {human_bytes(in_ram)} in RAM: expect CPU-bound speed", **common)
    return _check_ram(plan, ram_bytes)


def _check_ram(plan: Plan, ram_bytes: int) -> Plan:
    if plan.cpu_bytes <= ram_bytes:
        return plan
    plan.fits = False
    plan.reason = (f"does not fit: {human_bytes(plan.cpu_bytes)} must stay in RAM but only "
                   f"{human_bytes(ram_bytes)} is free (plan was: {plan.reason})")
    return plan
