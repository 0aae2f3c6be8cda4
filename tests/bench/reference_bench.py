#!/usr/bin/python3
"""Time the filter ops of tests/XRayFlow.Benchmarks in SciPy and OpenCV on the same 1024 x 1024 X-ray.

    /usr/bin/python3 tests/bench/reference_bench.py [runs]

Prints CSV per op: SciPy's and OpenCV's median and min wall time and min process CPU time over `runs`
timed calls after 2 warm-up calls (float32 image).
OpenCV uses its default thread pool (all cores); SciPy is single-threaded. OpenCV counterparts:
gaussian_filter -> GaussianBlur (ksize from sigma), sobel -> Sobel ksize 3, prewitt -> filter2D,
laplace -> Laplacian ksize 1, uniform_filter -> blur, median_filter -> medianBlur (3 and 5 only on float),
correlate -> filter2D, correlate1d -> sepFilter2D with a 1-tap other axis (float32 sums; SciPy and XRayFlow sum in
float64),
gaussian_laplace -> GaussianBlur + Laplacian, gaussian_gradient_magnitude -> GaussianBlur + 2 Sobel + magnitude.
They compute close relatives, not identical results (different kernel sizes and borders). The ridge filters
(scikit-image's frangi, sato, meijering with their defaults, on the uint8 image and on it / 255 as float32) have no
OpenCV counterpart (empty columns); difference_of_gaussians (scikit-image's, sigma 2 and 3.2, mode nearest) is
compared with two GaussianBlur calls (BORDER_REPLICATE) subtracted, a relative; canny is scikit-image's on the
float32 image (sigma 2, thresholds 25.5 and 51; cv2.Canny takes 8-bit images and its own gradient: not listed).
"""
import os
import sys
import time

import cv2
import imageio
import numpy as np
from scipy import ndimage as ndi
from skimage import feature as skfeature
from skimage import filters as skf

HERE = os.path.dirname(os.path.abspath(__file__))
IMG = imageio.imread(os.path.join(HERE, "..", "..", "pipelines", "samples", "00000011_000.png"))
if IMG.ndim == 3:
    IMG = IMG[..., 0]
X = np.ascontiguousarray(IMG.astype(np.float32))
PREWITT_X = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], np.float32)
# correlate's kernels (the same numbers as QuickBench's): a 3 x 3 smoothing and a 7 x 7 of N(0, 1) to three decimals.
W3 = np.array([[1, 2, 1], [2, 3, 2], [1, 2, 1]]) / 15.0
W7 = np.round(np.random.default_rng(5).normal(0, 1, (7, 7)), 3)
B5 = np.array([1, 4, 6, 4, 1]) / 16.0  # correlate1d's kernels: symmetric (SciPy's paired sums) and general
G4 = np.array([0.5, -1.25, 2, 0.1])
UNIT = (X / np.float32(255)).astype(np.float32)  # the ridge filters' float path, as QuickBench's


def timeit(fn, runs):
    """(median wall ms, min wall ms, min process CPU ms) over `runs` calls after 2 warm-ups.
    Process CPU time is immune to preemption on a loaded machine (SciPy is single-threaded, so it is
    SciPy's own work; for OpenCV it sums its threads)."""
    fn()
    fn()
    times, cpus = [], []
    for _ in range(runs):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    times.sort()
    return times[len(times) // 2], times[0], min(cpus)


def cv_ggm(x, s):
    g = cv2.GaussianBlur(x, (0, 0), s)
    return cv2.magnitude(cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3))


