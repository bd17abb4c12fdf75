"""A render worker: `python -m hardstack.pipeline.worker`, one per core, driven by pool.py.

It reads pickled jobs from standard input and writes each job's pickled StackWork to the
standard output it was started with; anything the program prints goes to standard error, so
nothing can corrupt the stream. Both ends are this project's own code.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys


def main() -> None:
    # The cloud SDKs create millions of objects on import (classes, type hints) that live as long
    # as the worker, and the garbage collector would walk them again and again. So it runs once
    # per stack instead, after the stack's work, and then freezes what survived: the next
    # collection walks only the next stack's objects. Rendering the 5 examples in one process:
    # 8.2 s with the default collector, 6.6 s so, at the same peak memory (320 MiB). After a stack
    # that loaded an SDK, the collection would walk all of it for a few MB of garbage (0.36 s for
    # azure-native): those objects are frozen uncollected instead.
    gc.disable()
    from hardstack.pipeline.work import StackWork, do_work  # after gc.disable(): its imports count too

    results = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # print() in a blueprint must not write into the result stream
    jobs = sys.stdin.buffer
    while True:
        try:
            job = pickle.load(jobs)
        except EOFError:
            break
        if job is None:
            break
        modules = len(sys.modules)
        try:
            work = do_work(job.env, job.stack)
        except Exception as exc:  # a bug of ours must still come back as this stack's error
            work = StackWork(stack=job.stack, render_error=f"stack {job.stack}: {type(exc).__name__}: {exc}")
        pickle.dump((job.index, work), results, protocol=pickle.HIGHEST_PROTOCOL)
        results.flush()
        del work
        if len(sys.modules) == modules:
            gc.collect()  # only what is not frozen: this stack's objects
        gc.freeze()
    results.close()
    sys.stderr.flush()
    # Interpreter shutdown would spend seconds collecting the SDKs' objects for nothing.
    os._exit(0)


if __name__ == "__main__":
    main()
