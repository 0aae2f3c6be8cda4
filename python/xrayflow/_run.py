"""The one door to the ``xrayflow`` command: inputs as .npy files, outputs and diagnostics back as values."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Sequence, Union

import numpy as np

Value = Union[np.ndarray, dict, list, float, int, str, None]


class Diagnostic(NamedTuple):
    """One problem, as data: a stable code (XRF####), where (file, 1-based line and column; 0 when none), the message."""

    code: str
    severity: str  # "error", "warning" or "info"
    file: str | None
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        if self.file is None:
            return f"xrayflow: {self.severity} {self.code}: {self.message}"
        return f"{self.file}:{self.line}:{self.column}: {self.severity} {self.code}: {self.message}"


class XRayFlowWarning(UserWarning):
    """A warning of the recipe (e.g. XRF1058, fourier_gaussian on an image): the run went on. ``diagnostic`` is the value."""

    def __init__(self, diagnostic: "Diagnostic"):
        super().__init__(str(diagnostic))
        self.diagnostic = diagnostic


class XRayFlowError(Exception):
    """Base class: the command could not do the work. ``diagnostics`` lists why, ``exit_code`` is the tool's."""

    def __init__(self, diagnostics: Sequence[Diagnostic], exit_code: int, detail: str = ""):
        self.diagnostics = list(diagnostics)
        self.exit_code = exit_code
        lines = [str(d) for d in self.diagnostics if d.severity == "error"] or [detail or f"xrayflow exited with {exit_code}"]
        super().__init__("\n".join(lines))

    @property
    def codes(self) -> list[str]:
        """The codes of the errors, in order (e.g. ``["XRF1003"]``)."""
        return [d.code for d in self.diagnostics if d.severity == "error"]


class RunTimeout(XRayFlowError, TimeoutError):
    """``run(..., timeout=)`` ran out: the tool was asked to stop (SIGTERM: it stops like Ctrl+C, exit 143) and waited for."""


class RecipeError(XRayFlowError):
    """The recipe, a param override or an input binding is invalid: nothing ran (exit code 2)."""


class RunError(XRayFlowError):
    """The recipe was valid but the run failed: an input could not be read, or a step failed (exit code 1)."""


def _split_command(text: str) -> list[str]:
    """A command line as words; a string that names an existing file is that one word (spaces, backslashes and all)."""
    if os.path.isfile(text):
        return [text]
    if os.name == "nt":  # POSIX rules would eat the backslashes of C:\...; keep them, drop the quotes
        return [w[1:-1] if len(w) >= 2 and w[0] == w[-1] == '"' else w for w in shlex.split(text, posix=False)]
    return shlex.split(text)


def find_tool(tool: str | os.PathLike | Sequence[str] | None = None) -> list[str]:
    """The command line that starts xrayflow.

    In order: ``tool`` (a path, a command line string such as ``"dotnet /path/xrayflow.dll"``, or a list);
    the ``XRAYFLOW`` environment variable (a command line); ``xrayflow`` on PATH; ``~/.dotnet/tools/xrayflow``.
    A string that names an existing file is that file, even with spaces in it.
    """
    if tool is None:
        tool = os.environ.get("XRAYFLOW") or None
    if tool is not None:
        if isinstance(tool, os.PathLike):
            argv = [os.fspath(tool)]
        else:
            argv = _split_command(tool) if isinstance(tool, str) else [os.fspath(t) if isinstance(t, os.PathLike) else str(t) for t in tool]
        if not argv:
            raise FileNotFoundError("xrayflow: empty tool command")
        return argv
    found = shutil.which("xrayflow")
    if found:
        return [found]
    home_tool = Path.home() / ".dotnet" / "tools" / ("xrayflow.exe" if os.name == "nt" else "xrayflow")
    if home_tool.is_file():
        return [str(home_tool)]
    raise FileNotFoundError(
        "xrayflow: the xrayflow command was not found. Install the .NET tool "
        "(README 'Install': dotnet tool install --global --add-source dist/nuget XRayFlow), "
        "or set XRAYFLOW to its command line, e.g. XRAYFLOW='dotnet /path/to/xrayflow.dll'."
    )


def version(tool: str | os.PathLike | Sequence[str] | None = None) -> str:
    """``xrayflow --version`` of the tool that :func:`run` would call, e.g. ``'xrayflow 0.1.0 (commit 0123abc...)'``."""
    argv = find_tool(tool)
    proc = _start(argv, ["--version"], tool, text=True)
    if proc.returncode != 0:  # it started but is not a working xrayflow (a dll that is not there, a broken install)
        detail = proc.stderr.strip() or proc.stdout.strip() or "no output"
        raise XRayFlowError([], proc.returncode, f"{' '.join(argv)} --version exited with {proc.returncode}: {detail}")
    return proc.stdout.strip()


_STOP_GRACE_SECONDS = 10.0


def _start(argv: list[str], args: list[str], tool: Any, timeout: float | None = None, **kwargs: Any) -> subprocess.CompletedProcess:
    """Runs argv + args to its end, like subprocess.run, with two differences: a FileNotFoundError that says which
    command could not start and where it came from, and a stop that lets the tool clean up. subprocess.run kills
    the child (SIGKILL) on a timeout or Ctrl+C; here it gets SIGTERM first (xrayflow then stops like Ctrl+C: its
    output lock and temporary files are removed), and SIGKILL only if it has not exited 10 s later."""
    try:
        p = subprocess.Popen(argv + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    except (FileNotFoundError, PermissionError, NotADirectoryError) as e:
        source = "the tool argument" if tool is not None else "$XRAYFLOW" if os.environ.get("XRAYFLOW") else "the search"
        raise FileNotFoundError(
            f"xrayflow: cannot start {argv[0]!r} (from {source}): {e.strerror or e}. "
            "Install the .NET tool (README 'Install'), or set XRAYFLOW to its command line, e.g. XRAYFLOW='dotnet /path/to/xrayflow.dll'."
        ) from e
    with p:
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            out, err = _stop(p)
            detail = (err or "").strip()
            raise RunTimeout([], p.returncode, f"xrayflow: stopped after the timeout of {timeout:g} s (exit {p.returncode})" + (f": {detail}" if detail else "")) from None
        except BaseException:  # KeyboardInterrupt and the like: stop the tool too, then let it go on
            _stop(p)
            raise
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def _stop(p: subprocess.Popen) -> tuple[Any, Any]:
    """SIGTERM, up to 10 s to exit cleanly, then SIGKILL; what it printed."""
    if p.poll() is None:
        p.terminate()
    try:
        return p.communicate(timeout=_STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        p.kill()
        return p.communicate()


def _param_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def _as_input_array(name: str, value: Any) -> np.ndarray:
    a = np.asarray(value)
    if a.ndim not in (2, 3):
        raise ValueError(f"input {name!r}: an image is 2-D (rows, cols) and a stack 3-D (frames, rows, cols); got shape {a.shape}")
    if a.size == 0:
        raise ValueError(f"input {name!r}: the array is empty (shape {a.shape}); every axis needs at least one value")
    if not (np.issubdtype(a.dtype, np.number) or a.dtype == np.bool_):
        raise ValueError(f"input {name!r}: an array of {a.dtype} is not numbers; give numbers (converted to float32) or a file path")
    if np.iscomplexobj(a):
        return np.ascontiguousarray(a, dtype=np.complex64)
    return np.ascontiguousarray(a, dtype=np.float32)


def _read_value(folder: Path, entry: Mapping[str, Any]) -> Value:
    kind = entry["kind"]
    if kind == "array":
        return np.load(folder / entry["file"], allow_pickle=False)
    if kind == "table":
        with open(folder / entry["file"], encoding="utf-8") as f:
            return json.load(f)
    # A figure: one value per panel, keyed by the panel's source.
    return {p["from"]: _read_value(folder, p) for p in entry["panels"]}


def run(
    recipe: str | os.PathLike,
    *,
    set: Mapping[str, Any] | None = None,  # noqa: A002 - the name the CLI uses (--set)
    inputs: Mapping[str, Any] | None = None,
    tool: str | os.PathLike | Sequence[str] | None = None,
    threads: int | None = None,
    timeout: float | None = None,
    **named_inputs: Any,
) -> dict[str, Value]:
    """Run a recipe and return its outputs by name.

    Inputs are keyword arguments named as the recipe's inputs (or the ``inputs`` mapping): a numpy array
    (2-D image or 3-D stack, converted to float32, complex to complex64) or a file path (PNG, JPEG, .npy, DICOM;
    a glob for a stack input). Inputs not given read the recipe's ``default:`` path. ``set`` overrides params.

    Returns ``{output name: value}``: arrays as float32 (complex64 after fft2) numpy arrays, before any 8-bit
    rounding or colormap the recipe's file outputs apply; tables (stats, histogram) as dicts of Python values;
    a figure output as ``{panel source: value}``.

    ``timeout`` (seconds) bounds the whole call: past it the tool is sent SIGTERM, which stops it as Ctrl+C does
    (the step running finishes, nothing is left behind), and :class:`RunTimeout` (also a ``TimeoutError``) is
    raised once it has exited (after 10 more seconds it is killed). Ctrl+C in Python stops the tool the same way.

    Raises :class:`RecipeError` (invalid recipe, param or input binding; nothing ran) or :class:`RunError`
    (an input unreadable, a step failed), both carrying ``diagnostics`` as :class:`Diagnostic` values.
    """
    if timeout is not None and not timeout > 0:
        raise ValueError(f"timeout={timeout!r}: give a number of seconds above 0, or None for no limit")
    argv = find_tool(tool)
    given = dict(inputs or {})
    given.update(named_inputs)
    with tempfile.TemporaryDirectory(prefix="xrayflow-") as tmp:
        tmpdir = Path(tmp)
        out = tmpdir / "out"
        recipe_arg = os.fsdecode(recipe)  # str, bytes or PathLike
        if recipe_arg.startswith("-"):  # else the command line reads it as an option
            recipe_arg = os.path.join(os.curdir, recipe_arg)
        args = argv + ["arrays", recipe_arg, "--out", str(out)]
        for what, names in (("input", given), ("param", set or {})):
            for name in names:
                if not isinstance(name, str) or not name or "=" in name:
                    raise ValueError(f"{what} name {name!r}: a name is a non-empty string without '=' (the command line reads NAME=VALUE)")
        for k, (name, value) in enumerate(given.items()):
            if isinstance(value, (str, os.PathLike)):
                path = os.path.abspath(os.fspath(value))
            else:
                path = str(tmpdir / f"input_{k}.npy")
                np.save(path, _as_input_array(name, value), allow_pickle=False)
            args += ["--input", f"{name}={path}"]
        for name, value in (set or {}).items():
            args += ["--set", f"{name}={_param_text(value)}"]
        if threads is not None:
            args += ["--threads", str(int(threads))]

        env = dict(os.environ, TERM="dumb")  # plain output, no progress bar
        proc = _start(argv, args[len(argv):], tool, text=True, env=env, timeout=timeout)
        result_file = out / "result.json"
        if not result_file.is_file():
            raise XRayFlowError([], proc.returncode, proc.stderr.strip() or proc.stdout.strip())
        with open(result_file, encoding="utf-8") as f:
            result = json.load(f)
        diagnostics = [
            Diagnostic(d["code"], d["severity"], d["file"], d["line"], d["column"], d["message"]) for d in result["diagnostics"]
        ]
        if proc.returncode == 2:
            raise RecipeError(diagnostics, proc.returncode)
        if proc.returncode != 0:
            raise RunError(diagnostics, proc.returncode, proc.stderr.strip())
        for d in diagnostics:
            if d.severity == "warning":  # as `xrayflow run` prints them: the run went on, the user should still know
                warnings.warn(XRayFlowWarning(d), stacklevel=2)
        return {entry["name"]: _read_value(out, entry) for entry in result["outputs"]}
