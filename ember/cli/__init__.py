"""ember's command line: ``ember train ...`` (and ``python -m ember ...``)."""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from . import train


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="ember", description="ember: PyTorch's API on NumPy")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    train.build_parser(commands.add_parser("train", help="train an MLP or CNN on MNIST"))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return train.run(args)
    except KeyboardInterrupt:
        print("\ninterrupted: the last complete checkpoint is intact", file=sys.stderr)
        return 130
