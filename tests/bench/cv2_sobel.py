"""Reference for the start-up benchmark: read one PNG, Sobel pair, magnitude, write a PNG (as the
xrayflow recipe tests/bench/sobel.yaml does). Usage: /usr/bin/python3 tests/bench/cv2_sobel.py IN.png OUT.png"""
import sys

import cv2
import numpy as np

img = cv2.imread(sys.argv[1], cv2.IMREAD_UNCHANGED).astype(np.float32)
gx = cv2.Sobel(img, cv2.CV_32F, 1, 0, ksize=3, borderType=cv2.BORDER_REFLECT)
gy = cv2.Sobel(img, cv2.CV_32F, 0, 1, ksize=3, borderType=cv2.BORDER_REFLECT)
mag = cv2.magnitude(gx, gy)
cv2.imwrite(sys.argv[2], np.clip(np.rint(mag), 0, 255).astype(np.uint8))
