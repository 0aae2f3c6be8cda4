#!/usr/bin/python3
"""PIL/libpng PNG decode to float32 of the sample X-rays, the reference for XRayFlow's png-cpu benchmark.

Same work as XRayFlow's ImageReader on a PNG: bytes in memory -> float32 array
(np.asarray(Image.open(...)).astype(np.float32), as tests/bench/reference_bench_engine.py PngDecode).
CPU time of the process (time.process_time; PIL decodes on one thread), median / min of N after 2 warm-ups.

Run:  /usr/bin/python3 tests/bench/png_decode_pil.py [repeat] [file.png ...]   (default: the 9 pipelines/samples)
Ours: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll png-cpu [repeat] [file.png ...]
"""
import glob
import io
import os
import statistics
import sys
import time

import numpy as np
import PIL
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def main():
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    files = sys.argv[2:] or sorted(glob.glob(os.path.join(ROOT, "pipelines", "samples", "*.png")))
    print(f"PIL {PIL.__version__}, numpy {np.__version__}, PNG decode to float32, process CPU ms: median / min of {repeat}")
    print(f"{'file':<18} {'PIL':>13}")
    meds, mins = [], []
    for f in files:
        png = open(f, "rb").read()

        def decode():
            return np.asarray(Image.open(io.BytesIO(png))).astype(np.float32)

        decode()
        decode()
        cpu = []
        for _ in range(repeat):
            c0 = time.process_time()
            decode()
            cpu.append((time.process_time() - c0) * 1000)
        meds.append(statistics.median(cpu))
        mins.append(min(cpu))
        print(f"{os.path.basename(f):<18} {meds[-1]:6.2f}/{mins[-1]:6.2f}")
    if len(files) > 1:
        print(f"{'mean per file':<18} {statistics.mean(meds):6.2f}/{statistics.mean(mins):6.2f}")


if __name__ == "__main__":
    main()
