"""Tests of the Python module against NumPy (always) and scipy.ndimage (when installed).

Run from the repository root with the tool to call in XRAYFLOW (or `xrayflow` on PATH):

    XRAYFLOW="dotnet src/XRayFlow.Cli/bin/Release/net10.0/xrayflow.dll" /usr/bin/python3 -m unittest discover -s python/tests -v

tests/XRayFlow.Packaging.Tests runs them with the installed .NET tool.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
import time
import unittest
from unittest import mock
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "python"))

import xrayflow  # noqa: E402

try:
    from scipy import ndimage
except ImportError:  # scipy is optional: the NumPy references below always run
    ndimage = None

SOBEL = str(REPO / "tests" / "bench" / "sobel.yaml")


def numpy_sobel(x: np.ndarray, axis: int) -> np.ndarray:
    """scipy.ndimage.sobel in float64 with mode 'reflect' (NumPy's 'symmetric' padding): derivative along axis, smoothing across."""
    p = np.pad(x.astype(np.float64), 1, mode="symmetric")
    if axis == 0:
        d = p[2:, :] - p[:-2, :]
        return d[:, :-2] + 2 * d[:, 1:-1] + d[:, 2:]
    d = p[:, 2:] - p[:, :-2]
    return d[:-2, :] + 2 * d[1:-1, :] + d[2:, :]


def image(rows: int = 48, cols: int = 61, seed: int = 13) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(rows, cols)).astype(np.float32)


