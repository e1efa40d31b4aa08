"""BibTeX entries as plain records: decoded the way a reference manager means them, checked entry by entry.

bibtexparser 2 splits the file into blocks; two of its habits lose data silently, so this module does the rest:

* Decoding. Its LaTeX decoder (pylatexenc) reads ``%`` as the start of a comment and drops what follows on
  that line ("10% and ampersand" became "10"), and it drops every macro it does not know (``{\\LaTeX}`` vanished).
  In a bibliography a raw ``%`` is a percent sign: it is escaped before decoding. Macros pylatexenc does not
  know are kept as they were written (``\\foo{x}``), so nothing disappears; the common logo and font macros are
  taught to it.
* Structure. ``title = {Extra} brace}`` parses as an entry whose title ends early, and the rest of the entry
  (its year, its DOI) becomes a comment. Each entry's text is therefore checked against BibTeX's grammar
  (``name = value # value, ...``); an entry that breaks it, or a block the parser gave up on, fails alone with
  its line, and the other entries are imported.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import bibtexparser
from bibtexparser import middlewares
from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from litreview.importing.reference_records import Reference, ReferenceFormatError, clean_text_fields, plain, split_name

# Macros pylatexenc does not know that bibliographies use: logos spelled out, font switches dropped (their
# argument, a separate group, stays).
_KNOWN_MACROS = [MacroTextSpec("url", simplify_repl="%s"),
                 *(MacroTextSpec(name, simplify_repl=text) for name, text in
                   (("LaTeX", "LaTeX"), ("TeX", "TeX"), ("BibTeX", "BibTeX"), ("LaTeXe", "LaTeX2e"), ("XeTeX", "XeTeX"))),
                 *(MacroTextSpec(name, discard=True) for name in
                   ("em", "it", "bf", "sc", "rm", "sf", "tt", "sl", "up", "normalfont", "textsuperscript",
                    "textsubscript", "mbox", "hbox", "textnormal", "protect", "relax"))]
_RAW_PERCENT = re.compile(r"(?<!\\)%")
# bibtexparser logs a damaged block as a warning; here it becomes that record's outcome, not terminal noise.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser").propagate = False


class _BibtexText(LatexNodes2Text):
    """LaTeX to text with a bibliography's habits: ``%`` is a percent sign; unknown macros stay as written."""

    def latex_to_text(self, latex: str, **kwargs: Any) -> str:
        return super().latex_to_text(_RAW_PERCENT.sub(r"\\%", latex), **kwargs)

    def nodelist_to_text(self, nodelist: list) -> str:
        kept, nodes, position = [], list(nodelist), 0
        while position < len(nodes):
            node = nodes[position]
            if self._unknown_macro(node):
                text = node.latex_verbatim()
                following = nodes[position + 1] if position + 1 < len(nodes) else None
                if following is not None and following.isNodeType(latexwalker.LatexGroupNode):
                    text += following.latex_verbatim()  # its argument, as written: "\foo{x}"
                    position += 1
                node = latexwalker.LatexCharsNode(chars=text, pos=node.pos, len=len(text),
                                                  parsing_state=node.parsing_state)
            kept.append(node)
            position += 1
        return super().nodelist_to_text(kept)

    def _unknown_macro(self, node: Any) -> bool:
        return (node is not None and node.isNodeType(latexwalker.LatexMacroNode)
                and self.latex_context.get_macro_spec(node.macroname) is None)


def _decoder() -> _BibtexText:
    context = get_default_latex_context_db()
    context.add_context_category("litreview-bibtex", prepend=True, macros=_KNOWN_MACROS)
    return _BibtexText(latex_context=context, math_mode="verbatim", keep_braced_groups=False)


_DECODER = _decoder()


def decode(value: str) -> str:
    """A BibTeX field value as plain text (accents decoded, grouping braces gone, lines joined)."""
    return " ".join(_DECODER.latex_to_text(value).split())


