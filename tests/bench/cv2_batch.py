"""Reference for the batch benchmark (tests/bench/batch.sh, docs/performance-runner.md): every PNG of a folder
through the same work as tests/bench/sobel.yaml, in a 2-process multiprocessing.Pool (cv2.imread -> float32,
cv2.Sobel dx and dy with BORDER_REFLECT = SciPy's `reflect`, cv2.magnitude, rint + clip, cv2.imwrite with
OpenCV's default PNG settings). Usage: /usr/bin/python3 tests/bench/cv2_batch.py IN_DIR OUT_DIR [PROCESSES]"""
import glob
import os
import sys
from multiprocessing import Pool

import cv2
import numpy as np

OUT = sys.argv[2]


def one(path):
    img = cv2.imread(path, cv2.IMREAD_UNCHANGED).astype(np.float32)
    gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REFLECT)
    gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REFLECT)
    mag = cv2.magnitude(gx, gy)
    stem = os.path.splitext(os.path.basename(path))[0]
    cv2.imwrite(os.path.join(OUT, stem + "_sobel.png"), np.clip(np.rint(mag), 0, 255).astype(np.uint8))


def single_threaded():
    cv2.setNumThreads(1)  # one image per process: the pool's processes already fill the cores


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    files = sorted(glob.glob(os.path.join(sys.argv[1], "*.png")))
    with Pool(int(sys.argv[3]) if len(sys.argv) > 3 else 2, initializer=single_threaded) as pool:
        pool.map(one, files, chunksize=4)
