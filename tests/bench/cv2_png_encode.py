"""OpenCV's side of the PNG encode benchmark (tests/XRayFlow.Benchmarks png-encode): cv2.imencode of each file at
each IMWRITE_PNG_COMPRESSION level (OpenCV's default strategy), process CPU ms per file (median of N) and bytes.
Usage: /usr/bin/python3 tests/bench/cv2_png_encode.py [--repeat N] FILES..."""
import statistics
import sys
import time

import cv2

args = sys.argv[1:]
repeat = 11
if args and args[0] == "--repeat":
    repeat, args = int(args[1]), args[2:]
cv2.setNumThreads(1)
images = [cv2.imread(f, cv2.IMREAD_UNCHANGED) for f in args]
print(f"OpenCV {cv2.__version__}, PNG encode of {len(images)} file(s): process CPU ms per file (median of {repeat}), bytes per file")
for level in [None, 0, 1, 2, 3, 4, 6, 9]:
    params = [] if level is None else [cv2.IMWRITE_PNG_COMPRESSION, level]
    ms = 0.0
    size = 0
    for img in images:
        times = []
        for _ in range(repeat + 2):
            t = time.process_time()
            ok, buf = cv2.imencode(".png", img, params)
            times.append(time.process_time() - t)
        ms += statistics.median(times[2:]) * 1e3
        size += len(buf)
    print(f"{'default' if level is None else level:>7} {ms / len(images):8.2f} {size // len(images):11d}")
