"""Import-time choices for the processes the workbench runs: the ``workbench`` command and the
kernels that run its notebooks."""

from __future__ import annotations

import sys

SLOW_OPTIONAL_MODULE = "rfc3987_syntax"


def skip_iri_grammar() -> None:
    """Leave out ``rfc3987_syntax``: jsonschema (under nbformat, papermill and altair) imports it
    when it is installed, and it compiles an Earley grammar at import (about 0.7 s on our
    machines) only to check the "iri" string formats, which nothing the workbench runs asks
    for. jsonschema treats the module as absent. Call before jsonschema is imported; once it
    is, this changes nothing."""
    if "jsonschema" not in sys.modules and SLOW_OPTIONAL_MODULE not in sys.modules:
        sys.modules[SLOW_OPTIONAL_MODULE] = None  # type: ignore[assignment] - import raises ImportError
