"""safetensors files without the safetensors package, laid out like it.

``ember.safetensors.torch`` is ``safetensors.torch`` for ember tensors (``save_file``,
``load_file``, ``save``, ``load``); under ``ember run`` a script's ``import safetensors``
resolves here. ``SafetensorError`` is raised for malformed files.
"""
from ._format import SafetensorError

__all__ = ["SafetensorError"]
