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
import errno
import importlib
import os
import signal
import sys
from types import ModuleType

from . import __version__
from .errors import EvaluateError, RunInterrupted, Terminated

EXIT_OK, EXIT_EXPECTATION, EXIT_USAGE = 0, 1, 2
INTERRUPTED = 130

# Subcommands in the order --help lists them.
COMMANDS = ("list", "render", "diff", "new", "check", "weaken", "litmus",
            "bench",
            "report", "attach")

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
expectation (e.g. expected safe, found unsafe), or a check reached a
limit so its verdict is unknown (never taken as safe); 2 bad input or
usage; 130 interrupted.
Add a variant:  evaluate new my-idea --from original-05e514b1 --set
accept_order=acquire, then evaluate diff original-05e514b1 my-idea /
check --variants my-idea / bench."""


def _load(name: str) -> ModuleType:
    return importlib.import_module(f".commands.{name}", __package__)


def build_parser() -> argparse.ArgumentParser:
    # No abbreviations: `--var` must not silently mean --variants (or,
    # after the next new option, something else).
    parser = argparse.ArgumentParser(
        prog="evaluate", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False)
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
            formatter_class=argparse.RawDescriptionHelpFormatter,
            allow_abbrev=False)
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def _subcommand_at(parser: argparse.ArgumentParser,
                   argv: list[str]) -> int | None:
    """Index of the subcommand word, skipping top-level options and
    their values; None when the pipeline itself runs."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            return None
        if word.startswith("-") and word != "-":
            action = parser._option_string_actions.get(word.split("=")[0])
            takes_value = action is not None and action.nargs != 0
            i += 2 if takes_value and "=" not in word else 1
            continue
        return i if word in COMMANDS else None
    return None


def hoist_options(parser: argparse.ArgumentParser,
                  argv: list[str]) -> list[str]:
    """`evaluate --root D check ...` means `evaluate check --root D ...`:
    a top-level option given before a subcommand applies to it, or is
    refused with where it belongs -- never silently dropped (the
    subcommand's default would win otherwise)."""
    at = _subcommand_at(parser, argv)
    if at is None or at == 0:
        return argv
    command, before, after = argv[at], argv[:at], argv[at + 1:]
    sub = _subparsers(parser)[command]
    given_after = {w.split("=")[0] for w in after if w.startswith("--")}
    for word in before:
        option = word.split("=")[0]
        if not word.startswith("-") or option not in \
                parser._option_string_actions:
            continue
        if option not in sub._option_string_actions:
            owners = [name for name, p in _subparsers(parser).items()
                      if option in p._option_string_actions]
            where = ("'evaluate " + "', 'evaluate ".join(owners) + "'"
                     if owners else "no subcommand")
            parser.error(f"{option} does not apply to 'evaluate "
                         f"{command}': it is an option of the whole "
                         f"pipeline (evaluate {option} ...) and of {where}")
        if option in given_after:
            parser.error(f"{option} given both before and after "
                         f"'{command}'; give it once")
    return [command, *before, *after]


def _subparsers(parser: argparse.ArgumentParser
                ) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _quiet_stdout() -> None:
    """After stdout failed (closed pipe, full disk), point it at
    /dev/null so the interpreter's last flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    """Run one command line (without the program name); returns the exit
    status.  Commands record `args.argv`, the words given here."""
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(hoist_options(parser, argv))
    args.argv = ("evaluate", *argv)
    previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        status = args.run(args)
        sys.stdout.flush()
        return status
    except EvaluateError as exc:
        print(f"evaluate: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RunInterrupted as stop:      # a run that recorded its end
        print(f"evaluate: {stop}", file=sys.stderr)
        return INTERRUPTED
    except KeyboardInterrupt:
        print("evaluate: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        _quiet_stdout()     # a reader that stopped reading: not an error
        return EXIT_OK
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EIO, errno.EBADF):
            raise
        _quiet_stdout()
        print(f"evaluate: error: cannot write the output: {exc.strerror}",
              file=sys.stderr)
        return EXIT_USAGE
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminated(signum, frame) -> None:
    raise Terminated


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
