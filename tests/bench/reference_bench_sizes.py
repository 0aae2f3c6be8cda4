#!/usr/bin/python3
"""OpenCV's counterparts of the README filter table at 512 .. 8192 square (issue 16, goal 3), 2 threads.

    /usr/bin/python3 tests/bench/reference_bench_sizes.py [runs] [sizes] [filter]

The sample X-ray (float32) tiled to each size, as `XRayFlow.Benchmarks sizes` does; prints the median wall ms of
`runs` calls after 2 warm-ups, and the ns per pixel, per op and size. The counterparts are the ones of
tests/bench/reference_bench.py (relatives, not identical filters); hypot -> cv2.magnitude, normalize -> x * (255 / max);
then the preprocessing ops' counterparts (those of reference_bench_geometry.py, _intensity.py and _thresholds.py, with
sizes scaled with n). A filter runs only the rows whose label contains it.
"""
import os
import sys
import time

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
IMG = cv2.imread(os.path.join(HERE, "..", "..", "pipelines", "samples", "00000011_000.png"), cv2.IMREAD_GRAYSCALE).astype(np.float32)
PREWITT_X = np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], np.float32)


def ggm(x, s):
    g = cv2.GaussianBlur(x, (0, 0), s)
    return cv2.magnitude(cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3))


OPS = [
    ("gaussian_filter s=1", lambda x: cv2.GaussianBlur(x, (0, 0), 1.0)),
    ("gaussian_filter s=4", lambda x: cv2.GaussianBlur(x, (0, 0), 4.0)),
    ("gaussian_filter s=16", lambda x: cv2.GaussianBlur(x, (0, 0), 16.0)),
    ("sobel axis=-1", lambda x: cv2.Sobel(x, cv2.CV_32F, 1, 0, ksize=3)),
    ("prewitt axis=-1", lambda x: cv2.filter2D(x, cv2.CV_32F, PREWITT_X)),
    ("laplace", lambda x: cv2.Laplacian(x, cv2.CV_32F, ksize=1)),
    ("gaussian_laplace s=1", lambda x: cv2.Laplacian(cv2.GaussianBlur(x, (0, 0), 1.0), cv2.CV_32F, ksize=1)),
    ("gaussian_gradient_magnitude s=2", lambda x: ggm(x, 2.0)),
    ("uniform_filter size=3", lambda x: cv2.blur(x, (3, 3))),
    ("uniform_filter size=21", lambda x: cv2.blur(x, (21, 21))),
    ("median_filter size=3", lambda x: cv2.medianBlur(x, 3)),
    ("median_filter size=5", lambda x: cv2.medianBlur(x, 5)),
    # cv2.medianBlur takes float32 only up to size 5; larger sizes on the same levels as uint8 (the sample is 8-bit).
    ("median_filter size=9", lambda x: cv2.medianBlur(x.astype(np.uint8), 9)),
    ("median_filter size=21", lambda x: cv2.medianBlur(x.astype(np.uint8), 21)),
    ("hypot", lambda x: cv2.magnitude(x, x)),
    ("normalize", lambda x: cv2.multiply(x, 255.0 / float(x.max()))),
]


def rotate30(x, order):
    # ndi.rotate(reshape=False)'s pull map about the centre, given to OpenCV as an inverse map (x = col, y = row).
    n = x.shape[0]
    c, s = np.cos(np.radians(30)), np.sin(np.radians(30))
    m = np.array([[c, s], [-s, c]])
    centre = np.array([(n - 1) / 2, (n - 1) / 2])
    off = centre - m @ centre
    a = np.array([[m[1, 1], m[1, 0], off[1]], [m[0, 1], m[0, 0], off[0]]])
    return cv2.warpAffine(x, a, (n, n), flags=order | cv2.WARP_INVERSE_MAP)


SHIFT = np.array([[1, 0, -20.25], [0, 1, 10.5]])
CLAHE = cv2.createCLAHE()
KERNEL5 = np.ones((5, 5), np.uint8)