# -- entries -------------------------------------------------------------------------------------------------
def parse_bibtex(text: str) -> list[Reference]:
    """Every entry of the file in order: decoded, or (malformed on its own) with the reason it is not imported."""
    library = _parse(text)
    blocks: list[tuple[Any, int | None]] = []
    for block in library.blocks:
        if isinstance(block, bibtexparser.model.DuplicateBlockKeyBlock):
            # a second entry with the same key is still a valid entry (dedup judges it): parse it on its own
            blocks.extend((entry, block.start_line) for entry in _parse(block.raw or "").entries)
        elif isinstance(block, (bibtexparser.model.Entry, bibtexparser.model.ParsingFailedBlock)):
            blocks.append((block, block.start_line))
    if not blocks:
        raise ReferenceFormatError("no BibTeX entries found (they start like '@article{key,')")
    references = []
    for number, (block, start_line) in enumerate(blocks, start=1):
        problem = entry_problem(block.raw or "")
        if isinstance(block, bibtexparser.model.ParsingFailedBlock) or problem:
            where, why = problem or (0, _parser_error(block))
            references.append(Reference(number, {"title": _title_of(block.raw or "")}, problem=(
                f"line {(start_line or 0) + 1 + where}: malformed BibTeX entry ({_first_line(block.raw)}): {why}; "
                "this record was not imported (correct the entry and import the file again)")))
        else:
            references.append(_reference(number, block))
    return references


def _parse(text: str) -> bibtexparser.Library:
    # Values arrive raw (only their outer braces or quotes removed): this module decodes them itself.
    return bibtexparser.parse_string(text, append_middleware=[middlewares.SeparateCoAuthors(),
                                                              middlewares.SplitNameParts()])


def _reference(number: int, entry: bibtexparser.model.Entry) -> Reference:
    values = {f.key.lower(): f.value for f in entry.fields}
    authors = []
    for name in values.get("author") or []:
        if isinstance(name, str):
            authors.append(split_name(decode(name)))
        else:
            family = decode(" ".join(name.von + name.last + name.jr))
            authors.append({"given": decode(" ".join(name.first)), "family": family})
    text = {key: decode(value) if isinstance(value, str) else value for key, value in values.items() if key != "author"}
    fields = {
        "title": text.get("title") or None,
        "authors": authors,
        "year": text.get("year") or text.get("date"),
        "doi": text.get("doi"),
        "abstract": text.get("abstract") or None,
        "venue": text.get("journal") or text.get("booktitle") or text.get("journaltitle") or None,
    }
    used = {"title", "author", "year", "doi", "abstract", "journal", "booktitle", "journaltitle"}
    extra = {"entry_type": entry.entry_type, "key": entry.key}
    extra.update({k: plain(v) for k, v in text.items() if k not in used})
    return Reference(number, clean_text_fields(fields), extra)


# -- the grammar check ---------------------------------------------------------------------------------------
_NAME = re.compile(r"[^\s=,{}()\"#%]+")
_BARE_VALUE = re.compile(r"[A-Za-z0-9_.:+/\-]+")


def entry_problem(raw: str) -> tuple[int, str] | None:
    """Where (line offset within ``raw``) and why an entry's text breaks BibTeX's grammar; None when it holds.

    ``@type{key, name = value # value, ...}`` where a value is ``{...}`` (balanced braces), ``"..."`` or a bare
    number or string name. What bibtexparser accepts beyond this (text after a closing brace) loses data.
    """
    scan = _Scanner(raw)
    try:
        scan.expect("@", "an entry starts with '@'")
        scan.name("an entry type after '@'")
        close = {"{": "}", "(": ")"}.get(scan.peek(), "")
        scan.expect("{(", "'{' after the entry type")
        if scan.peek() == close:
            scan.step()
            return scan.finish()
        scan.until(",", close)
        while True:
            scan.skip_space()
            if scan.peek() == close:
                scan.step()
                return scan.finish()
            scan.expect(",", f"a ',' or the closing '{close}'")
            scan.skip_space()
            if scan.peek() == close:
                scan.step()
                return scan.finish()
            field = scan.name("a field name")
            scan.skip_space()
            scan.expect("=", f"'=' after the field name '{field}'")
            scan.value(field)
            scan.skip_space()
            while scan.peek() == "#":  # concatenation: "Vol. " # volume
                scan.step()
                scan.value(field)
                scan.skip_space()
            scan.close(close)
            if scan.peek() not in (",", close):
                raise _Broken(scan.line(), f"unexpected text after the value of '{field}' ({scan.snippet()!r}): "
                                           "an extra closing brace, or a missing comma?")
    except _Broken as broken:
        return broken.line, broken.why


