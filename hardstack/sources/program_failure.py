"""A program that raises under the mocks is reported with its own traceback: the frames in the
program's files, not hardstack's, pulumi's or the libraries'."""

from __future__ import annotations

import traceback
from pathlib import Path

from hardstack.render.errors import RenderError


class ProgramRunError(RenderError):
    """The user's program raised while it was building its resources."""

    def __init__(self, message: str, frames: list[traceback.FrameSummary]) -> None:
        super().__init__(message)
        self.frames = frames


def failure(project: str, stack: str, roots: set[Path], exc: RenderError) -> ProgramRunError:
    """The error a program's crash under the mocks is reported as: its message and its own frames."""
    original = exc.__cause__ or exc
    frames = _program_frames(original, roots)
    lines = [f"program {project} (stack {stack}) failed: {type(original).__name__}: {original}"]
    for frame in frames:
        lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line}")
    if not frames:
        # Errors in apply callbacks, invokes and resource inputs are re-raised by the SDK's RPC
        # loop without their original frames.
        lines.append("  (raised while the Pulumi runtime processed the program's resources, invokes or apply "
                     "callbacks, which keeps no frame of the program: the message names the resource or function)")
    return ProgramRunError("\n".join(lines), frames)


def _program_frames(exc: BaseException, roots: set[Path]) -> list[traceback.FrameSummary]:
    """The frames of the program's own files (a virtualenv inside its directory is not the program)."""

    def mine(filename: str) -> bool:
        path = Path(filename).resolve()
        # A virtualenv inside the project directory is libraries, not the program.
        return "site-packages" not in path.parts and any(path.is_relative_to(r) for r in roots)

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = [f for f in traceback.extract_tb(current.__traceback__) if mine(f.filename)]
        if frames:
            return frames
        # Pulumi may re-raise a callback's error from its own code: look at what it wraps.
        current = current.__cause__ or current.__context__
    return []
