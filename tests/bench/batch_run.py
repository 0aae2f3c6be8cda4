"""Driver of tests/bench/batch.sh: runs two commands alternating (A B A B ...), each as a whole process after
deleting its output folder, and prints per-side wall, user and system CPU (mean, min) and the ratio.
Usage: batch_run.py RUNS OUT_A OUT_B -- CMD_A... -- CMD_B..."""
import os
import shutil
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
outs = sys.argv[2:4]
rest = sys.argv[5:]
cut = rest.index("--")
cmds = [rest[:cut], rest[cut + 1:]]
names = ["xrayflow", "opencv"]
results = {n: [] for n in names}


def once(i):
    shutil.rmtree(outs[i], ignore_errors=True)
    t = time.perf_counter()
    p = subprocess.Popen(cmds[i], stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        sys.exit(f"{names[i]} failed (status {status}): {' '.join(cmds[i])}")
    return wall, ru.ru_utime, ru.ru_stime


with open("/proc/loadavg") as f:
    print("load before:", " ".join(f.read().split()[:3]))
for i in (0, 1):
    once(i)  # warm-up: file cache, JIT caches
for r in range(runs):
    for i in (0, 1):
        results[names[i]].append(once(i))
        w, u, s = results[names[i]][-1]
        print(f"  run {r + 1} {names[i]:8} wall {w:7.2f} s  user {u:6.2f} s  sys {s:5.2f} s", flush=True)
with open("/proc/loadavg") as f:
    print("load after:", " ".join(f.read().split()[:3]))
mean = {}
for n in names:
    w = [x[0] for x in results[n]]
    c = [x[1] + x[2] for x in results[n]]
    mean[n] = (statistics.mean(w), statistics.mean(c))
    print(f"{n:8}  wall mean {statistics.mean(w):.2f} s (min {min(w):.2f})  CPU mean {statistics.mean(c):.2f} s (min {min(c):.2f})")
print(f"ratio opencv/xrayflow: wall {mean['opencv'][0] / mean['xrayflow'][0]:.2f}x, CPU {mean['opencv'][1] / mean['xrayflow'][1]:.2f}x")
