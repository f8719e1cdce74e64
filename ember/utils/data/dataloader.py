"""``DataLoader``: batches from a dataset, in order or shuffled, in this process or in workers.

Workers are real processes. Each receives batches of indices on its own queue and puts
collated batches (or its exception) on a shared result queue; the main process restores
the sampler's order, and notices a worker that died instead of waiting forever.
"""
from __future__ import annotations

import itertools
import multiprocessing as mp
import queue
import random
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Optional

from .dataset import Dataset, IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler, Sampler
from ._collate import default_collate, default_convert

_POLL_SECONDS = 1.0


@dataclass
class WorkerInfo:
    """What ``get_worker_info()`` tells code running inside a worker process."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: Optional[WorkerInfo] = None


def get_worker_info() -> Optional[WorkerInfo]:
    """The current worker's info, or None in the main process."""
    return _worker_info


class DataLoader:
    """Iterate over ``dataset`` in batches (torch.utils.data.DataLoader's arguments and defaults)."""

    def __init__(self, dataset: Dataset, batch_size: Optional[int] = 1, shuffle: Optional[bool] = None,
                 sampler: Optional[Iterable] = None, batch_sampler: Optional[Iterable] = None,
                 num_workers: int = 0, collate_fn: Optional[Callable] = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0, worker_init_fn: Optional[Callable] = None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor: Optional[int] = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let "
                             "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None.")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers else prefetch_factor
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.persistent_workers = persistent_workers
        self._is_iterable = isinstance(dataset, IterableDataset)

        if self._is_iterable:
            if shuffle not in (None, False):
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, "
                                 f"but got shuffle={shuffle}")
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler option")
        elif sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                 "sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive "
                             "with drop_last")
        if sampler is None and not self._is_iterable:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._is_iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        auto = batch_sampler is not None or (self._is_iterable and batch_size is not None)
        self.collate_fn = collate_fn or (default_collate if auto else default_convert)

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self) -> int:
        if self._is_iterable:
            n = len(self.dataset)
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        return len(self._index_sampler)

    def __iter__(self):
        from ...random import rng
        # every pass draws the workers' base seed, workers or not (as torch does), so the order
        # and the generators' streams do not depend on num_workers
        base_seed = int(rng(self.generator).integers(0, 2 ** 62))
        if self.num_workers == 0:
            return self._single_process()
        return _MultiProcessIter(self, base_seed)

    def _fetch(self, indices):
        if self._auto_collation:
            getitems = getattr(self.dataset, "__getitems__", None)
            samples = getitems(indices) if getitems else [self.dataset[i] for i in indices]
            return self.collate_fn(samples)
        return self.collate_fn(self.dataset[indices])

    def _single_process(self):
        if self._is_iterable:
            yield from _iterable_batches(self.dataset, self.batch_size, self.drop_last, self.collate_fn)
            return
        for indices in self._index_sampler:
            yield self._fetch(indices)


def _iterable_batches(dataset, batch_size, drop_last, collate_fn):
    it = iter(dataset)
    if batch_size is None:
        for item in it:
            yield collate_fn(item)
        return
    while True:
        batch = list(itertools.islice(it, batch_size))
        if not batch or (drop_last and len(batch) < batch_size):
            return
        yield collate_fn(batch)


class _WorkerError:
    """An exception raised in a worker, carried to the main process with its traceback text."""

    def __init__(self, worker_id: int, exc: BaseException) -> None:
        self.exc_type = type(exc)
        self.message = (f"Caught {type(exc).__name__} in DataLoader worker process {worker_id}.\n"
                        f"Original {traceback.format_exc()}")

    def reraise(self):
        try:
            err = self.exc_type(self.message)
        except Exception:  # noqa: BLE001 - exception types with unusual constructors
            err = RuntimeError(self.message)
        raise err


