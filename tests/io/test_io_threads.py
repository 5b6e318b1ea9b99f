"""The loader's threads (calib.io._threads) change its speed only: the programme loaded with
one worker (inline) and with several (columns parsed and cleaned on threads, the roster's next
block read ahead) is the same, table by table, in quarantine and counts, also when the roster
is read in several blocks; and the ordered map keeps the order of its work whatever the order
the threads finish in."""
from __future__ import annotations

import os
import random
import time

import pandas as pd
import pytest

import calib.io._threads as T
import calib.io.load as L
import calib.io.read as R
from calib.io import load_programme

from _edge_programme import write_edge_programme

AS_OF = "2026-06-30"


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    return write_edge_programme(tmp_path_factory.mktemp("edge_threads"))


@pytest.fixture
def threads_on_small(monkeypatch):
    """The test programmes are small inputs, loaded inline unless told otherwise."""
    monkeypatch.setattr(L, "SMALL_BYTES", 0)
    monkeypatch.setattr(L, "SMALL_CELLS", 0)


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.quarantine, b.quarantine)
    pd.testing.assert_frame_equal(a.counts, b.counts)
    for t in a.counts["table"]:
        pd.testing.assert_frame_equal(a.table(t), b.table(t))


@pytest.mark.parametrize("blocks", [False, True])
def test_one_worker_and_several_load_the_same_programme(edge, monkeypatch, blocks, threads_on_small):
    if blocks:  # the roster in blocks of 5 rows: several blocks read ahead on a thread
        monkeypatch.setattr(R, "_BLOCK_BYTES", 3000)
        monkeypatch.setattr(L, "BLOCK_ROWS", 5)
    monkeypatch.setattr(T, "WORKERS", 1)
    inline = load_programme(edge, as_of=AS_OF)
    monkeypatch.setattr(T, "WORKERS", 4)  # more threads than cores where there are 2: still exact
    used = []
    real = T.ordered_map
    monkeypatch.setattr(L, "ordered_map", lambda *a, **k: used.append(T.workers()) or real(*a, **k))
    threaded = load_programme(edge, as_of=AS_OF)
    assert used and (min(used) > 1 or (os.cpu_count() or 1) == 1)  # the threads were used
    assert len(inline.quarantine) > 20  # the edge programme breaks every rule: a real comparison
    _same(inline, threaded)


def test_ordered_map_yields_in_the_order_given_whatever_finishes_first(monkeypatch):
    monkeypatch.setattr(T, "WORKERS", 4)
    rng = random.Random(3)
    delays = [rng.random() * 0.02 for _ in range(30)]

    def work(i: int, d: float) -> int:
        time.sleep(d)  # later items often finish first
        return i * i

    assert list(T.ordered_map(work, [(i, d) for i, d in enumerate(delays)])) == [i * i for i in range(30)]


def test_ordered_map_raises_the_first_error_in_order_and_stops(monkeypatch):
    monkeypatch.setattr(T, "WORKERS", 2)
    seen = []

    def work(i: int) -> int:
        if i == 3:
            raise ValueError("item 3")
        return i

    with pytest.raises(ValueError, match="item 3"):
        for x in T.ordered_map(work, [(i,) for i in range(100)]):
            seen.append(x)
    assert seen == [0, 1, 2]


def test_read_ahead_gives_every_item_once_in_order_and_closes_its_source(monkeypatch):
    monkeypatch.setattr(T, "WORKERS", 2)
    closed = []

    def source():
        try:
            yield from range(10)
        finally:
            closed.append(True)

    assert list(T.read_ahead(source())) == list(range(10))
    assert closed == [True]
    closed.clear()
    for x in T.read_ahead(source()):  # left early: the source is closed too
        if x == 2:
            break
    assert closed == [True]


@pytest.mark.parametrize("n", [1, 2])
def test_later_gives_the_result_or_raises_when_asked(monkeypatch, n):
    monkeypatch.setattr(T, "WORKERS", n)
    assert T.later(lambda a, b: a + b, 2, 3)() == 5

    def boom():
        raise KeyError("k")

    got = T.later(boom)  # not raised here (inline or on the thread): when the result is asked
    with pytest.raises(KeyError):
        got()


def test_tables_read_ahead_raise_their_errors_in_table_order(edge, tmp_path, monkeypatch, threads_on_small):
    """The next table is read and turned into text while this one's rules run: a loaded
    programme is the same, and when two tables are broken the first one's error is the one
    raised, whatever the threads finish first."""
    import shutil

    from calib.errors import CalibInputError

    monkeypatch.setattr(T, "WORKERS", 4)
    folder = tmp_path / "p"
    shutil.copytree(edge, folder)
    started = []
    real = L._view_of
    monkeypatch.setattr(L, "_view_of", lambda src, t, label: started.append(t) or real(src, t, label))
    threaded = load_programme(folder, as_of=AS_OF)
    assert "reviews" in started and "roster" not in started  # read ahead (the roster is by blocks)
    monkeypatch.setattr(T, "WORKERS", 1)
    _same(load_programme(folder, as_of=AS_OF), threaded)
    monkeypatch.setattr(T, "WORKERS", 4)
    for t, col in (("reviews", "reviewer_id"), ("model_runs", "model_limit")):
        df = pd.read_csv(folder / f"{t}.csv", dtype=str)
        df.drop(columns=[c for c in df.columns if c == col]).to_csv(folder / f"{t}.csv", index=False)
    with pytest.raises(CalibInputError, match=r"^reviews\.csv: required column 'reviewer_id'"):
        load_programme(folder, as_of=AS_OF)


def test_a_small_input_is_loaded_on_the_calling_thread_and_is_the_same(edge, monkeypatch):
    """Below SMALL_BYTES of files (or SMALL_CELLS cells of tables given) the loader starts no
    thread and gives no memory back; the programme is the one loaded with threads."""
    import threading

    from calib.io import validate_tables

    monkeypatch.setattr(T, "WORKERS", 4)
    started, released = [], []
    real_start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self.name) or real_start(self))
    monkeypatch.setattr(L, "_TRIM", lambda *_: released.append(True))
    small = load_programme(edge, as_of=AS_OF)
    assert started == [] and released == []
    assert not T.is_small()  # only within the load
    raw = {t: R.read_raw(f) for t, f in small.files.items()}
    assert validate_tables(raw, as_of=AS_OF) is not None and started == []  # cells, not bytes
    monkeypatch.setattr(L, "SMALL_BYTES", 0)
    threaded = load_programme(edge, as_of=AS_OF)
    assert any(n.startswith("calib-") for n in started) and released
    _same(small, threaded)
