"""The op library: each family in its own module; all are ``ember.*`` functions and most are methods.

A family module lists its ``ember.*`` functions in ``__all__`` and its Tensor methods in
``METHODS`` (default: the same names).
"""
from . import (pointwise, creation, reduction, views, indexing, linalg, activation, conversion, sorting,
               operators)
from .pointwise import *  # noqa: F401,F403
from .creation import *  # noqa: F401,F403
from .reduction import *  # noqa: F401,F403
from .views import *  # noqa: F401,F403
from .indexing import *  # noqa: F401,F403
from .linalg import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .conversion import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403

_FAMILIES = (pointwise, creation, reduction, views, indexing, linalg, activation, conversion, sorting)

# What ``from ember.ops import *`` gives ``ember``: the families' functions, not their modules.
__all__ = sorted({name for m in _FAMILIES for name in m.__all__})

TENSOR_METHODS = {name: getattr(m, name) for m in _FAMILIES for name in getattr(m, "METHODS", m.__all__)}
TENSOR_METHODS.update(operators.OPERATORS)
