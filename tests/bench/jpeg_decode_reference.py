#!/usr/bin/python3
"""JPEG decode to float32 with Pillow and OpenCV (both libjpeg-turbo): the reference for XRayFlow's jpeg-cpu benchmark.

First writes the benchmark's files (into the folder given, default /tmp/xrayflow-jpeg-bench): the sample X-ray
(pipelines/samples/00000011_000.png, 1024 x 1024) as grey JPEG quality 90, baseline and progressive, and as a
colour 4:2:0 JPEG (three shifted copies of it as R, G, B); and the two hostile files of
tests/fixtures/engine/codecs/jpeg/refused/ (bomb_baseline, bomb_progressive: 8 x 8 pixels declaring 10000 x 10000).
Then times bytes in memory -> float32 array (grey as is, colour as 0.299 R + 0.587 G + 0.114 B in float64), CPU time
of the process (time.process_time; both decode on one thread), median / min of N after 2 warm-ups.

Run:  /usr/bin/python3 tests/bench/jpeg_decode_reference.py [repeat] [folder]
Ours: dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll jpeg-cpu [repeat] [folder]
"""
import io
import os
import shutil
import statistics
import sys
import time

import cv2
import numpy as np
import PIL
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
FILES = ["xray_q90.jpg", "xray_q90_progressive.jpg", "rgb_q90_420.jpg", "bomb_baseline.jpg", "bomb_progressive.jpg"]


def write_files(folder):
    os.makedirs(folder, exist_ok=True)
    x = np.asarray(Image.open(os.path.join(ROOT, "pipelines", "samples", "00000011_000.png")).convert("L"))
    Image.fromarray(x).save(os.path.join(folder, "xray_q90.jpg"), quality=90)
    Image.fromarray(x).save(os.path.join(folder, "xray_q90_progressive.jpg"), quality=90, progressive=True)
    rgb = np.stack([x, np.roll(x, 7, 1), x[::-1]], -1)
    Image.fromarray(rgb).save(os.path.join(folder, "rgb_q90_420.jpg"), quality=90, subsampling=2)
    for f in ("bomb_baseline.jpg", "bomb_progressive.jpg"):
        shutil.copy(os.path.join(ROOT, "tests", "fixtures", "engine", "codecs", "jpeg", "refused", f), folder)


def timed(repeat, body):
    body()
    body()
    cpu = []
    for _ in range(repeat):
        c0 = time.process_time()
        body()
        cpu.append((time.process_time() - c0) * 1e3)
    return statistics.median(cpu), min(cpu)


def main():
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    folder = sys.argv[2] if len(sys.argv) > 2 else "/tmp/xrayflow-jpeg-bench"
    write_files(folder)
    w = np.array([0.299, 0.587, 0.114])
    print(f"Pillow {PIL.__version__}, OpenCV {cv2.__version__}, numpy {np.__version__}; JPEG decode to float32, process CPU ms: median / min of {repeat}")
    print(f"{'file':<26} {'Pillow':>15} {'OpenCV':>15}")
    for f in FILES:
        data = open(os.path.join(folder, f), "rb").read()

        def pil():
            im = Image.open(io.BytesIO(data))
            return np.asarray(im).astype(np.float32) if im.mode == "L" else (np.asarray(im.convert("RGB")) @ w).astype(np.float32)

        def ocv():
            a = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
            return a.astype(np.float32) if a.ndim == 2 else (a[..., ::-1] @ w).astype(np.float32)

        reps = repeat if not f.startswith("bomb") else max(3, repeat // 7)
        p = timed(reps, pil)
        o = timed(reps, ocv)
        print(f"{f:<26} {p[0]:7.2f}/{p[1]:7.2f} {o[0]:7.2f}/{o[1]:7.2f}")


if __name__ == "__main__":
    main()
