"""The server's root directory: confinement of user paths and the outputs layout."""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat

from ..errors import InvalidInput, NotFound, OutsideWorkspace
from ..models import MAX_DEFINITION_CHARACTERS
from ..workflows import SUFFIX as WORKFLOW_SUFFIX

# Linux's limits (NAME_MAX, PATH_MAX): beyond them the system refuses the path.
MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096
RUN_FOLDER = re.compile(r"_run-(\d+)$")
# jupyter_server's contents managers, the default (most derived) first.


@dataclass(frozen=True)
class Notebook:
    """A notebook in the workspace that passed validation."""

    path: str  # relative to the root, POSIX separators
    absolute: Path
    kernel_name: str | None
    has_parameters_cell: bool
    # The notebook's language as papermill reads it: language_info, else kernelspec.
    language: str | None = None
    # Source of the first cell tagged "parameters", if any.
    parameters_source: str | None = None


class Workspace:
    """The root directory as runs see it.

    ``allow_hidden`` mirrors Jupyter's ``ContentsManager.allow_hidden``: unless it
    is set, paths with a hidden part (a name starting with ".") are refused, as
    the contents API refuses them, so nothing runs that JupyterLab cannot show.
    """

    def __init__(self, root_dir: Path, outputs_dir: str, allow_hidden: bool = False) -> None:
        self.root = root_dir.resolve()
        outputs = (self.root / outputs_dir).resolve()
        if not outputs.is_relative_to(self.root) or outputs == self.root:
            raise ValueError(
                f"The outputs folder {outputs} must be a folder inside the server root "
                f"{self.root}, not the root itself"
            )
        self.outputs = outputs
        self.allow_hidden = allow_hidden

    def resolve(self, path: str) -> Path:
        """Absolute path of ``path`` (relative to the root); refuses any escape.

        Symlinks are resolved before the check, so a link pointing outside the
        root is refused like ``..`` is.
        """
        pure = PurePosixPath(path.replace("\\", "/"))
        if pure.is_absolute() or re.match(r"^[A-Za-z]:", path):
            raise OutsideWorkspace(
                f"{_shown(path)} is an absolute path; give the path relative to the server root."
            )
        if ".." in pure.parts:
            raise OutsideWorkspace(
                f"{_shown(path)} points outside the server root ('..' is not allowed)."
            )
        _check_path_text(path, pure, self.root)
        self._refuse_hidden(path, pure.parts)
        absolute = _real_path(self.root / pure, path)
        if not absolute.is_relative_to(self.root):
            raise OutsideWorkspace(
                f"{_shown(path)} resolves to a location outside the server root."
            )
        self._refuse_hidden(path, absolute.relative_to(self.root).parts)
        return absolute

    def relative(self, absolute: Path) -> str:
        return absolute.relative_to(self.root).as_posix()

    def open_notebook(self, path: str) -> Notebook:
        """Validate that ``path`` names a readable notebook in the workspace."""
        absolute = self.resolve(path)
        if not absolute.exists():
            raise NotFound(f"Notebook {_shown(path)} does not exist.")
        if absolute.is_dir() or absolute.suffix != ".ipynb":
            raise InvalidInput(f"{_shown(path)} is not a notebook; expected an .ipynb file.")
        if absolute.is_relative_to(self.outputs):
            raise InvalidInput(self._executed_output_message(path, absolute))
        try:
            content = nbformat.read(absolute, as_version=4)
        except OSError as error:
            raise InvalidInput(f"{_shown(path)} cannot be read: {error.strerror}.") from error
        except Exception as error:
            raise InvalidInput(f"{_shown(path)} is not a valid notebook: {error}") from error
        return _checked_notebook(self.relative(absolute), absolute, content)

    def run_folder(self, output: str | None, run_id: int) -> Path | None:
        """The folder holding one run's files, if it is where this layout puts it.

        Anything else (an output outside the outputs folder, a folder not named
        for this run) is never returned, so deleting a run cannot remove more.
        """
        if output is None:
            return None
        folder = (self.root / output).parent.resolve()
        if (
            folder != self.outputs
            and folder.is_relative_to(self.outputs)
            and folder.name.endswith(f"_run-{run_id}")
        ):
            return folder
        return None

    def output_path(self, notebook: Notebook, run_id: int, created_at: datetime) -> Path:
        """Where a run's executed notebook goes.

        ``<outputs>/<notebook folder>/<notebook stem>/<UTC time>_run-<id>/<notebook name>``:
        the outputs folder mirrors the workspace, so same-named notebooks in
        different folders keep apart, and a person browsing it finds a run by
        notebook, then by time.
        """
        stamp = created_at.strftime("%Y-%m-%d_%H-%M-%S")
        source = PurePosixPath(notebook.path)
        folder = self.outputs / source.parent / source.stem / f"{stamp}_run-{run_id}"
        return folder / source.name

    def open_workflow(self, path: str) -> tuple[str, str]:
        """The root-relative path and text of a workflow definition in the workspace."""
        absolute = self.resolve(path)
        if not absolute.name.endswith(WORKFLOW_SUFFIX) or absolute.is_dir():
            raise InvalidInput(
                f"{_shown(path)} is not a workflow; expected a {WORKFLOW_SUFFIX} file.",
                field="workflow",
            )
        if not absolute.exists():
            raise NotFound(f"Workflow {_shown(path)} does not exist.", field="workflow")
        if absolute.stat().st_size > MAX_DEFINITION_CHARACTERS * 4:
            raise InvalidInput(f"{_shown(path)} is too large for a workflow.", field="workflow")
        try:
            text = absolute.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise InvalidInput(
                f"{_shown(path)} cannot be read: {error}.", field="workflow"
            ) from error
        return self.relative(absolute), text

    def workflows(self, limit: int) -> list[str]:
        """Root-relative paths of the workflow files in the workspace, outside hidden
        folders and the outputs folder, sorted; at most ``limit``."""
        found = []
        for folder, folders, names in os.walk(self.root):
            here = Path(folder)
            folders[:] = sorted(
                name
                for name in folders
                if (self.allow_hidden or not name.startswith("."))
                and (here / name).resolve() != self.outputs
            )
            for name in sorted(names):
                if name.endswith(WORKFLOW_SUFFIX) and (self.allow_hidden or name[0] != "."):
                    found.append(self.relative(here / name))
                    if len(found) >= limit:
                        return found
        return found

    def _refuse_hidden(self, path: str, parts: tuple[str, ...]) -> None:
        if self.allow_hidden or not any(part.startswith(".") for part in parts):
            return
        raise NotFound(
            f"{_shown(path)} is hidden (a name in it starts with '.'), and hidden files are "
            "not served; set ContentsManager.allow_hidden = True in the Jupyter server's "
            "configuration to allow them."
        )

    def _executed_output_message(self, path: str, absolute: Path) -> str:
        outputs = self.relative(self.outputs)
        message = (
            f"{_shown(path)} is an executed notebook in the outputs folder {outputs!r}, "
            "not a source notebook; to run it again, run its source notebook"
        )
        run = RUN_FOLDER.search(absolute.parent.name)
        if run is None:
            return message + " instead."
        # <outputs>/<folder>/<stem>/<time>_run-<id>/<name> came from <folder>/<name>.
        layout = absolute.parent.parent.relative_to(self.outputs)
        source = layout.parent / absolute.name
        if layout.name == absolute.stem and (self.root / source).is_file():
            return message + f" {source.as_posix()!r}."
        return message + f" (the one run {run.group(1)} executed, shown in the run history)."


