"""ember: a PyTorch-compatible deep-learning framework on NumPy."""
from __future__ import annotations

from . import dtypes
from .dtypes import (dtype, bool_ as bool, uint8, int8, int16, int32, int64, float16, float32, float64,
                     get_default_dtype, set_default_dtype, promote_types, result_type, can_cast,
                     finfo, iinfo)
from .device import device
from .tensor import Tensor, Size
from ._legacy import (FloatTensor, DoubleTensor, HalfTensor, ByteTensor, CharTensor, ShortTensor,
                      IntTensor, LongTensor, BoolTensor)
from ._printing import set_printoptions
from .random import Generator, manual_seed, seed, initial_seed, get_rng_state, set_rng_state, \
    default_generator
from . import autograd
from .autograd import is_anomaly_enabled, is_anomaly_check_nan_enabled, set_detect_anomaly  # noqa: E402
from .autograd import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled, \
    is_inference_mode_enabled
from .ops import *  # noqa: F401,F403
from . import ops as _ops
from . import nn, optim, utils  # noqa: E402
from .serialization import save, load  # noqa: E402
from . import serialization  # noqa: E402

half, float, double = float16, float32, float64
short, int, long = int16, int32, int64

__version__ = "0.1.0"


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def numel(input: Tensor) -> int:
    return input.numel()


from math import e, inf, nan, pi  # noqa: E402,F401
from . import accelerator, backends, cuda, distributions  # noqa: E402,F401
from ._runtime import (set_num_threads, get_num_threads, set_num_interop_threads,  # noqa: E402,F401
                       get_num_interop_threads, use_deterministic_algorithms, are_deterministic_algorithms_enabled,
                       is_deterministic_algorithms_warn_only_enabled)
from ._runtime import keep_freed_memory as _keep_freed_memory  # noqa: E402

_keep_freed_memory()
