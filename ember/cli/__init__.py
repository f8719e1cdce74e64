"""ember's command line: ``ember train ...``, ``ember run ...`` (and ``python -m ember ...``)."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from . import run, train

COMMANDS = {"train": (train, "train an MLP or CNN on MNIST"),
            "run": (run, "run a PyTorch program on ember, unmodified")}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="ember", description="ember: PyTorch's API on NumPy")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module, help_text) in COMMANDS.items():
        module.build_parser(commands.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return COMMANDS[args.command][0].run(args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
