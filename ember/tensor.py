"""``ember.Tensor``: an n-dimensional NumPy array with autograd bookkeeping.

The array is ``_data``. A tensor made by a recorded op has a ``grad_fn`` (the Node that
produced it); a leaf that requires grad collects ``.grad``. Views share their base's
array and version counter (``_vbox``), so in-place writes through a view are seen by
the base and by backward's saved-tensor checks. Ops are defined in ``ember.ops`` and
bound as methods at the bottom of this file.
"""
from __future__ import annotations

import numbers
import operator
import weakref
from typing import Callable, Optional

import numpy as np

from . import dtypes
from .autograd import grad_mode
from .autograd.graph import AccumulateGrad, RemovableHandle
from .device import device as _device, CPU


class Size(tuple):
    """A tensor's shape: a tuple of ints, printed as ``ember.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"ember.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, key):
        out = tuple.__getitem__(self, key)
        return Size(out) if isinstance(key, slice) else out

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __mul__(self, n: int):
        return Size(tuple(self) * n)

    __rmul__ = __mul__


class Tensor:
    """A multi-dimensional array of one dtype that can record the ops applied to it."""

    __slots__ = ("_data", "_rg", "_grad", "grad_fn", "_output_nr", "_vbox", "_base", "_extra", "_acc",
                 "__weakref__")
    __array_priority__ = 1000  # so ndarray (op) Tensor defers to Tensor's reflected operator

    def __new__(cls, *args, **kwargs):
        """Legacy constructor: ``Tensor(2, 3)`` (uninitialised) or ``Tensor([1, 2])`` (data),
        both of the default dtype."""
        from ._legacy import legacy_new
        return legacy_new(cls, dtypes.get_default_dtype(), *args, **kwargs)

    @classmethod
    def _make(cls, data: np.ndarray, base: "Optional[Tensor]" = None) -> "Tensor":
        """Wrap an array (a view of ``base``'s when given) without copying."""
        t = object.__new__(cls)
        t._data = data if type(data) is np.ndarray else np.asarray(data)
        t._rg = False
        t._grad = None
        t.grad_fn = None
        t._output_nr = 0
        if base is None:
            t._vbox = [0]
            t._base = None
        else:
            t._vbox = base._vbox
            t._base = base if base._base is None else base._base
        t._extra = None
        t._acc = None
        return t

    # ----------------------------------------------------------------- metadata
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: Optional[int] = None):
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[self._dim_index(dim)]

    def _dim_index(self, dim: int) -> int:
        """``dim`` as an index into the shape (``size(d)``, ``stride(d)``); a 0-d tensor has none."""
        if not self._data.ndim:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return _wrap_dim(dim, self._data.ndim)

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes._BY_NP[self._data.dtype]

    @property
    def device(self) -> _device:
        return CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def is_cpu(self) -> bool:
        return True

    @property
    def layout(self) -> str:
        return "ember.strided"

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def is_signed(self) -> bool:
        return self._data.dtype.kind in "fi"

    def get_device(self) -> int:
        """The device index: -1 for the CPU."""
        return -1

    def stride(self, dim: Optional[int] = None):
        """Steps in elements between neighbours along each dim (contiguous ones when empty,
        where NumPy reports zeros)."""
        if self._data.size:
            strides = tuple(s // self._data.itemsize for s in self._data.strides)
        else:
            strides, step = [], 1
            for s in reversed(self._data.shape):
                strides.insert(0, step)
                step *= max(s, 1)
            strides = tuple(strides)
        return strides if dim is None else strides[self._dim_index(dim)]

    def storage_offset(self) -> int:
        if self._base is None:
            return 0
        base = self._base._data
        return (self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]) \
            // self._data.itemsize

    def data_ptr(self) -> int:
        return self._data.__array_interface__["data"][0]

    def is_contiguous(self, memory_format=None) -> bool:
        return self._data.flags.c_contiguous

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def is_complex(self) -> bool:
        return False

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def is_quantized(self) -> bool:
        return False

    @property
    def is_meta(self) -> bool:
        return False

    @property
    def _version(self) -> int:
        return self._vbox[0]

    def _bump_version(self) -> None:
        self._vbox[0] += 1

    # ----------------------------------------------------------------- autograd state
    @property
    def requires_grad(self) -> bool:
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self.grad_fn is not None and not value:
            raise RuntimeError("you can only change requires_grad flags of leaf variables. If you want "
                               "to use a computed variable in a subgraph that doesn't require "
                               "differentiation use var_no_grad = var.detach().")
        if value and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._rg = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def output_nr(self) -> int:
        """Which output of its ``grad_fn`` this tensor is."""
        return self._output_nr

    @property
    def grad(self) -> Optional["Tensor"]:
        if self.grad_fn is not None and self._grad is None and not self.retains_grad:
            import warnings
            warnings.warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                          ".grad attribute won't be populated during autograd.backward(). If you indeed "
                          "want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() "
                          "on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
                          "you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
                          "for more information.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Optional["Tensor"]) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                                f"{type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(f"attempting to assign a gradient of size '{list(value._data.shape)}' to "
                                   f"a tensor of size '{list(self._data.shape)}'. Please ensure that the "
                                   "gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                cpp_names = {"float16": "c10::Half", "float32": "float", "float64": "double",
                             "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                             "uint8": "unsigned char", "bool": "bool"}
                raise RuntimeError(f"attempting to assign a gradient with dtype '{cpp_names[value.dtype.name]}' "
                                   f"to a tensor with grad_dtype '{dtypes.SCALAR_NAMES[self._data.dtype]}'. The "
                                   "gradient must match the tensor's grad_dtype (defaults to the tensor's "
                                   "dtype). You can set the tensor's grad_dtype attribute with a specific "
                                   "dtype, or None to allow any dtype. Set grad_dtype with caution. Diverging "
                                   "the dtypes of a tensor and its gradient may break downstream systems "
                                   "that assume they match.")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def retains_grad(self) -> bool:
        return bool(self.grad_fn is not None and self._extra and self._extra.get("retains_grad"))

    def _extras(self) -> dict:
        if self._extra is None:
            self._extra = {}
        return self._extra

    def _accumulator(self) -> AccumulateGrad:
        """The leaf's AccumulateGrad node, held weakly as torch does (graphs keep it alive)."""
        ref = self._acc
        acc = ref() if ref is not None else None
        if acc is None:
            acc = AccumulateGrad(self)
            self._acc = weakref.ref(acc)
        return acc

    def register_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a replacement."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            return RemovableHandle(self._extras().setdefault("hooks", {}), hook)
        return self.grad_fn._register_tensor_hook(self._output_nr, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable) -> RemovableHandle:
        """``hook(tensor)`` runs on this leaf after a gradient has been accumulated into ``.grad``."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        return RemovableHandle(self._extras().setdefault("post_accumulate_hooks", {}), hook)

    def retain_grad(self) -> None:
        """Fill ``.grad`` for this non-leaf tensor during backward, accumulating (a no-op on leaves)."""
        if not self._rg:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is None or self.retains_grad:
            return
        self._extras()["retains_grad"] = True
        self.grad_fn._retain_grad(self._output_nr, self)

    def backward(self, gradient: Optional["Tensor"] = None, retain_graph: Optional[bool] = None,
                 create_graph: bool = False, inputs=None) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (``gradient`` weights a non-scalar)."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> "Tensor":
        """A tensor sharing this one's data and version counter, cut from the graph."""
        t = Tensor._make(self._data)
        t._vbox = self._vbox
        return t

    def detach_(self) -> "Tensor":
        """Cut this tensor from the graph in place, making it a leaf that does not require grad."""
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is "
                               "set as True, gradients are views of DDP buckets, and hence detach_() cannot "
                               "be called on these gradients. To fix this error, please refer to the "
                               "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self._output_nr = 0
        self._rg = False
        return self

    def _detached_copy(self) -> "Tensor":
        return Tensor._make(self._data.copy())

    @property
    def data(self) -> "Tensor":
        """This tensor's values outside autograd: in-place changes through it are not version-tracked."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: "Tensor") -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        self._data = value._data

    # ----------------------------------------------------------------- conversion
    def item(self):
        """The single value as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        """The values as (nested lists of) Python numbers; a 0-d tensor gives a number."""
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The array behind this tensor (shared memory); refused while it requires grad."""
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy: Optional[bool] = None) -> np.ndarray:
        """NumPy's conversion protocol: shared memory unless a copy or another dtype is asked."""
        arr = self.numpy()
        if dtype is not None and np.dtype(dtype) != arr.dtype:
            if copy is False:
                raise ValueError("Unable to avoid copy while creating an array as requested.")
            return arr.astype(dtype)
        return arr.copy() if copy else arr

    def __array_wrap__(self, array: np.ndarray, context=None, return_scalar: bool = False) -> "Tensor":
        """A NumPy ufunc applied to a tensor returns a tensor (bool results as uint8, as in torch)."""
        if array.dtype == np.bool_:
            array = array.astype(np.uint8)
        return Tensor._make(np.asarray(array))

    def type(self, dtype=None, non_blocking: bool = False, **kwargs):
        """With no argument the legacy type name (``'torch.FloatTensor'``); else a cast to the
        dtype, legacy type (``ember.LongTensor``) or type name given."""
        from ._legacy import type_name, resolve_type
        if dtype is None:
            return type_name(self.dtype)
        return self.to(resolve_type(dtype))

    def new(self, *args, **kwargs) -> "Tensor":
        """Legacy ``t.new(2, 3)`` / ``t.new([1, 2])``: ``Tensor(...)`` with this tensor's dtype."""
        from ._legacy import new
        return new(self, *args, **kwargs)

    def to(self, *args, **kwargs) -> "Tensor":
        """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)``, with
        ``non_blocking`` and ``copy``; itself when nothing changes and no copy is asked."""
        from .ops.conversion import to
        return to(self, *args, **kwargs)

    def cpu(self, memory_format=None) -> "Tensor":
        return self

    def cuda(self, device=None, non_blocking: bool = False, **kwargs) -> "Tensor":
        """Fails as torch's CPU-only build does (an explicit index asks for an accelerator)."""
        if device is not None:
            raise RuntimeError("Cannot access accelerator device when none is available.")
        from .device import no_cuda
        no_cuda()

    def pin_memory(self, device=None) -> "Tensor":
        """Pinned memory only matters for GPU transfers; on the CPU the tensor is returned as is."""
        return self

    def is_pinned(self, device=None) -> bool:
        return False

    def share_memory_(self) -> "Tensor":
        """Worker processes get copies of what they are sent; there is no shared segment to move to."""
        return self

    def is_shared(self) -> bool:
        return False

    def float(self, memory_format=None) -> "Tensor":
        return self.to(dtypes.float32)

    def double(self, memory_format=None) -> "Tensor":
        return self.to(dtypes.float64)

    def half(self, memory_format=None) -> "Tensor":
        return self.to(dtypes.float16)

    def long(self, memory_format=None) -> "Tensor":
        return self.to(dtypes.int64)

    def int(self, memory_format=None) -> "Tensor":
        return self.to(dtypes.int32)

    def short(self, memory_format=None) -> "Tensor":
        return self.to(dtypes.int16)

    def char(self, memory_format=None) -> "Tensor":
        return self.to(dtypes.int8)

    def byte(self, memory_format=None) -> "Tensor":
        return self.to(dtypes.uint8)

    def bool(self, memory_format=None) -> "Tensor":
        return self.to(dtypes.bool_)

    # ----------------------------------------------------------------- Python protocols
    def __repr__(self, *, tensor_contents: Optional[str] = None) -> str:
        from ._printing import tensor_repr
        return tensor_repr(self, tensor_contents)

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        """A 0-d tensor formats as its number (``f"{loss:.4f}"``); others only with an empty spec."""
        if self._data.ndim == 0 and type(self) is Tensor:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        """Iterate over the first dim (each item a view, differentiable as ``unbind``)."""
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __reversed__(self) -> "Tensor":
        return self if self._data.ndim == 0 else self.flip(0)

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with "
                               f"{'no values' if not self._data.size else 'more than one value'} "
                               f"is ambiguous")
        return bool(self._data.reshape(()).item())

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __float__(self) -> float:
        return float(self._scalar())

    def __int__(self) -> int:
        return int(self._scalar())

    def __complex__(self) -> complex:
        return complex(self._scalar())

    def __index__(self) -> int:
        """A one-element integer (or bool) tensor as an index: ``items[ember.tensor(1)]``."""
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    def __hash__(self) -> int:
        return id(self)

    def __contains__(self, element) -> bool:
        """``element in t``: whether any entry of ``t`` equals it (broadcast, as ``==``)."""
        if isinstance(element, (Tensor, numbers.Number)):
            return bool((element == self)._data.any())
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a "
                           f"{type(element)}.")

    def __reduce_ex__(self, protocol):
        from .serialization import reduce_tensor
        return reduce_tensor(self)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.  If you were attempting to deepcopy "
                               "a module, this may be because of a torch.nn.utils.weight_norm usage, "
                               "see https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = type(self)._make(self._data.copy())
        if type(self) is not Tensor:
            new = self._copy_subclass(new)
        new._rg = self._rg
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def _copy_subclass(self, new: "Tensor") -> "Tensor":
        return new

    def __setstate__(self, state):
        raise RuntimeError("ember tensors are rebuilt by ember.load, not by pickle.loads")


def _wrap_dim(dim: int, ndim: int) -> int:
    """A dim in [-ndim, ndim) made non-negative; torch's IndexError otherwise."""
    if type(dim) is not int:
        try:
            dim = operator.index(dim)
        except TypeError:
            raise TypeError(f"argument 'dim' must be int, not {type(dim).__name__}") from None
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim + n if dim < 0 else dim


from . import ops as _ops  # noqa: E402  (the ops need Tensor defined above)

for _name, _method in _ops.TENSOR_METHODS.items():
    setattr(Tensor, _name, _method)