OPS = [
    ("gaussian_filter s=1", lambda: ndi.gaussian_filter(X, 1.0), lambda: cv2.GaussianBlur(X, (0, 0), 1.0)),
    ("gaussian_filter s=4", lambda: ndi.gaussian_filter(X, 4.0), lambda: cv2.GaussianBlur(X, (0, 0), 4.0)),
    ("gaussian_filter s=16", lambda: ndi.gaussian_filter(X, 16.0), lambda: cv2.GaussianBlur(X, (0, 0), 16.0)),
    ("sobel pair + hypot", lambda: np.hypot(ndi.sobel(X, 0), ndi.sobel(X, 1)),
     lambda: cv2.magnitude(cv2.Sobel(X, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(X, cv2.CV_32F, 0, 1, ksize=3))),
    ("sobel axis=-1", lambda: ndi.sobel(X, -1), lambda: cv2.Sobel(X, cv2.CV_32F, 1, 0, ksize=3)),
    ("prewitt axis=-1", lambda: ndi.prewitt(X, -1), lambda: cv2.filter2D(X, cv2.CV_32F, PREWITT_X)),
    ("laplace", lambda: ndi.laplace(X), lambda: cv2.Laplacian(X, cv2.CV_32F, ksize=1)),
    ("gaussian_laplace s=1", lambda: ndi.gaussian_laplace(X, 1.0),
     lambda: cv2.Laplacian(cv2.GaussianBlur(X, (0, 0), 1.0), cv2.CV_32F, ksize=1)),
    ("gaussian_gradient_magnitude s=2", lambda: ndi.gaussian_gradient_magnitude(X, 2.0), lambda: cv_ggm(X, 2.0)),
    ("uniform_filter size=3", lambda: ndi.uniform_filter(X, 3), lambda: cv2.blur(X, (3, 3))),
    ("uniform_filter size=21", lambda: ndi.uniform_filter(X, 21), lambda: cv2.blur(X, (21, 21))),
    ("median_filter size=3", lambda: ndi.median_filter(X, 3), lambda: cv2.medianBlur(X, 3)),
    ("median_filter size=5", lambda: ndi.median_filter(X, 5), lambda: cv2.medianBlur(X, 5)),
    ("correlate 3x3", lambda: ndi.correlate(X, W3), lambda: cv2.filter2D(X, cv2.CV_32F, W3.astype(np.float32), borderType=cv2.BORDER_REFLECT)),
    ("correlate 7x7", lambda: ndi.correlate(X, W7), lambda: cv2.filter2D(X, cv2.CV_32F, W7.astype(np.float32), borderType=cv2.BORDER_REFLECT)),
    ("correlate1d 5 symmetric axis 0", lambda: ndi.correlate1d(X, B5, axis=0),
     lambda: cv2.sepFilter2D(X, cv2.CV_32F, np.ones(1, np.float32), B5.astype(np.float32), borderType=cv2.BORDER_REFLECT)),
    ("correlate1d 4 general axis 1", lambda: ndi.correlate1d(X, G4, axis=1),
     lambda: cv2.sepFilter2D(X, cv2.CV_32F, G4.astype(np.float32), np.ones(1, np.float32), borderType=cv2.BORDER_REFLECT)),
    ("difference_of_gaussians 2 8-bit", lambda: skf.difference_of_gaussians(IMG, 2.0),
     lambda: cv2.GaussianBlur(X, (0, 0), 2.0, borderType=cv2.BORDER_REPLICATE) - cv2.GaussianBlur(X, (0, 0), 3.2, borderType=cv2.BORDER_REPLICATE)),
    ("difference_of_gaussians 2 float", lambda: skf.difference_of_gaussians(UNIT, 2.0),
     lambda: cv2.GaussianBlur(UNIT, (0, 0), 2.0, borderType=cv2.BORDER_REPLICATE) - cv2.GaussianBlur(UNIT, (0, 0), 3.2, borderType=cv2.BORDER_REPLICATE)),
    ("canny sigma 2 8-bit", lambda: skfeature.canny(X, sigma=2, low_threshold=25.5, high_threshold=51), None),
    ("frangi 8-bit", lambda: skf.frangi(IMG), None),
    ("frangi float", lambda: skf.frangi(UNIT), None),
    ("sato float", lambda: skf.sato(UNIT), None),
    ("meijering float", lambda: skf.meijering(UNIT), None),
]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    print(f"op,scipy_median_ms,scipy_min_ms,scipy_min_cpu_ms,opencv_median_ms,opencv_min_ms,opencv_min_cpu_ms (runs={runs}, scipy {__import__('scipy').__version__}, opencv {cv2.__version__}, "
          f"opencv threads {cv2.getNumThreads()}, image {X.shape} {X.dtype})")
    for name, sp, cv in OPS:
        a = timeit(sp, min(runs, 7) if cv is None else runs)  # the ridge filters take most of a second a call
        b = timeit(cv, runs) if cv is not None else None
        print(name + "," + ",".join(f"{v:.3f}" for v in a) + "," + (",".join(f"{v:.3f}" for v in b) if b else ",,"), flush=True)


if __name__ == "__main__":
    main()
