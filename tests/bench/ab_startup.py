#!/usr/bin/python3
"""Interleaved A/B timing of two commands as processes (start-up work on a noisy machine): A B, B A, A B, ...

    python3 tests/bench/ab_startup.py "CMD A" "CMD B" PAIRS

Prints both medians and minimums, B/A, and in how many pairs B was faster (README "Install")."""
import subprocess, time, statistics, sys
A=sys.argv[1].split(); B=sys.argv[2].split(); n=int(sys.argv[3])
ta=[];tb=[]
for i in range(n):
    for cmd,acc in ((A,ta),(B,tb)) if i%2==0 else ((B,tb),(A,ta)):
        t=time.perf_counter(); subprocess.run(cmd,stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL,check=True); acc.append(time.perf_counter()-t)
print(f"A median {statistics.median(ta)*1000:.1f} ms, min {min(ta)*1000:.1f}; B median {statistics.median(tb)*1000:.1f} ms, min {min(tb)*1000:.1f}; B/A medians {statistics.median(tb)/statistics.median(ta):.3f}; pairs where B<A: {sum(b<a for a,b in zip(ta,tb))}/{n}")
