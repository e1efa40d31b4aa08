"""Driving the app's main window in tests: its writer, its jobs, and studies written the way an import writes
them."""

from __future__ import annotations


def wait_for_job(qtbot, window, timeout_s: float = 180) -> None:
    """Wait until no pipeline job runs (the job's own signals may already have fired)."""
    qtbot.waitUntil(lambda: window.runner.busy("pipeline") is None, timeout=int(timeout_s * 1000))


def run_on_writer(window, op):
    """Run ``op(library)`` through the window's one writer, as the app's own edits do (views refresh at once)."""
    return window.ops.call(op)


def add_studies_through_window(window, titles: list[str]) -> list[int]:
    """Studies written the way an import writes reference records (one command each), through the window's
    writer; returns their ids."""
    def op(library):
        ids = []
        for number, title in enumerate(titles, start=1):
            with library.command(f"Import {title}") as cmd:
                ids.append(cmd.insert("studies", {
                    "title": title, "abstract": f"An abstract about {title.lower()}.",
                    "year": 2018 + number % 5, "source": "ris",
                    "authors": f'[{{"given": "Ada", "family": "Author{number}"}}]'}))
        return ids

    return run_on_writer(window, op)
