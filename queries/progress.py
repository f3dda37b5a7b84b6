"""A build's progress, stage by stage. queries/extract.py reports `progress(i, n, what)` with
`what` the name of the stage under way (labels.BUILD_STEP); `Stages` turns those calls into
stages with their seconds, and `StderrBar` shows them on the command line: a bar redrawn in
place on a terminal, one line per finished stage in a log (a nightly job's). The page draws
the same `Stages` with st.progress (ui/data.py)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from . import labels

WORDS = labels.BUILD_PROGRESS


@dataclass(frozen=True)
class Stage:
    name: str
    seconds: float


class Stages:
    """The stages a build has been through. A stage runs from the first call naming it to the
    first call naming another; the call with i = n ends the build and names no stage of its
    own (its `what` is 完成)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.finished: list[Stage] = []
        self.current: str | None = None
        self.fraction = 0.0
        self.done = False
        self._start: float | None = None
        self._since = 0.0

    def update(self, i: int, n: int, what: str) -> Stage | None:
        """Take one progress call; returns the stage it finished, if any."""
        now = self.clock()
        if self._start is None:
            self._start = now
        self.fraction = min(max(i / n, 0.0), 1.0) if n > 0 else 1.0
        self.done = n > 0 and i >= n
        ended = None
        if self.current is not None and (what != self.current or self.done):
            ended = Stage(self.current, now - self._since)
            self.finished.append(ended)
            self.current = None
        if self.current is None and not self.done:
            self.current, self._since = what, now
        return ended

    @property
    def number(self) -> int:
        """The current stage's place, counting from 1."""
        return len(self.finished) + 1

    def stage_seconds(self) -> float:
        return self.clock() - self._since if self.current is not None else 0.0

    def total_seconds(self) -> float:
        return self.clock() - self._start if self._start is not None else 0.0


def seconds(value: float) -> str:
    return f"{value:.1f}"


class Ticker:
    """Calls `tick` about once a second from a daemon thread until stopped, so an elapsed
    time keeps moving while one long statement runs."""

    def __init__(self, tick: Callable[[], None], every: float = 1.0):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(tick, every), daemon=True)
        self._thread.start()

    def _run(self, tick: Callable[[], None], every: float) -> None:
        while not self._stop.wait(every):
            tick()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()


BAR_CELLS = 20


class StderrBar:
    """`progress(i, n, what)` for the command line. On a terminal: a line per finished stage
    (✓ name, seconds) above a bar redrawn in place with the current stage and its seconds. Not
    on a terminal: one line per finished stage, with the share done and its seconds. Call
    `end()` when the build returns or fails: a stage cut short is then named. stdout stays for
    the answer."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic, ticking: bool = True):
        self.stream = stream
        self.tty = stream.isatty()
        self.ticking = ticking  # redraw the bar each second on a terminal
        self.stages = Stages(clock)
        self.started = False  # whether a build ran at all (a current cache calls nothing)
        self._lock = threading.Lock()
        self._ticker: Ticker | None = None

    def __call__(self, i: int, n: int, what: str) -> None:
        with self._lock:
            self.started = True
            ended = self.stages.update(i, n, what)
            if ended is not None:
                self._write(self._finished_line(ended))
            if self.tty and not self.stages.done:
                self._redraw()
                if self._ticker is None and self.ticking:
                    self._ticker = Ticker(self._tick)

    def _finished_line(self, stage: Stage) -> str:
        if self.tty:
            return "\r" + WORDS["tty_stage"].format(stage=stage.name, seconds=seconds(stage.seconds)) + "\033[K\n"
        return WORDS["log_stage"].format(percent=round(self.stages.fraction * 100), stage=stage.name,
                                         seconds=seconds(stage.seconds)) + "\n"

    def _redraw(self) -> None:
        s = self.stages
        filled = round(s.fraction * BAR_CELLS)
        self._write("\r" + WORDS["tty_bar"].format(
            bar="#" * filled + "." * (BAR_CELLS - filled), percent=round(s.fraction * 100),
            stage=s.current or "", seconds=seconds(s.stage_seconds()),
            total=seconds(s.total_seconds())) + "\033[K")

    def _tick(self) -> None:
        with self._lock:
            if self.stages.current is not None:
                self._redraw()

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()

    def end(self) -> None:
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        with self._lock:
            s = self.stages
            if s.current is not None:  # the build stopped inside a stage: say which, and for how long
                line = WORDS["cut"].format(stage=s.current, seconds=seconds(s.stage_seconds()))
                self._write(("\r" + line + "\033[K\n") if self.tty else line + "\n")
                s.current = None
            elif self.tty and self.started:
                self._write("\r\033[K")  # the bar's line, once every stage has its own
