"""Real PDFs made by the tests: a plain paper, a page whose drawing never ends, a page tree that lies."""

from __future__ import annotations

from pathlib import Path

import pymupdf


def paper(path: Path, title: str, body: str = "") -> Path:
    """A one-page PDF with a title line and enough body text to count as a text layer."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 90), title, fontsize=18)
    text = body or ("This page holds the body text of a small test paper about " + title.lower() + ". ") * 6
    page.insert_textbox(pymupdf.Rect(72, 120, 520, 700), text, fontsize=10)
    doc.save(path)
    return path


def endless(path: Path, depth: int = 24) -> Path:
    """A 4 KB PDF whose page draws a form that draws the form below it twice, ``depth`` levels down: 2**depth
    drawings, so reading its text keeps MuPDF busy (with the GIL held) for minutes. A hostile or broken file in
    miniature; it uses almost no memory."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "A page whose drawing never ends")
    below = None
    for _ in range(depth + 1):
        xref = doc.get_new_xref()
        resources = f"/Resources<</XObject<</F {below} 0 R>>>>" if below else ""
        doc.update_object(xref, f"<</Type/XObject/Subtype/Form/BBox[0 0 10 10]{resources}>>")
        doc.update_stream(xref, b"/F Do /F Do" if below else b"q Q")
        below = xref
    contents = page.get_contents()[0]
    doc.update_stream(contents, doc.xref_stream(contents) + b"\nq /Top Do Q")
    kind, value = doc.xref_get_key(page.xref, "Resources")
    resources = int(value.split()[0]) if kind == "xref" else page.xref
    doc.xref_set_key(resources, "XObject", f"<</Top {below} 0 R>>")
    doc.save(path)
    return path


def lying_page_count(path: Path, count: str) -> Path:
    """A valid one-page PDF whose page tree claims ``/Count <count>`` pages (-1, 100000, 99999999999)."""
    good = path.with_name(path.stem + "-good.pdf")
    paper(good, "A paper with a broken page tree")
    data = good.read_bytes()
    assert b"/Count 1/" in data
    path.write_bytes(data.replace(b"/Count 1/", f"/Count {count}/".encode()))
    good.unlink()
    return path
