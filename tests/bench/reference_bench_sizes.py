#!/usr/bin/python3
"""OpenCV's counterparts of the README filter table at 512 .. 8192 square (issue 16, goal 3), 2 threads.

    /usr/bin/python3 tests/bench/reference_bench_sizes.py [runs] [sizes]

The sample X-ray (float32) tiled to each size, as `XRayFlow.Benchmarks sizes` does; prints the median wall ms of
`runs` calls after 2 warm-ups, and the ns per pixel, per op and size. The counterparts are the ones of
tests/bench/reference_bench.py (relatives, not identical filters); hypot -> cv2.magnitude, normalize -> x * (255 / max).
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


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    sizes = [int(s) for s in (sys.argv[2] if len(sys.argv) > 2 else "512,1024,2048,4096,8192").split(",")]
    cv2.setNumThreads(2)
    print(f"opencv {cv2.__version__}, threads {cv2.getNumThreads()}, median of {runs} calls; ms (ns per pixel)")
    print("op," + ",".join(str(n) for n in sizes) + ",per-pixel 8192/1024")
    images = {n: np.ascontiguousarray(np.tile(IMG, (n // IMG.shape[0] + 1, n // IMG.shape[1] + 1))[:n, :n]) for n in sizes}
    for name, fn in OPS:
        cells, per = [], {}
        for n in sizes:
            x = images[n]
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
