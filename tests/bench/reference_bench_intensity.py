#!/usr/bin/python3
"""Time the Intensity ops of tests/XRayFlow.Benchmarks (IntensityBenchmarks) in scikit-image and OpenCV.

    /usr/bin/python3 tests/bench/reference_bench_intensity.py [runs]

The same 1024 x 1024 X-ray (pipelines/samples/00000011_000.png): as uint8 (scikit-image's integer path) and as
float32 values / 255 (its float path). Prints CSV per op: median and min wall time and min process CPU time over
`runs` timed calls after 2 warm-up calls. scikit-image is single-threaded; OpenCV uses its default thread pool
(all cores). OpenCV's CLAHE (createCLAHE().apply on the 8-bit image, its defaults: clip 40, 8 x 8 tiles) is a
relative of equalize_adapthist, not the same computation (8-bit levels, its own clip rule and interpolation);
cv2.equalizeHist likewise of equalize_hist.
"""
import os
import sys
import time

import cv2
import imageio
import numpy as np
import scipy.ndimage as ndi
from skimage import exposure, filters

HERE = os.path.dirname(os.path.abspath(__file__))
IMG = imageio.imread(os.path.join(HERE, "..", "..", "pipelines", "samples", "00000011_000.png"))
if IMG.ndim == 3:
    IMG = IMG[..., 0]
X8 = np.ascontiguousarray(IMG.astype(np.uint8))
# A 16-bit image: the sample's values times 16 plus (v mod 7), 0 kept (a 12-bit range; as ThresholdBenchmarks and IntensityBenchmarks make it).
X16 = np.where(IMG == 0, 0, IMG.astype(np.uint16) * 16 + IMG % 7).astype(np.uint16)
XF = np.ascontiguousarray(X8.astype(np.float32) / np.float32(255))
CLAHE = cv2.createCLAHE()
REF8 = np.ascontiguousarray(imageio.imread(os.path.join(HERE, "..", "..", "pipelines", "samples", "00000011_005.png")).astype(np.uint8))
REFF = np.ascontiguousarray(REF8.astype(np.float32) / np.float32(255))
# About a distinct value a pixel (match_histograms' sorting path in XRayFlow; the / 255 images have 256 values).
XFS = ndi.gaussian_filter(XF, 1)
REFFS = ndi.gaussian_filter(REFF, 1)


def timeit(fn, runs):
    """(median wall ms, min wall ms, min process CPU ms) over `runs` calls after 2 warm-ups."""
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


def pct_rescale(x, out_range="dtype"):
    return exposure.rescale_intensity(x, in_range=tuple(np.percentile(x, (2, 98))), out_range=out_range)


OPS = [
    ("equalize_hist (8-bit)", lambda: exposure.equalize_hist(X8), lambda: cv2.equalizeHist(X8)),
    ("equalize_hist (float)", lambda: exposure.equalize_hist(XF), None),
    ("equalize_adapthist (8-bit)", lambda: exposure.equalize_adapthist(X8), lambda: CLAHE.apply(X8)),
    ("equalize_adapthist (float)", lambda: exposure.equalize_adapthist(XF), None),
    ("rescale_intensity (8-bit)", lambda: exposure.rescale_intensity(X8), None),
    ("rescale_intensity p2-p98 to [0, 1] (8-bit)", lambda: pct_rescale(X8, (0, 1)), None),
    ("rescale_intensity (float)", lambda: exposure.rescale_intensity(XF), None),
    ("rescale_intensity p2-p98 (float)", lambda: pct_rescale(XF), None),
    ("adjust_gamma 0.5 (8-bit)", lambda: exposure.adjust_gamma(X8, 0.5), None),
    ("adjust_gamma 0.7 (float)", lambda: exposure.adjust_gamma(XF, 0.7), None),
    ("adjust_log (8-bit)", lambda: exposure.adjust_log(X8), None),
    ("adjust_log (float)", lambda: exposure.adjust_log(XF), None),
    ("rescale_intensity (16-bit)", lambda: exposure.rescale_intensity(X16), None),
    ("adjust_gamma 0.5 (16-bit)", lambda: exposure.adjust_gamma(X16, 0.5), None),
    ("adjust_log (16-bit)", lambda: exposure.adjust_log(X16), None),
    ("adjust_sigmoid (8-bit)", lambda: exposure.adjust_sigmoid(X8), None),
    ("adjust_sigmoid (float)", lambda: exposure.adjust_sigmoid(XF), None),
    ("adjust_sigmoid (16-bit)", lambda: exposure.adjust_sigmoid(X16), None),
    # OpenCV's usual unsharp mask: GaussianBlur + addWeighted (a relative: no img_as_float, no clipping to [0, 1]).
    ("unsharp_mask (8-bit)", lambda: filters.unsharp_mask(X8), lambda: cv2.addWeighted(XF, 2, cv2.GaussianBlur(XF, (0, 0), 1), -1, 0)),
    ("unsharp_mask radius 3 amount 2 (float)", lambda: filters.unsharp_mask(XF, radius=3, amount=2),
     lambda: cv2.addWeighted(XF, 3, cv2.GaussianBlur(XF, (0, 0), 3), -2, 0)),
    ("match_histograms to sample 005 (8-bit)", lambda: exposure.match_histograms(X8, REF8), None),
    ("match_histograms to sample 005 (float)", lambda: exposure.match_histograms(XF, REFF), None),
    ("match_histograms to sample 005, both smoothed by gaussian_filter sigma 1 (float)", lambda: exposure.match_histograms(XFS, REFFS), None),
]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    only = sys.argv[2] if len(sys.argv) > 2 else None
    import skimage
    print(f"op,skimage_median_ms,skimage_min_ms,skimage_min_cpu_ms,opencv_median_ms,opencv_min_ms,opencv_min_cpu_ms (runs={runs}, skimage {skimage.__version__}, "
          f"opencv {cv2.__version__}, opencv threads {cv2.getNumThreads()}, image {X8.shape})")
    for name, sk, cv in OPS:
        if only and only not in name:
            continue
        a = timeit(sk, runs)
        b = timeit(cv, runs) if cv else ("", "", "")
        print(name + "," + ",".join(f"{v:.3f}" if v != "" else "" for v in a + b), flush=True)


if __name__ == "__main__":
    main()
