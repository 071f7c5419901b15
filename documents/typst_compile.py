"""Typst's compiler, sandboxed, for documents/typeset.py: nothing here imports Django, so the
processes that typeset a long log's pieces start from it alone (spawned, not forked: Typst's PDF
writer runs on a thread pool, and a process forked from one that has used it waits forever for
threads it does not have).

The compiler is given an empty folder as its root and as its package folders: it reads nothing
but the source it is handed and the system fonts.
"""

from __future__ import annotations

import functools
import tempfile
import threading

# typst-py ages Typst's memo cache once a compile (comemo::evict(10)): what a piece left there is
# dropped only 10 compiles later, so 10 pieces' worth stayed in memory (~40 MB a piece of 500 rows,
# and each compile slower for it: 10,000 rows took 36 s and 668 MB). An empty document compiled
# AGE_OUT times after each piece ages them out at once (0.3 ms in all): memory stays one piece's.
AGE_OUT = 10
_lock = threading.Lock()


@functools.cache
def sandbox() -> str:
    """An empty folder: Typst's root and package folders, so a path in a source finds nothing."""
    return tempfile.mkdtemp(prefix="adoptboard-typst-")


@functools.cache
def _compiler():
    import typst  # imported here: only the documents pay for loading Typst

    empty = sandbox()
    # One per process: it finds the system fonts once (~20 ms a compile otherwise).
    return typst.Compiler(b"", root=empty, package_path=empty, package_cache_path=empty)


def compile_source(source: bytes, data: str) -> bytes:
    """`source` typeset as PDF with `data` as sys.inputs.data, in the sandbox."""
    compiler = _compiler()
    with _lock:  # one compiler a process, not to be used by two threads at once
        try:
            return compiler.compile(input=source, sys_inputs={"data": data})
        finally:
            for _ in range(AGE_OUT):
                compiler.compile(input=b"", sys_inputs=None)


def compile_piece(job: tuple[bytes, str]) -> bytes:
    """compile_source for a pool's map: (source, data)."""
    return compile_source(*job)