def _shown(path: str) -> str:
    """``path`` quoted for a message, shortened when it is very long."""
    return repr(path if len(path) <= 80 else path[:60] + "…" + path[-16:])


def _check_path_text(path: str, pure: PurePosixPath, root: Path) -> None:
    """Refuse what the operating system would refuse with an obscure error."""
    if "\x00" in path:
        raise InvalidInput(f"{_shown(path)} contains a NUL character, which no path may hold.")
    for part in pure.parts:
        if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            raise InvalidInput(
                f"A name in {_shown(path)} is longer than {MAX_NAME_BYTES} bytes, "
                "the longest the file system allows."
            )
    if len(str(root / pure).encode("utf-8", "surrogatepass")) >= MAX_PATH_BYTES:
        raise InvalidInput(
            f"{_shown(path)} is longer than {MAX_PATH_BYTES} bytes (with the server root), "
            "the longest the file system allows."
        )


def _real_path(candidate: Path, path: str) -> Path:
    try:
        return candidate.resolve()
    except RuntimeError as error:  # Python before 3.13 reports a loop this way
        raise InvalidInput(
            f"{_shown(path)} cannot be opened: it is a symbolic link loop."
        ) from error
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise InvalidInput(
                f"{_shown(path)} cannot be opened: it is a symbolic link loop."
            ) from error
        raise InvalidInput(f"{_shown(path)} cannot be opened: {error.strerror}.") from error


def _checked_notebook(path: str, absolute: Path, content: Any) -> Notebook:
    """The notebook's kernel, language and parameters cell, once their shapes are right.

    nbformat reads notebooks whose metadata breaks its schema; papermill and this
    code would then fail on them, so they are refused here with the field at fault.
    """
    metadata = _mapping(content.get("metadata", {}), "metadata", path)
    kernelspec = _mapping(metadata.get("kernelspec", {}), "metadata.kernelspec", path)
    language_info = _mapping(metadata.get("language_info", {}), "metadata.language_info", path)
    kernel_name = _text(kernelspec.get("name"), "metadata.kernelspec.name", path)
    language = _text(language_info.get("name"), "metadata.language_info.name", path) or _text(
        kernelspec.get("language"), "metadata.kernelspec.language", path
    )
    cells = content.get("cells", [])
    if not isinstance(cells, list):
        raise InvalidInput(f"{path!r} is not a valid notebook: its cells are not a list.")
    parameters_source = None
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise InvalidInput(f"{path!r} is not a valid notebook: cell {number} is not an object.")
        cell_metadata = _mapping(cell.get("metadata", {}), f"cell {number}'s metadata", path)
        tags = cell_metadata.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise InvalidInput(
                f"{path!r} is not a valid notebook: cell {number} has tags that are not a "
                f"list of strings ({tags!r})."
            )
        if "parameters" in tags and parameters_source is None:
            source = cell.get("source", "")
            parameters_source = "".join(source) if isinstance(source, list) else str(source)
    return Notebook(
        path=path,
        absolute=absolute,
        kernel_name=kernel_name,
        has_parameters_cell=parameters_source is not None,
        language=language,
        parameters_source=parameters_source,
    )


def _mapping(value: Any, where: str, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidInput(
            f"{path!r} is not a valid notebook: {where} should be an object, "
            f"got {_json_type(value)}."
        )
    return value


def _text(value: Any, where: str, path: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise InvalidInput(
            f"{path!r} is not a valid notebook: {where} should be a string, "
            f"got {_json_type(value)}."
        )
    return value or None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
