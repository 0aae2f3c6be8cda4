#!/usr/bin/python3
"""Robustness fuzz of the image readers (run by hand; CI does not run it).

Mutates the committed test files (every DICOM fixture: explicit / implicit / big-endian, RLE, deflated, JPEG
inside DICOM, nested sequences ...; 8- and 16-bit PNGs; JPEGs; .npy) with bit flips, bytes set to 0 / 0xFF / 0x7F /
0x80, truncation, inserted random bytes, 32-bit fields set to huge or negative lengths and deleted runs (most
within the first 512 bytes, where the headers are), and runs `xrayflow info` on each. A reader must either read
the file (exit 0) or refuse it with one line naming the file and the reason (exit 1; 2 for the command line):
any other exit (70 is an internal error), a stack trace, or a run over 60 s is printed as BAD (exit 1).

    /usr/bin/python3 tests/fuzz/codecs.py SEED COUNT [--messages] [--xrayflow PATH]

--messages prints every refusal's line too (to read them).
"""
import concurrent.futures
import glob
import os
import subprocess
import sys
import tempfile

import fuzzargs

ROOT = fuzzargs.ROOT


def seeds():
    fx = os.path.join(ROOT, 'tests', 'fixtures')
    files = sorted(glob.glob(f'{fx}/dicom/*.dcm'))
    files += sorted(glob.glob(f'{fx}/ops/inputs/*.png'))[:6]
    files += sorted(glob.glob(f'{fx}/engine/codecs/**/*.jpg', recursive=True))[:4]
    files += sorted(glob.glob(f'{ROOT}/pipelines/samples/tests/*.npy'))[:2]
    return files


def mutate(rnd, data):
    b = bytearray(data)
    for _ in range(rnd.randint(1, 6)):
        c = rnd.random()
        pos = rnd.randrange(min(len(b), 512)) if rnd.random() < 0.6 else rnd.randrange(len(b))
        if c < 0.35:
            b[pos] ^= 1 << rnd.randrange(8)
        elif c < 0.55:
            b[pos] = rnd.choice([0, 0xFF, 0x7F, 0x80])
        elif c < 0.65:
            b = b[:rnd.randrange(len(b))]
        elif c < 0.75:
            b[pos:pos] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 16)))
        elif c < 0.85 and pos + 4 <= len(b):
            b[pos:pos + 4] = rnd.choice([b'\xff\xff\xff\xff', b'\xff\xff\xff\x7f', b'\x00\x00\x00\x80', b'\x00\x00\x01\x00'])
        else:
            del b[pos:pos + rnd.randint(1, 32)]
        if not b:
            b = bytearray(b'\x00')
    return bytes(b)


def main():
    xrayflow, messages, rnd, count = fuzzargs.seed_and_count(sys.argv[1:], __doc__)
    sources = seeds()
    with tempfile.TemporaryDirectory() as work:
        jobs = []
        for k in range(count):
            src = rnd.choice(sources)
            path = os.path.join(work, f'{k}{os.path.splitext(src)[1]}')
            with open(src, 'rb') as f, open(path, 'wb') as g:
                g.write(mutate(rnd, f.read()))
            jobs.append((path, os.path.basename(src)))

        def check(job):
            path, src = job
            try:
                r = subprocess.run([xrayflow, 'info', path], capture_output=True, text=True, timeout=60)
            except subprocess.TimeoutExpired:
                return True, f'BAD {path} (from {src}): no answer in 60 s'
            out = (r.stdout + r.stderr).strip()
            if r.returncode not in (0, 1, 2) or '   at ' in out or 'Exception' in out:
                return True, f'BAD {path} (from {src}): exit {r.returncode}: {out[-600:]!r}'
            last = out.splitlines()[-1] if out else ''
            return False, f'exit {r.returncode} (from {src}): {last[:220]}'

        bad = read = 0
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for failed, line in pool.map(check, jobs):
                bad += failed
                read += line.startswith('exit 0')
                if failed or (messages and not line.startswith('exit 0')):
                    print(line)
    print(f'{count} mutated files: {read} read, {count - read - bad} refused with a message, {bad} bad')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