# The preprocessing ops with an OpenCV counterpart (XRayFlow.Benchmarks SizesBench.Preprocessing, the same labels);
# the 8-bit rows take the tiled sample as uint8.
PREPROCESSING = [
    ("zoom 2 order 1", lambda x: cv2.resize(x, (2 * x.shape[1], 2 * x.shape[0]), interpolation=cv2.INTER_LINEAR)),
    ("zoom 2 order 3", lambda x: cv2.resize(x, (2 * x.shape[1], 2 * x.shape[0]), interpolation=cv2.INTER_CUBIC)),
    ("zoom 0.5 order 1", lambda x: cv2.resize(x, (x.shape[1] // 2, x.shape[0] // 2), interpolation=cv2.INTER_LINEAR)),
    ("zoom 0.5 order 3", lambda x: cv2.resize(x, (x.shape[1] // 2, x.shape[0] // 2), interpolation=cv2.INTER_CUBIC)),
    ("resize n*7/32 order 1 no anti-aliasing", lambda x: cv2.resize(x, (x.shape[1] * 7 // 32, x.shape[0] * 7 // 32), interpolation=cv2.INTER_LINEAR)),
    ("resize n/2 order 3 no anti-aliasing", lambda x: cv2.resize(x, (x.shape[1] // 2, x.shape[0] // 2), interpolation=cv2.INTER_CUBIC)),
    ("resize 2n order 1", lambda x: cv2.resize(x, (2 * x.shape[1], 2 * x.shape[0]), interpolation=cv2.INTER_LINEAR)),
    ("rotate 30 order 1", lambda x: rotate30(x, cv2.INTER_LINEAR)),
    ("rotate 30 order 3", lambda x: rotate30(x, cv2.INTER_CUBIC)),
    ("shift order 1", lambda x: cv2.warpAffine(x, SHIFT, (x.shape[1], x.shape[0]), flags=cv2.INTER_LINEAR)),
    ("maximum_filter size=5", lambda x: cv2.dilate(x, KERNEL5)),
    ("equalize_adapthist 8-bit", lambda x: CLAHE.apply(x)),
    ("threshold_otsu 8-bit", lambda x: cv2.threshold(x, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)),
    ("flip axis 1", lambda x: cv2.flip(x, 1)),
    ("rot90", lambda x: cv2.rotate(x, cv2.ROTATE_90_COUNTERCLOCKWISE)),
]
EIGHT_BIT = {"equalize_adapthist 8-bit", "threshold_otsu 8-bit"}


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    sizes = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else "512,1024,2048,4096,8192").split(",")]
    cv2.setNumThreads(2)
    print(f"opencv {cv2.__version__}, threads {cv2.getNumThreads()}, median of {runs} calls; ms (ns per pixel)")
    print("op," + ",".join(str(n) for n in sizes) + ",per-pixel 8192/1024")
    images = {n: np.ascontiguousarray(np.tile(IMG, (n // IMG.shape[0] + 1, n // IMG.shape[1] + 1))[:n, :n]) for n in sizes}
    only = sys.argv[3] if len(sys.argv) > 3 else None
    for name, fn in OPS + PREPROCESSING:
        if only is not None and only.lower() not in name.lower():
            continue
        cells, per = [], {}
        for n in sizes:
            x = images[n].astype(np.uint8) if name in EIGHT_BIT else images[n]
            fn(x)
            fn(x)
            t = []
            for _ in range(runs):
                t0 = time.perf_counter()
                fn(x)
                t.append((time.perf_counter() - t0) * 1000)
            t.sort()
            ms = t[len(t) // 2]
            per[n] = ms * 1e6 / (n * n)
            cells.append(f"{ms:.3f} ({per[n]:.3f})")
        ratio = f"{per[8192] / per[1024]:.2f}" if 8192 in per and 1024 in per else ""
        print(name + "," + ",".join(cells) + "," + ratio, flush=True)


if __name__ == "__main__":
    main()
