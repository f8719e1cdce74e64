"""ember.utils.data against torch.utils.data: the same datasets, samplers and loaders give the same batches."""
import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ember
import ember.utils.data as edata


def _pair(arr):
    return torch.from_numpy(arr.copy()), ember.from_numpy(arr.copy())


def _same(e, t):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), type(e)
        assert str(e.dtype).split(".")[1] == str(t.dtype).split(".")[1]
        np.testing.assert_array_equal(e.numpy(), t.numpy())
    elif isinstance(t, (list, tuple)):
        assert type(e) is type(t) and len(e) == len(t)
        for a, b in zip(e, t):
            _same(a, b)
    elif isinstance(t, dict):
        assert e.keys() == t.keys()
        for k in t:
            _same(e[k], t[k])
    else:
        assert e == t


SAMPLES = [
    lambda i: np.full((2, 3), i, np.float32),
    lambda i: (np.arange(3) * i, i),
    lambda i: {"x": float(i), "y": [i, i + 1], "name": f"s{i}"},
    lambda i: (True, np.float64(i), np.int32(i)),
]


class _Listed:
    def __init__(self, make, n, lib):
        self.items = [make(i) for i in range(n)]
        self.lib = lib

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


@pytest.mark.parametrize("make", SAMPLES)
@pytest.mark.parametrize("batch_size,drop_last", [(1, False), (4, False), (4, True), (None, False)])
def test_default_collation_matches_torch(make, batch_size, drop_last):
    t_batches = list(tdata.DataLoader(_Listed(make, 10, torch), batch_size=batch_size, drop_last=drop_last))
    e_batches = list(edata.DataLoader(_Listed(make, 10, ember), batch_size=batch_size, drop_last=drop_last))
    assert len(t_batches) == len(e_batches)
    for e, t in zip(e_batches, t_batches):
        _same(e, t)


def test_tensor_dataset_subset_concat_and_len():
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    y = np.arange(10)
    tds = tdata.TensorDataset(*map(torch.from_numpy, (x, y)))
    eds = edata.TensorDataset(*map(ember.from_numpy, (x, y)))
    _same(eds[3], tds[3])
    _same(edata.Subset(eds, [5, 1])[1], tdata.Subset(tds, [5, 1])[1])
    ecat, tcat = eds + eds, tds + tds
    assert len(ecat) == len(tcat) == 20
    _same(ecat[13], tcat[13])
    _same(ecat[-1], tcat[-1])
    with pytest.raises(AssertionError):
        edata.TensorDataset(ember.zeros(3), ember.zeros(4))


def test_random_split_lengths_and_fractions():
    ds = edata.TensorDataset(ember.arange(10))
    parts = edata.random_split(ds, [3, 7], generator=ember.Generator().manual_seed(0))
    assert [len(p) for p in parts] == [3, 7]
    seen = sorted(int(p[i][0]) for p in parts for i in range(len(p)))
    assert seen == list(range(10))
    assert [len(p) for p in edata.random_split(ds, [0.5, 0.5])] == [5, 5]
    with pytest.raises(ValueError):
        edata.random_split(ds, [3, 3])


def test_shuffle_is_a_permutation_and_reproducible_with_generator():
    ds = edata.TensorDataset(ember.arange(100))
    order = lambda seed: [int(v) for (b,) in edata.DataLoader(ds, batch_size=7, shuffle=True,  # noqa: E731
                          generator=ember.Generator().manual_seed(seed)) for v in b]
    assert sorted(order(1)) == list(range(100))
    assert order(1) == order(1)
    assert order(1) != order(2)


def test_samplers():
    assert list(edata.SequentialSampler(range(4))) == [0, 1, 2, 3]
    assert sorted(edata.RandomSampler(range(5))) == [0, 1, 2, 3, 4]
    assert len(list(edata.RandomSampler(range(5), replacement=True, num_samples=12))) == 12
    assert list(edata.BatchSampler(range(5), 2, False)) == list(tdata.BatchSampler(range(5), 2, False))
    assert list(edata.BatchSampler(range(5), 2, True)) == list(tdata.BatchSampler(range(5), 2, True))
    draws = list(edata.WeightedRandomSampler([0.0, 0.0, 1.0], 20))
    assert draws == [2] * 20
    with pytest.raises(ValueError):
        edata.BatchSampler(range(5), 0, False)
    with pytest.raises(ValueError):
        edata.WeightedRandomSampler([1.0], 0)


def test_workers_give_the_same_batches_in_order():
    ds = edata.TensorDataset(ember.arange(50).float(), ember.arange(50))
    serial = list(edata.DataLoader(ds, batch_size=8))
    parallel = list(edata.DataLoader(ds, batch_size=8, num_workers=2))
    assert len(serial) == len(parallel)
    for (a, b), (c, d) in zip(serial, parallel):
        assert a.tolist() == c.tolist() and b.tolist() == d.tolist()


class _Failing(edata.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        if i == 5:
            raise KeyError("bad sample 5")
        return i


class _Crashing(edata.Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        import os
        os._exit(3)


def test_worker_exception_reaches_main_process():
    with pytest.raises(KeyError, match="bad sample 5"):
        list(edata.DataLoader(_Failing(), batch_size=2, num_workers=2))


def test_worker_crash_is_an_error_not_a_hang():
    with pytest.raises(RuntimeError, match="exited unexpectedly"):
        list(edata.DataLoader(_Crashing(), batch_size=2, num_workers=1))


class _Stream(edata.IterableDataset):
    def __iter__(self):
        info = edata.get_worker_info()
        start = 0 if info is None else info.id
        step = 1 if info is None else info.num_workers
        return iter(range(start, 10, step))


def test_iterable_dataset_batches_and_worker_sharding():
    assert [b.tolist() for b in edata.DataLoader(_Stream(), batch_size=4)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    got = sorted(v for b in edata.DataLoader(_Stream(), batch_size=2, num_workers=2) for v in b.tolist())
    assert got == list(range(10))


def test_uncollatable_items_raise_clear_errors():
    with pytest.raises(TypeError, match="default_collate"):
        list(edata.DataLoader([object(), object()], batch_size=2))
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        list(edata.DataLoader([ember.zeros(2), ember.zeros(3)], batch_size=2))


def test_argument_errors_match_torch():
    ds = edata.TensorDataset(ember.arange(4))
    for kwargs in ({"sampler": [0, 1], "shuffle": True}, {"batch_sampler": [[0]], "batch_size": 2},
                   {"num_workers": -1}):
        with pytest.raises(ValueError):
            edata.DataLoader(ds, **kwargs)
        with pytest.raises(ValueError):
            tdata.DataLoader(tdata.TensorDataset(torch.arange(4)), **kwargs)
    assert edata.DataLoader(ds, pin_memory=True, batch_size=3).__len__() == 2
