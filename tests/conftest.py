"""Test-session settings: one BLAS thread per test process.

The suite runs under pytest-xdist with one process per core; a multi-threaded BLAS in each
would oversubscribe the cores and make every matrix product crawl. Set before NumPy loads.
"""
import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
