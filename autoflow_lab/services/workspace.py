"""The server's root directory: confinement of user paths and the outputs layout."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

import nbformat

from ..errors import InvalidInput, NotFound, OutsideWorkspace


@dataclass(frozen=True)
class Notebook:
    """A notebook in the workspace that passed validation."""

    path: str  # relative to the root, POSIX separators
    absolute: Path
    kernel_name: str | None
    has_parameters_cell: bool


class Workspace:
    def __init__(self, root_dir: Path, outputs_dir: str) -> None:
        self.root = root_dir.resolve()
        outputs = (self.root / outputs_dir).resolve()
        if not outputs.is_relative_to(self.root):
            raise ValueError(
                f"The outputs folder {outputs} must be inside the server root {self.root}"
            )
        self.outputs = outputs

    def resolve(self, path: str) -> Path:
        """Absolute path of ``path`` (relative to the root); refuses any escape.

        Symlinks are resolved before the check, so a link pointing outside the
        root is refused like ``..`` is.
        """
        pure = PurePosixPath(path.replace("\\", "/"))
        if pure.is_absolute() or re.match(r"^[A-Za-z]:", path):
            raise OutsideWorkspace(
                f"{path!r} is an absolute path; give the path relative to the server root."
            )
        if ".." in pure.parts:
            raise OutsideWorkspace(
                f"{path!r} points outside the server root ('..' is not allowed)."
            )
        absolute = (self.root / pure).resolve()
        if not absolute.is_relative_to(self.root):
            raise OutsideWorkspace(f"{path!r} resolves to a location outside the server root.")
        return absolute

    def relative(self, absolute: Path) -> str:
        return absolute.relative_to(self.root).as_posix()

    def open_notebook(self, path: str) -> Notebook:
        """Validate that ``path`` names a readable notebook in the workspace."""
        absolute = self.resolve(path)
        if not absolute.exists():
            raise NotFound(f"Notebook {path!r} does not exist.")
        if absolute.is_dir() or absolute.suffix != ".ipynb":
            raise InvalidInput(f"{path!r} is not a notebook; expected an .ipynb file.")
        try:
            content = nbformat.read(absolute, as_version=4)
        except Exception as error:
            raise InvalidInput(f"{path!r} is not a valid notebook: {error}") from error
        return Notebook(
            path=self.relative(absolute),
            absolute=absolute,
            kernel_name=content.metadata.get("kernelspec", {}).get("name"),
            has_parameters_cell=any(
                "parameters" in cell.metadata.get("tags", []) for cell in content.cells
            ),
        )

    def run_folder(self, output: str | None, run_id: int) -> Path | None:
        """The folder holding one run's files, if it is where this layout puts it.

        Anything else (an output outside the outputs folder, a folder not named
        for this run) is never returned, so deleting a run cannot remove more.
        """
        if output is None:
            return None
        folder = (self.root / output).parent.resolve()
        if folder.is_relative_to(self.outputs) and folder.name.endswith(f"_run-{run_id}"):
            return folder
        return None

    def output_path(self, notebook: Notebook, run_id: int, created_at: datetime) -> Path:
        """Where a run's executed notebook goes.

        ``<outputs>/<notebook stem>/<UTC time>_run-<id>/<notebook name>``: a person
        browsing the outputs folder finds a run by notebook, then by time.
        """
        stamp = created_at.strftime("%Y-%m-%d_%H-%M-%S")
        folder = self.outputs / notebook.absolute.stem / f"{stamp}_run-{run_id}"
        return folder / notebook.absolute.name
