#!/usr/bin/python3
"""Time the Geometry cases of tests/XRayFlow.Benchmarks (`geometry` mode) in SciPy / scikit-image / NumPy and OpenCV
on the same 1024 x 1024 X-ray (float32).

    /usr/bin/python3 tests/bench/reference_bench_geometry.py [runs]

Prints CSV per case: the reference's median and min wall ms, then OpenCV's (2 threads), over `runs` calls after 2
warm-ups. SciPy, scikit-image and NumPy are single-threaded. OpenCV's counterparts are relatives, not identical
filters: cv2.resize samples like grid_mode (pixel areas) with its own cubic (a = -0.75) and no spline prefilter or
anti-aliasing; cv2.warpAffine uses fixed-point weights (1/32 pixel) and its own borders. The crop reference is a
NumPy slice copy, flip / rot90 are np.flip / np.rot90 made contiguous (NumPy's own are views).
"""
import os
import sys
import time

import cv2
import imageio
import numpy as np
from scipy import ndimage as ndi
from skimage.transform import resize

HERE = os.path.dirname(os.path.abspath(__file__))
IMG = imageio.imread(os.path.join(HERE, "..", "..", "pipelines", "samples", "00000011_000.png"))
X = np.ascontiguousarray(IMG.astype(np.float32))
ROT = np.array([[0.96, 0.28], [-0.28, 0.96]])


def timeit(fn, runs):
    fn()
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2], times[0]


def rot_cv(angle):
    # The same pull map as ndi.rotate(reshape=False): input = R @ (o - c) + c, given to OpenCV as an inverse map.
    c, s = np.cos(np.radians(angle)), np.sin(np.radians(angle))
    m = np.array([[c, s], [-s, c]])
    center = np.array([511.5, 511.5])
    off = center - m @ center
    # ndimage's axes are (row, col); OpenCV's (x = col, y = row).
    return np.array([[m[1, 1], m[1, 0], off[1]], [m[0, 1], m[0, 0], off[0]]])


def affine_cv(m, off):
    return np.array([[m[1, 1], m[1, 0], off[1]], [m[0, 1], m[0, 0], off[0]]])


