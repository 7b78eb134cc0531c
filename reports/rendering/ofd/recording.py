"""Keep the glyphs WeasyPrint draws into the PDF, for the OFD written after it.

WeasyPrint frees each text box's Pango layout after layout and re-creates it to draw
the box (``draw_text``: ``reactivate``, ``draw_first_line``, ``deactivate``), which
re-shapes the line with HarfBuzz.  Reading the boxes again for the OFD would shape
every line a second time; instead, while a ``recording_glyphs()`` block writes the PDF,
each line's glyph items are copied out of the layout the PDF writer has just drawn
from, and ``page_layouts`` uses them.  A box the recording missed (none in our
documents) is laid out again, so an inactive hook costs time, never correctness.

The hook wraps ``weasyprint.draw.text.draw_first_line`` (WeasyPrint's own drawing is
unchanged: the wrapper reads the layout after it returns); outside a recording it
only looks up a context variable.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
import time
from collections.abc import Iterator

from .layout import Faces, ShapedLine, drawn, shaped_line

_active: contextvars.ContextVar[GlyphRecording | None] = contextvars.ContextVar(
    "ofd_glyph_recording", default=None
)
_install_lock = threading.Lock()
_installed: list[bool] = []


class GlyphRecording:
    """The lines drawn during one PDF write, by text box."""

    def __init__(self) -> None:
        self.faces = Faces()
        self._lines: dict[int, tuple[object, ShapedLine]] = {}
        # Time spent copying glyphs out during the PDF write: part of the OFD's cost.
        self.seconds = 0.0

    def record(self, textbox) -> None:
        started = time.perf_counter()
        if drawn(textbox):
            line = shaped_line(textbox.pango_layout, self.faces, textbox.style["font_size"])
            # The box itself is kept with its line: an id is only unique while its
            # object lives.
            self._lines[id(textbox)] = (textbox, line)
        self.seconds += time.perf_counter() - started

    def line(self, textbox) -> ShapedLine | None:
        entry = self._lines.get(id(textbox))
        return entry[1] if entry is not None and entry[0] is textbox else None

    def __len__(self) -> int:
        return len(self._lines)


def _install() -> None:
    with _install_lock:
        if _installed:
            return
        from weasyprint.draw import text

        draw_first_line = text.draw_first_line

        def recording_draw_first_line(stream, textbox, *args, **kwargs):
            result = draw_first_line(stream, textbox, *args, **kwargs)
            recording = _active.get()
            if recording is not None:
                recording.record(textbox)
            return result

        text.draw_first_line = recording_draw_first_line
        _installed.append(True)


@contextlib.contextmanager
def recording_glyphs() -> Iterator[GlyphRecording]:
    """Record the glyphs of the PDF written inside the block (this thread or task
    only)."""
    _install()
    recording = GlyphRecording()
    token = _active.set(recording)
    try:
        yield recording
    finally:
        _active.reset(token)
