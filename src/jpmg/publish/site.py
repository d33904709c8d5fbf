"""Building the whole site: ``jpmg publish``.

Everything is computed in memory first (dumps, description, pages, per-resource files, server rules), then written
into a fresh folder beside the target, which is renamed into place at the very end: a failure at any point leaves
the previous site as it was. The output depends only on the input files: no timestamp, no host name, no random
label (blank nodes get canonical labels), everything sorted, so two builds are byte-identical.

An existing target is replaced only when it is empty or was written by ``jpmg publish`` (it holds the marker file
:data:`MARKER`): the command never deletes a folder it did not make.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from importlib import resources as package_resources
from pathlib import Path

from jpmg import __version__
from jpmg.publish.description import dataset_description
from jpmg.publish.dumps import build_dumps
from jpmg.publish.html import Renderer
from jpmg.publish.model import SiteModel
from jpmg.publish.resources import resource_files
from jpmg.publish.serverconfig import server_files

MARKER = ".jpmg-site"
DEFAULT_OUTPUT = Path("site")


class PublishError(Exception):
    """The site could not be built or put in place; the message says why and what to do."""


@dataclass
class BuildReport:
    """What a build wrote."""

    output: Path
    pages: int
    files: int
    bytes: int
    seconds: float

    def summary(self) -> str:
        return (
            f"{self.output}: {self.pages:,} HTML pages, {self.files:,} files, {self.bytes / 1e6:.1f} MB "
            f"in {self.seconds:.1f} s"
        )


def build_files(model: SiteModel | None = None, base_url: str | None = None) -> dict[str, bytes]:
    """Every file of the site, by path under its root."""
    model = model or SiteModel.load()
    dumps = build_dumps(model.kg)
    model.description_graph = dataset_description(model.kg, dumps)
    files: dict[str, bytes] = {dump.format.path: dump.data for dump in dumps}
    files.update(resource_files(model))
    files.update(Renderer(model, dumps).pages())
    files.update(server_files(base_url))
    files["style.css"] = package_resources.files("jpmg.publish").joinpath("templates/style.css").read_bytes()
    files[MARKER] = f"Written by jpmg publish {__version__}; `jpmg publish` may replace this folder.\n".encode()
    return dict(sorted(files.items()))


def _check_target(output: Path) -> None:
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise PublishError(f"{output} exists and is not a folder: choose another --output")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).is_file():
        raise PublishError(
            f"{output} is a folder that `jpmg publish` did not write (no {MARKER} in it): it is left alone; "
            "choose an empty or new --output"
        )


def write_tree(files: dict[str, bytes], folder: Path) -> None:
    """Write ``files`` under ``folder`` (which exists), refusing any path that would leave it."""
    root = folder.resolve()
    for relative, data in files.items():
        target = (folder / relative).resolve()
        if root not in target.parents:
            raise PublishError(f"refusing to write {relative!r} outside the site folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


_RENAME_EXCHANGE = 2  # renameat2(2) flag: swap two paths in one step


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths atomically (Linux ``renameat2`` with ``RENAME_EXCHANGE``); False where the system or
    the file system cannot, and nothing was changed."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_cwd = -100
    result = renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), _RENAME_EXCHANGE)
    return result == 0


def install(files: dict[str, bytes], output: Path) -> None:
    """Write the files into a new folder beside ``output`` and swap it into place.

    The swap is one atomic exchange of the two folders where Linux allows it, so that ``output`` is at every moment
    either the whole previous site or the whole new one, even if the process is killed; elsewhere it is two renames,
    with the previous site put back if the second fails. A failure before the swap leaves ``output`` untouched, and
    no temporary folder is left behind either way."""
    output = Path(output)
    _check_target(output)
    parent = output.parent if str(output.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.building-", dir=parent))
    try:
        write_tree(files, staging)
        staging.chmod(0o755)
        if output.exists() and exchange(staging, output):
            shutil.rmtree(staging, ignore_errors=True)  # it now holds the previous site
            return
        previous = None
        if output.exists():
            previous = Path(tempfile.mkdtemp(prefix=f".{output.name}.previous-", dir=parent))
            previous.rmdir()
            os.rename(output, previous)
        try:
            os.rename(staging, output)
        except BaseException:
            if previous is not None:
                os.rename(previous, output)
            raise
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def build_site(
    output: Path = DEFAULT_OUTPUT, base_url: str | None = None, model: SiteModel | None = None
) -> BuildReport:
    """Build the site into ``output``; return what was written."""
    started = time.perf_counter()
    _check_target(Path(output))  # before the work, not only before the swap
    files = build_files(model, base_url)
    install(files, Path(output))
    return BuildReport(
        output=Path(output),
        pages=sum(1 for path in files if path.endswith(".html")),
        files=len(files),
        bytes=sum(len(data) for data in files.values()),
        seconds=time.perf_counter() - started,
    )
