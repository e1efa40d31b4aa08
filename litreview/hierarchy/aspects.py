"""Aspects: different ways to organise the same studies, each a tree of draft categories.

* **Topic** (always first): the studies clustered by their sentence embeddings (``cluster``), nested up to the
  requested depth where the members separate significantly.
* **Study design** and **Population**: facets that *abstain*. A study is placed only on explicit evidence in its
  own text: a rule's phrase in its title, or in an abstract sentence that reports on the study's own sample or
  method ("Sixty postmenopausal women were randomised", "Male Wistar rats were trained"), not in a background
  sentence ("In women, estrogen loss..."). The matched phrase is kept as the assignment's evidence. Every other
  study stays uncategorised in that facet. A facet is not built when under ``MIN_FACET_SHARE`` of the studies
  have evidence, nor are categories that do not fit the corpus: in a corpus where most placed studies are animal
  experiments, human clinical populations are background mentions, not the population studied.
* **Findings**: what the studies found, clustered without their topic's words, only where the claims were
  written by a capable model (a small model's or the no-model fallback's claims are sentences picked from the
  abstract, and grouped they only repeat the topic with boilerplate).

The model never proposes facets: measured, a per-study model pass costs ~5 s per study per aspect on this
machine (the 5-minute budget of a 150-study build allows none), and its categories were not grounded in evidence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from litreview.hierarchy.cluster import MAX_LEAF, ClusterNode, best_partition, nested_clusters, significant_partition
from litreview.hierarchy.vectors import STOP_WORDS, TextSpace, class_terms, embed_texts

MAX_ASPECTS = 5
MIN_FACET_SHARE = 0.3      # a facet that places fewer studies than this says too little to be shown
MIN_FACET_MEMBERS = 2      # a facet category needs this many studies


@dataclass
class CategoryDraft:
    """A category before it is stored: statistics fill ``members`` and ``terms``; naming fills the words."""

    members: list[int]                     # indices of the studies the structure put here
    terms: list[str] = field(default_factory=list)
    name: str = ""
    description: str = ""
    name_source: str = ""                  # model | fallback | user
    children: list[CategoryDraft] = field(default_factory=list)
    existing_id: int | None = None         # a kept category of the previous build
    evidence: dict[int, str] = field(default_factory=dict)  # study index -> the phrase that placed it (facets)


@dataclass
class AspectDraft:
    name: str
    description: str
    kind: str                              # clusters | rules
    categories: list[CategoryDraft]
    texts: list[str] = field(default_factory=list)  # what this aspect's terms are computed on
    space: TextSpace | None = None
    note: str = ""                         # why the aspect is flat or was not built, for the report
    separate: bool = True                  # its top categories are significantly separate groups (multi-label ok)


# -- facets that abstain ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    patterns: tuple[str, ...]
    human: bool = False                    # a human clinical population: background in an animal corpus


DESIGN_RULES: tuple[Rule, ...] = (
    Rule("Systematic reviews and meta-analyses", "Studies that review or pool the results of earlier studies.",
         (r"\bsystematic (literature )?reviews?\b", r"\bmeta-?analys[ie]s\b", r"\bsystematic mapping stud(y|ies)\b",
          r"\btertiary stud(y|ies)\b")),
    Rule("Randomised controlled trials", "Trials that allocated participants to the compared treatments at random.",
         (r"\brandomi[sz]ed(,? (double|single)-blind)?(,? (placebo|active)-controlled)?,? (controlled |clinical )?"
          r"(trial|study)\b", r"\bRCTs?\b", r"\b(patients|participants|subjects|women|men|children|adults|volunteers) "
          r"were randomi[sz]ed\b")),
    Rule("Animal experiments", "Laboratory experiments in rats, mice or other animals.",
         (r"\b(male |female )?(\w+ )?(rats|mice)\b", r"\brodents\b", r"\b(monkeys|primates)\b")),
    Rule("Observational studies", "Cohort, case-control, cross-sectional and registry studies.",
         (r"\b(prospective |retrospective )?cohort stud(y|ies)\b", r"\bcase-control stud(y|ies)\b",
          r"\bcross-sectional (study|survey|analysis)\b", r"\bobservational stud(y|ies)\b",
          r"\bretrospective (study|analysis|review|chart review)\b", r"\bregistry (study|data)\b")),
    Rule("Surveys, interviews and qualitative studies", "Studies that ask people by questionnaire, interview or "
                                                        "focus group.",
         (r"\bquestionnaires?\b", r"\bsemi-structured interviews?\b", r"\bfocus groups?\b",
          r"\bqualitative (study|studies|analysis|interviews?)\b", r"\b(online|web-based|postal|national) survey\b",
          r"\binterviewed\b")),
    Rule("Pharmacokinetic studies", "Studies of drug levels and bioavailability.",
         (r"\bpharmacokinetics?\b", r"\bbioavailability\b", r"\bbioequivalen")),
    Rule("Economic evaluations", "Studies of costs and cost-effectiveness.",
         (r"\bcost-?effectiveness\b", r"\bcost-?utility\b", r"\beconomic evaluation\b", r"\bcost-?benefit\b")),
    Rule("Controlled experiments and case studies", "Experiments, quasi-experiments and case studies outside "
                                                    "clinical trials.",
         (r"\bquasi-?experiment", r"\bcontrolled experiments?\b", r"\b(industrial |exploratory )?case stud(y|ies)\b")),
)

POPULATION_RULES: tuple[Rule, ...] = (
    Rule("Children and adolescents", "Studies of children, adolescents or infants.",
         (r"\bchildren\b", r"\bp(a)?ediatric (patients|population)\b", r"\badolescents\b", r"\binfants\b"), True),
    Rule("Older adults", "Studies of elderly or older people.",
         (r"\belderly (patients|people|subjects|women|men)\b", r"\bolder (adults|people|patients|women|men)\b",
          r"\bnursing home residents\b", r"\baged (65|70|75|80) (years )?(and|or) (older|over)\b"), True),
    Rule("Women", "Studies of women only.",
         (r"\b(postmenopausal|perimenopausal|pregnant|healthy) women\b", r"\bwomen (aged|with|who)\b"), True),
    Rule("Adults with a condition", "Studies of adult patients with a condition.",
         (r"\badult (patients|outpatients|subjects)\b", r"\badults with\b", r"\bpatients aged (18|20)\b"), True),
    Rule("Healthy volunteers", "Studies of healthy volunteers.",
         (r"\bhealthy (volunteers|subjects|adults|men)\b",), True),
    Rule("Health professionals", "Studies of physicians, nurses, pharmacists and other clinicians.",
         (r"\b(general practitioners|physicians|nurses|clinicians|pharmacists|prescribers|residents|GPs)\b",)),
    Rule("Students and learners", "Studies of students, pupils and other learners.",
         (r"\b(undergraduate |graduate |medical |university )?students\b", r"\blearners\b", r"\bpupils\b",
          r"\btrainees\b")),
    Rule("Software practitioners and organisations", "Studies of software engineers, developers, teams and "
                                                      "companies.",
         (r"\bsoftware (engineers|developers|practitioners|professionals|companies|organi[sz]ations)\b",
          r"\b(practitioners|developers) (from|in|at)\b")),
    Rule("Animals", "Studies in rats, mice or other animals.",
         (r"\b(male |female )?(\w+ )?(rats|mice)\b", r"\brodents\b", r"\b(monkeys|primates)\b")),
)

# An abstract sentence counts as evidence about the study's own sample or method when it reports on it.
_REPORTING = re.compile(
    r"\b\d+\b|\b(we|our|this (study|trial|paper|article|review))\b|\b(was|were) (enrolled|recruited|included|"
    r"randomi[sz]ed|assigned|allocated|studied|treated|tested|trained|exposed|interviewed|surveyed|given|"
    r"conducted|performed|selected)\b|\b(participants|respondents|subjects)\b", re.IGNORECASE)


def facet_aspect(name: str, description: str, rules: tuple[Rule, ...], titles: list[str],
                 abstracts: list[str]) -> AspectDraft:
    """A facet whose categories are rules that place a study only on explicit evidence; multi-label. The draft
    has no categories (and a ``note`` saying why) when the facet would say too little or does not fit."""
    found = [facet_evidence(rules, title, abstract) for title, abstract in zip(titles, abstracts)]
    categories = []
    for rule in rules:
        evidence = {i: phrases[rule.name] for i, phrases in enumerate(found) if rule.name in phrases}
        if len(evidence) >= MIN_FACET_MEMBERS:
            categories.append((rule, CategoryDraft(sorted(evidence), [], rule.name, rule.description, "rule",
                                                   evidence=evidence)))
    categories = _fitting(categories)
    draft = AspectDraft(name, description, "rules", [c for _, c in categories])
    placed = {i for _, c in categories for i in c.members}
    share = len(placed) / len(titles) if titles else 0.0
    if len(categories) < 2 or share < MIN_FACET_SHARE:
        draft.categories = []
        draft.note = (f"{name} not built: only {share:.0%} of the studies state it explicitly" if share < MIN_FACET_SHARE
                      else f"{name} not built: the studies' texts support fewer than two categories")
    return draft


def facet_evidence(rules: tuple[Rule, ...], title: str, abstract: str) -> dict[str, str]:
    """rule name -> the phrase that places the study there: a match in the title, or in an abstract sentence that
    reports on the study itself (``_REPORTING``)."""
    from litreview.claims.sentences import split_sentences

    texts = [title or ""] + [s.text for s in split_sentences(abstract or "") if _REPORTING.search(s.text)]
    out = {}
    for rule in rules:
        phrase = _first_match(_compiled(rule), texts)
        if phrase:
            out[rule.name] = phrase
    return out


_PATTERNS: dict[Rule, list[re.Pattern]] = {}


def _compiled(rule: Rule) -> list[re.Pattern]:
    if rule not in _PATTERNS:
        _PATTERNS[rule] = [re.compile(p, re.IGNORECASE) for p in rule.patterns]
    return _PATTERNS[rule]


def _fitting(categories: list[tuple[Rule, CategoryDraft]]) -> list[tuple[Rule, CategoryDraft]]:
    """Drop human clinical populations in an animal corpus: when animal experiments place more studies than all
    human populations together, a mention of women or patients is background (why the animal model matters)."""
    animal = {i for rule, c in categories if rule.name in ("Animals", "Animal experiments") for i in c.members}
    human = {i for rule, c in categories if rule.human for i in c.members}
    if animal and len(animal) > len(human):
        return [(rule, c) for rule, c in categories if not rule.human]
    return categories


def _first_match(patterns: list[re.Pattern], texts: list[str]) -> str | None:
    for text in texts:
        for pattern in patterns:
            match = pattern.search(text)
            if match:
                return match.group(0)
    return None


# -- clustering aspects -------------------------------------------------------------------------------------------
def cluster_aspect(name: str, description: str, space: TextSpace, texts: list[str], *, depth: int,
                   cancel_check: Callable[[], None] = lambda: None, term_count: int = 10) -> AspectDraft:
    """An aspect whose categories are clusters of ``space.vectors`` (nested up to ``depth`` levels), with c-TF-IDF
    terms over ``texts``. A corpus without significant structure is one category (``note`` says so)."""
    space = space.with_terms(texts)
    n = len(texts)
    min_size = 3 if n >= 30 else 2
    top = significant_partition(space.vectors, k_min=2, k_max=12, min_size=min_size, shrink=True)
    note = ""
    if top is None and n > MAX_LEAF:
        with threadpool_limits(1):
            top = best_partition(space.vectors, k_min=2, k_max=12, min_size=min_size)
        note = ("the studies form no clearly separate topics; the categories divide them for reading, by what "
                "their titles and abstracts share most")
    elif top is None:
        note = f"{n} studies are too few or too alike to split into topics; they form one category"
    nodes = nested_clusters(space.vectors, top, depth=depth, min_child=4 if n >= 30 else 2,
                            cancel_check=cancel_check)
    draft = AspectDraft(name, description, "clusters", [_draft(node, space, term_count) for node in nodes], texts,
                        space, note, separate=bool(top is not None and top.null is not None))
    fill_terms(draft, term_count)
    return draft


def _draft(node: ClusterNode, space: TextSpace, term_count: int) -> CategoryDraft:
    draft = CategoryDraft(list(node.members))
    if node.children:
        labels = np.full(space.counts.shape[0], -1)
        for c, child in enumerate(node.children):
            labels[child.members] = c
        terms = class_terms(space.counts, space.vocabulary, labels, term_count)
        draft.children = [_draft(child, space, term_count) for child in node.children]
        for c, child_draft in enumerate(draft.children):
            child_draft.terms = terms.get(c, [])
    return draft


def fill_terms(aspect: AspectDraft, term_count: int = 10) -> None:
    """c-TF-IDF terms of the top categories, computed against each other (children got theirs in ``_draft``)."""
    if aspect.space is None:
        return
    n = aspect.space.counts.shape[0]
    labels = np.full(n, -1)
    for c, category in enumerate(aspect.categories):
        labels[category.members] = c
    terms = class_terms(aspect.space.counts, aspect.space.vocabulary, labels, term_count)
    for c, category in enumerate(aspect.categories):
        if not category.terms:
            category.terms = terms.get(c, [])


def findings_aspect(claims: list[list[str]], abstracts: list[str], topic_terms: set[str]) -> AspectDraft:
    """What the studies found, with their topic's words removed, clustered on TF-IDF (claims are short; one
    vector per study is cached, and it is the title + abstract one)."""
    texts = findings_texts(claims, abstracts, topic_terms)
    space = embed_texts(texts)
    top = significant_partition(space.vectors, k_min=2, k_max=8, min_size=3)
    nodes = nested_clusters(space.vectors, top, depth=1)
    draft = AspectDraft("Findings", "What the studies found, grouped without the words of their topic.", "clusters",
                        [_draft(node, space, 10) for node in nodes] if top is not None else [], texts, space)
    if top is None:
        draft.note = "Findings not built: the claims form no separate groups"
    fill_terms(draft)
    return draft


def findings_texts(claims: list[list[str]], abstracts: list[str], topic_terms: set[str]) -> list[str]:
    """What each study found, with the topic's own words removed: its claims, else the abstract's last two
    sentences (where conclusions sit)."""
    out = []
    remove = {w for t in topic_terms for w in t.split()} | set(STOP_WORDS)
    for study_claims, abstract in zip(claims, abstracts):
        text = " ".join(study_claims) if study_claims else " ".join(re.split(r"(?<=[.!?])\s+", abstract or "")[-2:])
        out.append(" ".join(w for w in re.findall(r"[A-Za-z][A-Za-z0-9\-]+", text) if w.casefold() not in remove))
    return out
