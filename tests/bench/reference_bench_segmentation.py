#!/usr/bin/python3
"""Time the cases of tests/XRayFlow.Benchmarks/SegmentationBench.cs in SciPy / scikit-image and OpenCV.

    /usr/bin/python3 tests/bench/reference_bench_segmentation.py [runs = 15] [size = 1024]

Same inputs as the C# side: the X-ray (pipelines/samples/00000011_000.png) scaled by pixel repetition to
size x size, the binary mask of its pixels below 100, and the mask's label image (connectivity 1). Prints CSV per
case: median and min wall ms and min process CPU ms of SciPy/scikit-image (single-threaded), then of the OpenCV
counterpart where there is one (cv2.setNumThreads(2)): cv2.dilate/erode/morphologyEx with the same 3 x 3
structuring element (uint8 mask, float32 grey), cv2.connectedComponents (4 / 8), cv2.distanceTransform (DIST_L2,
DIST_MASK_PRECISE). Those are close relatives, not the same functions (no SciPy border_value/origin, labels in
another order), as in README "Performance".
"""
import os
import sys
import time

import cv2
import imageio
import numpy as np
from scipy import ndimage as ndi
from skimage import measure, morphology, segmentation

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 15
SIZE = int(sys.argv[2]) if len(sys.argv) > 2 else 1024
HERE = os.path.dirname(os.path.abspath(__file__))
X = imageio.imread(os.path.join(HERE, "..", "..", "pipelines", "samples", "00000011_000.png"))
if X.ndim == 3:
    X = X[..., 0]
rows = (np.arange(SIZE, dtype=np.int64) * X.shape[0]) // SIZE
cols = (np.arange(SIZE, dtype=np.int64) * X.shape[1]) // SIZE
GREY = np.ascontiguousarray(X[rows][:, cols].astype(np.float32))
MASK = GREY < 100
MASK8 = MASK.astype(np.uint8)
LABELS, _ = ndi.label(MASK)
SQUARE = ndi.generate_binary_structure(2, 2)
CROSS = ndi.generate_binary_structure(2, 1)
K_SQUARE = np.ones((3, 3), np.uint8)
K_CROSS = cv2.getStructuringElement(cv2.MORPH_CROSS, (3, 3))
DISK5 = morphology.disk(5)
cv2.setNumThreads(2)


def timeit(fn):
    fn()
    fn()
    times, cpus = [], []
    for _ in range(RUNS):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    times.sort()
    return times[len(times) // 2], times[0], min(cpus)


CASES = [
    ("binary_dilation 3x3 square", lambda: ndi.binary_dilation(MASK, SQUARE), lambda: cv2.dilate(MASK8, K_SQUARE)),
    ("binary_dilation 3x3 cross", lambda: ndi.binary_dilation(MASK, CROSS), lambda: cv2.dilate(MASK8, K_CROSS)),
    ("binary_erosion 3x3 square", lambda: ndi.binary_erosion(MASK, SQUARE), lambda: cv2.erode(MASK8, K_SQUARE)),
    ("binary_opening 3x3 square", lambda: ndi.binary_opening(MASK, SQUARE), lambda: cv2.morphologyEx(MASK8, cv2.MORPH_OPEN, K_SQUARE)),
    ("binary_closing 3x3 square", lambda: ndi.binary_closing(MASK, SQUARE), lambda: cv2.morphologyEx(MASK8, cv2.MORPH_CLOSE, K_SQUARE)),
    ("binary_dilation disk 5", lambda: ndi.binary_dilation(MASK, DISK5), lambda: cv2.dilate(MASK8, DISK5.astype(np.uint8))),
    ("binary_fill_holes", lambda: ndi.binary_fill_holes(MASK), None),
    ("grey_dilation size 3", lambda: ndi.grey_dilation(GREY, size=3), lambda: cv2.dilate(GREY, K_SQUARE)),
    ("grey_erosion size 3", lambda: ndi.grey_erosion(GREY, size=3), lambda: cv2.erode(GREY, K_SQUARE)),
    ("grey_opening size 3", lambda: ndi.grey_opening(GREY, size=3), lambda: cv2.morphologyEx(GREY, cv2.MORPH_OPEN, K_SQUARE)),
    ("grey_dilation size 5", lambda: ndi.grey_dilation(GREY, size=5), lambda: cv2.dilate(GREY, np.ones((5, 5), np.uint8))),
    ("white_tophat size 5", lambda: ndi.white_tophat(GREY, size=5), lambda: cv2.morphologyEx(GREY, cv2.MORPH_TOPHAT, np.ones((5, 5), np.uint8))),
    ("morphological_gradient size 3", lambda: ndi.morphological_gradient(GREY, size=3), lambda: cv2.morphologyEx(GREY, cv2.MORPH_GRADIENT, K_SQUARE)),
    ("label connectivity 1", lambda: ndi.label(MASK, CROSS), lambda: cv2.connectedComponents(MASK8, connectivity=4)),
    ("label connectivity 2", lambda: ndi.label(MASK, SQUARE), lambda: cv2.connectedComponents(MASK8, connectivity=8)),
    ("distance_transform_edt", lambda: ndi.distance_transform_edt(MASK), lambda: cv2.distanceTransform(MASK8, cv2.DIST_L2, cv2.DIST_MASK_PRECISE)),
    ("remove_small_objects 64", lambda: morphology.remove_small_objects(MASK, 64), None),
    ("clear_border", lambda: segmentation.clear_border(MASK), None),
    ("keep_largest 2", None, None),
    ("regionprops", lambda: measure.regionprops_table(LABELS, properties=("label", "area", "centroid", "bbox", "perimeter", "eccentricity")), None),
    ("regionprops shape properties", lambda: measure.regionprops_table(LABELS, properties=("label", "area", "axis_major_length", "axis_minor_length", "orientation", "extent", "equivalent_diameter_area")), None),
    ("remove_small_holes 64", lambda: morphology.remove_small_holes(MASK, 64), None),
]

print(f"op,ref_median_ms,ref_min_ms,ref_cpu_min_ms,cv2_median_ms,cv2_min_ms,cv2_cpu_min_ms (runs={RUNS}, image {GREY.shape}, "
      f"numpy {np.__version__}, scipy {__import__('scipy').__version__}, skimage {__import__('skimage').__version__}, cv2 {cv2.__version__})")
for name, ref, cv in CASES:
    a = timeit(ref) if ref else ("", "", "")
    b = timeit(cv) if cv else ("", "", "")
    cells = [f"{v:.3f}" if v != "" else "" for v in (*a, *b)]
    print(name + "," + ",".join(cells))
