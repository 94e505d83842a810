"""Reading a responses file batch by batch for ``score`` and ``validate``: bounded memory, the
next batch read while the current one is scored and written, and a progress bar on stderr.

Memory is bounded by the batch size (at most three batches are alive: the one being scored, the
one read ahead, and the one the reader is filling), not by the file. The bar (tqdm) shows the
share of the file read, respondents per second and the time left; it is shown only when stderr
is a terminal and ``--quiet`` is not given, so logs and pipes stay clean.
"""

from __future__ import annotations

import argparse
import io
import os
import queue
import threading
import time
from typing import Any, Iterator, TextIO, TypeVar

from ..responses import batches_read
from ._input_options import input_options
from ._usage import UsageError

T = TypeVar("T")

#: Respondents per batch unless ``--batch-size`` says otherwise.
DEFAULT_BATCH = 100_000
_DONE = object()


def reading_options(args: argparse.Namespace) -> dict[str, Any]:
    """The reading options of the command line, as :func:`~akhlak_levels.read_responses` takes
    them (a vote command has no ``--date-column`` nor ``--allow-missing-items``: those are left out)."""
    options: dict[str, Any] = dict(
        id_column=args.id_column,
        unit_column=args.unit_column,
        wave_column=args.wave_column,
        group_columns=args.group_column,
        ignore_columns=args.ignore_column,
        unknown_columns="ignore" if args.ignore_unknown_columns else "error",
        on_invalid=args.on_invalid,
    )
    if hasattr(args, "date_column"):
        options["date_column"] = args.date_column
    if hasattr(args, "allow_missing_items"):
        options["missing_items"] = "missing" if args.allow_missing_items else "error"
    return {**options, **input_options(args)}  # --labels, --dayfirst/--monthfirst when given


#: The reading options that only apply to a questionnaire of items: (flag, option, value when off).
ITEM_ONLY_OPTIONS = (("--date-column", "date_column", None), ("--allow-missing-items", "missing_items", "error"),
                     ("--labels", "label_map", None), ("--dayfirst/--monthfirst", "dayfirst", None))


def vote_reading_options(options: dict[str, Any], q: Any) -> dict[str, Any]:
    """``options`` for :func:`~akhlak_levels.read_votes`: the options of items left out, a usage
    error (exit 2) naming the flag where one of them was given for a vote instrument."""
    options = dict(options)
    for flag, name, off in ITEM_ONLY_OPTIONS:
        if options.pop(name, off) != off:
            raise UsageError(f"{flag} is for questionnaires of items; {q.id!r} is a vote instrument")
    return options


def read_ahead(items: Iterator[T]) -> Iterator[T]:
    """The items of ``items``, the next one produced by a thread while the caller works on the
    current one (pyarrow and numpy release the GIL, so reading overlaps scoring and writing).
    An error of the producer is raised in the caller at the item where it happened; when the
    caller stops early, the thread stops too."""
    box: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        box.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            box.put((_DONE, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
            box.put((_DONE, exc))

    thread = threading.Thread(target=produce, name="akhlak-levels-reader", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = box.get()
            if exc is not None:
                raise exc
            if item is _DONE:
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # let a producer blocked on a full box see the stop
            try:
                box.get(timeout=0.1)
            except queue.Empty:
                pass
        thread.join()


class Bar:
    """A progress bar over the share of the file read (tqdm on ``err``), or nothing."""

    def __init__(self, err: TextIO, quiet: bool, verb: str) -> None:
        self.n, self.t0, self.bar = 0, time.perf_counter(), None
        if not quiet and err.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=1000, file=err, desc=verb, leave=False, ncols=_size(err)[0], nrows=_size(err)[1],
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}{postfix}")

    def update(self, rows: int, done: float | None) -> None:
        self.n += rows
        if self.bar is None:
            return
        if done is not None:
            self.bar.update(max(int(done * 1000) - self.bar.n, 0))
        rate = self.n / max(time.perf_counter() - self.t0, 1e-9)
        self.bar.set_postfix_str(f"{self.n:,} respondents, {rate:,.0f}/s", refresh=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _size(err: TextIO) -> tuple[int, int]:
    """The terminal's columns and lines (80 x 24 where it says 0: tqdm then draws nothing)."""
    try:
        size = os.get_terminal_size(err.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return 80, 24
    return size.columns or 80, size.lines or 24


def batches(args: argparse.Namespace, q: Any, err: TextIO, verb: str) -> Iterator[Any]:
    """The batches of ``args.file`` (read ahead), with the bar updated after each."""
    bar = Bar(err, args.quiet, verb)
    try:
        source = batches_read(args.file, q, batch_size=args.batch_size, delimiter=args.delimiter,
                              sheet=args.sheet, **reading_options(args))
        for rs, done in read_ahead(source):
            yield rs
            bar.update(len(rs), done)
    finally:
        bar.close()
