"""Stand-ins for two APIs that other branches build: import sources and two-stage screening decisions.

Until ``import_paths(..., source=...)`` and ``decide(..., stage=..., reason=...)`` land, these write the same rows
those APIs will write (schema V2): ``sources``, ``studies.source_id`` and ``decisions`` with stage/reason/actor
through ``library.command()``, ``import_outcomes.source_id`` on the outcome records, and ``screening_stops``.
They are the only place the export tests write such rows, so switching to the real APIs is a change here only.
"""

from __future__ import annotations

from pathlib import Path

from litreview.importing import import_paths


def add_source(library, name: str, kind: str = "database") -> int:
    rows = library.query("SELECT id FROM sources WHERE name = ? AND kind = ?", (name, kind))
    if rows:
        return rows[0]["id"]
    with library.command(f"Add source {name}") as cmd:
        return cmd.insert("sources", {"name": name, "kind": kind})


def import_from(library, paths: list[Path] | Path, source: str, kind: str = "database"):
    """Import ``paths`` as records of ``source`` (what ``import_paths(..., source=...)`` will do)."""
    source_id = add_source(library, source, kind)
    batches: list[str] = []
    outcomes = import_paths(library, paths, progress=lambda e: batches.append(e.data.get("batch")))
    batch = batches[0]
    with library.atomic():  # import outcomes are records, not user changes
        library.conn.execute("UPDATE import_outcomes SET source_id = ? WHERE batch = ?", (source_id, batch))
    created = [o.study_id for o in outcomes if o.status == "imported"]
    if created:
        with library.command(f"Source of {len(created)} studies") as cmd:
            for study_id in created:
                cmd.update("studies", study_id, {"source_id": source_id})
    return outcomes


def decide(library, study_id: int, decision: str, *, stage: str = "title_abstract", reason: str = "",
           actor: str = "human") -> None:
    """What ``decide(library, study_id, decision, stage=..., reason=...)`` will write (one row per study and stage)."""
    rows = library.query("SELECT id FROM decisions WHERE study_id = ? AND stage = ?", (study_id, stage))
    values = {"decision": decision, "reason": reason, "actor": actor}
    with library.command(f"{decision} study {study_id} ({stage})") as cmd:
        if rows:
            cmd.update("decisions", rows[0]["id"], values)
        else:
            cmd.insert("decisions", {"study_id": study_id, "stage": stage, **values})


def record_stop(library, *, screened: int, total: int, rule: str = "hypergeometric", target: float = 0.95,
                confidence: float = 0.95, chosen_by: str = "rule") -> None:
    """What the screening view writes when the user stops title/abstract screening."""
    with library.command("Stop screening") as cmd:
        cmd.insert("screening_stops", {"stage": "title_abstract", "rule": rule, "target": target,
                                       "confidence": confidence, "screened": screened, "total": total,
                                       "chosen_by": chosen_by})
