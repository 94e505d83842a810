"""Writing files safely: whole or not at all, and with no cell a spreadsheet would run.

Two defences for every file the library and the command line write:

- :func:`spreadsheet_text` neutralises a text cell that a spreadsheet would read as a formula
  (CSV injection, OWASP): a text whose first character is ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return gets a single quote ``'`` in front, so Excel or LibreOffice shows it as text
  and runs nothing. Only text is touched: numbers written by us (ints, floats, including
  negative ones such as ``-0.25`` and ``-inf``) stay numbers, so a numeric column stays numeric
  in the spreadsheet. The CSV writers of the command line pass every text cell (ids, units,
  group labels, level labels, notes, flags, and the header) through it and no numeric cell.
- :class:`AtomicFiles` (and :func:`atomic_write` for one file) writes each file under a
  temporary name in the same directory and renames it into place (``os.replace``) only when
  the whole block succeeded, so a failure half-way leaves no partial file and an existing file
  as it was.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from typing import IO, Any, Iterator

from ._validation import Options, check

__all__ = ["FORMULA_STARTS", "AtomicFiles", "atomic_write", "spreadsheet_text", "spreadsheet_texts"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: Any) -> Any:
    """``value`` as a spreadsheet cell that runs nothing: a text starting with one of
    :data:`FORMULA_STARTS` gets a ``'`` in front; anything else (numbers included) is returned
    as it is.

    Examples
    --------
    >>> spreadsheet_text('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> spreadsheet_text("-2+3"), spreadsheet_text("\\tA"), spreadsheet_text("Dinas A")
    ("'-2+3", "'\\tA", 'Dinas A')
    >>> spreadsheet_text(-0.25), spreadsheet_text(float("-inf")), spreadsheet_text(-3)
    (-0.25, -inf, -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


#: The same first characters as a regular expression anchored at the start (for pyarrow).
_FORMULA_PATTERN = "^[" + "".join("\\" + c if c in "-" else c for c in FORMULA_STARTS) + "]"


def spreadsheet_texts(texts: Any) -> Any:
    """:func:`spreadsheet_text` for a whole pyarrow string array at once (nulls stay null).

    Examples
    --------
    >>> import pyarrow as pa
    >>> spreadsheet_texts(pa.array(["=1+1", "Dinas A", None, "-x", ""])).to_pylist()
    ["'=1+1", 'Dinas A', None, "'-x", '']
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    texts = pa.array(texts, type=pa.string()) if not isinstance(texts, (pa.Array, pa.ChunkedArray)) else texts
    risky = pc.match_substring_regex(texts, _FORMULA_PATTERN)
    if not pc.any(risky).as_py():
        return texts
    return pc.if_else(risky, pc.binary_join_element_wise("'", texts, ""), texts)


class AtomicFiles:
    """Files that appear together, whole, when the ``with`` block succeeds, and not at all when
    it fails.

    :meth:`open` gives a handle on a temporary file beside the target (``.<name>.<random>.tmp``,
    made with the permissions a plain ``open`` would give, or the target's own when it exists).
    On a successful exit every handle is flushed, synced to disk and closed, and each temporary
    file is renamed onto its target (``os.replace``, atomic on one file system). On an exception
    (``KeyboardInterrupt`` included) every temporary file is deleted and the targets are left as
    they were. Do not close the handles yourself.

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> folder = tempfile.mkdtemp()
    >>> path = os.path.join(folder, "out.csv")
    >>> with AtomicFiles() as files:
    ...     _ = files.open(path).write("id\\n1\\n")
    >>> pathlib.Path(path).read_text()
    'id\\n1\\n'
    >>> try:
    ...     with AtomicFiles() as files:
    ...         _ = files.open(path).write("half a fi")
    ...         raise RuntimeError("row 900 is bad")
    ... except RuntimeError:
    ...     pass
    >>> pathlib.Path(path).read_text(), sorted(os.listdir(folder))
    ('id\\n1\\n', ['out.csv'])
    """

    def __init__(self) -> None:
        self._pending: list[tuple[IO[Any], str, str]] = []

    def open(self, path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8",
             newline: str | None = None) -> IO[Any]:
        """A handle on the temporary file that becomes ``path``; ``mode`` is ``"w"`` or ``"wb"``."""
        check("AtomicFiles.open", "mode", mode, Options({"w", "wb"}))
        target = os.path.abspath(os.fspath(path))
        folder, name = os.path.split(target)
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)  # umask applies
        except OSError as exc:  # name the file the user asked for, not the temporary one
            raise OSError(exc.errno, exc.strerror, target) from None
        try:
            with contextlib.suppress(OSError):  # keep an existing file's permissions
                os.chmod(tmp, stat.S_IMODE(os.stat(target).st_mode))
            if mode == "wb":
                fh: IO[Any] = os.fdopen(fd, "wb")
            else:
                fh = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        except BaseException:
            os.close(fd)
            os.unlink(tmp)
            raise
        self._pending.append((fh, tmp, target))
        return fh

    def __enter__(self) -> AtomicFiles:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        pending, self._pending = self._pending, []
        if exc_type is None:
            try:
                for fh, _, _ in pending:
                    if not fh.closed:
                        fh.flush()
                        os.fsync(fh.fileno())
                        fh.close()
                for _, tmp, target in pending:
                    os.replace(tmp, target)
                return
            except BaseException:
                _discard(pending)
                raise
        _discard(pending)


def _discard(pending: list[tuple[IO[Any], str, str]]) -> None:
    """Close and delete the temporary files not yet renamed."""
    for fh, tmp, _ in pending:
        with contextlib.suppress(Exception):  # the block's own error is the one to report
            fh.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", *, encoding: str | None = "utf-8",
                 newline: str | None = None) -> Iterator[IO[Any]]:
    """One file written whole or not at all: :class:`AtomicFiles` for a single ``path``.

    Examples
    --------
    >>> import os, pathlib, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "model.json")
    >>> with atomic_write(path) as fh:
    ...     _ = fh.write("{}")
    >>> pathlib.Path(path).read_text()
    '{}'
    """
    with AtomicFiles() as files:
        yield files.open(path, mode, encoding=encoding, newline=newline)
