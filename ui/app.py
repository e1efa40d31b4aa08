"""Entry point of the desktop app: ``litreview-gui`` (``make run``), or ``python -m ui.app``.

``--smoke`` opens the window, waits for its first paint and exits 0: the start-up check that tests and the
packaged bundle run offscreen (``QT_QPA_PLATFORM=offscreen``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import ui

APP_ID = "litreview"  # matches packaging/litreview.desktop, so desktops group the window with its launcher
RESOURCES = Path(ui.__file__).resolve().parent / "resources"  # (this file is __main__, also in a frozen bundle)


def _has_display() -> bool:
    if not sys.platform.startswith("linux"):
        return True
    return bool(os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="litreview-gui", description="The litreview desktop app.")
    parser.add_argument("--library", metavar="DIR", help="library folder (default: $LITREVIEW_LIBRARY or the per-user data folder)")
    parser.add_argument("--smoke", action="store_true", help="open the window, exit after its first paint (start-up check)")
    parser.add_argument("--screenshot", metavar="PNG", help="with --smoke: save the first painted window here")
    parser.add_argument("--smoke-demo", action="store_true",
                        help="with --smoke: import the demo corpus before exiting (exercises the PDF reader processes)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # the import's PDF readers are processes; a frozen bundle must route them
    args = parse_args(argv)
    if not _has_display():
        print("litreview-gui: no display found. Run it on a desktop session, or set QT_QPA_PLATFORM=offscreen "
              "for a window nobody sees.", file=sys.stderr)
        return 2
    started = time.perf_counter()
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox

    from litreview.errors import LitreviewError, report_bug
    from litreview.paths import default_library

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName("litreview")
    app.setApplicationName("litreview")
    app.setApplicationDisplayName("litreview")
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(QIcon(str(RESOURCES / "litreview.svg")))

    from ui.main_window import MainWindow, recent_libraries

    # the library named on the command line, else the one used last (the app reopens where the user left it)
    folder = Path(args.library).expanduser() if args.library else next(iter(recent_libraries()), default_library())
    try:
        window = MainWindow(folder)
    except Exception as error:  # a user error says what to do; a bug is logged with its traceback
        message = f"Cannot open the library at {folder}: " + (
            str(error) if isinstance(error, LitreviewError) else report_bug(error, "opening the library"))
        print(f"litreview-gui: {message}", file=sys.stderr)
        if not args.smoke:
            QMessageBox.critical(None, "litreview", message)
        return 2 if isinstance(error, LitreviewError) else 1

    def unexpected(kind, error, trace) -> None:
        """An exception escaping a Qt slot is a bug: log it, say so in one line, keep the app running."""
        if issubclass(kind, KeyboardInterrupt):
            app.quit()
            return
        window.show_error(report_bug(error.with_traceback(trace), "handling that"))

    sys.excepthook = unexpected

    if args.smoke:
        class FirstPaint(QObject):
            def eventFilter(self, watched, event):  # noqa: N802 (Qt name)
                if event.type() == QEvent.Type.Paint and not painted:
                    painted.append(time.perf_counter() - started)
                    QTimer.singleShot(0, finish)
                return False

        def finish() -> None:
            if args.smoke_demo and window.library.study_count() == 0:
                window.runner.finished.connect(lambda *_: QTimer.singleShot(0, finish))
                window.runner.failed.connect(lambda _slot, _name, message: (print(message, file=sys.stderr), app.exit(1)))
                window.open_demo_corpus()
                return
            if args.screenshot:
                Path(args.screenshot).parent.mkdir(parents=True, exist_ok=True)
                window.grab().save(args.screenshot)
            studies = window.library.study_count()
            # every core module must load (in a frozen bundle a missing piece shows up here, not in a user's face)
            loaded = window.warm_up.wait(300) and not window.warm_up.failed
            print(f"litreview-gui smoke: first paint after {painted[0]:.2f} s "
                  f"(platform {app.platformName()}, library {folder}, {studies} studies); core modules "
                  + ("loaded" if loaded else f"FAILED to load: {', '.join(window.warm_up.failed)}"), flush=True)
            window.close()
            app.exit(0 if loaded else 1)

        painted: list[float] = []
        first_paint = FirstPaint(window)
        window.installEventFilter(first_paint)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
