"""Command-line arguments checked when they are parsed: each bad value is refused by argparse
(exit 2) with a sentence naming the argument, before any file is read or any work starts.
The bounds are those of :mod:`workbench.ground.limits` (docs/portfolio-format.md, "Limits")."""

from __future__ import annotations

import argparse
import math
import os
import re
import tempfile
from pathlib import Path

from workbench.ground.errors import InputError, Problem
from workbench.ground.limits import MAX_SECONDS, MAX_SEED

SCHEDULER_ADDRESS = re.compile(r"^tcp://(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(?P<port>[0-9]{1,5})$")


def count(minimum: int, maximum: int, what: str):
    """A whole number in ``minimum..maximum``."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number; give {what} from {minimum:,} to {maximum:,}"
            ) from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"{value:,} is out of range; give {what} from {minimum:,} to {maximum:,}")
        return value

    parse.__name__ = what
    return parse


#: a seed: a whole number from 0
seed = count(0, MAX_SEED, "a seed")


def number(minimum: float, maximum: float, what: str, include_minimum: bool = True):
    """A finite number in ``minimum..maximum`` (above ``minimum`` when not ``include_minimum``)."""

    def parse(text: str) -> float:
        try:
            value = float(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        low_ok = value >= minimum if include_minimum else value > minimum
        if not math.isfinite(value) or not low_ok or value > maximum:
            bound = "from" if include_minimum else "above"
            raise argparse.ArgumentTypeError(
                f"{text!r} is out of range; give {what} {bound} {minimum:g} up to {maximum:g}"
            )
        return value

    parse.__name__ = what
    return parse


seconds = number(0.0, MAX_SECONDS, "seconds", include_minimum=False)
gap = number(0.0, 1.0, "a relative gap")


def scheduler(text: str) -> str:
    """A Dask scheduler address, tcp://HOST:PORT."""
    return check_scheduler_address(text, "--scheduler")


def check_scheduler_address(text: str, source: str) -> str:
    match = SCHEDULER_ADDRESS.match(text.strip())
    if match is None or not 1 <= int(match["port"]) <= 65535:
        message = (
            f"{text!r} is not a scheduler address; give tcp://HOST:PORT (the address "
            "'dask scheduler' prints, e.g. tcp://127.0.0.1:8786)"
        )
        if source.startswith("--"):
            raise argparse.ArgumentTypeError(message)
        raise InputError([Problem(source, message)])
    return text.strip()


def period(text: str) -> str:
    """A period label as text (checked against the horizon once the scenario is loaded)."""
    if not text.strip() or len(text) > 32:
        raise argparse.ArgumentTypeError(f"{text!r} is not a period; write it like 2027-06 or 2027Q2")
    return text.strip()


def writable_folder(path: Path, argument: str) -> None:
    """``path`` is a folder that exists and can be written, or one that can be created there:
    checked before any work, so that a finished run never fails at its last step."""
    path = Path(path)
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        kind = "a file" if probe.is_file() else "not a folder (a device or another special file)"
        raise InputError([Problem(argument, f"{path} cannot hold results: {probe} is {kind}; give a folder")])
    try:
        handle, name = tempfile.mkstemp(dir=probe, prefix=".workbench-probe-")
        os.close(handle)
        os.unlink(name)
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    argument,
                    f"{path}: the folder {probe} cannot be written ({exc.strerror}); give a folder you may write to",
                )
            ]
        ) from None
