"""``ember run script.py [args...]``: run an unmodified PyTorch program on ember."""
from __future__ import annotations

import argparse
import os
import runpy
import sys


def build_parser(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.description = ("Run a PyTorch program unchanged: inside it, `import torch` and `import "
                          "torchvision` give ember.")
    parser.add_argument("script", help="the Python program to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="arguments passed on to the program")
    return parser


def run(args: argparse.Namespace) -> int:
    from .. import torch_alias
    script = os.path.abspath(args.script)
    if not os.path.exists(script):
        print(f"ember run: no such file: {args.script}", file=sys.stderr)
        return 2
    torch_alias.install()
    sys.argv = [args.script] + list(args.args)
    sys.path.insert(0, os.path.dirname(script))
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0
