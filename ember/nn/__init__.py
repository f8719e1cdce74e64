"""``ember.nn``: modules, layers, losses and their functional forms."""
from . import functional, modules
from .modules import *  # noqa: F401,F403
