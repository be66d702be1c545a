"""Worker processes for the batch runner: a pool that survives crashes, limits, kills and locks.

- Models are loaded once in the parent (``warm_up``) and the pool forks, so no worker loads
  jieba, the spaCy pipeline or the classifier again.
- Each worker dies with its parent (``PR_SET_PDEATHSIG``), ignores Ctrl-C (the parent stops
  the run), closes the parent's lock and output descriptors, and may allocate at most
  ``max_memory`` bytes beyond what it inherited (``RLIMIT_AS``): a file that needs more is an
  error line for that file.
- A worker that dies breaks a ``ProcessPoolExecutor``: the pool is replaced, the files that were
  in flight are retried each alone once, and the run goes on at full width.
- ``RunLock``: one run per output and per database; the holder's pid is in the lock file, and a
  lock whose holder process is gone is taken over.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import re
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from functools import partial
from pathlib import Path
from typing import Any

from .errors import Errors, NlpPipelineError, UsageError

try:
    import fcntl
except ImportError:  # not POSIX: runs are not guarded against each other
    fcntl = None  # type: ignore[assignment]
try:
    import resource
except ImportError:  # not POSIX: no per-worker memory ceiling
    resource = None  # type: ignore[assignment]

DEFAULT_MAX_MEMORY = 2 << 30  # bytes a worker may allocate beyond what it inherited from the parent
DASK_CONNECT_TIMEOUT = "20s"
CRASH_ENV = "NLP_PIPELINE_TEST_CRASH"  # tests: a worker given a file of this name exits at once
_PR_SET_PDEATHSIG = 1
_PARENT_ONLY_FDS: set[int] = set()  # lock and output descriptors a worker must not keep open

Line = dict[str, Any]
Task = Callable[[str], Line]


class OutOfMemory(NlpPipelineError):
    """A file needed more memory than a worker may take (``--max-memory``)."""

    code = Errors.E010.name


def memory_error(path: str, limit: int | None) -> NlpPipelineError:
    where = f"the worker limit of {limit >> 20} MiB (see --max-memory)" if limit else "the memory available"
    return OutOfMemory.from_catalogue(Errors.E010, path, detail=f"out of memory: the file needs more than {where}")


def crash_line(path: str, exc: BaseException, fingerprint: dict[str, Any]) -> Line:
    err = NlpPipelineError.from_catalogue(
        Errors.E010,
        path,
        detail=f"the worker analysing it died ({type(exc).__name__}: {exc}); killed by the system, "
        "out of memory or a crash in a library",
    )
    return {**err.to_dict(), "file": fingerprint}


def parse_size(text: str) -> int:
    """``2GiB``, ``512M``, ``1.5g`` or a plain number of MiB → bytes; 0 means no ceiling."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", text.lower())
    if not m:
        raise ValueError(f"not a size: {text!r} (e.g. 2GiB, 512M)")
    unit = {"": 1 << 20, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}[m.group(2)]
    return int(float(m.group(1)) * unit)


# --- workers ---------------------------------------------------------------------------------


def warm_up() -> None:
    """Load what every analysis needs (jieba's dictionary, the claim pipeline, the classifier) in
    this process, so forked workers share it instead of loading it each."""
    from . import claims, jieba_dict, problem_classifier

    jieba_dict.load_all()  # the whole dictionary and posseg's tags: workers would each add their groups
    claims.get_nlp()("预热：本年度共收到申请5件。")
    with suppress(NlpPipelineError):  # a missing model is reported per file by the analysis itself
        problem_classifier.load_model()


def _worker_init(parent: int, max_memory: int | None) -> None:
    """Runs first in every worker: die with the parent, leave Ctrl-C to it, drop its descriptors,
    take the memory ceiling."""
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for fd in list(_PARENT_ONLY_FDS):
        with suppress(OSError):
            os.close(fd)
    _PARENT_ONLY_FDS.clear()
    if max_memory and resource is not None:
        limit = _address_space() + max_memory
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    global _WORKER
    _WORKER = (True, max_memory or None)


_WORKER: tuple[bool, int | None] = (False, None)  # (this process is a pool worker, its memory ceiling)


def worker_memory_limit() -> int | None:
    """The ceiling this process runs under when it is a batch worker (for error messages)."""
    return _WORKER[1]


