"""What a GGUF file holds, read from its header and tensor table (no model load).

The planner needs bytes per tensor, split into expert tensors (``blk.N.ffn_{up,down,gate,gate_up}_(ch)exps``,
the same regex llama.cpp's ``--cpu-moe`` uses) and everything else; ``models inspect`` shows the same facts.
Reading is cheap (the header is parsed straight from a memory map, tensor data is never touched), so it also
serves as the check that a user's file is a complete GGUF before llama.cpp is asked to load it. We parse the
header ourselves, with the ``gguf`` package's constants: its ``GGUFReader`` builds numpy views of every
vocabulary entry and took 46 s on gemma's 262k-token vocabulary here (on a busy machine).
"""

from __future__ import annotations

import math
import mmap
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litreview.errors import InputError

EXPERT_REGEX = r"\.ffn_(up|down|gate|gate_up)_(ch|)exps"
_EXPERT_TENSOR = re.compile(r"^blk\.(\d+)" + EXPERT_REGEX)
_LAYER_TENSOR = re.compile(r"^blk\.(\d+)\.")


class GgufError(InputError):
    """The file is not a readable, complete GGUF model."""


@dataclass
class ModelInfo:
    path: Path
    file_bytes: int
    architecture: str
    name: str
    n_layer: int
    n_expert: int = 0
    n_expert_used: int = 0
    n_embd: int = 0
    n_head: int = 0
    n_head_kv: int = 0
    key_length: int = 0
    value_length: int = 0
    context_length: int = 0
    n_vocab: int = 0
    file_type: str = ""
    chat_template: str | None = None
    parameters: int = 0
    expert_bytes: dict[int, int] = field(default_factory=dict)      # layer -> bytes of its expert tensors
    layer_dense_bytes: dict[int, int] = field(default_factory=dict)  # layer -> bytes of its other tensors
    global_bytes: int = 0                                            # embeddings, output head, final norm

    @property
    def is_moe(self) -> bool:
        return self.n_expert > 1 and bool(self.expert_bytes)

    @property
    def total_expert_bytes(self) -> int:
        return sum(self.expert_bytes.values())

    @property
    def dense_bytes(self) -> int:
        return self.global_bytes + sum(self.layer_dense_bytes.values())

    @property
    def weight_bytes(self) -> int:
        return self.dense_bytes + self.total_expert_bytes

    @property
    def expert_share(self) -> float:
        return self.total_expert_bytes / self.weight_bytes if self.weight_bytes else 0.0

    def kv_bytes(self, n_ctx: int, bytes_per_value: int = 2) -> int:
        """KV cache for ``n_ctx`` tokens at f16 (llama.cpp's default type_k/type_v), all layers. An upper bound
        for models with sliding-window layers (gemma 3), whose local layers keep a shorter cache."""
        head_k = self.key_length or (self.n_embd // self.n_head if self.n_head else 0)
        head_v = self.value_length or head_k
        return n_ctx * self.n_layer * max(self.n_head_kv, 1) * (head_k + head_v) * bytes_per_value

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path), "file_bytes": self.file_bytes, "architecture": self.architecture,
            "name": self.name, "layers": self.n_layer, "experts": self.n_expert, "experts_used": self.n_expert_used,
            "n_embd": self.n_embd, "context_length": self.context_length, "n_vocab": self.n_vocab,
            "file_type": self.file_type, "parameters": self.parameters, "chat_template": self.chat_template is not None,
            "dense_bytes": self.dense_bytes, "expert_bytes": self.total_expert_bytes,
            "expert_share": round(self.expert_share, 4),
        }


