"""Named tuples that ops return, like ``torch.return_types`` (``values, indices = t.max(dim)``)."""
from __future__ import annotations

from typing import Tuple


def structseq(name: str, fields: Tuple[str, ...]) -> type:
    """A tuple type with named fields that prints as ``ember.return_types.<name>(...)``."""
    def __new__(cls, *values):
        if len(values) != len(fields):
            raise TypeError(f"{name}() takes a {len(fields)}-sequence ({len(values)}-sequence given)")
        return tuple.__new__(cls, values)

    def __repr__(self) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"ember.return_types.{name}(\n{body})"

    def __reduce__(self):
        return (type(self), tuple(self))

    namespace = {"__new__": __new__, "__repr__": __repr__, "__reduce__": __reduce__, "__slots__": (),
                 "_fields": fields, "n_fields": len(fields), "__module__": __name__}
    for i, f in enumerate(fields):
        namespace[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    return type(name, (tuple,), namespace)


max = structseq("max", ("values", "indices"))
min = structseq("min", ("values", "indices"))
median = structseq("median", ("values", "indices"))
mode = structseq("mode", ("values", "indices"))
kthvalue = structseq("kthvalue", ("values", "indices"))
sort = structseq("sort", ("values", "indices"))
topk = structseq("topk", ("values", "indices"))
cummax = structseq("cummax", ("values", "indices"))
cummin = structseq("cummin", ("values", "indices"))
aminmax = structseq("aminmax", ("min", "max"))
