"""Kernel names as Jupyter resolves them, checked against the installed kernels.

``jupyter_client`` looks kernel specs up case-insensitively (their folder names
are lowercased) and its ``KernelManager`` starts the native Python kernel for
``python``. A run records the name it resolves to, the name of an installed spec.
"""

from __future__ import annotations

from collections.abc import Iterable

from jupyter_client.kernelspec import NATIVE_KERNEL_NAME

from ..errors import InvalidInput
from .workspace import Notebook

FIELD = "kernel_name"


def resolve_kernel(name: str, installed: Iterable[str]) -> str:
    """The installed kernel spec that Jupyter would start for ``name``."""
    available = sorted(installed)
    resolved = _jupyter_name(name)
    if resolved not in available:
        raise InvalidInput(f"Unknown kernel {name!r}; {_choose(available)}", field=FIELD)
    return resolved


def run_kernel(requested: str | None, notebook: Notebook, installed: Iterable[str]) -> str:
    """A run's kernel: ``requested``, else the one the notebook's metadata names."""
    available = sorted(installed)
    if requested:
        return resolve_kernel(requested, available)
    if notebook.kernel_name is None:
        raise InvalidInput(
            f"{notebook.path!r} names no kernel in its metadata; {_choose(available)}",
            field=FIELD,
        )
    resolved = _jupyter_name(notebook.kernel_name)
    if resolved not in available:
        raise InvalidInput(
            f"{notebook.path!r} asks for kernel {notebook.kernel_name!r}, which is not "
            f"installed; {_choose(available)}",
            field=FIELD,
        )
    return resolved


def _jupyter_name(name: str) -> str:
    # KernelManager maps exactly "python" to the native kernel, then the spec
    # manager lowercases the name to find the spec's folder.
    return (NATIVE_KERNEL_NAME if name == "python" else name).lower()


def _choose(available: list[str]) -> str:
    if not available:
        return "no kernels are installed on this server."
    return f"choose a kernel: one of {', '.join(available)}."
