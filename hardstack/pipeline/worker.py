"""A render worker: `python -m hardstack.pipeline.worker`, one per core, driven by pool.py.

It reads pickled jobs from standard input and writes each job's pickled StackWork to the
standard output it was started with; anything the program prints goes to standard error, so
nothing can corrupt the stream. Both ends are this project's own code.
"""

from __future__ import annotations

import os
import pickle
import sys

from hardstack.pipeline.work import StackWork, do_work


def main() -> None:
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
        try:
            work = do_work(job.env, job.stack)
        except Exception as exc:  # a bug of ours must still come back as this stack's error
            work = StackWork(stack=job.stack, render_error=f"stack {job.stack}: {type(exc).__name__}: {exc}")
        pickle.dump((job.index, work), results, protocol=pickle.HIGHEST_PROTOCOL)
        results.flush()
    results.close()
    sys.stderr.flush()
    # Interpreter shutdown would spend seconds collecting the SDKs' objects for nothing.
    os._exit(0)


if __name__ == "__main__":
    main()