class _Broken(Exception):
    def __init__(self, line: int, why: str):
        super().__init__(why)
        self.line, self.why = line, why


class _Scanner:
    def __init__(self, text: str):
        self.text, self.at = text, 0
        self.skip_space()

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def step(self) -> None:
        self.at += 1

    def line(self, at: int | None = None) -> int:
        return self.text.count("\n", 0, self.at if at is None else at)

    def snippet(self) -> str:
        return self.text[self.at:self.at + 30].split("\n", 1)[0]

    def skip_space(self) -> None:
        while self.peek().isspace():
            self.at += 1

    def expect(self, chars: str, what: str) -> None:
        self.skip_space()
        if not self.peek() or self.peek() not in chars:
            found = f"found {self.snippet()!r}" if self.peek() else "the entry ended"
            raise _Broken(self.line(), f"expected {what}, {found}")
        self.at += 1

    def name(self, what: str) -> str:
        self.skip_space()
        found = _NAME.match(self.text, self.at)
        if not found:
            raise _Broken(self.line(), f"expected {what}, found {self.snippet()!r}" if self.peek()
                          else f"expected {what}, the entry ended")
        self.at = found.end()
        return found.group(0)

    def until(self, *stops: str) -> None:
        while self.peek() and self.peek() not in stops:
            self.at += 1

    def value(self, field: str) -> None:
        self.skip_space()
        start, opener = self.at, self.peek()
        if opener == "{":
            depth = 0
            while self.at < len(self.text):
                char = self.text[self.at]
                depth += (char == "{") - (char == "}")
                self.at += 1
                if depth == 0:
                    return
            raise _Broken(self.line(start), f"the '{{' that opens the value of '{field}' is never closed")
        if opener == '"':
            self.at += 1
            depth = 0
            while self.at < len(self.text):
                char = self.text[self.at]
                self.at += 1
                if char == '"' and depth == 0:
                    return
                depth += (char == "{") - (char == "}")
            raise _Broken(self.line(start), f"the '\"' that opens the value of '{field}' is never closed")
        found = _BARE_VALUE.match(self.text, self.at)
        if not found:
            raise _Broken(self.line(), f"expected a value for '{field}', found {self.snippet()!r}" if self.peek()
                          else f"expected a value for '{field}', the entry ended")
        self.at = found.end()

    def close(self, close: str) -> None:
        """The entry's closing brace must come; the text simply ending means a brace inside was left open."""
        if not self.peek():
            raise _Broken(self.line(), f"the entry has no closing '{close}' before the next entry (an opening "
                                       "brace in it is not closed?)")

    def finish(self) -> tuple[int, str] | None:
        self.skip_space()
        if self.peek():
            return self.line(), f"unexpected text after the entry's end ({self.snippet()!r})"
        return None


def _parser_error(block: Any) -> str:
    error = getattr(block, "error", None)
    text = " ".join(str(error).split()) if error else "could not be parsed"
    return text[:160]


def _title_of(raw: str) -> str | None:
    """The title of a malformed entry, if it can be read, so its failed outcome says which record it was."""
    found = re.search(r"\btitle\s*=\s*[{\"]([^{}\"\n]{3,200})", raw, re.IGNORECASE)
    return " ".join(found.group(1).split()) if found else None


def _first_line(raw: str | None) -> str:
    line = (raw or "").strip().split("\n", 1)[0]
    return line[:60]
