#!/usr/bin/python3
"""NumPy/SciPy timings of the operations in tests/XRayFlow.Benchmarks/EngineOpsBenchmarks.cs.

Same input (pipelines/samples/00000011_000.png, 1024 x 1024 8-bit, as float32), same operations:
    /usr/bin/python3 tests/bench/reference_bench_engine.py [--repeat 15]
Prints, per operation, the median process CPU time and the median and minimum wall time in milliseconds
(--json adds a machine-readable line). NumPy's FFT and SciPy's ndimage run on one thread, like the
single-threaded .NET runner (dotnet run -c Release --project tests/XRayFlow.Benchmarks -- engine-cpu).
"""
import argparse
import io
import json
import os
import statistics
import time

import numpy as np
from PIL import Image
from scipy import ndimage

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SAMPLE = os.path.join(ROOT, "pipelines", "samples", "00000011_000.png")


def bench(fn, repeat):
    fn()  # warm up
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
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--cpu", action="store_true", help="accepted for symmetry; CPU time is always printed")
    args = ap.parse_args()

    png = open(SAMPLE, "rb").read()
    img = np.asarray(Image.open(io.BytesIO(png))).astype(np.float32)
    u8 = np.clip(np.rint(img), 0, 255).astype(np.uint8)
    spec = np.fft.fft2(img)
    gx = np.zeros_like(img)
    gy = np.zeros_like(img)
    gx[:, 1:-1] = img[:, 2:] - img[:, :-2]
    gy[1:-1, :] = img[2:, :] - img[:-2, :]

    def png_encode():
        b = io.BytesIO()
        Image.fromarray(u8, mode="L").save(b, format="PNG")  # zlib level 6, like ImageSharp's default
        return b

    ops = {
        "PngDecode": lambda: np.asarray(Image.open(io.BytesIO(png))).astype(np.float32),
        "PngEncode": png_encode,
        "Fft2": lambda: np.fft.fft2(img),
        "Ifft2": lambda: np.fft.ifft2(spec).real,
        "FourierGaussian": lambda: ndimage.fourier_gaussian(spec, 3.0),
        "FourierSmoothChain": lambda: np.fft.ifft2(ndimage.fourier_gaussian(np.fft.fft2(img), 3.0)).real,
        "Hypot": lambda: np.hypot(gx, gy),
        "Normalize": lambda: img * 255.0 / img.max(),
        "Abs": lambda: np.abs(gx),
        "Clip": lambda: np.clip(img, 0, 200),
        "Add": lambda: gx + gy,
        "Histogram": lambda: ndimage.histogram(img, 0, 255, 256),
        "Stats": lambda: (img.min(), img.max(), img.mean(), np.median(img), img.std()),
    }
    results = {}
    print(f"numpy {np.__version__}, 1024x1024 float32, repeat {args.repeat}")
    print(f"{'op':<20} {'cpu median ms':>14} {'wall median ms':>15} {'wall min ms':>12}")
    for name, fn in ops.items():
        cpu, med, mn = bench(fn, args.repeat)
        results[name] = {"cpu_median_ms": cpu, "wall_median_ms": med, "wall_min_ms": mn}
        print(f"{name:<20} {cpu:14.2f} {med:15.2f} {mn:12.2f}")
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
