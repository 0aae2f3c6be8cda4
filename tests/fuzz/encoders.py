#!/usr/bin/python3
"""Differential fuzz of the picture writers (run by hand; CI does not run it).

What a colleague opens is the `.png` / `.gif`, read by another program. Per seed this writes COUNT random float32
arrays (values across 0..255 with halves, -100..70000, tiny ranges, constants, NaN and infinities sprinkled or
everywhere; frames 1-120 pixels a side, a few up to 600) and runs them through recipes that write each as `.npy`
and as pictures with random options (`bits: 16`, `compression: 0-9`, `vmin` / `vmax` given, one given or none, every
colormap and its `_r`), and as `.gif` of random stacks. Each picture is read back with OpenCV (libpng) or Pillow
(GIF) and compared, byte for byte, with what docs/runner.md says it holds, computed here in numpy float64:

  .png              numpy.rint, clipped to 0..255 (bits 16: 0..65535), NaN 0
  .png vmin/vmax    level floor((x - vmin) / (vmax - vmin) * 256) clipped to 0..255 (bits 16: * 65536, 0..65535),
                    NaN and infinities 0; vmin == vmax gives 0; a limit not given is the data's finite min / max
                    (0 / 1 if none)
  .png colormap     RGB = round(matplotlib's table * 255)[that level], NaN and infinities black; limits as above
  .png labels       skimage.color.label2rgb(values cast to int, bg_label=0) x 255, rounded
  .gif              each frame as the .png rule, grey or through the colormap (Pillow's RGB of each frame), but
                    NaN and infinities take the colormap's first colour (docs/runner.md: no colour is left)
  .npy              the array itself, bit for bit

    /usr/bin/python3 tests/fuzz/encoders.py SEED COUNT [--xrayflow PATH] [--messages]
"""
import json
import os
import subprocess
import sys
import tempfile

import cv2
import matplotlib
import numpy as np
from PIL import Image, ImageSequence

import fuzzargs

np.seterr(all='ignore')
MAPS = ['gray', 'bone', 'hot', 'CMRmap', 'prism', 'nipy_spectral', 'terrain', 'viridis', 'inferno', 'magma', 'jet',
        'RdBu', 'seismic', 'coolwarm', 'bwr']


