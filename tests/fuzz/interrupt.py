#!/usr/bin/python3
"""Kill a batch at random moments, resume it, and compare with an uninterrupted run (by hand; CI does not run it).

docs/runner.md promises that a crash or kill leaves at most a hidden `.tmp` (never a half file under a final name),
that the next run into the folder deletes such leftovers, and that `--resume` skips the items already finished. Per
seed this copies the nine samples COUNT / 9 times into a folder, runs a shipped recipe over it once undisturbed, then
again into a second folder, sending SIGKILL (or SIGTERM) at a random moment up to five times and resuming after
each, and finally once more with `--resume` to the end. Every output file must then equal the undisturbed run's, byte
for byte, no `.tmp` may be left, and the manifest must list every item as done; otherwise it prints BAD and exits 1.

    /usr/bin/python3 tests/fuzz/interrupt.py SEED COUNT [--xrayflow PATH] [--recipe pipelines/sobel.yaml]
"""
import glob
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import fuzzargs


def digests(folder):
    out = {}
    for root, _, files in os.walk(folder):
        for name in files:
            if name != 'manifest.json':
                path = os.path.join(root, name)
                with open(path, 'rb') as f:
                    out[os.path.relpath(path, folder)] = hashlib.sha256(f.read()).hexdigest()
    return out


def main():
    argv = sys.argv[1:]
    recipe = os.path.join(fuzzargs.ROOT, 'pipelines', 'sobel.yaml')
    if '--recipe' in argv:
        k = argv.index('--recipe')
        recipe = argv[k + 1]
        del argv[k:k + 2]
    xrayflow, _, rnd, count = fuzzargs.seed_and_count(argv, __doc__)
    samples = sorted(glob.glob(os.path.join(fuzzargs.ROOT, 'pipelines', 'samples', '*.png')))
    with tempfile.TemporaryDirectory() as work:
        src = os.path.join(work, 'in')
        os.makedirs(src)
        for k in range(max(1, count // len(samples))):
            for s in samples:
                shutil.copy(s, os.path.join(src, f'{os.path.basename(s)[:-4]}_{k}.png'))
        run = [xrayflow, 'run', recipe, '--input', f'xray={src}/*.png', '-q']
        clean, broken = os.path.join(work, 'clean'), os.path.join(work, 'broken')
        start = time.monotonic()
        subprocess.run(run + ['--out', clean], check=True, capture_output=True)
        whole = time.monotonic() - start

        bad = 0
        kills = []
        for attempt in range(rnd.randint(2, 5)):
            p = subprocess.Popen(run + ['--out', broken] + (['--resume'] if attempt else []), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            at = rnd.uniform(0.3, max(0.4, whole * 0.8))
            sig = rnd.choice([signal.SIGKILL, signal.SIGKILL, signal.SIGTERM])
            try:
                p.wait(timeout=at)
            except subprocess.TimeoutExpired:
                p.send_signal(sig)
                p.wait()
            kills.append(f'{sig.name} at {at:.1f} s -> exit {p.returncode}')
            if p.returncode not in (0, 1, 130, 143, -signal.SIGKILL, -signal.SIGTERM):
                bad += 1
                print(f'BAD: exit {p.returncode} after {sig.name}: {p.stderr.read().decode()[-800:]}')
        final = subprocess.run(run + ['--out', broken, '--resume'], capture_output=True, text=True)
        if final.returncode != 0:
            bad += 1
            print(f'BAD: the last --resume exits {final.returncode}: {final.stderr[-800:]}')
        want, got = digests(clean), digests(broken)
        left = [name for name in got if name.endswith('.tmp')]
        if left:
            bad += 1
            print(f'BAD: leftovers {left[:5]}')
        differ = sorted(n for n in want if got.get(n) != want[n]) + sorted(n for n in got if n not in want and not n.endswith('.tmp'))
        if differ:
            bad += 1
            print(f'BAD: {len(differ)} files differ from the undisturbed run, e.g. {differ[:5]}')
        with open(os.path.join(broken, 'manifest.json')) as f:
            items = json.load(f)['items']
        statuses = {it['status'] for it in items}
        if len(items) != len(os.listdir(src)) or not statuses <= {'ok', 'resumed'}:
            bad += 1
            print(f'BAD: the manifest has {len(items)} items of {len(os.listdir(src))}, statuses {statuses}')
        print(f'{len(os.listdir(src))} inputs, {len(want)} outputs, interrupted: {"; ".join(kills)}; {bad} bad')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
