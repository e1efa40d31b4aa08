"""The numbers of a PRISMA 2020 flow diagram (new reviews), each traced to the records behind it.

Every box is filled from the library, never typed in, and every number comes with the ids that make it up
(``--json`` prints them; the app lists them when a box is clicked). Where the numbers come from:

* **Records identified**, per source: each study still in the library is one record, counted under its source
  (``studies.source_id``, else the source of the import that created it; a study without one is shown as
  "source not recorded"). Each import outcome that did not become a study is one record too: a *duplicate*
  (``import_outcomes.status = 'duplicate'``) or a reference record that could not be used (*failed*, e.g. an empty
  record), counted under the outcome's source. Sources of kind ``database`` and ``register`` feed the main arm;
  kind ``other`` (websites, organisations, citation searching) feeds the optional other-methods arm.
  Not records: a PDF that was attached to a study already in the library (that is a report retrieved, not a
  search result), a whole file that could not be read (reported in ``warnings``), the same input imported again
  (counted once), and the outcomes of an import that was undone (the records are gone).
* **Removed before screening**: duplicates; *marked as ineligible by automation tools*: records left unscreened
  when a stop of title/abstract screening was recorded (``screening_stops``; the PRISMA 2020 footnote asks for
  the human/automation split) plus exclusions whose ``actor`` is 'automation'; *removed for other reasons*:
  failed reference records.
* **Screened / excluded**: title/abstract decisions; *excluded* counts the exclusions by a human (automation's
  are in the box above). Exclusion reasons, when any were given, are listed.
* **Reports sought** = title/abstract includes; **not retrieved** = full-text decision 'not_retrieved';
  **assessed** = full-text include or exclude; **excluded, with reasons** = full-text exclusions grouped by
  ``decisions.reason``; **studies included** = full-text includes of both arms (one report per study).
* Records of the other-methods arm go straight to retrieval as in the template: *sought* are those included at
  title/abstract or given a full-text decision. When that arm is not drawn (``other_methods=False``), the studies
  it led to are left out of "studies included" too, and a warning says so.

What is not final yet (records without a decision, 'maybe' decisions) is not forced into a box: it is listed under
``pending`` and explained in ``warnings``, so a diagram drawn mid-review says so instead of adding up wrongly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from litreview.store import Library

TITLE_ABSTRACT, FULL_TEXT = "title_abstract", "full_text"
NO_REASON = "No reason given"
NOT_RECORDED = "Source not recorded"
_RECORD_INPUT = re.compile(r"^(?P<file>.*)#(?P<record>\d+)$")


@dataclass
class Box:
    """One number of the diagram and what it counts: studies (``study_ids``) and import outcomes that never
    became studies (``outcome_ids``: duplicates, failed records). ``parts`` break it down (sources, reasons)."""

    key: str
    label: str
    study_ids: list[int] = field(default_factory=list)
    outcome_ids: list[int] = field(default_factory=list)
    parts: list[Box] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.study_ids) + len(self.outcome_ids)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "count": self.count, "study_ids": self.study_ids}
        if self.outcome_ids:
            out["outcome_ids"] = self.outcome_ids
        if self.parts:
            out["parts"] = [p.as_dict() for p in self.parts]
        return out


@dataclass
class PrismaFlow:
    """The boxes by PRISMA2020 field name (``prisma-flowdiagram/PRISMA2020``'s CSV keys where one exists)."""

    boxes: dict[str, Box]
    other_arm: bool
    stop: dict[str, Any] | None
    pending: dict[str, list[int]]
    warnings: list[str]

    def count(self, key: str) -> int:
        return self.boxes[key].count

    def as_dict(self) -> dict[str, Any]:
        return {"boxes": {k: b.as_dict() for k, b in self.boxes.items()}, "other_methods": self.other_arm,
                "stop": self.stop, "pending": self.pending, "warnings": self.warnings}


def prisma_flow(library: Library, other_methods: bool | None = None) -> PrismaFlow:
    """Fill the diagram from the library; ``other_methods`` None draws that arm only when it has records."""
    sources = {r["id"]: r for r in library.query("SELECT id, name, kind FROM sources")}
    studies = library.query("SELECT id, source_id, created FROM studies ORDER BY id")
    live = {s["id"] for s in studies}
    outcomes = library.query("SELECT id, batch, input, status, study_id, matched_id, source_id, reason "
                             "FROM import_outcomes ORDER BY id")
    warnings: list[str] = []
    records = _records(studies, outcomes, live, warnings)

    def kind(source_id: int | None) -> str:
        return sources[source_id]["kind"] if source_id in sources else "database"

    main = [r for r in records if kind(r.source_id) != "other"]
    other = [r for r in records if kind(r.source_id) == "other"]
    decisions = _decisions(library)
    stop = _stop(library)
    boxes: dict[str, Box] = {}
    pending: dict[str, list[int]] = {}

    # -- identification ------------------------------------------------------------------------------------
    for key, source_kind, label in (("database_results", "database", "Databases"),
                                    ("register_results", "register", "Registers")):
        boxes[key] = _by_source(key, label, [r for r in main if kind(r.source_id) == source_kind], sources)
    boxes["other_results"] = _by_source("other_results", "Other methods", other, sources)
    duplicates = [r for r in main if r.status == "duplicate"]
    boxes["duplicates"] = Box("duplicates", "Duplicate records", outcome_ids=_outcomes(duplicates))
    boxes["excluded_other"] = Box("excluded_other", "Records removed for other reasons",
                                  outcome_ids=_outcomes([r for r in main if r.status == "failed"]))
    if any(r.status == "failed" for r in main):
        warnings.append(f"{_n(boxes['excluded_other'].count, 'reference record')} could not be imported (e.g. empty "
                        "records): counted as removed for other reasons")

    # -- title/abstract screening (main arm) ------------------------------------------------------------------
    main_studies = sorted(_studies(main))
    created = {s["id"]: s["created"] for s in studies}
    by_tool: list[int] = []
    stopped: list[int] = []
    screened: list[int] = []
    excluded: list[int] = []
    sought: list[int] = []
    maybe: list[int] = []
    unscreened: list[int] = []
    excluded_reasons: dict[str, list[int]] = {}
    for study_id in main_studies:
        decision = decisions.get((study_id, TITLE_ABSTRACT))
        if decision is None:
            (stopped if stop is not None and created[study_id] <= stop["created"] else unscreened).append(study_id)
            continue
        if decision["decision"] == "exclude" and decision["actor"] == "automation":
            by_tool.append(study_id)
            continue
        screened.append(study_id)
        if decision["decision"] == "exclude":
            excluded.append(study_id)
            excluded_reasons.setdefault(decision["reason"] or NO_REASON, []).append(study_id)
        elif decision["decision"] == "include":
            sought.append(study_id)
        else:
            maybe.append(study_id)
    automation = Box("excluded_automatic", "Records marked as ineligible by automation tools",
                     sorted(stopped + by_tool))
    if stopped:
        automation.parts.append(Box("excluded_automatic_stopped", "Not screened after the recorded stop", stopped))
    if by_tool:
        automation.parts.append(Box("excluded_automatic_decided", "Excluded by an automation tool", by_tool))
    boxes["excluded_automatic"] = automation
    boxes["records_screened"] = Box("records_screened", "Records screened", screened)
    boxes["records_excluded"] = Box("records_excluded", "Records excluded by a human", excluded,
                                    parts=_reason_parts("records_excluded", excluded_reasons)
                                    if set(excluded_reasons) != {NO_REASON} else [])
    if unscreened:
        pending["title_abstract_unscreened"] = unscreened
        warnings.append(f"{_n(len(unscreened), 'record')} without a title/abstract decision, and no stop of "
                        "screening was recorded after they were imported: the diagram is not final")
    if maybe:
        pending["title_abstract_maybe"] = maybe
        warnings.append(f"{_n(len(maybe), 'record')} marked 'maybe' at title/abstract: decide them for a final diagram")

    # -- retrieval, eligibility, inclusion (both arms) -------------------------------------------------------
    draw_other = bool(other) if other_methods is None else other_methods
    other_studies = sorted(_studies(other)) if draw_other else []
    if other and not draw_other:
        warnings.append(f"{_n(len(other), 'record')} from other methods left out (with the studies they led to): "
                        "their arm is not drawn")
    other_sought = [s for s in other_studies if _sought_by_other_methods(decisions, s)]
    undecided = [s for s in other_studies if not any((s, stage) in decisions for stage in (TITLE_ABSTRACT, FULL_TEXT))
                 and (stop is None or created[s] > stop["created"])]
    if undecided:
        pending["other_undecided"] = undecided
        warnings.append(f"{_n(len(undecided), 'record')} from other methods without a decision yet: the diagram is "
                        "not final")
    included: list[int] = []
    arms: tuple[tuple[str, list[int]], ...] = (("dbr", sought), ("other", other_sought))
    for prefix, retrieval in arms:
        boxes[f"{prefix}_sought_reports"] = Box(f"{prefix}_sought_reports", "Reports sought for retrieval", retrieval)
        not_retrieved: list[int] = []
        assessed: list[int] = []
        waiting: list[int] = []
        reasons: dict[str, list[int]] = {}
        for study_id in retrieval:
            decision = decisions.get((study_id, FULL_TEXT))
            if decision is None or decision["decision"] == "maybe":
                waiting.append(study_id)
            elif decision["decision"] == "not_retrieved":
                not_retrieved.append(study_id)
            else:
                assessed.append(study_id)
                if decision["decision"] == "include":
                    included.append(study_id)
                else:
                    reasons.setdefault(decision["reason"] or NO_REASON, []).append(study_id)
        boxes[f"{prefix}_notretrieved_reports"] = Box(f"{prefix}_notretrieved_reports", "Reports not retrieved",
                                                      not_retrieved)
        boxes[f"{prefix}_assessed"] = Box(f"{prefix}_assessed", "Reports assessed for eligibility", assessed)
        excluded_ft = sorted(s for ids in reasons.values() for s in ids)
        boxes[f"{prefix}_excluded"] = Box(f"{prefix}_excluded", "Reports excluded", excluded_ft,
                                          parts=_reason_parts(f"{prefix}_excluded", reasons))
        if waiting:
            pending[f"{prefix}_full_text"] = waiting
            arm = "" if prefix == "dbr" else " (other methods)"
            warnings.append(f"{_n(len(waiting), 'report')} sought{arm} without a full-text decision yet (or 'maybe'): "
                            "the diagram is not final")
    included.sort()
    boxes["new_studies"] = Box("new_studies", "Studies included in review", included)
    boxes["new_reports"] = Box("new_reports", "Reports of included studies", list(included))
    return PrismaFlow(boxes, draw_other, stop, pending, warnings)


# -- records --------------------------------------------------------------------------------------------------
@dataclass
class _Record:
    """One identified record: a study in the library, or an import outcome that did not become one."""

    source_id: int | None
    status: str  # imported | duplicate | failed
    study_id: int | None = None
    outcome_id: int | None = None


def _records(studies: list[dict], outcomes: list[dict], live: set[int], warnings: list[str]) -> list[_Record]:
    imported_source = {o["study_id"]: o["source_id"] for o in outcomes
                       if o["status"] == "imported" and o["study_id"] in live}
    records = [_Record(s["source_id"] if s["source_id"] is not None else imported_source.get(s["id"]), "imported",
                       study_id=s["id"]) for s in studies]
    # An import that was undone: every study its file created is gone, so its other outcomes go with them.
    made: dict[tuple[str, str], list[int | None]] = {}
    for o in outcomes:
        if o["status"] == "imported":
            made.setdefault((o["batch"], _file(o["input"])), []).append(o["study_id"])
    undone = {key for key, ids in made.items() if all(i not in live for i in ids)}
    imported_inputs = {o["input"] for o in outcomes if o["status"] == "imported" and o["study_id"] in live}
    final: dict[str, dict] = {}
    unreadable = 0
    for o in outcomes:  # oldest first: the latest outcome of an input is the one that stands
        if o["status"] == "imported" or (o["batch"], _file(o["input"])) in undone:
            continue
        if o["status"] == "duplicate" and o["study_id"] is not None and o["study_id"] == o["matched_id"]:
            continue  # a PDF attached to its study: a report retrieved, not a search result
        if o["input"] in imported_inputs:
            continue  # the same input was imported again later and is in the library
        if o["status"] == "failed" and not _RECORD_INPUT.match(o["input"]):
            unreadable += 1
            continue
        final[o["input"]] = o
    if unreadable:
        warnings.append(f"{unreadable} imported files could not be read at all and are not counted as records")
    for o in final.values():
        if o["status"] == "duplicate" and o["matched_id"] not in live:
            continue  # its twin was removed from the library (an undone import): the record is gone too
        records.append(_Record(o["source_id"], o["status"], outcome_id=o["id"]))
    return records


def _n(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _studies(records: list[_Record]) -> list[int]:
    return [r.study_id for r in records if r.study_id is not None]


def _outcomes(records: list[_Record]) -> list[int]:
    return [r.outcome_id for r in records if r.outcome_id is not None]


def _file(input_name: str) -> str:
    match = _RECORD_INPUT.match(input_name)
    return match["file"] if match else input_name


def _by_source(key: str, label: str, records: list[_Record], sources: dict[int, dict]) -> Box:
    box = Box(key, label)
    groups: dict[int | None, Box] = {}
    for record in records:
        if record.source_id not in groups:
            name = sources[record.source_id]["name"] if record.source_id in sources else NOT_RECORDED
            groups[record.source_id] = Box(f"{key}:{record.source_id if record.source_id in sources else 'none'}",
                                           name)
        part = groups[record.source_id]
        if record.study_id is not None:
            part.study_ids.append(record.study_id)
        elif record.outcome_id is not None:
            part.outcome_ids.append(record.outcome_id)
    for part in sorted(groups.values(), key=lambda b: (b.label == NOT_RECORDED, -b.count, b.label.casefold())):
        part.study_ids.sort()
        part.outcome_ids.sort()
        box.study_ids.extend(part.study_ids)
        box.outcome_ids.extend(part.outcome_ids)
        box.parts.append(part)
    box.study_ids.sort()
    box.outcome_ids.sort()
    return box


def _reason_parts(key: str, reasons: dict[str, list[int]]) -> list[Box]:
    """One part per reason, most frequent first; "No reason given" last."""
    order = sorted(reasons, key=lambda r: (r == NO_REASON, -len(reasons[r]), r.casefold()))
    return [Box(f"{key}:{reason}", reason, sorted(reasons[reason])) for reason in order]


def _sought_by_other_methods(decisions: dict[tuple[int, str], dict[str, Any]], study_id: int) -> bool:
    """A record found by other methods is sought when it was included at title/abstract, or, never excluded
    there, was given a full-text decision (the template sends such records straight to retrieval)."""
    first = decisions.get((study_id, TITLE_ABSTRACT))
    if first is not None:
        return first["decision"] == "include" or (first["decision"] != "exclude" and (study_id, FULL_TEXT) in decisions)
    return (study_id, FULL_TEXT) in decisions


def _decisions(library: Library) -> dict[tuple[int, str], dict[str, Any]]:
    rows = library.query("SELECT study_id, stage, decision, reason, actor FROM decisions")
    return {(r["study_id"], r["stage"]): r for r in rows}


def _stop(library: Library) -> dict[str, Any] | None:
    """The latest recorded stop of title/abstract screening, or None."""
    rows = library.query("SELECT rule, target, confidence, screened, total, chosen_by, created FROM screening_stops "
                         "WHERE stage = ? ORDER BY created DESC, id DESC LIMIT 1", (TITLE_ABSTRACT,))
    return rows[0] if rows else None


@dataclass(frozen=True)
class RecordLine:
    """One record behind a number, in words: a study (``kind`` 'study', its id) or an import outcome that never
    became a study (``kind`` 'outcome': a duplicate, naming the study it duplicates, or a failed record)."""

    kind: str
    id: int
    text: str
    study_id: int | None  # the study to open: the study itself, or the one a duplicate matched


def records_behind(library: Library, box: Box) -> list[RecordLine]:
    """What a box counts, one line per record, in the order of its ids (studies first)."""
    from litreview.export.citekeys import short_citation
    from litreview.export.selection import studies_by_id

    lines = []
    studies = studies_by_id(library, box.study_ids)  # read in chunks, not one query per record
    for study_id in box.study_ids:
        study = studies.get(study_id)
        if study is not None:
            lines.append(RecordLine("study", study_id, f"{short_citation(study)}. {study['title'] or 'Untitled'}",
                                    study_id))
    if box.outcome_ids:
        marks = ",".join("?" * len(box.outcome_ids))
        for row in library.query(f"SELECT id, input, status, reason, matched_id FROM import_outcomes WHERE id IN ({marks}) "
                                 "ORDER BY id", box.outcome_ids):
            where = row["input"].replace("\\", "/").rsplit("/", 1)[-1]
            lines.append(RecordLine("outcome", row["id"], f"{where}: {row['reason'] or row['status']}", row["matched_id"]))
    return lines
