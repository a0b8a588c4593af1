"""The command line: argparse subcommands over the pipeline stages.

This is the only module that prints errors and exits.  Each subcommand
lives in evaluator/commands/<name>.py and provides

    HELP: str                      one line for `evaluate --help`
    add_arguments(parser) -> None  its options
    run(args) -> int               0 fine, 1 a result contradicts a
                                   declared expectation, 2 bad input,
                                   3 (check) a verdict is unknown

Bare `evaluate [options]` runs the whole pipeline (commands/pipeline.py).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from types import ModuleType

from . import __version__
from .errors import EvaluateError

EXIT_OK, EXIT_EXPECTATION, EXIT_USAGE, EXIT_UNKNOWN = 0, 1, 2, 3
INTERRUPTED = 130

# Subcommands in the order --help lists them.
COMMANDS = ("list", "render", "new", "check", "litmus", "bench", "report",
            "attach")

DESCRIPTION = """\
Evidence for memory-ordering patches to QEMU's aio_notify "notified" fast
path.  Variants of the protocol (aio_notify, aio_notify_accept, the
notify_me raise/lower around ppoll, where the eventfd is drained) are
rendered from templates, model-checked for lost wakeups, endless spurious
wakeups and data races under SC, x86-TSO and C11 (RC11), compiled and
timed in contended loops, and ranked with paired statistics into a report
you can attach to a patch mail.

Run with no subcommand to do all of that:  evaluate --variants all
"""

EPILOG = """\
exit status: 0 fine; 1 a result contradicts a variant's declared
expectation (e.g. expected safe, found unsafe); 2 bad input or usage;
3 (evaluate check) no contradiction, but a check reached a limit and its
verdict is unknown.
Add a variant:  evaluate new my-idea --from relaxed, edit
variants/my-idea.toml, then evaluate render my-idea / check / bench."""


def _load(name: str) -> ModuleType:
    return importlib.import_module(f".commands.{name}", __package__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evaluate", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version",
                        version=f"evaluate {__version__}")
    pipeline = _load("pipeline")
    pipeline.add_arguments(parser)
    parser.set_defaults(run=pipeline.run)
    sub = parser.add_subparsers(title="subcommands", metavar="COMMAND")
    for name in COMMANDS:
        module = _load(name)
        command = sub.add_parser(
            name, help=module.HELP, description=module.__doc__,
            formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command line (without the program name); returns the exit
    status.  Commands record `args.argv`, the words given here."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = ("evaluate", *argv)
    try:
        return args.run(args)
    except EvaluateError as exc:
        print(f"evaluate: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("evaluate: interrupted; finished results were kept",
              file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