def lut(name):
    cmap = matplotlib.colormaps[name]
    return np.round(cmap(np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)


def array(rnd, frames=None):
    rng = np.random.default_rng(rnd.randrange(2**32))
    h, w = (rnd.randint(1, 120), rnd.randint(1, 120)) if rnd.random() < 0.95 else (rnd.randint(121, 600), rnd.randint(121, 600))
    shape = (h, w) if frames is None else (frames, h, w)
    kind = rnd.choice(['halves', 'wide', 'tiny', 'constant', 'normal', 'bytes'])
    if kind == 'halves':
        a = rng.integers(-4, 520, size=shape) / 2.0
    elif kind == 'wide':
        a = rng.uniform(-100, 70000, size=shape)
    elif kind == 'tiny':
        a = 1000 + rng.uniform(0, 1e-3, size=shape)
    elif kind == 'constant':
        a = np.full(shape, rnd.choice([0.0, 7.5, -3.0, 300.0, 65535.5]))
    elif kind == 'normal':
        a = rng.standard_normal(shape) * 10 ** rnd.randint(-3, 5)
    else:
        a = rng.integers(0, 256, size=shape).astype(np.float64)
    a = a.astype(np.float32)
    r = rnd.random()
    if r < 0.25:
        flat = a.reshape(-1)
        for v in (np.nan, np.inf, -np.inf, -0.0):
            for _ in range(rnd.randint(0, 3)):
                flat[rnd.randrange(flat.size)] = v
    elif r < 0.28:
        a[...] = rnd.choice([np.nan, np.inf])
    return a, kind


def limits(a, vmin, vmax, empty):
    """The limits the writer uses: each not given is the data's finite min / max; (empty) where none is finite."""
    finite = a[np.isfinite(a)].astype(np.float64)
    lo, hi = (finite.min(), finite.max()) if finite.size else empty
    return (lo if vmin is None else vmin), (hi if vmax is None else vmax)


def levels(a, vmin, vmax, n):
    x = a.astype(np.float64)
    t = np.zeros_like(x) if vmin == vmax else (x - vmin) / (vmax - vmin)
    t = t * n
    out = np.where(t < 0, 0, np.where(t >= n - 1, n - 1, np.floor(np.where(np.isfinite(t), t, 0))))
    return np.where(np.isfinite(x), out, 0).astype(np.int64)  # NaN and the infinities: bad (imshow masks them)


def labels(rnd):
    """A label image: whole numbers (a few labels, or many, some negative), or values with fractions to truncate."""
    rng = np.random.default_rng(rnd.randrange(2**32))
    h, w = rnd.randint(1, 90), rnd.randint(1, 90)
    lo, hi = rnd.choice([(0, 3), (0, 30), (-5, 12), (0, 400), (3, 9)])
    a = rng.integers(lo, hi + 1, size=(h, w)).astype(np.float64)
    a[rng.random((h, w)) < 0.4] = 0
    kind = 'labels'
    if rnd.random() < 0.3:
        a += rng.choice([0.0, 0.25, 0.5, 0.99], size=(h, w)) * np.sign(a)
        kind = 'labels with fractions'
    return a.astype(np.float32), kind


def expected_labels(a):
    """skimage.color.label2rgb(label, bg_label=0) of the values cast to int, as bytes."""
    from skimage.color import label2rgb
    return np.round(label2rgb(a.astype(np.int64), bg_label=0) * 255).astype(np.int64)


def expected_png(a, opt):
    if opt.get('colormap') == 'labels':
        return expected_labels(a)
    bits = opt.get('bits', 8)
    top = 255 if bits == 8 else 65535
    if 'colormap' in opt:
        vmin, vmax = limits(a, opt.get('vmin'), opt.get('vmax'), (0.0, 1.0))
        rgb = lut(opt['colormap'])[levels(a, vmin, vmax, 256)]
        rgb[~np.isfinite(a)] = 0
        return rgb
    if 'vmin' in opt or 'vmax' in opt:
        vmin, vmax = limits(a, opt.get('vmin'), opt.get('vmax'), (0.0, 1.0))
        return levels(a, vmin, vmax, top + 1)
    x = np.rint(a.astype(np.float64))
    return np.where(np.isnan(x), 0, np.clip(x, 0, top)).astype(np.int64)


def options(rnd, a_range, gif=False):
    opt = {}
    if rnd.random() < 0.4:
        opt['colormap'] = rnd.choice(MAPS) + ('_r' if rnd.random() < 0.3 else '')
    if not gif and 'colormap' not in opt and rnd.random() < 0.3:
        opt['bits'] = 16
    lo, hi = a_range
    for key in ('vmin', 'vmax'):
        if rnd.random() < 0.35:
            opt[key] = round(rnd.uniform(lo, hi), rnd.choice([0, 1, 3]))
    if 'vmin' in opt and 'vmax' in opt and opt['vmin'] > opt['vmax']:
        opt['vmin'], opt['vmax'] = opt['vmax'], opt['vmin']
    if not gif:
        opt['compression'] = rnd.randint(0, 9)
    return opt


def yaml_options(opt):
    return ''.join(f', {k}: {v}' for k, v in opt.items())


def main():
    xrayflow, messages, rnd, count = fuzzargs.seed_and_count(sys.argv[1:], __doc__)
    bad = checked = 0
    with tempfile.TemporaryDirectory() as work:
        groups = max(1, count // 40)
        for g in range(groups):
            gif, labelled = g % 4 == 3, g % 4 == 1
            src, out = os.path.join(work, f'in{g}'), os.path.join(work, f'out{g}')
            os.makedirs(src)
            arrays = {}
            for k in range(count // groups):
                a, kind = labels(rnd) if labelled else array(rnd, rnd.randint(1, 4) if gif else None)
                stem = f'a{k:04d}'
                np.save(os.path.join(src, stem + '.npy'), a)
                arrays[stem] = (a, kind)
            if labelled:
                pictures = [{'colormap': 'labels', 'compression': rnd.randint(0, 9)} for _ in range(2)]
            else:
                pictures = [options(rnd, rnd.choice([(-10, 300), (0, 70000), (999.9995, 1000.0015), (-1, 1)]), gif) for _ in range(4)]
            ext = 'gif' if gif else 'png'
            lines = [f'  raw: {{from: x, path: "{{stem}}.npy"}}']
            lines += [f'  p{i}: {{from: x, path: "{{stem}}_{i}.{ext}"{yaml_options(o)}}}' for i, o in enumerate(pictures)]
            recipe = os.path.join(work, f'r{g}.yaml')
            with open(recipe, 'w') as f:
                f.write(f'xrayflow: 1\nname: pictures\ninputs:\n  x: {"stack" if gif else "image"}\nsteps: []\noutputs:\n' + '\n'.join(lines) + '\n')
            gif_errors = {}
            for stem in arrays:
                # one run per stack (a glob on a stack input would load them all as one); one batch for the images
                pattern = os.path.join(src, stem + '.npy') if gif else os.path.join(src, '*.npy')
                r = subprocess.run([xrayflow, 'run', recipe, '--input', f'x={pattern}', '--out', out, '-q'], capture_output=True, text=True)
                if r.returncode not in (0, 1):
                    print(f'BAD: exit {r.returncode} for {recipe} on {pattern}: {(r.stdout + r.stderr)[-1500:]}')
                    bad += 1
                gif_errors[stem] = r.stderr
                if not gif:
                    break
            with open(os.path.join(out, 'manifest.json')) as f:
                failed = {it['stem']: it['error'] for it in json.load(f)['items'] if it['status'] != 'ok'} if not gif else {}
            for stem, (a, kind) in arrays.items():
                inverted = [o for o in pictures if ('vmin' in o) != ('vmax' in o)
                            and np.greater(*limits(a, o.get('vmin'), o.get('vmax'), (0.0, 1.0)))]
                if inverted:
                    # a limit given beyond the data's other end: the item fails, as matplotlib's Normalize refuses vmin > vmax
                    why = failed.get(stem, '') if not gif else gif_errors.get(stem, '')
                    checked += 1
                    if 'is above vmax' not in why or '(Parameter' in why:
                        bad += 1
                        print(f'NOT REFUSED AS EXPECTED {stem} ({kind} {a.shape}, {json.dumps(inverted[0])}): {why!r}')
                    continue
                raw = np.load(os.path.join(out, stem + '.npy'))
                if raw.shape != a.shape or not np.array_equal(raw.view(np.uint32), a.view(np.uint32)):
                    bad += 1
                    print(f'DIFF {stem} .npy ({kind} {a.shape})')
                for i, opt in enumerate(pictures):
                    path = os.path.join(out, f'{stem}_{i}.{ext}')
                    checked += 1
                    if gif:
                        frames = [np.asarray(f.convert('RGB')) for f in ImageSequence.Iterator(Image.open(path))]
                        got = np.stack(frames)
                        want = np.stack([expected_png(a[n], opt) if 'colormap' in opt else np.repeat(expected_png(a[n], opt)[..., None], 3, axis=-1) for n in range(a.shape[0])])
                        if 'colormap' not in opt and ('vmin' in opt or 'vmax' in opt):
                            # the stack's limits, not each frame's
                            vmin, vmax = limits(a, opt.get('vmin'), opt.get('vmax'), (0.0, 1.0))
                            want = np.repeat(levels(a, vmin, vmax, 256)[..., None], 3, axis=-1)
                        elif 'colormap' in opt:
                            vmin, vmax = limits(a, opt.get('vmin'), opt.get('vmax'), (0.0, 1.0))
                            want = lut(opt['colormap'])[levels(a, vmin, vmax, 256)]  # NaN: level 0, the first colour
                    else:
                        got = cv2.imread(path, cv2.IMREAD_UNCHANGED)
                        if got is not None and got.ndim == 3:
                            got = got[:, :, ::-1]
                        want = expected_png(a, opt)
                    if got is None or got.shape != want.shape or not np.array_equal(got.astype(np.int64), want.astype(np.int64)):
                        bad += 1
                        where = None if got is None or got.shape != want.shape else tuple(np.argwhere(got.astype(np.int64) != want)[0])
                        print(f'DIFF {stem}_{i}.{ext} ({kind} {a.shape}, {json.dumps(opt)}): '
                              + (f'shape {None if got is None else got.shape} against {want.shape}' if where is None else
                                 f'{int((got.astype(np.int64) != want).sum())} values differ, first at {where}: {got[where]} against {want[where]} (value {a[where[:a.ndim]]!r})'))
                    elif messages:
                        print(f'ok {stem}_{i}.{ext} ({kind} {a.shape}, {json.dumps(opt)})')
    print(f'{checked} pictures of {count} arrays: {checked - bad} as documented, {bad} bad')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
