"""The ``autoflow`` command: run and schedule notebooks headless, list run history.

It drives the same services, executor and store as the server extension, built
by the same factories from the same configuration files (the ``AutoflowApp``
section of ``jupyter_server_config.py`` and its siblings), so a run started here
behaves as one started in JupyterLab and appears in its AutoFlow sidebar when
the server's root directory is the same folder.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .. import __version__
from ..config import command_settings, configured_allow_hidden, load_server_config
from ..errors import AutoflowError
from . import runs, schedules
from .common import EXIT_USAGE, OPTIONS

EPILOG = """\
exit status of 'autoflow run':
  0    the run succeeded
  1    the run failed (the error summary is printed)
  2    the request was refused (bad path, parameter, option or configuration)
  130  the run was cancelled with Ctrl-C

Settings (outputs_dir, database_url, timeouts, retention, kernel_env_vars, ...)
come from the AutoflowApp section of the Jupyter server's configuration files
(jupyter_server_config.py or .json in the folders 'jupyter --paths' lists);
options given here override them.

Run 'autoflow COMMAND --help' (run, runs, schedules, schedule add, ...) for each
command's options.
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    options = parser.parse_args(argv)
    try:
        config = load_server_config()
        settings = command_settings(config, _overrides(options))
        options.allow_hidden = configured_allow_hidden(config)
        return int(asyncio.run(options.command(options, settings)))
    except AutoflowError as error:
        print(f"autoflow: {error.message}", file=sys.stderr)
        option = OPTIONS.get((error.field or "").split(".")[0])
        if option and option[1]:
            print(f"autoflow: use {' '.join(option)}", file=sys.stderr)
        return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autoflow",
        description=(
            "Run parametrised notebooks headless with AutoFlow Lab, through the same "
            "engine, settings and run history as JupyterLab."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    workspace = argparse.ArgumentParser(add_help=False)
    where = workspace.add_argument_group("where runs are kept (as in the server's settings)")
    where.add_argument(
        "--root",
        type=Path,
        metavar="DIR",
        default=Path.cwd(),
        help="the Jupyter server's root directory (default: the current directory)",
    )
    where.add_argument(
        "--outputs-dir",
        metavar="DIR",
        help="folder inside the root for executed notebooks (default: AutoflowApp.outputs_dir, "
        "autoflow-runs unless configured)",
    )
    where.add_argument(
        "--database-url",
        metavar="URL",
        help="SQLAlchemy URL of the run history (default: AutoflowApp.database_url, "
        ".autoflow.sqlite in the outputs folder unless configured)",
    )

    runs.add_commands(commands, workspace, EPILOG)
    schedules.add_commands(commands, workspace)
    return parser


def _overrides(options: argparse.Namespace) -> dict[str, Any]:
    """The settings this command line gives, which win over the configuration files."""
    overrides = {"outputs_dir": options.outputs_dir, "database_url": options.database_url}
    return {name: value for name, value in overrides.items() if value is not None}


if __name__ == "__main__":
    sys.exit(main())
