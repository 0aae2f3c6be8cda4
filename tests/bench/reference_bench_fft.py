#!/usr/bin/python3
"""NumPy and scipy.fft timings of the 2-D FFTs of tests/XRayFlow.Benchmarks (engine-cpu / fft modes).

Same input as reference_bench_engine.py (pipelines/samples/00000011_000.png as float32, 1024 x 1024).
    /usr/bin/python3 tests/bench/reference_bench_fft.py [--repeat 21]
Per variant: median process CPU time (time.process_time; every variant runs on one thread: numpy.fft is
single-threaded, scipy.fft runs with workers=1, its default) and the median / minimum wall time, in ms.
scipy.fft keeps float32 as complex64 (SciPy 1.10 is the issue's reference), numpy.fft always computes in
complex128, so the scipy.fft float32 rows are the like-for-like comparison with the engine's float32 FFT.
"""
import argparse
import io
import os
import statistics
import time

import numpy as np
import scipy
import scipy.fft as sfft
from PIL import Image
from scipy import ndimage

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SAMPLE = os.path.join(ROOT, "pipelines", "samples", "00000011_000.png")


def bench(fn, repeat):
    fn()
    fn()
    wall, cpu = [], []
    for _ in range(repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return statistics.median(cpu), statistics.median(wall), min(wall)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=21)
    args = ap.parse_args()

    img = np.asarray(Image.open(SAMPLE)).astype(np.float32)
    spec64 = np.fft.fft2(img)                # complex128, what numpy hands on
    spec32 = sfft.fft2(img)                  # complex64
    assert spec32.dtype == np.complex64

    ops = {
        "numpy fft2": lambda: np.fft.fft2(img),
        "numpy ifft2 .real": lambda: np.fft.ifft2(spec64).real,
        "numpy smooth chain": lambda: np.fft.ifft2(ndimage.fourier_gaussian(np.fft.fft2(img), 3.0)).real,
        "scipy.fft fft2 f32": lambda: sfft.fft2(img),
        "scipy.fft ifft2 c64": lambda: sfft.ifft2(spec32),
        "scipy.fft ifft2 c64 .real": lambda: sfft.ifft2(spec32).real,
        "scipy.fft rfft2 f32": lambda: sfft.rfft2(img),
        "scipy.fft smooth chain f32": lambda: sfft.ifft2(ndimage.fourier_gaussian(sfft.fft2(img), 3.0)).real,
        "scipy.fft fft2 f32 workers=2": lambda: sfft.fft2(img, workers=2),
        "scipy.fft ifft2 c64 workers=2": lambda: sfft.ifft2(spec32, workers=2),
    }
    print(f"numpy {np.__version__}, scipy {scipy.__version__}, 1024x1024 float32, repeat {args.repeat}")
    print(f"{'variant':<30} {'cpu median ms':>14} {'wall median ms':>15} {'wall min ms':>12}")
    for name, fn in ops.items():
        cpu, med, mn = bench(fn, args.repeat)
        print(f"{name:<30} {cpu:14.2f} {med:15.2f} {mn:12.2f}")


if __name__ == "__main__":
    main()
