#!/bin/bash
# Which XRayFlow methods ran unoptimized (tier-0) code with a loop in them, for one command: the JIT's own summary
# (DOTNET_JitDisasmSummary, a release-runtime switch) lists every method it compiled and at which tier; a method
# listed as "Tier1-OSR" started in tier-0 code and was patched mid-loop (on-stack replacement), so its first calls
# ran slow. Hot kernels should be compiled optimized from the first call instead
# ([MethodImpl(MethodImplOptions.AggressiveOptimization)], docs/adding-an-op.md "Optimized from the first call").
# Usage: tests/bench/tier0_check.sh COMMAND...   e.g.
#   tests/bench/tier0_check.sh dotnet tests/XRayFlow.Benchmarks/bin/Release/net10.0/XRayFlow.Benchmarks.dll segmentation 5 2
#   tests/bench/tier0_check.sh src/XRayFlow.Cli/bin/Release/net10.0/xrayflow run pipelines/lung-fields.yaml --out /tmp/lf --force
set -eu
log=$(mktemp)
trap 'rm -f "$log"' EXIT
DOTNET_JitStdOutFile="$log" DOTNET_JitDisasmSummary=1 "$@" > /dev/null
echo "XRayFlow methods that started in tier-0 and were replaced mid-loop (count of OSR compilations):"
grep "Tier1-OSR" "$log" | grep -o "XRayFlow[^(]*" | sort | uniq -c | sort -rn || echo "  none"