def _address_space() -> int:
    """This process's virtual size in bytes (what it inherited at fork: models, libraries)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def crash_for_tests(path: str) -> None:
    """Test hook: ``NLP_PIPELINE_TEST_CRASH=<file name>`` makes the worker given that file exit."""
    name = os.environ.get(CRASH_ENV)
    if name and os.path.basename(path) == name and _WORKER[0]:
        os._exit(70)


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _new_pool(workers: int, max_memory: int | None) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_context(),
        initializer=_worker_init,
        initargs=(os.getpid(), max_memory),
    )


def map_processes(
    task: Task, paths: Sequence[str], workers: int, *, max_memory: int | None, on_crash: Callable[[str, BaseException], Line]
) -> Iterator[Line]:
    """``task`` over ``paths`` in ``workers`` processes, results as they complete.

    At most two files per worker are in flight. When a worker dies the pool is replaced; the
    files that were in flight are then run one at a time in a pool of their own, and a file that
    kills that one too becomes ``on_crash(path, exc)``.
    """
    warm_up()
    todo = list(reversed(paths))
    window = 2 * workers
    pool = _new_pool(workers, max_memory)
    inflight: dict[Future[Line], str] = {}
    try:
        while todo or inflight:
            while todo and len(inflight) < window:
                p = todo.pop()
                inflight[pool.submit(task, p)] = p
            done, _ = wait(inflight, return_when=FIRST_COMPLETED)
            suspects: list[str] = []
            for fut in done:
                p = inflight.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    suspects.append(p)
            if not suspects:
                continue
            for fut in wait(inflight).done:  # the rest of a broken pool's futures
                p = inflight.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    suspects.append(p)
            pool.shutdown(wait=True, cancel_futures=True)
            yield from _one_by_one(task, suspects, max_memory, on_crash)
            pool = _new_pool(workers, max_memory)
    except BaseException:  # Ctrl-C, SIGTERM or an early stop: end the workers now
        stop_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _one_by_one(
    task: Task, paths: Sequence[str], max_memory: int | None, on_crash: Callable[[str, BaseException], Line]
) -> Iterator[Line]:
    solo: ProcessPoolExecutor | None = None
    try:
        for p in paths:
            solo = solo or _new_pool(1, max_memory)
            try:
                yield solo.submit(task, p).result()
            except BrokenProcessPool as exc:
                yield on_crash(p, exc)
                solo.shutdown(wait=True)
                solo = None
    except BaseException:
        if solo is not None:
            stop_workers(solo)
        raise
    finally:
        if solo is not None:
            solo.shutdown(wait=True, cancel_futures=True)


def stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's processes now (the executor has no public way to abandon running calls)."""
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        proc.terminate()


def map_dask(
    task: Task,
    paths: Sequence[str],
    workers: int,
    scheduler: str | None,
    on_crash: Callable[[str, BaseException], Line],
) -> Iterator[Line]:
    """The same map on dask.distributed: an existing scheduler, or a local cluster of processes."""
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    if scheduler:
        ctx: AbstractContextManager[Any] = nullcontext(None)
        try:
            client = Client(scheduler, timeout=DASK_CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UsageError(
                scheduler, f"cannot reach the dask scheduler at {scheduler}: {exc}", code=Errors.E012.name
            ) from exc
    else:
        ctx = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(ctx)
    with ctx, client:
        futures = client.map(task, list(paths), pure=False)
        sources = {f.key: p for f, p in zip(futures, paths, strict=True)}
        done = dask_completed(futures)
        del futures  # each result is released once taken: the cluster does not hold the corpus
        for fut in done:
            try:
                line = fut.result()
            except Exception as exc:  # a lost worker must not end the batch
                line = on_crash(sources[fut.key], exc)
            fut.release()
            del fut
            yield line


# --- the run's signals and locks -------------------------------------------------------------


class Terminated(KeyboardInterrupt):
    """SIGTERM/SIGHUP in the parent: stop like Ctrl-C (workers ended, progress file kept)."""


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While the run lasts, SIGTERM and SIGHUP stop it the way Ctrl-C does (main thread only)."""
    if threading_main() is False:
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise Terminated(signal.Signals(signum).name)

    sigs = [s for s in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, _raise) for s in sigs}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def threading_main() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


class RunLock:
    """An exclusive lock on ``path`` (a small file holding the holder's pid) for a whole run.

    ``flock`` locks end with the processes holding them; a lock still held although the pid in
    the file is gone (workers of a killed run, from an older version) is taken over: the file is
    replaced, so the stale holders keep a lock on a file nobody uses.
    """

    def __init__(self, path: Path, what: str) -> None:
        self.path, self.what = path, what
        self.fd: int | None = None

    def __enter__(self) -> RunLock:
        if fcntl is None:
            return self
        for _ in range(5):
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
            except OSError as exc:
                from .store import output_error

                raise output_error(Path(self.what), exc) from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                holder = _read_pid(fd)
                os.close(fd)
                if holder is None or _alive(holder):
                    raise UsageError(
                        str(self.path),
                        f"another batch run{f' (pid {holder})' if holder else ''} is writing {self.what} "
                        "(wait for it, or use another output)",
                        code=Errors.E011.name,
                    ) from None
                _unlink_if_same(self.path, None)
                continue
            if not _same_file(fd, self.path):  # replaced while we waited: lock the new one
                os.close(fd)
                continue
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            self.fd = fd
            _PARENT_ONLY_FDS.add(fd)
            return self
        raise UsageError(str(self.path), f"cannot lock {self.path}", code=Errors.E011.name)

    def __exit__(self, *exc: object) -> None:
        if self.fd is None:
            return
        _unlink_if_same(self.path, self.fd)
        _PARENT_ONLY_FDS.discard(self.fd)
        os.close(self.fd)
        self.fd = None


def lock_path(p: Path) -> Path:
    return p.with_name(p.name + ".lock")


def _read_pid(fd: int) -> int | None:
    try:
        data = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(data) if data.isdigit() else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


def _same_file(fd: int, path: Path) -> bool:
    try:
        a, b = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _unlink_if_same(path: Path, fd: int | None) -> None:
    if fd is None or _same_file(fd, path):
        with suppress(FileNotFoundError):
            os.unlink(path)


def keep_from_workers(fd: int) -> None:
    """Mark an output descriptor of the parent: workers close it first thing."""
    _PARENT_ONLY_FDS.add(fd)


def release_from_workers(fd: int) -> None:
    _PARENT_ONLY_FDS.discard(fd)


def task_with(func: Callable[..., Line], **kw: Any) -> Task:
    return partial(func, **kw)