def write_recipe(folder: str, text: str) -> str:
    path = os.path.join(folder, "recipe.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class RunTests(unittest.TestCase):
    def test_sobel_magnitude_equals_numpy_and_scipy(self):
        x = image()
        out = xrayflow.run(SOBEL, xray=x)
        self.assertEqual(list(out), ["magnitude"])
        m = out["magnitude"]
        self.assertEqual(m.dtype, np.float32)
        self.assertEqual(m.shape, x.shape)
        ref = np.hypot(numpy_sobel(x, 0), numpy_sobel(x, 1))
        np.testing.assert_allclose(m, ref, rtol=0, atol=1e-4 * np.abs(ref).max())
        if ndimage is not None:
            xs = x.astype(np.float64)
            sp = np.hypot(ndimage.sobel(xs, 0), ndimage.sobel(xs, 1))
            np.testing.assert_allclose(m, sp, rtol=0, atol=1e-4 * np.abs(sp).max())

    @unittest.skipIf(ndimage is None, "scipy is not installed")
    def test_gaussian_filter_equals_scipy(self):
        x = image(40, 37, seed=5)
        with tempfile.TemporaryDirectory() as tmp:
            recipe = write_recipe(tmp, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: gaussian_filter\n    sigma: 2\n    mode: nearest\noutputs:\n  smooth: {from: gaussian_filter, path: s.npy}\n")
            out = xrayflow.run(recipe, xray=x)
        ref = ndimage.gaussian_filter(x.astype(np.float64), 2, mode="nearest")
        np.testing.assert_allclose(out["smooth"], ref, rtol=0, atol=1e-4 * np.abs(ref).max())

    def test_path_input_and_uint8_array_give_the_same_values(self):
        x = image(32, 32, seed=3)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "x.npy")
            np.save(path, x)
            from_path = xrayflow.run(SOBEL, xray=path)["magnitude"]
        from_uint8 = xrayflow.run(SOBEL, inputs={"xray": x.astype(np.uint8)})["magnitude"]
        np.testing.assert_array_equal(from_path, from_uint8)

    def test_set_overrides_a_param(self):
        x = image(30, 20, seed=7)
        recipe = str(REPO / "pipelines" / "mask-threshold.yaml")
        out = xrayflow.run(recipe, xray=x, set={"threshold": 120})
        np.testing.assert_array_equal(out["bright"], np.where(x > 120, x, 0))
        default = xrayflow.run(recipe, xray=x)
        np.testing.assert_array_equal(default["bright"], np.where(x > 150, x, 0))

    def test_tables_come_back_as_python_values(self):
        x = image(64, 64, seed=11)
        hist = xrayflow.run(str(REPO / "pipelines" / "histogram.yaml"), xray=x)["histogram"]
        self.assertIsInstance(hist, dict)
        self.assertEqual(hist["bins"], 256)
        expected = np.histogram(x, bins=256, range=(0, 255))[0]
        self.assertEqual(hist["counts"], expected.tolist())
        if ndimage is not None:
            self.assertEqual(hist["counts"], ndimage.histogram(x, 0, 255, 256).tolist())
        stats = xrayflow.run(str(REPO / "pipelines" / "inspect.yaml"), xray=x)["stats"]
        self.assertAlmostEqual(stats["mean"], float(np.mean(x.astype(np.float64))), places=4)
        self.assertEqual(stats["max"], float(x.max()))
        self.assertEqual(stats["median"], float(np.median(x)))

    def test_a_one_number_output_is_a_dict_with_value(self):
        # threshold_otsu's output was an internal error (exit 70) of `xrayflow arrays`
        x = image(40, 50, seed=17)
        out = xrayflow.run(str(REPO / "pipelines" / "otsu-mask.yaml"), xray=x)
        self.assertEqual(list(out["otsu"]), ["value"])
        t = out["otsu"]["value"]
        np.testing.assert_array_equal(out["binary"], (x > t).astype(np.float32))
        try:
            from skimage.filters import threshold_otsu
        except ImportError:
            return
        self.assertAlmostEqual(t, float(threshold_otsu(x)), places=4)  # a float32 array: its float values (docs/ops.md)

    def test_invalid_recipe_raises_with_diagnostics_as_data(self):
        with tempfile.TemporaryDirectory() as tmp:
            recipe = write_recipe(tmp, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: gausian_filter\n    sigma: 1\noutputs:\n  out: {from: gausian_filter, path: o.npy}\n")
            with self.assertRaises(xrayflow.RecipeError) as caught:
                xrayflow.run(recipe, xray=image())
        err = caught.exception
        self.assertEqual(err.exit_code, 2)
        self.assertIn("XRF1003", err.codes)
        d = next(d for d in err.diagnostics if d.code == "XRF1003")
        self.assertEqual((d.severity, os.path.basename(d.file), d.line, d.column), ("error", "recipe.yaml", 5, 9))
        self.assertIn("gaussian_filter", d.message)  # the did-you-mean
        self.assertIn("recipe.yaml:5:9: error XRF1003", str(err))

    def test_a_recipe_warning_is_a_python_warning_and_the_run_goes_on(self):
        # it was dropped: `xrayflow run` prints XRF1058 for fourier_gaussian on an image, Python said nothing
        with tempfile.TemporaryDirectory() as tmp:
            recipe = write_recipe(tmp, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: fourier_gaussian\n    sigma: 2\noutputs:\n  out: {from: fourier_gaussian, path: o.npy}\n")
            with self.assertWarns(xrayflow.XRayFlowWarning) as caught:
                out = xrayflow.run(recipe, xray=image())
        self.assertEqual(out["out"].shape, (48, 61))
        d = caught.warning.diagnostic
        self.assertEqual((d.code, d.severity, os.path.basename(d.file), d.line, d.column), ("XRF1058", "warning", "recipe.yaml", 5, 9))
        self.assertIn("recipe.yaml:5:9: warning XRF1058: step 'fourier_gaussian'", str(caught.warning))

    def test_unknown_param_override_is_a_recipe_error(self):
        with self.assertRaises(xrayflow.RecipeError) as caught:
            xrayflow.run(str(REPO / "pipelines" / "mask-threshold.yaml"), xray=image(), set={"treshold": 1})
        self.assertTrue(caught.exception.diagnostics)
        self.assertTrue(all(c.startswith("XRF1") for c in caught.exception.codes), caught.exception.codes)

    def test_unreadable_input_is_a_run_error(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "bad.png")
            with open(bad, "wb") as f:
                f.write(b"\x89PNG\r\n\x1a\nnot really")
            with self.assertRaises(xrayflow.RunError) as caught:
                xrayflow.run(SOBEL, xray=bad)
        self.assertEqual(caught.exception.exit_code, 1)
        self.assertEqual(caught.exception.codes, ["XRF2022"])

    def test_a_glob_of_several_files_for_an_image_input_is_a_recipe_error(self):
        # nothing runs (exit 2); it was a RunError (exit 1, XRF2012), the class of a failed step
        with self.assertRaises(xrayflow.RecipeError) as caught:
            xrayflow.run(SOBEL, xray=str(REPO / "pipelines" / "samples" / "*.png"))
        self.assertEqual((caught.exception.exit_code, caught.exception.codes), (2, ["XRF2061"]))

    def test_names_and_recipe_paths_the_command_line_would_misread(self):
        # set={"a=b": 1} became --set a=b=1 and was reported as an unknown param 'a'; a recipe file named
        # '-r.yaml' was read as an option (XRayFlowError XRF2001 "Short option does not have a valid name")
        for kwargs in ({"xray": image(), "set": {"thr=eshold": 1}}, {"inputs": {"x=ray": image()}}, {"xray": image(), "set": {"": 1}}):
            with self.assertRaises(ValueError) as caught:
                xrayflow.run(SOBEL, **kwargs)
            self.assertIn("without '='", str(caught.exception))
        with tempfile.TemporaryDirectory() as tmp:
            with open(SOBEL, encoding="utf-8") as f:
                text = f.read()
            with open(os.path.join(tmp, "-r.yaml"), "w", encoding="utf-8") as f:
                f.write(text)
            tool = [os.path.abspath(a) if os.path.exists(a) else a for a in xrayflow.find_tool()]  # $XRAYFLOW may be relative
            cwd = os.getcwd()
            os.chdir(tmp)
            try:
                out = xrayflow.run("-r.yaml", xray=image(8, 9), tool=tool)
            finally:
                os.chdir(cwd)
        self.assertEqual(out["magnitude"].shape, (8, 9))
        self.assertEqual(xrayflow.run(os.fsencode(SOBEL), xray=image(8, 9))["magnitude"].shape, (8, 9))  # a bytes path, as subprocess takes

    def test_wrong_rank_is_refused_before_running(self):
        with self.assertRaises(ValueError):
            xrayflow.run(SOBEL, xray=np.zeros(5, dtype=np.float32))

    def test_empty_and_non_numeric_arrays_are_refused_before_running(self):
        # an empty array was a RunError (XRF2022) naming the module's temporary .npy file; strings said only
        # "could not convert string to float: 'a'", without the input
        for bad, words in [(np.zeros((0, 5)), "empty (shape (0, 5))"), (np.zeros((2, 0, 3)), "empty (shape (2, 0, 3))"),
                           (np.array([["a", "b"], ["c", "d"]]), "<U1 is not numbers"), (np.array([[None, 1]]), "object is not numbers")]:
            with self.assertRaises(ValueError) as caught:
                xrayflow.run(SOBEL, xray=bad)
            self.assertIn("input 'xray'", str(caught.exception))
            self.assertIn(words, str(caught.exception))
        # numbers of every kind are converted: bool, int, big-endian, non-contiguous
        x = image(20, 30, seed=2)
        ref = xrayflow.run(SOBEL, xray=x)["magnitude"]
        for same in [x.astype(">f4"), x.astype(np.int64), np.asfortranarray(x)]:
            np.testing.assert_array_equal(xrayflow.run(SOBEL, xray=same)["magnitude"], ref)
        np.testing.assert_array_equal(xrayflow.run(SOBEL, xray=np.tile(x, 2)[:, ::2])["magnitude"], xrayflow.run(SOBEL, xray=np.tile(x, 2)[:, ::2].copy())["magnitude"])
        np.testing.assert_array_equal(xrayflow.run(SOBEL, xray=x > 100)["magnitude"], xrayflow.run(SOBEL, xray=(x > 100).astype(np.float32))["magnitude"])

    def test_tool_path_with_spaces_pathlike_missing_and_not_found(self):
        # a tool path with spaces was split into words (shlex), a pathlib.Path was iterated ("not iterable"),
        # and a missing tool was a bare "[Errno 2] No such file or directory"
        argv = xrayflow.find_tool()
        x = image(16, 16, seed=4)
        ref = xrayflow.run(SOBEL, xray=x)["magnitude"]
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "my tools ü"
            folder.mkdir()
            wrapper = folder / "xrayflow"
            wrapper.write_text("#!/bin/sh\nexec " + " ".join(shlex.quote(a) for a in argv) + ' "$@"\n', encoding="utf-8")
            wrapper.chmod(0o755)
            for tool in (str(wrapper), wrapper, [wrapper]):
                np.testing.assert_array_equal(xrayflow.run(SOBEL, xray=x, tool=tool)["magnitude"], ref)
            with mock.patch.dict(os.environ, {"XRAYFLOW": str(wrapper)}):
                self.assertTrue(xrayflow.version().startswith("xrayflow "))
            missing = str(Path(tmp) / "no-xrayflow")
            with mock.patch.dict(os.environ, {"XRAYFLOW": missing}):
                for call in (lambda: xrayflow.run(SOBEL, xray=x), xrayflow.version):
                    with self.assertRaises(FileNotFoundError) as caught:
                        call()
                    self.assertIn(f"cannot start {missing!r} (from $XRAYFLOW): No such file", str(caught.exception))
            with mock.patch.dict(os.environ, {"PATH": tmp, "HOME": tmp}):
                os.environ.pop("XRAYFLOW", None)
                with self.assertRaises(FileNotFoundError) as caught:
                    xrayflow.run(SOBEL, xray=x)
                self.assertIn("the xrayflow command was not found", str(caught.exception))

    def test_timeout_stops_the_tool_cleanly_and_raises(self):
        # 200 Gaussians of a 2048 x 2048 image: several seconds; stopped after 3 s by SIGTERM, which the tool
        # treats as Ctrl+C (exit 143, "cancelled"), where subprocess.run's timeout would SIGKILL it.
        steps = "".join(f"  - {{id: g{k}, op: gaussian_filter, in: {'x' if k == 0 else f'g{k - 1}'}, sigma: 8}}\n" for k in range(200))
        with tempfile.TemporaryDirectory() as d:
            recipe = write_recipe(d, f"xrayflow: 1\nname: slow\ninputs:\n  x: image\nsteps:\n{steps}outputs:\n  last: {{from: g199, path: last.npy}}\n")
            x = np.random.default_rng(3).random((2048, 2048), dtype=np.float32)
            started = time.monotonic()
            with self.assertRaises(xrayflow.RunTimeout) as caught:
                xrayflow.run(recipe, x=x, timeout=3)
            waited = time.monotonic() - started
        self.assertIsInstance(caught.exception, TimeoutError)
        self.assertIsInstance(caught.exception, xrayflow.XRayFlowError)
        self.assertEqual(caught.exception.exit_code, 143, str(caught.exception))
        self.assertIn("stopped after the timeout of 3 s (exit 143): xrayflow: cancelled", str(caught.exception))
        self.assertLess(waited, 3 + 10)

    def test_timeout_must_be_positive(self):
        for bad in (0, -1, float("nan")):
            with self.assertRaises(ValueError):
                xrayflow.run(SOBEL, xray=image(), timeout=bad)

    def test_version_names_the_commit(self):
        self.assertRegex(xrayflow.version(), r"^xrayflow \d+\.\d+\.\d+\S* \(commit ([0-9a-f]{7,40}|unknown)\)$")

    def test_version_of_a_tool_that_fails_is_an_xrayflow_error(self):
        # it was subprocess.CalledProcessError, with the tool's own words only in .stderr
        with self.assertRaises(xrayflow.XRayFlowError) as caught:
            xrayflow.version(tool=[sys.executable, "-c", "import sys; sys.stderr.write('no such dll'); sys.exit(3)"])
        self.assertEqual(caught.exception.exit_code, 3)
        self.assertIn("--version exited with 3: no such dll", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