def read_model_info(path: str | Path) -> ModelInfo:
    """Parse the header and tensor table; GgufError when the file is missing, not GGUF, or cut short."""
    path = Path(path)
    if not path.is_file():
        raise GgufError(f"model file not found: {path}")
    size = path.stat().st_size
    try:
        with open(path, "rb") as handle:
            if handle.read(4) != b"GGUF":
                raise GgufError(f"{path.name} is not a GGUF model file (wrong magic bytes)")
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                fields, counts, tensors, data_start = _parse_header(data)
    except (struct.error, ValueError, OverflowError, UnicodeDecodeError, KeyError) as error:
        if isinstance(error, GgufError):
            raise
        raise GgufError(f"{path.name} is damaged or incomplete: its header cannot be read ({error})") from error
    except OSError as error:
        raise GgufError(f"{path.name} cannot be read: {error}") from error
    arch = str(fields.get("general.architecture", "unknown"))

    def meta(key: str, default: Any = 0) -> Any:
        return fields.get(f"{arch}.{key}", default)

    info = ModelInfo(
        path=path, file_bytes=size, architecture=arch, name=str(fields.get("general.name") or path.stem),
        n_layer=int(meta("block_count")), n_expert=int(meta("expert_count")),
        n_expert_used=int(meta("expert_used_count")), n_embd=int(meta("embedding_length")),
        n_head=_first_int(meta("attention.head_count")), n_head_kv=_first_int(meta("attention.head_count_kv")),
        key_length=int(meta("attention.key_length")), value_length=int(meta("attention.value_length")),
        context_length=int(meta("context_length")), chat_template=fields.get("tokenizer.chat_template") or None,
        n_vocab=counts.get("tokenizer.ggml.tokens", 0),
    )
    file_type = fields.get("general.file_type")
    info.file_type = _file_type_name(file_type) if file_type is not None else ""
    end = 0
    for name, n_elements, n_bytes, offset in tensors:
        info.parameters += n_elements
        end = max(end, data_start + offset + n_bytes)
        expert = _EXPERT_TENSOR.search(name)
        layer = _LAYER_TENSOR.search(name)
        if expert:
            index = int(expert.group(1))
            info.expert_bytes[index] = info.expert_bytes.get(index, 0) + n_bytes
        elif layer:
            index = int(layer.group(1))
            info.layer_dense_bytes[index] = info.layer_dense_bytes.get(index, 0) + n_bytes
        else:
            info.global_bytes += n_bytes
    if end > size:
        raise GgufError(f"{path.name} is incomplete: its tensors need {end:,} bytes, the file has {size:,}")
    if not info.n_layer:
        info.n_layer = max(info.layer_dense_bytes, default=-1) + 1
    return info


# GGUF value types (gguf.GGUFValueType) -> struct format of one scalar
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_STRING, _ARRAY = 8, 9
_KEEP_ARRAY = 4096  # longer arrays (vocabularies, scores, merges) are only counted


def _parse_header(data: mmap.mmap) -> tuple[dict[str, Any], dict[str, int], list[tuple[str, int, int, int]], int]:
    """(metadata values, array lengths, [(tensor, elements, bytes, offset)], start of tensor data)."""
    from gguf import GGML_QUANT_SIZES, GGMLQuantizationType

    version, n_tensors, n_kv = struct.unpack_from("<IQQ", data, 4)
    if version < 2:
        raise GgufError(f"GGUF version {version} is too old for this llama.cpp")
    pos = 24

    def string(at: int) -> tuple[str, int]:
        (length,) = struct.unpack_from("<Q", data, at)
        end = at + 8 + length
        if end > len(data):
            raise ValueError("a string runs past the end of the file")
        return data[at + 8:end].decode("utf-8"), end

    fields: dict[str, Any] = {}
    counts: dict[str, int] = {}
    for _ in range(n_kv):
        key, pos = string(pos)
        (kind,) = struct.unpack_from("<I", data, pos)
        pos += 4
        if kind == _STRING:
            fields[key], pos = string(pos)
        elif kind == _ARRAY:
            item_kind, count = struct.unpack_from("<IQ", data, pos)
            pos += 12
            counts[key] = count
            if item_kind == _STRING:
                for _ in range(count):
                    (length,) = struct.unpack_from("<Q", data, pos)
                    pos += 8 + length
            elif item_kind in _SCALARS:
                width = struct.calcsize(_SCALARS[item_kind])
                if count <= _KEEP_ARRAY:
                    fields[key] = list(struct.unpack_from(f"<{count}{_SCALARS[item_kind][1]}", data, pos))
                pos += width * count
            else:
                raise ValueError(f"unsupported nested array in {key}")
        elif kind in _SCALARS:
            (fields[key],) = struct.unpack_from(_SCALARS[kind], data, pos)
            pos += struct.calcsize(_SCALARS[kind])
        else:
            raise ValueError(f"unknown value type {kind} for {key}")
    tensors = []
    for _ in range(n_tensors):
        name, pos = string(pos)
        (n_dims,) = struct.unpack_from("<I", data, pos)
        dims = struct.unpack_from(f"<{n_dims}Q", data, pos + 4)
        kind, offset = struct.unpack_from("<IQ", data, pos + 4 + 8 * n_dims)
        pos += 4 + 8 * n_dims + 12
        block, type_size = GGML_QUANT_SIZES[GGMLQuantizationType(kind)]
        n_elements = math.prod(dims)
        tensors.append((name, n_elements, n_elements // block * type_size, offset))
    alignment = int(fields.get("general.alignment", 32))
    return fields, counts, tensors, (pos + alignment - 1) // alignment * alignment


def _first_int(value: Any) -> int:
    """head_count can be per layer (a list) in some architectures."""
    if isinstance(value, list):
        return int(max(value)) if value else 0
    return int(value or 0)


def _file_type_name(value: Any) -> str:
    try:
        from gguf import LlamaFileType

        return LlamaFileType(int(value)).name.removeprefix("MOSTLY_")
    except (ValueError, ImportError):
        return str(value)


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"