def _worker_loop(loader: DataLoader, worker_id: int, seed: int, index_queue, result_queue) -> None:
    global _worker_info
    from ... import random as ember_random
    ember_random.manual_seed(seed)
    random.seed(seed)
    _worker_info = WorkerInfo(worker_id, loader.num_workers, seed, loader.dataset)
    try:
        if loader.worker_init_fn is not None:
            loader.worker_init_fn(worker_id)
        if loader._is_iterable:
            for i, batch in enumerate(_iterable_batches(loader.dataset, loader.batch_size,
                                                        loader.drop_last, loader.collate_fn)):
                result_queue.put((worker_id, i, batch))
            result_queue.put((worker_id, None, None))
            return
    except Exception as exc:  # noqa: BLE001 - any failure must reach the main process
        result_queue.put((worker_id, -1, _WorkerError(worker_id, exc)))
        return
    while True:
        job = index_queue.get()
        if job is None:
            return
        seq, indices = job
        try:
            result_queue.put((worker_id, seq, loader._fetch(indices)))
        except Exception as exc:  # noqa: BLE001 - any failure must reach the main process
            result_queue.put((worker_id, seq, _WorkerError(worker_id, exc)))


class _MultiProcessIter:
    """Dispatch index batches round-robin to workers; yield results in sampler order."""

    def __init__(self, loader: DataLoader, base_seed: int) -> None:
        self.loader = loader
        ctx = loader.multiprocessing_context
        ctx = mp.get_context(ctx) if isinstance(ctx, str) or ctx is None else ctx
        self.result_queue = ctx.Queue()
        self.index_queues = []
        self.workers = []
        for wid in range(loader.num_workers):
            iq = ctx.Queue()
            w = ctx.Process(target=_worker_loop, args=(loader, wid, base_seed + wid, iq, self.result_queue),
                            daemon=True)
            w.start()
            self.index_queues.append(iq)
            self.workers.append(w)
        self.sampler_iter = iter(loader._index_sampler) if not loader._is_iterable else None
        self.sent = self.received = 0
        self.buffer = {}
        self.done_workers = set()
        self.exhausted = False
        if self.sampler_iter is not None:
            for _ in range(loader.prefetch_factor * loader.num_workers):
                self._dispatch()

    def _dispatch(self) -> None:
        if self.exhausted:
            return
        try:
            indices = next(self.sampler_iter)
        except StopIteration:
            self.exhausted = True
            return
        self.index_queues[self.sent % len(self.workers)].put((self.sent, indices))
        self.sent += 1

    def __iter__(self):
        return self

    def _get(self):
        """The next result, checking that the workers are alive while waiting."""
        waited = 0.0
        while True:
            try:
                return self.result_queue.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                waited += _POLL_SECONDS
                dead = [w for i, w in enumerate(self.workers)
                        if not w.is_alive() and i not in self.done_workers]
                if dead:
                    codes = ", ".join(f"pid {w.pid} exit code {w.exitcode}" for w in dead)
                    self._shutdown()
                    raise RuntimeError(f"DataLoader worker ({codes}) exited unexpectedly")
                if self.loader.timeout and waited >= self.loader.timeout:
                    self._shutdown()
                    raise RuntimeError(f"DataLoader timed out after {self.loader.timeout} seconds")

    def __next__(self):
        if self.sampler_iter is None:
            return self._next_iterable()
        if self.received == self.sent and self.exhausted:
            self._shutdown()
            raise StopIteration
        while self.received not in self.buffer:
            wid, seq, data = self._get()
            self.buffer[seq] = data
        data = self.buffer.pop(self.received)
        self.received += 1
        self._dispatch()
        if isinstance(data, _WorkerError):
            self._shutdown()
            data.reraise()
        return data

    def _next_iterable(self):
        while True:
            if len(self.done_workers) == len(self.workers):
                self._shutdown()
                raise StopIteration
            wid, seq, data = self._get()
            if seq is None:
                self.done_workers.add(wid)
                continue
            if isinstance(data, _WorkerError):
                self._shutdown()
                data.reraise()
            return data

    def _shutdown(self) -> None:
        for iq in self.index_queues:
            try:
                iq.put(None)
            except (ValueError, OSError):
                pass
        for w in self.workers:
            w.join(timeout=1)
            if w.is_alive():
                w.terminate()
        self.workers = []
        self.index_queues = []

    def __del__(self):
        if self.workers:
            self._shutdown()