INV = cv2.WARP_INVERSE_MAP
CASES = [
    ("zoom 2 order 1", lambda: ndi.zoom(X, 2, order=1), lambda: cv2.resize(X, (2048, 2048), interpolation=cv2.INTER_LINEAR)),
    ("zoom 2 order 3", lambda: ndi.zoom(X, 2, order=3), lambda: cv2.resize(X, (2048, 2048), interpolation=cv2.INTER_CUBIC)),
    ("zoom 0.5 order 1", lambda: ndi.zoom(X, 0.5, order=1), lambda: cv2.resize(X, (512, 512), interpolation=cv2.INTER_LINEAR)),
    ("zoom 0.5 order 3", lambda: ndi.zoom(X, 0.5, order=3), lambda: cv2.resize(X, (512, 512), interpolation=cv2.INTER_CUBIC)),
    ("resize 224 order 1", lambda: resize(X, (224, 224), order=1, preserve_range=True),
     lambda: cv2.resize(X, (224, 224), interpolation=cv2.INTER_LINEAR)),
    ("resize 224 order 1 no anti-aliasing", lambda: resize(X, (224, 224), order=1, preserve_range=True, anti_aliasing=False),
     lambda: cv2.resize(X, (224, 224), interpolation=cv2.INTER_LINEAR)),
    ("resize 512 order 3 no anti-aliasing", lambda: resize(X, (512, 512), order=3, preserve_range=True, anti_aliasing=False),
     lambda: cv2.resize(X, (512, 512), interpolation=cv2.INTER_CUBIC)),
    ("resize 2048 order 1", lambda: resize(X, (2048, 2048), order=1, preserve_range=True),
     lambda: cv2.resize(X, (2048, 2048), interpolation=cv2.INTER_LINEAR)),
    ("resize 2048 order 3", lambda: resize(X, (2048, 2048), order=3, preserve_range=True),
     lambda: cv2.resize(X, (2048, 2048), interpolation=cv2.INTER_CUBIC)),
    ("rotate 30 order 1", lambda: ndi.rotate(X, 30, reshape=False, order=1),
     lambda: cv2.warpAffine(X, rot_cv(30), (1024, 1024), flags=cv2.INTER_LINEAR | INV)),
    ("rotate 30 order 3", lambda: ndi.rotate(X, 30, reshape=False, order=3),
     lambda: cv2.warpAffine(X, rot_cv(30), (1024, 1024), flags=cv2.INTER_CUBIC | INV)),
    # Modes that extend the frame (an augmentation's usual choice): SciPy's nearest and reflect are OpenCV's
    # BORDER_REPLICATE and BORDER_REFLECT.
    ("rotate 30 order 1 nearest", lambda: ndi.rotate(X, 30, reshape=False, order=1, mode="nearest"),
     lambda: cv2.warpAffine(X, rot_cv(30), (1024, 1024), flags=cv2.INTER_LINEAR | INV, borderMode=cv2.BORDER_REPLICATE)),
    ("rotate 30 order 3 reflect", lambda: ndi.rotate(X, 30, reshape=False, order=3, mode="reflect"),
     lambda: cv2.warpAffine(X, rot_cv(30), (1024, 1024), flags=cv2.INTER_CUBIC | INV, borderMode=cv2.BORDER_REFLECT)),
    ("shift order 1", lambda: ndi.shift(X, [10.5, -20.25], order=1),
     lambda: cv2.warpAffine(X, np.array([[1, 0, 20.25], [0, 1, -10.5]]), (1024, 1024), flags=cv2.INTER_LINEAR | INV)),
    ("shift order 3", lambda: ndi.shift(X, [10.5, -20.25], order=3),
     lambda: cv2.warpAffine(X, np.array([[1, 0, 20.25], [0, 1, -10.5]]), (1024, 1024), flags=cv2.INTER_CUBIC | INV)),
    ("affine_transform order 1", lambda: ndi.affine_transform(X, ROT, offset=[40, -60], order=1),
     lambda: cv2.warpAffine(X, affine_cv(ROT, [40, -60]), (1024, 1024), flags=cv2.INTER_LINEAR | INV)),
    ("crop center 512", lambda: X[256:768, 256:768].copy(), None),
    ("pad 32 reflect", lambda: np.pad(X, 32, mode="reflect"), lambda: cv2.copyMakeBorder(X, 32, 32, 32, 32, cv2.BORDER_REFLECT_101)),
    ("pad 32 mean", lambda: np.pad(X, 32, mode="mean"), None),
    ("pad 32 linear_ramp", lambda: np.pad(X, 32, mode="linear_ramp"), None),
    ("pad 32 reflect odd", lambda: np.pad(X, 32, mode="reflect", reflect_type="odd"), None),
    ("pad 32 maximum stat_length 8", lambda: np.pad(X, 32, mode="maximum", stat_length=8), None),
    ("pad 32 median", lambda: np.pad(X, 32, mode="median"), None),
    ("flip axis 1", lambda: np.ascontiguousarray(np.flip(X, 1)), lambda: cv2.flip(X, 1)),
    ("rot90", lambda: np.ascontiguousarray(np.rot90(X)), lambda: cv2.rotate(X, cv2.ROTATE_90_COUNTERCLOCKWISE)),
]


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    only = sys.argv[2] if len(sys.argv) > 2 else None
    cv2.setNumThreads(2)
    print(f"op,ref_median_ms,ref_min_ms,opencv_median_ms,opencv_min_ms (runs={runs}, numpy {np.__version__}, scipy {__import__('scipy').__version__}, "
          f"skimage {__import__('skimage').__version__}, opencv {cv2.__version__} on {cv2.getNumThreads()} threads, image {X.shape} {X.dtype})")
    for name, ref, cv in CASES:
        if only and only not in name:
            continue
        slow = name.startswith(("zoom 2 order 3", "resize 2048", "zoom 2 order 1"))
        a = timeit(ref, max(5, runs // 3) if slow else runs)
        b = timeit(cv, runs) if cv else (float("nan"), float("nan"))
        print(name + "," + ",".join(f"{v:.3f}" for v in a + b), flush=True)


if __name__ == "__main__":
    main()
