#!/bin/bash
# The measurements behind README "Preprocessing and segmentation ops", "Install" (start-up) and docs/cluster.md
# "Listing at scale", in one sitting on an idle machine. Needs: a Release build (dotnet build -c Release), the
# tool installed on PATH (README "Install"), hyperfine, Debian's python3-scipy/skimage/opencv, and the 120,000
# empty files of docs/cluster.md under /tmp/big. Output in $OUT (default /tmp/m).
set -u
OUT=${OUT:-/tmp/m}
mkdir -p "$OUT"
cd "$(dirname "$0")/../.."
B="dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll"
X="dotnet src/XRayFlow.Cli/bin/Release/net10.0/xrayflow.dll"
date > $OUT/start.txt; uptime >> $OUT/start.txt
# issue 14
for i in 1 2 3 4 5; do /usr/bin/time -f "list %e s %M KB" $X run pipelines/sobel.yaml --input xray=@/tmp/big/all.txt --shard 3/64 --dry-run --quiet --out /tmp/big/out > /dev/null; done 2> $OUT/shard.txt
for i in 1 2 3; do /usr/bin/time -f "glob %e s %M KB" $X run pipelines/sobel.yaml --input 'xray=/tmp/big/imgs/*.png' --shard 3/64 --dry-run --quiet --out /tmp/big/out > /dev/null; done 2>> $OUT/shard.txt
# issue 13
hyperfine -N -w 3 -r 40 'xrayflow --version' 'xrayflow run tests/bench/sobel.yaml --input xray=pipelines/samples/00000011_000.png --out /tmp/sobel' 'env DOTNET_EnableWriteXorExecute=0 xrayflow run tests/bench/sobel.yaml --input xray=pipelines/samples/00000011_000.png --out /tmp/sobel' > $OUT/startup.txt 2>&1
# issue 11
$B geometry 21 2 > $OUT/geometry.csv 2>&1
/usr/bin/python3 tests/bench/reference_bench_geometry.py 21 > $OUT/geometry_ref.csv 2>&1
$B intensity 30 2 > $OUT/intensity.csv 2>&1
/usr/bin/python3 tests/bench/reference_bench_intensity.py 30 > $OUT/intensity_ref.csv 2>&1
$B thresholds-cpu 15 2 > $OUT/thresholds.csv 2>&1
/usr/bin/python3 tests/bench/reference_bench_thresholds.py 15 > $OUT/thresholds_ref.csv 2>&1
# issue 12
$B segmentation 15 2 1024 > $OUT/seg.csv 2>&1
/usr/bin/python3 tests/bench/reference_bench_segmentation.py 15 1024 > $OUT/seg_ref.csv 2>&1
for s in 512 1024 2048 4096 8192; do for op in "label connectivity 1" "binary_dilation 3x3 square" "grey_dilation size 3" "distance_transform_edt" "regionprops"; do $B segmentation 5 2 $s "$op" | tail -n +2; done > $OUT/seg_$s.csv 2>&1; done
date > $OUT/end.txt; uptime >> $OUT/end.txt
