"""The environment a run's kernel starts with: basic variables plus the passed ones."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

# What a kernel needs to start and behave normally; nothing here is secret. Of
# Jupyter's own variables only the folders it searches pass: the server's token,
# password and session variables (JUPYTER_TOKEN, JPY_API_TOKEN, JPY_SESSION_NAME,
# ...) never reach a kernel.
BASE_VARIABLES = re.compile(
    r"^(PATH|HOME|USER|LOGNAME|SHELL|TERM|LANG|LANGUAGE|LC_\w+|TZ|TMPDIR|TEMP|TMP"
    r"|PYTHONPATH|PYTHONHOME|VIRTUAL_ENV|CONDA_DEFAULT_ENV|CONDA_PREFIX|CONDA_EXE"
    r"|CONDA_PYTHON_EXE|CONDA_SHLVL|IPYTHONDIR|MPLCONFIGDIR"
    r"|JUPYTER_PATH|JUPYTER_DATA_DIR|JUPYTER_CONFIG_DIR|JUPYTER_CONFIG_PATH"
    r"|JUPYTER_RUNTIME_DIR|JUPYTER_PLATFORM_DIRS|JUPYTER_PREFER_ENV_PATH"
    r"|XDG_DATA_HOME|XDG_CONFIG_HOME|XDG_CACHE_HOME|XDG_RUNTIME_DIR|XDG_DATA_DIRS"
    r"|XDG_CONFIG_DIRS|LD_LIBRARY_PATH|SYSTEMROOT|COMSPEC|PATHEXT)$"
)


def kernel_environment(passed: Mapping[str, str]) -> dict[str, str]:
    """The worker's base variables plus ``passed``; every other variable is withheld."""
    base = {name: value for name, value in os.environ.items() if BASE_VARIABLES.match(name)}
    return {**base, **passed}
