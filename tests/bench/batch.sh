#!/usr/bin/env bash
# Batch throughput benchmark (issue 16, docs/performance-runner.md): 450 chest X-rays (1024 x 1024 8-bit PNG) through
# the Sobel recipe (tests/bench/sobel.yaml), PNG in and PNG out, xrayflow against Python + OpenCV in a 2-process pool
# (tests/bench/cv2_batch.py), both as whole processes, runs alternating (tests/bench/batch_run.py: wall and CPU times). Prints the ratio, the bytes each side wrote,
# and checks that the outputs are pixel-identical.
#
#   tests/bench/batch.sh [RUNS] [extra xrayflow run options, e.g. --threads 2]
#
# Env: WORK (scratch folder, default /tmp/xrayflow-batch), COPIES (copies of each sample, default 50 -> 450 files),
#      XRAYFLOW (command, default: dotnet <repo>/src/XRayFlow.Cli/bin/Release/net10.0/xrayflow.dll; build it first with
#      `dotnet build -c Release src/XRayFlow.Cli`), PYTHON (default /usr/bin/python3).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${1:-5}
shift || true
EXTRA=("$@")
WORK=${WORK:-/tmp/xrayflow-batch}
COPIES=${COPIES:-50}
PYTHON=${PYTHON:-/usr/bin/python3}
XRAYFLOW=${XRAYFLOW:-dotnet $ROOT/src/XRayFlow.Cli/bin/Release/net10.0/xrayflow.dll}

# 1. The input folder: COPIES copies of each sample PNG (9 samples x 50 = 450 files), rebuilt when the count differs.
IN=$WORK/in
want=$(( $(ls "$ROOT"/pipelines/samples/*.png | wc -l) * COPIES ))
if [ ! -d "$IN" ] || [ "$(ls "$IN" | wc -l)" -ne "$want" ]; then
  rm -rf "$IN"; mkdir -p "$IN"
  for k in $(seq -w 1 "$COPIES"); do
    for f in "$ROOT"/pipelines/samples/*.png; do cp "$f" "$IN/c${k}_$(basename "$f")"; done
  done
fi
echo "input: $want PNG files in $IN ($(du -sb "$IN" | cut -f1) bytes)"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

# 2. Both sides as whole processes, alternating (one warm-up each, then RUNS pairs).
read -r -a XFCMD <<< "$XRAYFLOW"
"$PYTHON" "$ROOT/tests/bench/batch_run.py" "$RUNS" "$WORK/xf" "$WORK/cv" -- \
  "${XFCMD[@]}" run "$ROOT/tests/bench/sobel.yaml" --input "xray=$IN/*.png" --out "$WORK/xf" "${EXTRA[@]}" -- \
  "$PYTHON" "$ROOT/tests/bench/cv2_batch.py" "$IN" "$WORK/cv" 2

# 3. The outputs of the last runs: same files, same pixels; bytes written.
"$PYTHON" - "$WORK/xf" "$WORK/cv" <<'PY'
import os, sys, cv2, numpy as np
xf, cv = sys.argv[1], sys.argv[2]
names = sorted(n for n in os.listdir(cv) if n.endswith(".png"))
assert names == sorted(n for n in os.listdir(xf) if n.endswith(".png")), "different output file names"
bx = sum(os.path.getsize(os.path.join(xf, n)) for n in names)
bc = sum(os.path.getsize(os.path.join(cv, n)) for n in names)
bad = [n for n in names if not np.array_equal(cv2.imread(os.path.join(xf, n), cv2.IMREAD_UNCHANGED), cv2.imread(os.path.join(cv, n), cv2.IMREAD_UNCHANGED))]
print(f"bytes written: xrayflow {bx} ({bx / len(names) / 1024:.0f} KiB/file), opencv {bc} ({bc / len(names) / 1024:.0f} KiB/file), ratio {bx / bc:.3f}")
print("pixel-identical: " + ("yes, all %d files" % len(names) if not bad else "NO: %d differ, e.g. %s" % (len(bad), bad[0])))
sys.exit(1 if bad else 0)
PY
