"""Chat messages as a plain prompt, for base models that have no chat template (the small default model).

A base model continues text; it has never seen role markers. We lay the conversation out as a document:
the system text as a preamble, then each turn under a heading, ending with the heading the model should
complete. Few-shot examples given as user/assistant pairs thus become "Input/Output" pairs, the format base
models follow best; the grammar then forces the output into the schema.
"""

from __future__ import annotations

HEADINGS = {"user": "Input", "assistant": "Output"}


def render_plain(messages: list[dict]) -> str:
    parts: list[str] = []
    for message in messages:
        role, content = message.get("role", "user"), str(message.get("content", "")).strip()
        if role == "system":
            parts.append(content)
        else:
            parts.append(f"### {HEADINGS.get(role, role.title())}\n{content}")
    parts.append(f"### {HEADINGS['assistant']}\n")
    return "\n\n".join(parts)
