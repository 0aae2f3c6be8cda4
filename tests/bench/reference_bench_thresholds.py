#!/usr/bin/python3
"""Time the rank filters, thresholds and percentile of tests/XRayFlow.Benchmarks/ThresholdBenchmarks.cs in
SciPy / scikit-image / NumPy on the same 1024 x 1024 X-ray.

    /usr/bin/python3 tests/bench/reference_bench_thresholds.py [runs]

Prints CSV per op: median and min wall time and min process CPU time over `runs` timed calls after 2 warm-up
calls, single-threaded. The rank filters run on the float32 image (as reference_bench.py's median_filter); the
thresholds and percentile on the ORIGINAL uint8 array (what a user of an 8-bit X-ray calls: scikit-image's integer
path) and on the float32 Gaussian smoothing (sigma 2: its float path). OpenCV's Otsu (cv2.threshold with
THRESH_OTSU on the uint8 image, 2 threads) is a relative, not the same computation (it also writes the mask).
"""
import os
import sys
import time

import cv2
import imageio
import numpy as np
from scipy import ndimage as ndi
from skimage import filters

HERE = os.path.dirname(os.path.abspath(__file__))
IMG = imageio.imread(os.path.join(HERE, "..", "..", "pipelines", "samples", "00000011_000.png"))
X = np.ascontiguousarray(IMG.astype(np.float32))
SMOOTH = ndi.gaussian_filter(X, 2.0)
# A 16-bit image: the sample's values times 16 plus (v mod 7), 0 kept (as ThresholdBenchmarks makes it).
WIDE = np.where(IMG == 0, 0, IMG.astype(np.uint16) * 16 + IMG % 7).astype(np.uint16)


def timeit(fn, runs, warm=2):
    for _ in range(warm):
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


OPS = [
    ("percentile_filter size=3 p90", lambda: ndi.percentile_filter(X, 90, size=3)),
    ("percentile_filter size=5 p90", lambda: ndi.percentile_filter(X, 90, size=5)),
    ("rank_filter size=3 rank=2", lambda: ndi.rank_filter(X, 2, size=3)),
    ("rank_filter size=5 rank=12", lambda: ndi.rank_filter(X, 12, size=5)),
    ("threshold_otsu uint8", lambda: filters.threshold_otsu(IMG)),
    ("threshold_multiotsu uint8 classes=3", lambda: filters.threshold_multiotsu(IMG)),
    ("threshold_multiotsu float32 classes=3", lambda: filters.threshold_multiotsu(SMOOTH)),
    ("threshold_multiotsu uint16 classes=2", lambda: filters.threshold_multiotsu(WIDE, classes=2)),
    ("threshold_multiotsu uint16 classes=3", lambda: filters.threshold_multiotsu(WIDE, classes=3)),
    ("threshold_multiotsu uint8 classes=4", lambda: filters.threshold_multiotsu(IMG, classes=4)),
    ("threshold_multiotsu uint8 classes=5 (3 runs)", lambda: filters.threshold_multiotsu(IMG, classes=5)),
    ("threshold_li uint8", lambda: filters.threshold_li(IMG)),
    ("threshold_yen uint8", lambda: filters.threshold_yen(IMG)),
    ("threshold_triangle uint8", lambda: filters.threshold_triangle(IMG)),
    ("threshold_isodata uint8", lambda: filters.threshold_isodata(IMG)),
    ("threshold_minimum uint8", lambda: filters.threshold_minimum(IMG)),
    ("threshold_mean uint8", lambda: filters.threshold_mean(IMG)),
    ("threshold_otsu uint16", lambda: filters.threshold_otsu(WIDE)),
    ("threshold_li uint16", lambda: filters.threshold_li(WIDE)),
    ("threshold_yen uint16", lambda: filters.threshold_yen(WIDE)),
    ("threshold_triangle uint16", lambda: filters.threshold_triangle(WIDE)),
    ("threshold_isodata uint16", lambda: filters.threshold_isodata(WIDE)),
    ("threshold_mean uint16", lambda: filters.threshold_mean(WIDE)),
    ("percentile q=90 uint8", lambda: np.percentile(IMG, 90)),
    ("threshold_otsu float32", lambda: filters.threshold_otsu(SMOOTH)),
    ("threshold_li float32", lambda: filters.threshold_li(SMOOTH)),
    ("threshold_yen float32", lambda: filters.threshold_yen(SMOOTH)),
    ("threshold_triangle float32", lambda: filters.threshold_triangle(SMOOTH)),
    ("threshold_isodata float32", lambda: filters.threshold_isodata(SMOOTH)),
    ("threshold_minimum float32", lambda: filters.threshold_minimum(SMOOTH)),
    ("threshold_mean float32", lambda: filters.threshold_mean(SMOOTH)),
    ("percentile q=90 float32", lambda: np.percentile(SMOOTH, 90)),
    ("cv2.threshold OTSU uint8 (relative)", lambda: cv2.threshold(IMG, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)),
]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    cv2.setNumThreads(2)
    print(f"op,median_ms,min_ms,min_cpu_ms (runs={runs}, numpy {np.__version__}, scipy {__import__('scipy').__version__}, "
          f"skimage {__import__('skimage').__version__}, opencv {cv2.__version__}, image {X.shape})")
    for name, fn in OPS:
        # classes=5 tries 172 million choices (3.5 s a call): three runs, one warm-up call
        n = min(runs, 3) if "(3 runs)" in name else runs
        print(name + "," + ",".join(f"{v:.3f}" for v in timeit(fn, n, warm=1 if n < runs else 2)), flush=True)


if __name__ == "__main__":
    main()
