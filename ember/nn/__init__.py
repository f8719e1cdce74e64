"""``ember.nn``: modules, layers, losses and their functional forms."""
from .parameter import Parameter, Buffer
from .modules import *  # noqa: F401,F403
from . import functional, init, modules, parameter, utils
