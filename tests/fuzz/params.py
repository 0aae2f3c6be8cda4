#!/usr/bin/python3
"""Parameter fuzz of every op (run by hand; CI does not run it).

For random ops of the registry (`xrayflow ops --json`), writes a one-step recipe whose parameters are drawn from
each parameter's declared type and range: values inside, at the bounds, just outside, of the wrong type (text,
lists of the wrong length, booleans, NaN and infinities) and unknown keys; then `xrayflow run` on a small 8-bit
image (37 x 53, or a 1 x 1 / 2 x 3 frame). A recipe must either run (exit 0), be refused at validate time with
located diagnostics (exit 2), or fail its one item with a message naming the step (exit 1): an internal error
(exit 70), a stack trace, or a run over 120 s is printed as BAD (exit 1 at the end).

    /usr/bin/python3 tests/fuzz/params.py SEED COUNT [--messages] [--xrayflow PATH]
"""
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import yaml

import fuzzargs



def bounds(text):
    lo = hi = None
    lo_open = hi_open = False
    for part in [p.strip() for p in text.split(',') if p.strip()]:
        m = re.match(r'(>=|>|<=|<)\s*(-?[0-9.e+]+)', part)
        if not m:
            continue
        v = float(m.group(2))
        if m.group(1) in ('>=', '>'):
            lo, lo_open = v, m.group(1) == '>'
        else:
            hi, hi_open = v, m.group(1) == '<'
    return lo, hi, lo_open, hi_open


def number(rng, spec, integer):
    lo, hi, _, _ = bounds(spec['range'])
    lo = -1e6 if lo is None else lo
    hi = 1e6 if hi is None else hi
    c = rng.random()
    if c < 0.45:  # inside, mostly small
        top = min(hi, lo + rng.choice([3, 10, 100, hi - lo]))
        v = rng.uniform(lo, top)
    elif c < 0.7:
        v = rng.choice([lo, hi])
    elif c < 0.8:
        v = rng.choice([lo - 1, hi + 1, lo - 0.5, hi + 0.5])
    elif c < 0.9:
        return rng.choice([float('nan'), float('inf'), -float('inf'), 1e300, -1e300])
    else:
        return rng.choice(['text', True, [], [1, 2, 3], {'a': 1}, None, '${nope}'])
    return int(round(v)) if integer and abs(v) < 1e15 else v


def value(rng, spec):
    t = spec['type']
    if rng.random() < 0.06:
        return rng.choice(['text', None, [], [[]], {'k': 1}, -1, 0, 1e9])
    if t == 'bool':
        return rng.choice([True, False, 'yes', 0, 1])
    if t == 'enum':
        return rng.choice(spec['allowed'] + ['nope', ''])
    if t in ('float', 'int'):
        return number(rng, spec, t == 'int')
    if t.endswith('or [float per axis]') or t.endswith('or [int per axis]'):
        integer = t.startswith('int')
        if rng.random() < 0.5:
            return number(rng, spec, integer)
        n = rng.choice([2, 2, 2, 1, 3, 0])
        return [number(rng, spec, integer) for _ in range(n)]
    m = re.match(r'\[(int|float)\] \((\d+)(?:-(\d+))? values\)', t)
    if m:
        integer = m.group(1) == 'int'
        lo_n, hi_n = int(m.group(2)), int(m.group(3) or m.group(2))
        n = rng.choice([lo_n, hi_n, rng.randint(lo_n, hi_n), lo_n - 1, hi_n + 1, 0])
        return [number(rng, spec, integer) for _ in range(max(0, n))]
    m = re.match(r'\[word\] \((\d+)(?:-(\d+))? words\)', t)
    if m:  # a list of words (regionprops' properties): allowed words, repeats, a wrong word, a number, too many
        n = rng.choice([1, 2, 5, 0, int(m.group(2) or m.group(1)) + 1])
        words = spec['allowed'] + (['nope', 3, None] if rng.random() < 0.3 else [])
        return rng.choice(spec['allowed'] + ['nope']) if rng.random() < 0.2 else [rng.choice(words) for _ in range(n)]
    if t.startswith('[float or pN percentile]') or t.startswith('[float] (2 values) or'):
        named = [w.strip() for w in t.split(' or ')[-1].split('|')]
        c = rng.random()
        if c < 0.3:
            return rng.choice(named + ['nope'])
        if c < 0.5:
            return [f'p{rng.choice([0, 2, 50, 98, 100, 101, -1])}', f'p{rng.choice([2, 98, 100])}']
        return [number(rng, spec, False) for _ in range(rng.choice([2, 2, 1, 3]))]
    if t.startswith('matrix'):
        named = [w.strip() for w in t.split(' or ')[1].split('|')] if ' or ' in t else []
        if named and rng.random() < 0.3:
            return rng.choice(named + ['nope'])
        rows, cols = rng.choice([1, 2, 3, 3, 5, 0, 9]), rng.choice([1, 2, 3, 3, 5, 9])
        cell = (lambda: rng.choice([0, 1])) if '>= 0, <= 1' in spec['range'] or not spec['range'] else (lambda: number(rng, spec, False))
        m = [[cell() for _ in range(cols)] for _ in range(rows)]
        if m and rng.random() < 0.2:
            m[0] = m[0][:-1]  # ragged
        return m
    if t == 'C# condition':
        return rng.choice(['x > 100', 'x', 'x > threshold', 'System.IO.File.Exists("/etc/passwd")', 'x >', 'i < j', 'true'])
    if t == 'C# expression or number':
        return rng.choice(['x * 2', 0, 1.5, 'MathF.Sqrt(x)', 'x / 0', '"text"', 'i + j', 'Environment.Exit(3)',
                           'Math.Clamp(x, 5f, 1f)', 'MathF.Round(x, 20)', '(int)x / (i - i)'])
    return None


