"""``ember.backends``: the switches torch scripts flip on its compute backends.

ember computes with NumPy on the CPU, so the GPU backends report themselves unavailable
(as in torch's CPU-only build) while keeping their flags settable, so scripts that set
``ember.backends.cudnn.benchmark = True`` run unchanged.
"""
from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