def recipe(rng, op):
    """A one-step recipe of op with drawn parameters, reading input x."""
    params = {}
    for spec in op['params']:
        if spec.get('required') or rng.random() < 0.6:
            params[spec['name']] = value(rng, spec)
    if rng.random() < 0.05:
        params['no_such_param'] = 1
    n_in = max(1, op['inputs']['min'])
    inputs = 'x' if n_in == 1 and rng.random() < 0.8 else ['x'] * n_in
    if op['name'] in ('where', 'map') and rng.random() < 0.5:
        inputs = {'x': 'x'}
    step = {'id': 's', 'op': op['name'], 'in': inputs}
    step.update(params)
    return {'xrayflow': 1, 'name': 'pfuzz', 'params': {'threshold': 100}, 'inputs': {'x': {'kind': 'image'}},
            'steps': [step], 'outputs': {'s': '{stem}_s.json' if re.search(r'scalar|table|number', op['output']) else '{stem}_s.npy'}}


def main():
    xrayflow, messages, rng, count = fuzzargs.seed_and_count(sys.argv[1:], __doc__)
    ops = json.loads(subprocess.run([xrayflow, 'ops', '--json'], capture_output=True, text=True, check=True).stdout)['ops']
    with tempfile.TemporaryDirectory() as work:
        images = []
        for shape in [(37, 53), (1, 1), (2, 3)]:
            path = os.path.join(work, f'img_{shape[0]}x{shape[1]}.npy')
            np.save(path, np.random.default_rng(1).integers(0, 256, shape).astype(np.float32))
            images.append(path)
        jobs = []
        for k in range(count):
            op = rng.choice(ops)
            image = images[0] if rng.random() < 0.8 else rng.choice(images[1:])
            path = os.path.join(work, f'r{k}.yaml')
            with open(path, 'w') as f:
                yaml.safe_dump(recipe(rng, op), f, sort_keys=False)
            jobs.append((path, image, op['name'], k))

        def check(job):
            path, image, name, k = job
            out = os.path.join(work, f'o{k}')
            try:
                r = subprocess.run([xrayflow, 'run', path, '--input', f'x={image}', '--out', out],
                                   capture_output=True, text=True, timeout=120)
            except subprocess.TimeoutExpired:
                return True, f'BAD {name}: no answer in 120 s\n{open(path).read()}'
            text = (r.stdout + r.stderr).strip()
            if r.returncode not in (0, 1, 2) or '   at ' in text or 'Exception' in text:
                return True, f'BAD {name}: exit {r.returncode}: {text[-800:]}\n{open(path).read()}'
            lines = [ln for ln in text.splitlines() if 'error' in ln] or text.splitlines()[-1:]
            return False, f'exit {r.returncode} {name}: {lines[0][:240] if lines else ""}'

        bad = 0
        codes = {}
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            for failed, line in pool.map(check, jobs):
                bad += failed
                code = line.split()[1] if not failed else 'bad'
                codes[code] = codes.get(code, 0) + 1
                if failed or messages:
                    print(line)
    print(f'{count} recipes: ' + ', '.join(f'exit {c}: {n}' for c, n in sorted(codes.items())) + f'; {bad} bad')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
