#!/usr/bin/python3
"""Differential fuzz of xrayflow against SciPy / scikit-image / NumPy (run by hand; CI does not run it).

Each seed makes a random frame (1-80 pixels a side: 8-bit, 16-bit or float, smooth or noisy), a recipe of 12-40
random steps of one family (their parameters drawn across every mode, order, size, origin, footprint ...), runs it
with `xrayflow run` and compares every output with the reference library on the same array: exactly or within
1e-4 of the reference's largest finite magnitude (the project's tolerance), NaN where it has NaN and the same
infinities. It prints each mismatch and one line a seed.

    /usr/bin/python3 tests/fuzz/differential.py FAMILY [FIRST_SEED [LAST_SEED]] [--xrayflow PATH] [--threads N]

--threads N runs xrayflow with that thread budget (default: its own, the processor count); a budget above the
machine's cores still splits the work into that many parts, so small frames meet the parts' edge cases.

FAMILY: rank (median / rank / percentile filters), filters (min / max, grey morphology, uniform, Gaussian, Sobel,
Prewitt, Laplace, median, correlate / convolve with weights up to 7 x 7, the 1-D filters correlate1d, convolve1d,
gaussian_filter1d, uniform_filter1d, minimum_filter1d, maximum_filter1d; frames 1-40), correlate-large (those
correlations and 1-D filters on frames of 200-700 pixels a side, some with a NaN or an infinity), edges (the same on frames of 1-5 rows, reflect / mirror / wrap: windows
much larger than the frame), geometry (zoom, shift, rotate, affine_transform, resize, rescale; their anti_aliasing_sigma), intensity (equalize_hist with and without its mask,
equalize_adapthist, adjust_gamma / adjust_log / adjust_sigmoid, is_low_contrast, rescale_intensity with its range words, the thresholds (threshold_li's tolerance and initial_guess, threshold_minimum's max_num_iter), percentile (with numpy's methods), threshold_local,
unsharp_mask, threshold_multiotsu then digitize with its fields), segmentation
(label, binary morphology with and without its mask, fill holes, clear_border, remove_small_objects / holes, distance_transform_edt, keep_largest,
canny (absolute or quantile thresholds, every smoothing mode) and clear_border, with and without a mask), measure (label + regionprops with and without an intensity image, stats with percentiles, histogram:
the fields of their JSON tables), chains (stencil and element-wise chains on frames up to 700 pixels, then the
recipe again with outputs only at the chain ends, so the planner fuses the steps between: those files must be
byte-identical), expressions (`map` expressions of + - * /, negation, MathF.Sqrt / Abs and ?: over comparisons, on
two images with zeros to divide by: against NumPy float32, value for value, NaN where NaN); rank-large,
geometry-large, intensity-large: rank, geometry and intensity on frames of 100-800
pixels a side, where the vector, sliding-histogram and threaded paths run (10-12 steps a seed); rank-continuous:
rank-large on Gaussian-smoothed random floats (about one distinct value per pixel: the two-level histogram over int
ranks where window rows x cells reach 512); geometry-tall:
geometry on frames of 1536-2200 rows and 1-23 columns, where the spline prefilter is made in row bands; nonfinite: the
linear filters (sobel, prewitt, laplace, Gaussians, their derivatives and gradient magnitude, uniform_filter,
correlate / convolve) on frames holding NaN or infinities; ridges, ridges-large: frangi, hessian, sato, meijering on 8-bit, 16-bit and float frames (2-80 or 150-500 pixels a side);
matching: match_histograms of an image to a reference of another shape (8-bit, 16-bit, float; NaN, signed zeros);
bandpass: difference_of_gaussians on 8-bit, 16-bit and float frames (per-axis sigmas, every mode);
layout: crop, flip, rot90, numpy.pad, downsample, where, and fourier_gaussian alone
and between fft2 and ifft2 (numpy's three norms; against NumPy's float64 FFT, within 1e-4 of the input's largest magnitude);
stacks: 2-5 frames through the steps of filters, rank, geometry, nonfinite or layout, frame by frame; display: montage
(against scikit-image's util.montage, and its columns / gap extension against numpy) and window (against pydicom's
apply_windowing) on stacks of 1-9 frames.

A step that differs only where SciPy's offset table reads outside the frame (README, known differences: mode
reflect, a window reaching 4n or more before an axis of n) is counted as known when it equals SciPy run on the
frame padded far by numpy's symmetric pad, and a `shift` of a frame holding an infinity that differs only at outputs
reading SciPy's 12-pixel spline pre-pad (README, also known); anything else is a mismatch (exit 1).
Needs python3-scipy python3-skimage python3-imageio python3-yaml (Debian; the display family python3-pydicom too),
and a built xrayflow (default: src/XRayFlow.Cli/bin/Release/net10.0/xrayflow).
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import scipy.ndimage as ndi
import yaml

import fuzzargs

warnings.filterwarnings('ignore')
MODES = ['reflect', 'mirror', 'nearest', 'wrap', 'constant', 'grid-mirror', 'grid-wrap', 'grid-constant']
SPLINE_MODES = ['constant', 'nearest', 'reflect', 'mirror', 'wrap', 'grid-constant', 'grid-mirror', 'grid-wrap']
SCALARS = ('threshold_otsu', 'threshold_li', 'threshold_yen', 'threshold_triangle', 'threshold_mean', 'threshold_isodata',
           'threshold_minimum', 'percentile', 'is_low_contrast')


def origin_for(rng, shape):
    return [int(rng.integers(-(s // 2), (s - 1) // 2 + 1)) for s in shape]


def masked_above(p, frame, source, mid, q):
    """Gives step p a second input: a where step's mask of input `source` (holding `frame`) above the frame's q-th
    percentile, a float32 value the frame holds (so C#'s double and NumPy's float32 comparisons agree), kept in
    p['mask_level'] for the reference. False, and p unchanged, when no pixel is above it."""
    level = float(np.float32(np.percentile(frame, q, method='lower')))
    if not (frame > level).any():
        return False
    p['pre'] = [{'id': mid, 'op': 'where', 'in': source, 'cond': f'x > {level!r}', 'then': 1, 'else': 0}]
    p['in'] = ['x', mid]
    p['mask_level'] = level
    return True


def window(rng, p, max_fp, max_size, footprint_share):
    if rng.random() < footprint_share:
        fh, fw = int(rng.integers(1, max_fp)), int(rng.integers(1, max_fp))
        fp = (rng.random((fh, fw)) < rng.uniform(0.3, 1)).astype(int)
        fp[0, 0] |= int(fp.sum() == 0)
        p['footprint'] = fp.tolist()
        shape = (fh, fw)
    else:
        shape = (int(rng.integers(1, max_size)), int(rng.integers(1, max_size)))
        p['size'] = list(shape)
    p['origin'] = origin_for(rng, shape)
    return int(np.prod(shape)) if 'size' in p else int(np.array(p['footprint']).sum())


def padded(f, a, pad):
    """f on a padded by numpy's symmetric pad (ndimage's reflect, repeated however far), cropped back."""
    return f(np.pad(a, pad, mode='symmetric'))[pad:pad + a.shape[0], pad:pad + a.shape[1]]


def reflected_far(p, a):
    """
    The reference as SciPy's filter would give it if its offset table reflected windows that reach 4n or more
    before an axis of n pixels (README, known differences): each window op applied to the frame padded far enough
    that no window leaves it. None for ops and modes the difference cannot touch.
    """
    if p['op'] == 'threshold_local':  # its median is median_filter (mode reflect unless given), minus offset
        if p['method'] != 'median' or p.get('mode', 'reflect') not in ('reflect', 'grid-mirror'):
            return None
        b = p['block_size']
        pad = 4 * max(max(a.shape), max(b if isinstance(b, list) else [b]))
        return padded(lambda y: ndi.median_filter(y.astype(np.float64), size=b), a, pad) - p.get('offset', 0)
    if p.get('mode') not in ('reflect', 'grid-mirror') or 'origin' not in p or p['op'].endswith('1d'):
        return None  # (the 1-D filters extend lines as NI_ExtendLine does: no offset table)
    if p['op'] in ('correlate', 'convolve'):  # NI_Correlate reads the same offset table
        w = np.array(p['weights'], np.float64)
        return padded(lambda y: getattr(ndi, p['op'])(np.asarray(y, np.float32), w, origin=p['origin']), a, 4 * max(max(a.shape), max(w.shape)))
    pad = 4 * max(max(a.shape), max(p.get('size', [1])), max(np.array(p.get('footprint', [[1]])).shape))
    kw = window_kw(p)

    def step(name, x):
        return padded(lambda y: getattr(ndi, name)(y, **kw), x, pad)

    op = p['op']
    if op == 'median_filter':
        return padded(lambda y: ndi.median_filter(y, **kw), a, pad)
    if op == 'rank_filter':
        return padded(lambda y: ndi.rank_filter(y, p['rank'], **kw), a, pad)
    if op == 'percentile_filter':
        return padded(lambda y: ndi.percentile_filter(y, p['percentile'], **kw), a, pad)
    if op in ('maximum_filter', 'minimum_filter', 'grey_erosion', 'grey_dilation'):
        return step(op, a)
    if op == 'grey_opening':
        return step('grey_dilation', step('grey_erosion', a))
    if op == 'grey_closing':
        return step('grey_erosion', step('grey_dilation', a))
    if op == 'white_tophat':
        return a - step('grey_dilation', step('grey_erosion', a))
    if op == 'black_tophat':
        return step('grey_erosion', step('grey_dilation', a)) - a
    if op == 'morphological_gradient':
        return step('grey_dilation', a) - step('grey_erosion', a)
    return None


def pre_pad_only(p, a, wrong):
    """
    True when every wrong pixel is an output of a spline `shift` of a frame holding an infinity, in a mode SciPy
    pre-pads by 12 pixels (grid-constant, nearest), whose taps on some axis all lie outside the frame: the known
    difference of the README (there SciPy's prefilter, started from a sum over the whole padded line, and XRayFlow's,
    started from its first few dozen values, put different infinities or NaN).
    """
    if p['op'] != 'shift' or p.get('mode') not in ('grid-constant', 'nearest') or not np.isinf(a).any() or p.get('order', 3) < 2:
        return False
    half = (p.get('order', 3) + 1) / 2
    for r, c in (w[-2:] for w in wrong):  # a stack's wrong pixels are (frame, row, column)
        outside = False
        for o, s, n in ((r, p['shift'][0], a.shape[-2]), (c, p['shift'][1], a.shape[-1])):
            x = o - s
            outside |= x + half < 0 or x - half > n - 1
        if not outside:
            return False
    return True


def window_kw(p):
    kw = {'mode': p['mode'], 'cval': p['cval'], 'origin': p['origin']}
    if 'footprint' in p:
        kw['footprint'] = np.array(p['footprint'], bool)
    else:
        kw['size'] = p['size']
    return kw


# ---------------------------------------------------------------------------------------------- families

def rank_family(rng, large=False, continuous=False):
    top = int(rng.choice([255, 4095, 16383]))
    shape = (int(rng.integers(100, 400)), int(rng.integers(100, 400))) if large else (int(rng.integers(1, 60)), int(rng.integers(1, 60)))
    img = rng.integers(0, top + 1, shape).astype(np.float32)
    if continuous:  # a filtered image: about one distinct value per pixel (the two-level histogram over int ranks)
        img = ndi.gaussian_filter(rng.random(shape) * top, float(rng.uniform(0.5, 3))).astype(np.float32)
    if rng.random() < 0.5:
        img = np.round(ndi.gaussian_filter(img, 2)).astype(np.float32)
    # A third of the frames moved off 0..top: signed (CT's -1024..3071) or far up; the sliding histogram counts them
    # above their lowest value. (+ 0 turns a -0 into +0: whole numbers as a decoder gives them.)
    shift = float(rng.choice([0, 0, 0, 0, -1024, -top, 1e6, 40000]))
    img = (img + np.float32(shift) + np.float32(0)).astype(np.float32)
    if rng.random() < 0.2:  # fractions: windows beyond the networks rank their distinct values as levels
        img = (img * np.float32(0.37)).astype(np.float32)
        shift *= 0.37
    cases = []
    for _ in range(10 if large else 40):
        op = str(rng.choice(['median_filter', 'rank_filter', 'percentile_filter']))
        p = {'op': op, 'mode': str(rng.choice(MODES)), 'cval': float(rng.integers(0, top + 1)) + shift}
        n = window(rng, p, 14, 22, 0.35)
        if op == 'rank_filter':
            p['rank'] = int(rng.integers(-n, n))
        if op == 'percentile_filter':
            p['percentile'] = float(rng.choice([0, 10, 25, 50, 75, 90, 100, float(rng.uniform(0, 100))]))
        cases.append(p)

    def reference(p, a):
        kw = window_kw(p)
        if p['op'] == 'median_filter':
            return ndi.median_filter(a, **kw)
        if p['op'] == 'rank_filter':
            return ndi.rank_filter(a, p['rank'], **kw)
        return ndi.percentile_filter(a, p['percentile'], **kw)

    return img, cases, reference


def filter_reference(p, a):
    """SciPy's result for one step of the filters, edges and nonfinite families."""
    kw = {'mode': p['mode'], 'cval': p['cval']}
    if p['op'] in ('sobel', 'prewitt'):
        return getattr(ndi, p['op'])(a, axis=p['axis'], **kw)
    if p['op'] == 'laplace':
        return ndi.laplace(a, **kw)
    if p['op'] == 'gaussian_filter':
        return ndi.gaussian_filter(a, p['sigma'], order=p['order'], truncate=p.get('truncate', 4.0), **kw)
    if p['op'] in ('gaussian_laplace', 'gaussian_gradient_magnitude'):
        return getattr(ndi, p['op'])(a, p['sigma'], **kw)
    if p['op'] in ('correlate', 'convolve'):
        return getattr(ndi, p['op'])(np.asarray(a, np.float32), np.array(p['weights'], np.float64), origin=p.get('origin', 0), **kw)
    if p['op'] in ('correlate1d', 'convolve1d'):
        return getattr(ndi, p['op'])(np.asarray(a, np.float32), np.array(p['weights'], np.float64), axis=p['axis'], origin=p.get('origin', 0), **kw)
    if p['op'] == 'gaussian_filter1d':
        return ndi.gaussian_filter1d(a, p['sigma'], axis=p['axis'], order=p['order'], **kw)
    if p['op'] in ('uniform_filter1d', 'minimum_filter1d', 'maximum_filter1d'):
        return getattr(ndi, p['op'])(a, p['size'], axis=p['axis'], origin=p.get('origin', 0), **kw)
    return getattr(ndi, p['op'])(a, **window_kw(p))


def correlation_cases(h, w, count, modes, extremes=True):
    """correlate / convolve steps, drawn from a generator of their own (so that a seed's other steps stay as they
    were): weights of 1..7 x 1..7 cells, some zero or 1e-17 (skipped by SciPy), some a float32 cannot hold; a valid
    origin on each axis. Then as many 1-D filters (kernels of 1..9, some symmetric or antisymmetric) from another; without
    the minimum / maximum ones on frames holding NaN (`extremes` false: where SciPy's answer depends on its comparison
    order, README known differences), which draw correlate1d in their place."""
    rng = np.random.default_rng([h, w, 31])
    cases = []
    for _ in range(count):
        k = [int(rng.integers(1, 8)), int(rng.integers(1, 8))]
        weights = np.round(rng.normal(0, 1, k), int(rng.integers(1, 17)))
        weights[rng.random(k) < 0.15] = 0.0
        weights[rng.random(k) < 0.05] = 1e-17
        p = {'op': str(rng.choice(['correlate', 'convolve'])), 'mode': str(rng.choice(modes)),
             'cval': float(rng.choice([0.0, 0.1, float(rng.integers(0, 256))])), 'weights': weights.tolist()}
        if rng.random() < 0.5:
            p['origin'] = [int(rng.integers(-(n // 2), (n - 1) // 2 + 1)) for n in k]
        cases.append(p)
    rng = np.random.default_rng([h, w, 32])  # the 1-D filters (each axis), from a generator of their own too
    for _ in range(count):
        op = str(rng.choice(['correlate1d', 'convolve1d', 'gaussian_filter1d', 'uniform_filter1d', 'minimum_filter1d', 'maximum_filter1d']))
        if not extremes and op.endswith('imum_filter1d'):
            op = 'correlate1d'  # NaN in a window of the extremes: a known difference (README), not drawn on NaN frames
        p = {'op': op, 'mode': str(rng.choice(modes)), 'cval': float(rng.choice([0.0, 0.1, float(rng.integers(0, 256))])),
             'axis': int(rng.choice([0, 1, -1]))}
        if op == 'gaussian_filter1d':
            p.update(sigma=float(rng.uniform(0.3, 6)), order=int(rng.integers(0, 3)))
        else:
            n = int(rng.integers(1, 10))
            if op in ('correlate1d', 'convolve1d'):
                weights = np.round(rng.normal(0, 1, n), int(rng.integers(1, 17)))
                if rng.random() < 0.4:  # symmetric or antisymmetric: SciPy's paired sums
                    sign = 1 if rng.random() < 0.5 else -1
                    weights[n - n // 2:] = sign * weights[:n // 2][::-1]
                weights[rng.random(n) < 0.1] = 0.0
                p['weights'] = weights.tolist()
            else:
                p['size'] = n
            if rng.random() < 0.5:
                p['origin'] = int(rng.integers(-(n // 2), (n - 1) // 2 + 1))
        cases.append(p)
    return cases


def filters_family(rng, short=False):
    h = int(rng.integers(1, 6)) if short else int(rng.integers(1, 40))
    img = rng.integers(0, 256, (h, int(rng.integers(1, 40)))).astype(np.float32)
    if rng.random() < 0.5:
        img = (img + rng.random(img.shape)).astype(np.float32)
    modes = ['reflect', 'grid-mirror', 'mirror', 'wrap'] if short else MODES
    ops = ['maximum_filter', 'minimum_filter', 'grey_erosion', 'grey_dilation', 'grey_opening', 'grey_closing',
           'white_tophat', 'black_tophat', 'morphological_gradient', 'uniform_filter', 'gaussian_filter', 'sobel',
           'prewitt', 'laplace', 'median_filter']
    cases = []
    for _ in range(40):
        op = str(rng.choice(ops))
        p = {'op': op, 'mode': str(rng.choice(modes)), 'cval': float(rng.integers(0, 256))}
        if op in ('sobel', 'prewitt'):
            p['axis'] = int(rng.integers(0, 2))
        elif op == 'gaussian_filter':
            p['sigma'] = [float(rng.uniform(0.3, 6)), float(rng.uniform(0.3, 6))]
            p['order'] = [int(rng.integers(0, 3)), int(rng.integers(0, 3))]
            p['truncate'] = float(rng.uniform(1, 5))
        elif op != 'laplace':
            window(rng, p, 12, 30, 0 if op == 'uniform_filter' else 0.4)
        cases.append(p)
    cases += correlation_cases(*img.shape, 10, modes)

    return img, cases, filter_reference


def correlation_large_family(rng):
    """correlate / convolve and the 1-D filters on frames of 200-700 pixels a side (the threaded blocks of rows, each
    with its own ring of widened rows), a third of them holding a NaN or an infinity."""
    h, w = int(rng.integers(200, 700)), int(rng.integers(200, 700))
    img = (ndi.gaussian_filter(rng.random((h, w)), float(rng.uniform(0, 3))) * 255).astype(np.float32)
    nonfinite = rng.random() < 0.3
    if nonfinite:
        img[int(rng.integers(0, h)), int(rng.integers(0, w))] = float(rng.choice([np.nan, np.inf, -np.inf]))
    return img, correlation_cases(h, w, 8, MODES, extremes=not nonfinite), filter_reference


def ridges_family(rng, large=False):
    """frangi, hessian, sato and meijering (scikit-image 0.19's ridge filters) on 8-bit, 16-bit and float frames of
    2-80 pixels a side (150-500 large: the threaded rows and Gaussians), smooth or noisy, a float one sometimes with
    a NaN or an infinity: 1-3 sigmas of 0-5, both ridge colours, every mode, beta / gamma / alpha drawn."""
    import skimage.filters as sf
    g = np.random.default_rng([int(rng.integers(0, 2**31)), 41])  # a generator of its own: other families' seeds draw as before
    h, w = (int(g.integers(150, 500)), int(g.integers(150, 500))) if large else (int(g.integers(2, 80)), int(g.integers(2, 80)))
    base = ndi.gaussian_filter(g.random((h, w)), float(g.uniform(0, 3)))
    base = (base - base.min()) / max(1e-9, base.max() - base.min())
    kind = str(g.choice(['u8', 'u16', 'f', 'f']))
    if kind == 'u8':
        img = (base * 255).round().astype(np.uint8)
    elif kind == 'u16':
        img = (base * float(g.choice([4095, 65535]))).round().astype(np.uint16)
    else:
        img = (base * g.uniform(0.5, 300) + g.uniform(-50, 50)).astype(np.float32)
        if g.random() < 0.15:
            img[int(g.integers(0, h)), int(g.integers(0, w))] = float(g.choice([np.nan, np.inf, -np.inf]))
    cases = []
    for _ in range(6 if large else 12):
        op = str(g.choice(['frangi', 'hessian', 'sato', 'meijering']))
        p = {'op': op, 'sigmas': sorted(round(float(g.uniform(0, 5)), 2) for _ in range(int(g.integers(1, 4)))),
             'black_ridges': bool(g.random() < 0.5), 'mode': str(g.choice(MODES)), 'cval': float(g.integers(0, 3))}
        if op in ('frangi', 'hessian') and g.random() < 0.5:
            p.update(beta=round(float(g.uniform(0.1, 2)), 3), gamma=round(float(g.uniform(0.01, 30)), 3))
        if op == 'meijering' and g.random() < 0.4:
            p['alpha'] = round(float(g.uniform(-1, 1)), 3)
        cases.append(p)

    def reference(p, a):
        return getattr(sf, p['op'])(a, **{k: v for k, v in p.items() if k != 'op'})

    return img, cases, reference


def bandpass_family(rng):
    """difference_of_gaussians on 8-bit, 16-bit and float frames of 1-80 pixels a side (a float one sometimes with NaN or
    an infinity): low and high sigmas of 0-5 per axis or the default 1.6 x, every mode, cval, truncate."""
    import skimage.filters as sf
    g = np.random.default_rng([int(rng.integers(0, 2**31)), 47])  # a generator of its own
    h, w = int(g.integers(1, 80)), int(g.integers(1, 80))
    base = ndi.gaussian_filter(g.random((h, w)), float(g.uniform(0, 2)))
    kind = str(g.choice(['u8', 'u16', 'f', 'f']))
    if kind == 'u8':
        img = (base * 255).round().astype(np.uint8)
    elif kind == 'u16':
        img = (base * 65535).round().astype(np.uint16)
    else:
        img = (base * g.uniform(0.5, 300) - g.uniform(0, 50)).astype(np.float32)
        if g.random() < 0.15:
            img[int(g.integers(0, h)), int(g.integers(0, w))] = float(g.choice([np.nan, np.inf, -np.inf]))
    cases = []
    for _ in range(12):
        low = [round(float(g.uniform(0, 4)), 2) for _ in range(2)] if g.random() < 0.4 else round(float(g.uniform(0, 4)), 2)
        p = {'op': 'difference_of_gaussians', 'low_sigma': low, 'mode': str(g.choice(MODES)), 'cval': float(g.integers(0, 3))}
        if g.random() < 0.5:
            lows = low if isinstance(low, list) else [low, low]
            p['high_sigma'] = [round(v + float(g.uniform(0, 3)), 2) for v in lows]
        if g.random() < 0.3:
            p['truncate'] = round(float(g.uniform(1, 5)), 2)
        cases.append(p)

    def reference(p, a):
        return sf.difference_of_gaussians(a, **{k: v for k, v in p.items() if k != 'op'})

    return img, cases, reference


def matching_family(rng):
    """match_histograms of an image to a reference of another shape: each 8-bit, 16-bit or float (smooth, noisy, or a
    few values / 255), 2-120 pixels a side or, a third of the seeds, 370-700 (frames the kernel cuts in parts for two
    threads), a float one sometimes with NaN, signed zeros and infinities."""
    from skimage import exposure
    g = np.random.default_rng([int(rng.integers(0, 2**31)), 43])  # a generator of its own

    def frame():
        big = g.random() < 0.33
        h, w = (int(g.integers(370, 700)), int(g.integers(370, 700))) if big else (int(g.integers(2, 120)), int(g.integers(2, 120)))
        kind = str(g.choice(['u8', 'u16', 'smooth', 'noise', 'few']))
        if kind == 'u8':
            return g.integers(int(g.integers(0, 100)), 256, (h, w)).astype(np.uint8)
        if kind == 'u16':
            return g.integers(0, int(g.choice([4096, 65536])), (h, w)).astype(np.uint16)
        if kind == 'smooth':
            a = (ndi.gaussian_filter(g.random((h, w)), float(g.uniform(0.5, 4))) * 1000).astype(np.float32)
        elif kind == 'noise':
            a = (g.random((h, w)) * 600 - 300).astype(np.float32)
        else:
            a = (g.integers(0, 40, (h, w)) / np.float32(255)).astype(np.float32)
        if g.random() < 0.3:
            for v in [np.nan, np.nan, -0.0, 0.0, np.inf, -np.inf]:
                if g.random() < 0.5:
                    a[int(g.integers(0, h)), int(g.integers(0, w))] = v
        return a

    img, ref = frame(), frame()
    cases = [{'op': 'match_histograms', 'in': ['x', 'g']}]

    def reference(p, a):
        return exposure.match_histograms(a, ref).astype(np.float32)

    return (img, ref), cases, reference


def nonfinite_family(rng):
    """The linear filters on frames holding NaN or infinities (1-3 of them), where SciPy's arithmetic decides where
    they spread: sobel / prewitt (the derivative's zero centre weight multiplies the pixel), Gaussians of orders 0-2
    (short axes fold the window), laplace, gaussian_laplace, gaussian_gradient_magnitude, and uniform_filter (SciPy's
    running mean carries them to the end of the line)."""
    h, w = (int(rng.integers(100, 300)), int(rng.integers(100, 300))) if rng.random() < 0.3 else (int(rng.integers(1, 60)), int(rng.integers(1, 60)))
    img = (rng.random((h, w)) * 255).astype(np.float32)
    bad = [float(rng.choice([np.nan, np.inf, -np.inf])) for _ in range(int(rng.integers(1, 4)))]
    for v in bad:
        img[int(rng.integers(0, h)), int(rng.integers(0, w))] = v
    ops = ['gaussian_filter', 'sobel', 'prewitt', 'laplace', 'gaussian_laplace', 'gaussian_gradient_magnitude', 'uniform_filter']
    cases = []
    for _ in range(20):
        op = str(rng.choice(ops))
        p = {'op': op, 'mode': str(rng.choice(MODES[:5])), 'cval': float(rng.integers(0, 256))}
        if op in ('sobel', 'prewitt'):
            p['axis'] = int(rng.integers(0, 2))
        elif op == 'gaussian_filter':
            p['sigma'] = [float(rng.uniform(0.3, 6)), float(rng.uniform(0.3, 6))]
            p['order'] = [int(rng.integers(0, 3)), int(rng.integers(0, 3))]
        elif op in ('gaussian_laplace', 'gaussian_gradient_magnitude'):
            p['sigma'] = float(rng.uniform(0.5, 5))
        elif op == 'uniform_filter':
            window(rng, p, 2, 12, 0)
        cases.append(p)
    cases += correlation_cases(h, w, 4, MODES[:5], extremes=False)

    return img, cases, filter_reference


def geometry_family(rng, large=False, tall=False):
    import skimage.transform as skt
    if tall:  # columns of 1536 rows or more: XRayFlow's row-band spline prefilter
        h, w = int(rng.integers(1536, 2200)), int(rng.integers(1, 24))
    else:
        h, w = (int(rng.integers(100, 600)), int(rng.integers(100, 600))) if large else (int(rng.integers(1, 30)), int(rng.integers(1, 30)))
    img = (rng.random((h, w)) * 255).astype(np.float32)
    if rng.random() < 0.5:
        img = np.round(img)
    if rng.random() < 0.15:
        # One NaN or infinity: the spline prefilter carries it through its whole column and row (SciPy's result is
        # then NaN wherever the prefilter reached), which XRayFlow's row bands must not cut short.
        img[int(rng.integers(0, h)), int(rng.integers(0, w))] = float(rng.choice([np.nan, np.inf, -np.inf]))
    cases = []
    for _ in range(10 if large else 30):
        op = str(rng.choice(['zoom', 'shift', 'rotate', 'affine_transform', 'resize']))
        p = {'op': op}
        if op != 'resize':
            p.update(order=int(rng.integers(0, 6)), mode=str(rng.choice(SPLINE_MODES)), cval=float(rng.integers(0, 100)))
            if rng.random() < 0.2:
                p['prefilter'] = False
        if op == 'zoom':
            z = [float(rng.choice([0.5, 2, 1.5, 0.3, 3, rng.uniform(0.2, 3)])), float(rng.choice([0.5, 2, 1, rng.uniform(0.2, 3)]))]
            p['zoom'] = [max(a, 1.0 / n) for a, n in zip(z, (h, w))]  # at least one output pixel (else refused)
            if rng.random() < 0.3:
                p['grid_mode'] = True
                p['mode'] = 'grid-constant' if p['mode'] == 'constant' else p['mode']
        elif op == 'shift':
            p['shift'] = [float(rng.uniform(-40, 40)), float(rng.uniform(-40, 40))]
        elif op == 'rotate':
            p['angle'] = float(rng.choice([30, 45, 90, -17.5, 180, rng.uniform(-360, 360)]))
            p['reshape'] = bool(rng.random() < 0.5)
        elif op == 'affine_transform':
            p['matrix'] = rng.uniform(-2, 2, (2, 2)).tolist()
            p['offset'] = rng.uniform(-10, 10, 2).tolist()
            if rng.random() < 0.5:
                p['output_shape'] = [int(rng.integers(1, 40)), int(rng.integers(1, 40))]
        else:
            p.update(output_shape=[int(rng.integers(1, 60)), int(rng.integers(1, 60))], order=int(rng.integers(0, 6)),
                     mode=str(rng.choice(['constant', 'edge', 'symmetric', 'reflect', 'wrap'])), cval=float(rng.integers(0, 100)))
            aa = rng.random()
            if aa < 0.66:
                p['anti_aliasing'] = bool(aa < 0.33)
            if rng.random() < 0.2:
                p['clip'] = False
            srng = np.random.default_rng([h, w, len(cases), 23])  # the smoothing's sigma (its own draws)
            if p.get('anti_aliasing') is not False and srng.random() < 0.35:
                sig = [round(float(srng.choice([0, 0.3, 1, srng.uniform(0, 4)])), 3) for _ in range(2)]
                p['anti_aliasing_sigma'] = sig if srng.random() < 0.5 else sig[0]
            if np.random.default_rng([h, w, len(cases)]).random() < 0.4:
                # rescale instead (a generator of its own: earlier seeds' draws unchanged): the scale that gives about
                # this output shape, sometimes exactly half-way (n * scale = k + 0.5, NumPy's round to even).
                prng = np.random.default_rng([h, w, len(cases), 1])
                scale = [p['output_shape'][0] / h, p['output_shape'][1] / w]
                if prng.random() < 0.3:
                    scale[0] = (int(prng.integers(0, 2 * h)) + 0.5) / h
                p = dict(p, op='rescale', scale=scale if prng.random() < 0.6 else scale[0])
                del p['output_shape']
        cases.append(p)

    def aa_sigma(p):
        sig = p.get('anti_aliasing_sigma')
        return tuple(sig) if isinstance(sig, list) else sig

    def reference(p, a):
        if p['op'] == 'rescale':
            scale = tuple(p['scale']) if isinstance(p['scale'], list) else p['scale']
            return skt.rescale(a, scale, order=p['order'], mode=p['mode'], cval=p['cval'], clip=p.get('clip', True),
                               preserve_range=True, anti_aliasing=p.get('anti_aliasing'),
                               anti_aliasing_sigma=aa_sigma(p)).astype(np.float32)
        kw = {k: p[k] for k in ('order', 'mode', 'cval', 'prefilter') if k in p}
        if p['op'] == 'zoom':
            return ndi.zoom(a, p['zoom'], grid_mode=p.get('grid_mode', False), **kw)
        if p['op'] == 'shift':
            return ndi.shift(a, p['shift'], **kw)
        if p['op'] == 'rotate':
            return ndi.rotate(a, p['angle'], reshape=p['reshape'], **kw)
        if p['op'] == 'affine_transform':
            shape = tuple(p['output_shape']) if 'output_shape' in p else None
            return ndi.affine_transform(a, np.array(p['matrix']), offset=p['offset'], output_shape=shape, **kw)
        return skt.resize(a, p['output_shape'], order=p['order'], mode=p['mode'], cval=p['cval'], clip=p.get('clip', True),
                          preserve_range=True, anti_aliasing=p.get('anti_aliasing'), anti_aliasing_sigma=aa_sigma(p)).astype(np.float32)

    return img, cases, reference


def li_never_settles(img, tolerance=None, initial_guess=None):
    """Whether scikit-image's threshold_li would loop forever: its iteration meets a threshold a second time (a cycle
    of float32 values, each step more than the tolerance), or has not settled in 1000 iterations."""
    import skimage.filters as sf

    class Cycle(Exception):
        pass

    seen = []

    def step(t):
        if (t in seen and t != seen[-1]) or len(seen) > 1000:
            raise Cycle()
        seen.append(t)

    try:
        sf.threshold_li(img, tolerance=tolerance, initial_guess=initial_guess, iter_callback=step)
        return False
    except Cycle:
        return True


def intensity_family(rng, large=False):
    import skimage.exposure as ex
    import skimage.filters as sf
    h, w = (int(rng.integers(100, 800)), int(rng.integers(100, 800))) if large else (int(rng.integers(2, 80)), int(rng.integers(2, 80)))
    base = ndi.gaussian_filter(rng.random((h, w)), float(rng.uniform(0, 4)))
    base = (base - base.min()) / max(1e-9, base.max() - base.min())
    kind = str(rng.choice(['u8', 'u16', 'f']))
    if kind == 'u8':
        lo, hi = int(rng.integers(0, 100)), int(rng.integers(150, 256))
        img = (lo + base * (hi - lo)).round().astype(np.uint8)
    elif kind == 'u16':
        img = (base * rng.uniform(0.3, 1) * int(rng.choice([1023, 4095, 16383, 65535]))).round().astype(np.uint16)
    else:
        img = (base * rng.uniform(0.1, 1000) + rng.uniform(-5, 5)).astype(np.float32)
    ops = ['equalize_hist', 'equalize_adapthist', 'rescale_intensity', 'adjust_gamma', 'adjust_log', 'threshold_otsu',
           'threshold_li', 'threshold_yen', 'threshold_triangle', 'threshold_mean', 'threshold_isodata', 'threshold_minimum',
           'percentile', 'threshold_local']
    cases = []
    for _ in range(12 if large else 24):
        op = str(rng.choice(ops))
        p = {'op': op}
        if op == 'equalize_hist' and rng.random() < 0.5:
            p['nbins'] = int(rng.choice([16, 100, 256, 1000]))
        mrng = np.random.default_rng([h, w, len(cases), 41])  # equalize_hist's mask input (its own draws)
        if op == 'equalize_hist' and mrng.random() < 0.4:
            masked_above(p, img, 'x', f'ehm{len(cases)}', float(mrng.choice([10, 50, 90])))
        if op == 'equalize_adapthist':
            if rng.random() < 0.6:
                p['kernel_size'] = int(rng.integers(2, max(3, min(h, w))))
            p['clip_limit'] = float(rng.choice([0.01, 0.03, 0.1, 1.0, 0.0]))
            if rng.random() < 0.3:
                p['nbins'] = int(rng.choice([64, 128, 512]))
        if op == 'rescale_intensity':
            c = rng.random()
            if c < 0.3:
                p['in_range'] = ['p2', 'p98']
            elif c < 0.5:
                p['in_range'] = [float(np.percentile(img, 10)), float(np.percentile(img, 80))]
            elif c < 0.6:
                p['in_range'] = 'dtype'
            p['out_range'] = [0, 1] if rng.random() < 0.5 else [-3.0, 7.0]
            wrng = np.random.default_rng([h, w, len(cases), 37])  # the range words, on the original dtype (its own draws)
            if wrng.random() < 0.4:
                p['out_range'] = str(wrng.choice(['dtype', 'dtype', 'image', 'uint8', 'uint12', 'uint16', 'float']))
                p['words'] = True
                if wrng.random() < 0.5:
                    p['in_range'] = str(wrng.choice(['image', 'dtype', 'uint10', 'uint14', 'float']))
        if op == 'adjust_gamma':
            p.update(gamma=float(rng.choice([0.5, 2, 1, 0.3, rng.uniform(0.1, 3)])), gain=float(rng.choice([1, 0.5, 0.9])))
        if op == 'adjust_log':
            p.update(gain=float(rng.choice([1, 0.5, 0.9])), inv=bool(rng.random() < 0.5))
        if op in ('threshold_otsu', 'threshold_yen', 'threshold_triangle', 'threshold_isodata', 'threshold_minimum') and rng.random() < 0.3:
            p['nbins'] = int(rng.choice([64, 100, 512]))
        if op == 'threshold_minimum' and kind != 'f' and int(img.max()) - int(img.min()) + 1 > 4096:
            continue  # one bin per value: scikit-image's Python loop over up to 10,000 smoothings of 65,536 bins takes hours
        if op in ('threshold_isodata', 'threshold_minimum'):
            try:
                getattr(sf, op)(img, nbins=p.get('nbins', 256))
            except (RuntimeError, IndexError):
                continue  # scikit-image raises; so does xrayflow, which would fail the whole item (ThresholdKernelTests)
        if op == 'percentile':
            p['q'] = float(rng.choice([0, 1, 50, 90, 99, 100, rng.uniform(0, 100)]))
            mrng = np.random.default_rng([int(p['q'] * 1000), len(cases), 11])  # its own draws: earlier seeds' stay
            if mrng.random() < 0.6:
                p['method'] = str(mrng.choice(PERCENTILE_METHODS))
        trng = np.random.default_rng([h, w, len(cases), 29])  # Li's and minimum's knobs (their own draws)
        if op == 'threshold_li':
            if trng.random() < 0.4:
                p['tolerance'] = float(trng.choice([0, 0.01, 0.5, 2, round(float(trng.uniform(0, 5)), 3)]))
            lo_v, hi_v = float(np.nanmin(img)), float(np.nanmax(img))
            if trng.random() < 0.4 and lo_v < hi_v:
                guess = round(float(trng.uniform(lo_v, hi_v)), 3)
                if lo_v < guess < hi_v:
                    p['initial_guess'] = guess
        if op == 'threshold_minimum' and trng.random() < 0.4:
            p['max_num_iter'] = int(trng.choice([1, 5, 50, 500]))
            try:
                sf.threshold_minimum(img, nbins=p.get('nbins', 256), max_num_iter=p['max_num_iter'])
            except (RuntimeError, IndexError):
                continue  # not bimodal within that many smoothings: scikit-image raises, xrayflow fails the item
        if op == 'threshold_li' and li_never_settles(img, p.get('tolerance'), p.get('initial_guess')):
            continue  # scikit-image loops forever; xrayflow fails the item, naming the cycle (ThresholdKernelTests)
        if op == 'threshold_local':
            def odd():
                return 2 * int(rng.integers(0, 1 + min(25, max(h, w)))) + 1
            p['block_size'] = odd() if rng.random() < 0.7 else [odd(), odd()]
            p['method'] = str(rng.choice(['gaussian', 'mean', 'median']))
            if rng.random() < 0.5:
                p['offset'] = float(rng.choice([0, 2.5, -1, rng.uniform(-10, 10)]))
            if rng.random() < 0.5:
                p['mode'] = str(rng.choice(MODES))
                if p['mode'] in ('constant', 'grid-constant') and rng.random() < 0.5:
                    p['cval'] = float(rng.uniform(-5, 5))
            if p['method'] == 'gaussian' and rng.random() < 0.3:
                p['param'] = float(rng.uniform(0.2, 4)) if rng.random() < 0.6 else [float(rng.uniform(0.2, 4)), float(rng.uniform(0.2, 4))]
        if kind == 'f' and op in ('adjust_gamma', 'adjust_log') and img.min() < 0:
            continue  # refused (negative values), as scikit-image
        cases.append(p)
    # unsharp_mask (skimage.filters), from a generator of its own so the draws above stay as earlier seeds had them.
    prng = np.random.default_rng([h, w, 7])
    for _ in range(1 if large else 3):
        p = {'op': 'unsharp_mask', 'radius': float(prng.choice([1, 0, 0.5, prng.uniform(0.1, 6)])),
             'amount': float(prng.choice([1, -0.5, 2.5, prng.uniform(-3, 3)])), 'preserve_range': bool(prng.random() < 0.5)}
        if prng.random() < 0.3:
            p['radius'] = [float(prng.uniform(0, 4)), float(prng.uniform(0, 4))]
        cases.append(p)
    # adjust_sigmoid, from a generator of its own too: a float image's cutoff at one of its percentiles and its gain
    # scaled to its range (else the curve is flat at 0 or 1 almost everywhere); negative float images are refused.
    srng = np.random.default_rng([h, w, 9])
    for _ in range(1 if large else 2):
        g = float(srng.choice([10, 5, -10, 1, srng.uniform(-30, 60)]))
        if kind == 'f':
            if img.min() < 0:
                break
            cutoff = float(np.percentile(img, srng.uniform(5, 95)))
            g = g / max(float(img.max() - img.min()), 1e-3)
        else:
            cutoff = float(srng.choice([0.5, 0, 1, srng.uniform(0, 1)]))
        cases.append({'op': 'adjust_sigmoid', 'cutoff': cutoff, 'gain': g, 'inv': bool(srng.random() < 0.5)})
    # is_low_contrast (1 / 0), from a generator of its own: thresholds around the image's own spread ratio.
    lrng = np.random.default_rng([h, w, 10])
    lo, hi = sorted(float(v) for v in lrng.uniform(0, 100, 2)) if lrng.random() < 0.5 else (1.0, 99.0)
    spread = np.percentile(img, [lo, hi])
    ratio = float(spread[1] - spread[0]) / (2.0 if kind == 'f' else float(np.iinfo(img.dtype).max))
    cases.append({'op': 'is_low_contrast', 'lower_percentile': lo, 'upper_percentile': hi,
                  'fraction_threshold': float(lrng.choice([0.05, ratio * lrng.uniform(0.5, 1.5), lrng.uniform(0, 1)]))})
    # threshold_multiotsu, then digitize with its fields (scikit-image's example), from a generator of its own too.
    mrng = np.random.default_rng([h, w, 8])
    for i in range(1 if large else 2):
        classes, nbins = int(mrng.integers(2, 6)), int(mrng.choice([256, 64, 17]))
        bins = int(img.max()) - int(img.min()) + 1 if kind != 'f' else nbins
        if math.comb(bins - 1, classes - 1) > 3e7 or bins > 8192:
            continue  # scikit-image would take minutes (xrayflow refuses beyond 2e9 choices: MultiOtsuTests), or build an n x n table (17 GB for 65,536 bins)
        try:
            sf.threshold_multiotsu(img, classes=classes, nbins=nbins)
        except ValueError:
            continue  # fewer distinct values than classes: refused by both (MultiOtsuTests)
        sid = f'mo{i}'
        cases.append({'op': 'digitize', 'pre': [{'id': sid, 'op': 'threshold_multiotsu', 'in': 'x', 'classes': classes, 'nbins': nbins}],
                      'bins': ['${%s.t%d}' % (sid, k) for k in range(classes - 1)], 'right': bool(mrng.random() < 0.5)})

    def reference(p, a):
        op = p['op']
        if op == 'digitize':
            pre = p['pre'][0]
            return np.digitize(a, sf.threshold_multiotsu(a, classes=pre['classes'], nbins=pre['nbins']), right=p['right'])
        if op == 'equalize_hist':
            return ex.equalize_hist(a, nbins=p.get('nbins', 256), mask=a > p['mask_level'] if 'mask_level' in p else None)
        if op == 'equalize_adapthist':
            src = a if a.dtype != np.float32 else (a - a.min()) / (a.max() - a.min())  # the documented float rule
            return ex.equalize_adapthist(src, kernel_size=p.get('kernel_size'), clip_limit=p['clip_limit'], nbins=p.get('nbins', 256))
        if op == 'rescale_intensity':
            ir = p.get('in_range', 'image')
            if isinstance(ir, list):
                ir = tuple(np.percentile(a, [2, 98])) if isinstance(ir[0], str) else tuple(ir)
            if p.get('words'):
                # scikit-image on the array as it is (uint8, uint16 or float32): its integer path, the dtype's
                # truncation for an integer out_range.
                return np.asarray(ex.rescale_intensity(a, in_range=ir, out_range=p['out_range']), np.float64)
            return ex.rescale_intensity(a if ir == 'dtype' else a.astype(np.float32), in_range=ir, out_range=tuple(p['out_range']))
        if op == 'adjust_gamma':
            return ex.adjust_gamma(a, p['gamma'], p['gain'])
        if op == 'adjust_log':
            return ex.adjust_log(a, p['gain'], p['inv'])
        if op == 'adjust_sigmoid':
            return ex.adjust_sigmoid(a, p['cutoff'], p['gain'], p['inv'])
        if op == 'is_low_contrast':
            return float(ex.is_low_contrast(a, p['fraction_threshold'], p['lower_percentile'], p['upper_percentile']))
        if op == 'percentile':
            return np.percentile(a, p['q'], method=p.get('method', 'linear'))
        if op == 'unsharp_mask':
            return sf.unsharp_mask(a, radius=p['radius'], amount=p['amount'], preserve_range=p['preserve_range'])
        if op == 'threshold_local':  # scikit-image on the float64 copy (as the fixtures: its own path for integer arrays)
            b = p['block_size']
            param = p.get('param')
            return sf.threshold_local(a.astype(np.float64), tuple(b) if isinstance(b, list) else b, method=p['method'],
                                      offset=p.get('offset', 0), mode=p.get('mode', 'reflect'), cval=p.get('cval', 0),
                                      param=tuple(param) if isinstance(param, list) else param)
        if op == 'threshold_li':
            return sf.threshold_li(a, tolerance=p.get('tolerance'), initial_guess=p.get('initial_guess'))
        if op == 'threshold_mean':
            return sf.threshold_mean(a)
        if op == 'threshold_minimum':
            return sf.threshold_minimum(a, nbins=p.get('nbins', 256), max_num_iter=p.get('max_num_iter', 10000))
        return getattr(sf, op)(a, nbins=p.get('nbins', 256))

    return img, cases, reference


def segmentation_family(rng, large=False):
    import skimage.feature as sfe
    import skimage.morphology as sm
    import skimage.segmentation as ss
    h, w = (int(rng.integers(150, 900)), int(rng.integers(150, 900))) if large else (int(rng.integers(2, 50)), int(rng.integers(2, 50)))
    img = (ndi.gaussian_filter(rng.random((h, w)), float(rng.uniform(0, 2))) > rng.uniform(0.3, 0.7)).astype(np.float32)
    if rng.random() < 0.3:
        img = (rng.random((h, w)) < 0.5).astype(np.float32)
    grey = (rng.random((h, w)) * 200).astype(np.float32)

    def struct():
        c = rng.random()
        if c < 0.3:
            return {}
        if c < 0.5:
            return {'structure': str(rng.choice(['cross', 'square']))}
        if c < 0.7:
            return {'connectivity': int(rng.integers(1, 3))}
        s = (rng.random((int(rng.integers(1, 6)), int(rng.integers(1, 6)))) < 0.6).astype(int)
        s[0, 0] |= int(s.sum() == 0)
        return {'structure': s.tolist()}

    ops = ['label', 'binary_erosion', 'binary_dilation', 'binary_opening', 'binary_closing', 'binary_fill_holes',
           'clear_border', 'remove_small_objects', 'distance_transform_edt', 'keep_largest', 'canny']
    cases = []
    for _ in range(30):
        op = str(rng.choice(ops))
        p = {'op': op}
        if op == 'label':
            c = rng.random()
            if c < 0.3:
                p['structure'] = str(rng.choice(['cross', 'square']))
            elif c < 0.6:
                p['connectivity'] = int(rng.integers(1, 3))
        elif op == 'binary_fill_holes':
            p.update({k: v for k, v in struct().items() if k != 'connectivity'})
        elif op.startswith('binary_'):
            p.update(struct())
            if rng.random() < 0.4:
                p['iterations'] = int(rng.integers(0, 4))
            if rng.random() < 0.3:
                p['border_value'] = 1
            if isinstance(p.get('structure'), list) and rng.random() < 0.4:
                p['origin'] = origin_for(rng, np.array(p['structure']).shape)
            if isinstance(p.get('structure'), list) and p.get('iterations') == 0:
                p['iterations'] = 1  # until nothing changes, a structure without its centre can flip forever: refused (XRF2012)
            brng = np.random.default_rng([h, w, len(cases), 43])  # SciPy's mask input (its own draws)
            if brng.random() < 0.3 and masked_above(p, grey, 'g', f'bm{len(cases)}', float(brng.choice([20, 50, 80]))):
                p['step_connectivity'] = True  # connectivity is this step's parameter (measure's pre-steps take it instead)
        elif op == 'clear_border':
            if rng.random() < 0.5:
                p['buffer_size'] = int(rng.integers(0, min(5, h, w)))
            if rng.random() < 0.3:
                p['bgval'] = 7.0
            level = np.random.default_rng([h, w, len(cases), 13]).choice([-1, 40, 100, 160])  # its own draws
            if level >= 0:
                # skimage's mask: the grey frame above a level, made by a where step (buffer_size then unused)
                p['pre'] = [{'id': f'cbm{len(cases)}', 'op': 'where', 'in': 'g', 'cond': f'x > {level}', 'then': 1, 'else': 0}]
                p['in'] = ['x', f'cbm{len(cases)}']
                p['mask_level'] = int(level)
        elif op == 'remove_small_objects':
            p.update(min_size=int(rng.integers(0, 30)), connectivity=int(rng.integers(1, 3)))
            if np.random.default_rng([h, w, len(cases)]).random() < 0.5:
                # Half become remove_small_holes, drawn from a generator of their own so earlier seeds' draws stay.
                p = {'op': 'remove_small_holes', 'area_threshold': p['min_size'], 'connectivity': p['connectivity']}
        elif op == 'distance_transform_edt':
            if rng.random() < 0.5:
                p['sampling'] = [float(rng.uniform(0.2, 3)), float(rng.uniform(0.2, 3))]
        elif op == 'keep_largest':
            p.update(n=int(rng.integers(1, 4)), connectivity=int(rng.integers(1, 3)))
        elif op == 'canny':
            p['in'] = 'g'
            p['sigma'] = float(rng.uniform(0, 3))
            if rng.random() < 0.5:
                p.update(low_threshold=5.0, high_threshold=20.0)
            if np.random.default_rng([h, w, len(cases), 7]).random() < 0.5:
                p['in'] = ['g', 'x']  # skimage's mask: the frame's binary image (its own generator: earlier seeds' draws stay)
            crng = np.random.default_rng([h, w, len(cases), 17])  # quantiles, other thresholds, the smoothing's edges
            c = crng.random()
            if c < 0.35:
                q = sorted(round(float(v), 3) for v in crng.choice([0, 0.1, 0.5, 0.9, 0.99, 1, crng.random()], 2))
                p.update(use_quantiles=True, low_threshold=q[0], high_threshold=q[1])
            elif c < 0.6:
                low = round(float(crng.uniform(0, 30)), 2)
                p.update(low_threshold=low, high_threshold=round(low + float(crng.uniform(0, 30)), 2))
            if crng.random() < 0.4:
                p['mode'] = str(crng.choice(['reflect', 'mirror', 'nearest', 'wrap', 'constant']))
                if p['mode'] == 'constant':
                    p['cval'] = float(crng.choice([0, 50, 255]))
        cases.append(p)

    def structure(p):
        s, c = p.get('structure'), p.get('connectivity')
        if isinstance(s, list):
            return np.array(s, bool)
        if s == 'cross' or c == 1:
            return ndi.generate_binary_structure(2, 1)
        if s == 'square' or c == 2:
            return ndi.generate_binary_structure(2, 2)
        return None

    def reference(p, a):
        op, b = p['op'], a.astype(bool)
        if op == 'canny':
            return sfe.canny(grey, sigma=p['sigma'], low_threshold=p.get('low_threshold'), high_threshold=p.get('high_threshold'),
                             mask=b if p['in'] == ['g', 'x'] else None, use_quantiles=p.get('use_quantiles', False),
                             mode=p.get('mode', 'constant'), cval=p.get('cval', 0.0))
        if op == 'label':
            return ndi.label(b, structure=structure(p))[0]
        # SciPy 1.10's repeated binary erosion (iterations other than 1, and binary_fill_holes, which is one) tracks
        # the changed pixels in a list that overruns its memory when the structure is larger than the frame (heap
        # corruption, then a segfault some calls later: segmentation seeds 51346-51365 crashed this script; the op
        # fixtures avoid it the same way, tests/fixtures/opcases/morphology.py); brute_force=True repeats whole
        # passes to the same result. binary_fill_holes below is SciPy's own definition with that switch.
        if op == 'binary_fill_holes':
            filled = ndi.binary_dilation(np.zeros(b.shape, bool), structure(p), -1, ~b, None, 1, 0, brute_force=True)
            return ~filled
        if op.startswith('binary_'):
            kw = {'structure': structure(p), 'iterations': p.get('iterations', 1), 'border_value': p.get('border_value', 0),
                  'brute_force': True}
            if 'origin' in p:
                kw['origin'] = p['origin']
            if 'mask_level' in p:
                kw['mask'] = grey > p['mask_level']
            return getattr(ndi, op)(b, **kw)
        if op == 'clear_border':
            mask = grey > p['mask_level'] if 'mask_level' in p else None
            return ss.clear_border(a, buffer_size=p.get('buffer_size', 0), bgval=p.get('bgval', 0), mask=mask)
        if op == 'remove_small_objects':
            return sm.remove_small_objects(b, p['min_size'], connectivity=p['connectivity'])
        if op == 'remove_small_holes':
            return sm.remove_small_holes(b, p['area_threshold'], connectivity=p['connectivity'])
        if op == 'distance_transform_edt':
            return ndi.distance_transform_edt(b, sampling=p.get('sampling'))
        lab, n = ndi.label(b, structure=ndi.generate_binary_structure(2, p['connectivity']))  # keep_largest
        sizes = np.bincount(lab.ravel())[1:]
        keep = sorted(range(n), key=lambda k: (-sizes[k], k))[:p['n']]
        return np.isin(lab, [k + 1 for k in keep])

    return (img, grey), cases, reference


PERCENTILE_METHODS = ['inverted_cdf', 'averaged_inverted_cdf', 'closest_observation', 'interpolated_inverted_cdf', 'hazen',
                      'weibull', 'linear', 'median_unbiased', 'normal_unbiased', 'lower', 'higher', 'midpoint', 'nearest']

REGION_PROPERTIES = ['label', 'area', 'area_bbox', 'bbox_area', 'bbox', 'centroid', 'centroid_local', 'local_centroid', 'eccentricity',
                     'equivalent_diameter_area', 'equivalent_diameter', 'extent', 'axis_major_length', 'major_axis_length',
                     'axis_minor_length', 'minor_axis_length', 'orientation', 'perimeter']
REGION_INTENSITY = ['intensity_mean', 'mean_intensity', 'intensity_min', 'min_intensity', 'intensity_max', 'max_intensity']


def measure_family(rng, large=False):
    import skimage.measure as skm
    h, w = (int(rng.integers(150, 900)), int(rng.integers(150, 900))) if large else (int(rng.integers(1, 60)), int(rng.integers(1, 60)))
    mask = (ndi.gaussian_filter(rng.random((h, w)), float(rng.uniform(0, 2.5))) > rng.uniform(0.3, 0.7)).astype(np.float32)
    grey = (rng.random((h, w)) * 200).astype(np.float32)
    if rng.random() < 0.3:
        grey = np.round(grey)
    cases = []
    for i in range(12):
        op = str(rng.choice(['regionprops', 'stats', 'histogram']))
        p = {'op': op, 'out': 'json'}
        if op == 'regionprops':
            c = int(rng.integers(1, 3))
            p['pre'] = [{'id': f'lab{i}', 'op': 'label', 'in': 'x', 'connectivity': c}]
            p['in'] = [f'lab{i}', 'g'] if rng.random() < 0.6 else f'lab{i}'
            p['connectivity'] = c
            # Half the tables name their properties (drawn from a generator of their own, so the seeds' other draws
            # stay as they were before `properties` existed): a random order, repeats, old and new spellings.
            prng = np.random.default_rng([h, w, i])
            if prng.random() < 0.5:
                names = REGION_PROPERTIES + (REGION_INTENSITY if isinstance(p['in'], list) else [])
                p['properties'] = [str(n) for n in prng.choice(names, int(prng.integers(1, 8)))]
        elif op == 'stats':
            p['in'] = 'g'
            if rng.random() < 0.7:
                p['percentiles'] = sorted({float(q) for q in rng.choice([0, 1, 2.5, 5, 25, 50, 75, 95, 99, 100, round(float(rng.uniform(0, 100)), 3)], int(rng.integers(1, 5)))})
        else:
            p['in'] = 'g'
            lo = float(rng.uniform(-20, 100))
            p.update(min=lo, max=lo + float(rng.uniform(0, 200)), bins=int(rng.integers(1, 300)))
        cases.append(p)

    def reference(p, a):
        if p['op'] == 'regionprops':
            lab = skm.label(a.astype(bool), connectivity=p['connectivity'])
            props = ['label', 'area', 'centroid', 'bbox', 'perimeter', 'eccentricity']
            kw = {}
            if isinstance(p['in'], list):
                props += ['mean_intensity', 'min_intensity', 'max_intensity']
                kw['intensity_image'] = grey
            props = p.get('properties', props)
            return {k: np.asarray(v, np.float64) for k, v in skm.regionprops_table(lab, properties=props, **kw).items()}
        if p['op'] == 'stats':
            v = grey.astype(np.float64)
            ref = {'count': v.size, 'min': v.min(), 'max': v.max(), 'mean': v.mean(), 'median': np.median(v), 'std': v.std()}
            for q in p.get('percentiles', []):
                ref['p' + f'{q:g}'.replace('.', '_')] = np.percentile(v, q)
            return ref
        return {'counts': ndi.histogram(grey, p['min'], p['max'], p['bins'])}

    return (mask, grey), cases, reference


def chains_family(rng):
    """Random chains of stencil and element-wise steps (what the planner fuses), each output compared."""
    big = rng.random() < 0.3  # frames of several bands of rows
    h, w = (int(rng.integers(200, 700)), int(rng.integers(100, 700))) if big else (int(rng.integers(1, 80)), int(rng.integers(1, 80)))
    img = (rng.random((h, w)) * 255).astype(np.float32)
    if rng.random() < 0.5:
        img = np.round(ndi.gaussian_filter(img, 1.5)).astype(np.float32)
    cases = []
    prev = 'x'
    for i in range(30):
        if rng.random() < 0.15:
            prev = 'x'  # a new chain from the input
        op = str(rng.choice(['gaussian_filter', 'sobel', 'prewitt', 'uniform_filter', 'maximum_filter', 'abs', 'add', 'multiply',
                             'subtract', 'hypot', 'clip', 'normalize', 'laplace']))
        p = {'op': op, 'in': prev}
        if op in ('gaussian_filter', 'sobel', 'prewitt', 'uniform_filter', 'maximum_filter', 'laplace'):
            p['mode'] = str(rng.choice(MODES))
            if op == 'gaussian_filter':
                p['sigma'] = float(rng.uniform(0.5, 4))
            elif op in ('sobel', 'prewitt'):
                p['axis'] = int(rng.integers(0, 2))
            elif op != 'laplace':
                p['size'] = int(rng.integers(1, 8))
        elif op in ('add', 'multiply'):
            p['value'] = float(rng.choice([0.5, -3, 2, 1e-3]))
        elif op in ('subtract', 'hypot'):
            p['in'] = [prev, 'x']
        elif op == 'clip':
            p['min'], p['max'] = sorted([float(rng.uniform(-50, 100)), float(rng.uniform(0, 300))])
        elif op == 'normalize':
            p['max'] = float(rng.choice([1, 255]))
            p['method'] = str(rng.choice(['peak', 'range']))
        p['id'] = f's{i}'
        prev = f's{i}'
        cases.append(p)
    values = {'x': img}

    def reference(p, a):
        op = p['op']
        x = values[p['in'][0] if isinstance(p['in'], list) else p['in']]
        if op == 'gaussian_filter':
            r = ndi.gaussian_filter(x, p['sigma'], mode=p['mode'])
        elif op in ('sobel', 'prewitt'):
            r = getattr(ndi, op)(x, axis=p['axis'], mode=p['mode'])
        elif op == 'laplace':
            r = ndi.laplace(x, mode=p['mode'])
        elif op in ('uniform_filter', 'maximum_filter'):
            r = getattr(ndi, op)(x, size=p['size'], mode=p['mode'])
        elif op == 'abs':
            r = np.abs(x)
        elif op == 'add':
            r = x + np.float32(p['value'])
        elif op == 'multiply':
            r = x * np.float32(p['value'])
        elif op == 'subtract':
            r = x - img
        elif op == 'hypot':
            r = np.hypot(x, img)
        elif op == 'clip':
            r = np.clip(x, np.float32(p['min']), np.float32(p['max']))
        elif p['method'] == 'peak':
            m = x.max()
            r = x * np.float32(p['max']) / m if m != 0 else np.zeros_like(x)
        else:
            lo, hi = x.min(), x.max()
            r = np.float32(p['max']) * (x - lo) / (hi - lo) if hi != lo else np.zeros_like(x)
        r = np.asarray(r, np.float32)
        values[p['id']] = np.load(os.path.join(LAST_OUT[0], f"x_{p['id']}.npy"))  # the next step starts from ours
        return r

    return img, cases, reference


def expressions_family(rng):
    """`map` expressions in float arithmetic (the SIMD path where the docs say so) against NumPy float32, bit for bit."""
    h, w = (int(rng.integers(1, 70)), int(rng.integers(1, 70))) if rng.random() < 0.7 else (int(rng.integers(100, 400)), int(rng.integers(100, 400)))
    x = (rng.random((h, w)) * 510 - 255).astype(np.float32)
    y = (rng.random((h, w)) * 4 - 1).astype(np.float32)
    y[rng.random((h, w)) < 0.05] = 0  # divisions by zero
    cases = []

    def leaf():
        c = rng.random()
        if c < 0.35:
            return 'x', lambda v: v['x']
        if c < 0.7:
            return 'b', lambda v: v['b']
        # float literals only (an int / int in C# divides as integers), negatives in parentheses (no `--`)
        k = float(rng.choice([0.5, 2, 3, 0.1, 255, -1.5, 1e-3, 7]))
        text = f'{k!r}f' if k >= 0 else f'({k!r}f)'
        return text, (lambda k: lambda v: np.float32(k))(k)

    def tree(depth):
        if depth == 0 or rng.random() < 0.25:
            return leaf()
        c = rng.random()
        if c < 0.55:
            op = str(rng.choice(['+', '-', '*', '/']))
            (ta, fa), (tb, fb) = tree(depth - 1), tree(depth - 1)
            f = {'+': np.add, '-': np.subtract, '*': np.multiply, '/': np.divide}[op]
            return f'({ta} {op} {tb})', (lambda f, fa, fb: lambda v: f(np.float32(fa(v)), np.float32(fb(v)), dtype=np.float32))(f, fa, fb)
        if c < 0.7:
            ta, fa = tree(depth - 1)
            return f'MathF.Sqrt({ta})', (lambda fa: lambda v: np.sqrt(np.float32(fa(v)), dtype=np.float32))(fa)
        if c < 0.8:
            ta, fa = tree(depth - 1)
            return f'MathF.Abs({ta})', (lambda fa: lambda v: np.abs(np.float32(fa(v))))(fa)
        if c < 0.88:
            ta, fa = tree(depth - 1)
            return f'(-{ta})', (lambda fa: lambda v: np.negative(np.float32(fa(v))))(fa)
        (ta, fa), (tb, fb), (tc, fc), (td, fd) = tree(depth - 1), tree(depth - 1), tree(depth - 1), tree(depth - 1)
        cmp = str(rng.choice(['<', '>', '<=', '>=', '==', '!=']))
        g = {'<': np.less, '>': np.greater, '<=': np.less_equal, '>=': np.greater_equal, '==': np.equal, '!=': np.not_equal}[cmp]
        return (f'({ta} {cmp} {tb} ? {tc} : {td})',
                (lambda g, fa, fb, fc, fd: lambda v: np.where(g(np.float32(fa(v)), np.float32(fb(v))), np.float32(fc(v)), np.float32(fd(v))).astype(np.float32))(g, fa, fb, fc, fd))

    for _ in range(20):
        text, f = tree(int(rng.integers(1, 5)))
        cases.append({'op': 'map', 'in': {'x': 'x', 'b': 'g'}, 'expr': text, 'fn': f})

    def reference(p, a):
        with np.errstate(all='ignore'):
            return np.broadcast_to(np.asarray(p['fn']({'x': x, 'b': y}), np.float32), x.shape)

    return (x, y), cases, reference

def layout_family(rng):
    """The exact re-arrangements and the Fourier chain: crop (box / center), flip, rot90, numpy.pad (every mode,
    widths beyond the frame, every pad_width / constant_values / end_values / stat_length form, reflect_type odd), downsample (block means), where (numbers and
    expressions), fourier_gaussian on an image (the tutorial's way) and fft2 -> fourier_gaussian (full or rfft-style
    n / axis) -> ifft2 (real / imag / abs), on 8-bit, 16-bit and float frames of 1-40 pixels a side (a quarter of
    them 100-700: the vector and threaded paths), a NaN or an infinity in a fifth of the float ones."""
    h, w = (int(rng.integers(100, 700)), int(rng.integers(100, 700))) if rng.random() < 0.25 else (int(rng.integers(1, 41)), int(rng.integers(1, 41)))
    kind = rng.random()
    if kind < 0.3:
        img = rng.integers(0, 256, (h, w)).astype(np.uint8)
    elif kind < 0.5:
        img = rng.integers(0, 65536, (h, w)).astype(np.uint16)
    else:
        img = (rng.random((h, w)) * 510 - 255).astype(np.float32)
        if rng.random() < 0.2:
            img[int(rng.integers(0, h)), int(rng.integers(0, w))] = float(rng.choice([np.nan, np.inf, -np.inf]))
    cases = []

    def pair_form(values, g=None):
        """numpy's forms of a per-axis (before, after) matrix: n, [b, a], [[n0], [n1]] or [[b0, a0], [b1, a1]]."""
        c = (g or rng).random()
        if c < 0.25:
            return values[0][0]
        if c < 0.5:
            return [values[0][0], values[0][1]]
        if c < 0.7:
            return [[values[0][0]], [values[1][0]]]
        return [list(values[0]), list(values[1])]

    for i in range(24):
        op = str(rng.choice(['crop', 'flip', 'rot90', 'pad', 'pad', 'downsample', 'where', 'fourier_gaussian', 'ifft2', 'ifft2']))
        p = {'op': op}
        if op == 'crop':
            if rng.random() < 0.5:
                r0, c0 = int(rng.integers(0, h)), int(rng.integers(0, w))
                p['box'] = [r0, c0, int(rng.integers(1, h - r0 + 1)), int(rng.integers(1, w - c0 + 1))]
            else:
                p['center'] = [int(rng.integers(1, h + 1)), int(rng.integers(1, w + 1))]
        elif op == 'flip':
            if rng.random() < 0.75:
                p['axis'] = int(rng.choice([-2, -1, 0, 1]))
        elif op == 'rot90':
            p['k'] = int(rng.choice([-5, -3, -2, -1, 0, 1, 2, 3, 4, 7, 1001]))
        elif op == 'pad':
            p['mode'] = str(rng.choice(['constant', 'edge', 'reflect', 'symmetric', 'wrap']))
            widths = [[int(rng.choice([0, 1, 2, int(rng.integers(0, 3 * s + 3))])) for _ in range(2)] for s in (h, w)]
            p['pad_width'] = pair_form(widths)
            if p['mode'] == 'constant' and rng.random() < 0.7:
                p['constant_values'] = pair_form([[float(rng.integers(-300, 300)) for _ in range(2)] for _ in range(2)])
            # The computing modes (linear_ramp, the statistics, reflect_type odd) on half the pad steps, from a
            # generator of their own so the draws above stay as earlier seeds had them.
            crng = np.random.default_rng([h, w, len(cases), 31])
            if crng.random() < 0.5:
                p.pop('constant_values', None)
                p['mode'] = str(crng.choice(['linear_ramp', 'maximum', 'mean', 'median', 'minimum', 'reflect', 'symmetric']))
                if p['mode'] == 'linear_ramp' and crng.random() < 0.7:
                    p['end_values'] = pair_form([[float(crng.integers(-300, 300)) for _ in range(2)] for _ in range(2)], crng)
                elif p['mode'] in ('reflect', 'symmetric'):
                    p['reflect_type'] = 'odd'
                elif p['mode'] in ('maximum', 'mean', 'median', 'minimum') and crng.random() < 0.6:
                    least = 1 if p['mode'] in ('maximum', 'minimum') else 0
                    p['stat_length'] = pair_form([[int(crng.choice([least, 1, 2, int(crng.integers(least, 2 * s + 2))])) for _ in range(2)] for s in (h, w)], crng)
        elif op == 'downsample':
            p['factor'] = int(rng.integers(1, min(h, w) + 1))
        elif op == 'where':
            t = float(rng.integers(-100, 200))
            p['cond'] = str(rng.choice([f'x > {t!r}f', f'x <= {t!r}f', 'x != 0', f'x * 2f < {t!r}f']))
            then = [float(rng.integers(-5, 300)), 'x', 'x * 0.5f', '255f - x']
            other = [0.0, float(rng.integers(-5, 300)), 'x', '-x']
            p['then'], p['else'] = then[int(rng.integers(0, 4))], other[int(rng.integers(0, 4))]
        else:
            g = {'id': f'g{i}', 'op': 'fourier_gaussian',
                 'sigma': float(rng.uniform(0, 4)) if rng.random() < 0.5 else [float(rng.uniform(0, 4)), float(rng.uniform(0, 4))]}
            if op == 'fourier_gaussian':
                p.update({k: v for k, v in g.items() if k not in ('id', 'op')})  # on the image itself, as the tutorial
            else:
                if rng.random() < 0.3:
                    g['axis'] = int(rng.choice([-2, -1, 0, 1]))
                    g['n'] = int(rng.integers(1, 2 * max(h, w) + 1))  # 0 is refused (SciPy divides by it)
                g['in'] = f'f{i}'
                p['pre'] = [{'id': f'f{i}', 'op': 'fft2', 'in': 'x'}, g]
                p['in'] = f'g{i}'
                p['part'] = str(rng.choice(['real', 'imag', 'abs']))
                norm = str(np.random.default_rng([h, w, i, 17]).choice(['backward', 'ortho', 'forward']))  # its own draws
                if norm != 'backward':
                    p['pre'][0]['norm'] = p['norm'] = norm  # the same norm both ways: the round trip keeps the input's scale
                p['input_scale'] = True  # float32 spectra (numpy's are float64): errors relative to the input's magnitude
        cases.append(p)

    def expr(text, x):
        if not isinstance(text, str):
            return np.float32(text)
        x = x.astype(np.float32)
        return {'x': x, 'x * 0.5f': x * np.float32(0.5), '255f - x': np.float32(255) - x, '-x': -x}[text]

    def reference(p, a):
        op = p['op']
        if op == 'crop':
            if 'box' in p:
                r0, c0, r, c = p['box']
            else:
                r, c = p['center']
                r0, c0 = (a.shape[0] - r) // 2, (a.shape[1] - c) // 2
            return a[r0:r0 + r, c0:c0 + c]
        if op == 'flip':
            return np.flip(a, p.get('axis'))
        if op == 'rot90':
            return np.rot90(a, p['k'])
        if op == 'pad':
            kw = {k: p[k] for k in ('constant_values', 'end_values', 'stat_length', 'reflect_type') if k in p}
            with np.errstate(all='ignore'):
                return np.pad(a.astype(np.float32), p['pad_width'], mode=p['mode'], **kw)
        if op == 'downsample':
            f = p['factor']
            R, C = a.shape[0] // f * f, a.shape[1] // f * f
            return a[:R, :C].astype(np.float64).reshape(R // f, f, C // f, f).mean(axis=(1, 3))
        if op == 'where':
            x = a.astype(np.float32)
            c = p['cond']
            t = float(c.split()[-1][:-1]) if c != 'x != 0' else 0
            cond = {'>': x > t, '<=': x <= t, '!=': x != 0, '<': x * np.float32(2) < t}[c.split()[-2]]
            return np.where(cond, expr(p['then'], x), expr(p['else'], x)).astype(np.float32)
        if op == 'fourier_gaussian':
            return ndi.fourier_gaussian(a.astype(np.float64), p['sigma'])
        g = p['pre'][1]
        norm = p.get('norm', 'backward')
        spec = ndi.fourier_gaussian(np.fft.fft2(a.astype(np.float64), norm=norm), g['sigma'], n=g.get('n', -1), axis=g.get('axis', -1))
        z = np.fft.ifft2(spec, norm=norm)
        return {'real': z.real, 'imag': z.imag, 'abs': np.abs(z)}[p['part']]

    return img, cases, reference


def stacks_family(rng):
    """A stack of 2-5 frames (one .npy, kind stack) through the steps of the filters, rank, geometry, nonfinite or
    layout family: every 2-D op applies frame by frame, so each output must be the reference of each frame, stacked
    (frame offsets, threads split across frames, per-frame prefilters and FFTs)."""
    family = str(rng.choice(['filters', 'rank', 'geometry', 'nonfinite', 'layout']))
    first, cases, reference = FAMILIES[family](rng)
    if family == 'layout':
        cases = [p for p in cases if p['op'] != 'where' or rng.random() < 0.5]
    frames = [first]
    for _ in range(int(rng.integers(1, 5))):
        c = rng.random()
        if c < 0.4:
            f = rng.permutation(first.ravel()).reshape(first.shape)  # same values, other places
        elif c < 0.7:
            f = np.flip(first, int(rng.integers(0, 2))).copy()
        else:
            f = first.copy()
            f[int(rng.integers(0, f.shape[0])), int(rng.integers(0, f.shape[1]))] = first.max() if first.size else 0
        frames.append(f)
    stack = np.stack(frames)

    def per_frame(p, a):
        return np.stack([np.asarray(reference(p, f), np.float64) for f in a])

    return stack, cases, per_frame


def display_family(rng):
    """montage and window on a stack of 1-9 frames of 1-30 pixels a side (8-bit, 16-bit or float; a NaN or an
    infinity in a fifth of the float ones). montage against scikit-image's util.montage (grid_shape, padding_width,
    fill, rescale_intensity; fill defaulting to the stack's mean in its dtype) and its extension (columns, gap)
    against the tiles placed by numpy; window (DICOM's LINEAR VOI window) against pydicom's apply_windowing, whose
    output range comes from Bits Stored / Pixel Representation and Rescale Slope / Intercept (given to window as
    output_min / output_max), inverted by hand where invert is true."""
    n, h, w = int(rng.integers(1, 10)), int(rng.integers(1, 31)), int(rng.integers(1, 31))
    kind = rng.random()
    if kind < 0.3:
        stack = rng.integers(0, 256, (n, h, w)).astype(np.uint8)
    elif kind < 0.5:
        stack = rng.integers(0, int(rng.choice([4096, 65536])), (n, h, w)).astype(np.uint16)
    else:
        stack = (rng.random((n, h, w)) * float(rng.choice([1, 300, 4000])) - float(rng.choice([0, 100, 1024]))).astype(np.float32)
        if rng.random() < 0.2:
            stack[int(rng.integers(0, n)), int(rng.integers(0, h)), int(rng.integers(0, w))] = float(rng.choice([np.nan, np.inf, -np.inf]))
    integer = stack.dtype != np.float32
    finite = stack[np.isfinite(stack)].astype(np.float64)
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    cases = []
    for _ in range(16):
        op = str(rng.choice(['montage', 'montage', 'window']))
        p = {'op': op}
        if op == 'montage':
            if rng.random() < 0.7:
                if rng.random() < 0.6:
                    rows = int(rng.integers(1, n + 1))
                    p['grid_shape'] = [rows, -(-n // rows) + int(rng.integers(0, 2))]
                if rng.random() < 0.6:
                    p['padding_width'] = int(rng.integers(0, 4))
                if rng.random() < 0.3:
                    p['rescale_intensity'] = True
            else:
                if rng.random() < 0.8:
                    p['columns'] = int(rng.integers(0, n + 2))
                if rng.random() < 0.7:
                    p['gap'] = int(rng.integers(0, 4))
            if rng.random() < 0.5:  # a number; else the default, the stack's mean in its dtype
                p['fill'] = float(rng.choice([0, 7.5, 100.25])) if integer else float(rng.choice([-1.5, 0, 7.5, 1e4]))
        else:
            bits, signed = [(8, 0), (12, 0), (16, 0), (12, 1), (16, 1)][int(rng.integers(0, 5))]
            slope, intercept = (float(rng.choice([0.5, 1, 2.5])), float(rng.choice([-1024, 0, 10.5]))) if rng.random() < 0.4 else (None, None)
            p['center'] = round(float(rng.uniform(lo - 0.2 * (hi - lo) - 1, hi + 0.2 * (hi - lo) + 1)), 2)
            p['width'] = float(rng.choice([1, 1.5, 2, round(float(rng.uniform(1, 2 * (hi - lo) + 2)), 2)]))
            p['invert'] = str(rng.choice(['auto', 'true', 'false']))
            p['dicom'] = (bits, signed, slope, intercept)
            y_min, y_max = (0, 2 ** bits - 1) if signed == 0 else (-2 ** (bits - 1), 2 ** (bits - 1) - 1)
            if slope is not None:
                y_min, y_max = y_min * slope + intercept, y_max * slope + intercept
            p['output_min'], p['output_max'] = float(y_min), float(y_max)
        cases.append(p)

    def reference(p, a):
        if p['op'] == 'window':
            from pydicom.dataset import Dataset
            from pydicom.pixel_data_handlers.util import apply_windowing
            bits, signed, slope, intercept = p['dicom']
            ds = Dataset()
            ds.BitsStored, ds.PixelRepresentation = bits, signed
            ds.PhotometricInterpretation = 'MONOCHROME2'
            ds.WindowCenter, ds.WindowWidth, ds.VOILUTFunction = p['center'], p['width'], 'LINEAR'
            if slope is not None:
                ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
            with np.errstate(divide='ignore', invalid='ignore'):
                y = apply_windowing(a.astype(np.float64), ds)
            return p['output_max'] + p['output_min'] - y if p['invert'] == 'true' else y
        if 'columns' in p or 'gap' in p:
            count, th, tw = a.shape
            columns = min(p.get('columns') or count, count)  # more columns than frames: one row of them all
            rows, gap = -(-count // columns), p.get('gap', 0)
            fill = p.get('fill', a.mean(dtype=np.float64))
            out = np.full((rows * th + (rows - 1) * gap, columns * tw + (columns - 1) * gap), fill, dtype=a.dtype)
            for i in range(count):
                r0, c0 = (i // columns) * (th + gap), (i % columns) * (tw + gap)
                out[r0:r0 + th, c0:c0 + tw] = a[i]
            return out
        from skimage.util import montage
        kw = {k: (tuple(v) if k == 'grid_shape' else v) for k, v in p.items() if k in ('grid_shape', 'padding_width', 'fill', 'rescale_intensity')}
        with np.errstate(invalid='ignore'):
            return montage(a.copy(), **kw)  # montage rescales the array it is given in place

    return stack, cases, reference


LAST_OUT = ['']


FAMILIES = {
    'rank': rank_family,
    'rank-large': lambda rng: rank_family(rng, large=True),
    'rank-continuous': lambda rng: rank_family(rng, large=True, continuous=True),
    'filters': filters_family,
    'correlate-large': correlation_large_family,
    'edges': lambda rng: filters_family(rng, short=True),
    'geometry': geometry_family,
    'geometry-large': lambda rng: geometry_family(rng, large=True),
    'geometry-tall': lambda rng: geometry_family(rng, large=True, tall=True),
    'intensity': intensity_family,
    'intensity-large': lambda rng: intensity_family(rng, large=True),
    'segmentation': segmentation_family,
    'measure': measure_family,
    'segmentation-large': lambda rng: segmentation_family(rng, large=True),
    'measure-large': lambda rng: measure_family(rng, large=True),
    'chains': chains_family,
    'expressions': expressions_family,
    'nonfinite': nonfinite_family,
    'ridges': ridges_family,
    'matching': matching_family,
    'bandpass': bandpass_family,
    'ridges-large': lambda rng: ridges_family(rng, large=True),
    'layout': layout_family,
    'stacks': stacks_family,
    'display': display_family,
}


# ---------------------------------------------------------------------------------------------- runner

def write_input(folder, name, a):
    if a.ndim == 3:  # a stack: one .npy of its own dtype
        path = os.path.join(folder, name + '.npy')
        np.save(path, a)
    elif a.dtype in (np.uint8, np.uint16):
        import imageio
        path = os.path.join(folder, name + '.png')
        imageio.imwrite(path, a)
    else:
        path = os.path.join(folder, name + '.npy')
        np.save(path, a.astype(np.float32))
    return path


def run_seed(family, seed, xrayflow, work):
    rng = np.random.default_rng(seed)
    img, cases, reference = FAMILIES[family](rng)
    grey = None
    if isinstance(img, tuple):
        img, grey = img
    inputs = {'x': write_input(work, 'x', img)}
    if grey is not None:
        inputs['g'] = write_input(work, 'g', grey)
    kind = 'stack' if img.ndim == 3 else 'image'
    recipe = {'xrayflow': 1, 'name': 'fuzz', 'inputs': {k: {'kind': kind} for k in inputs}, 'steps': [], 'outputs': {}}
    for i, p in enumerate(cases):
        recipe['steps'] += p.get('pre', [])
        step = {'id': p.get('id', f's{i}'), 'in': p.get('in', 'x')}
        step.update({k: v for k, v in p.items() if k not in ('in', 'pre', 'out', 'connectivity', 'fn', 'input_scale', 'mask_level', 'dicom', 'words', 'step_connectivity') or (k == 'connectivity' and ('pre' not in p or p.get('step_connectivity')))})
        recipe['steps'].append(step)
        json_out = p['op'] in SCALARS or p.get('out') == 'json'
        sid = step['id']
        recipe['outputs'][sid] = f'{{stem}}_{sid}.json' if json_out else f'{{stem}}_{sid}.npy'
    recipe_path = os.path.join(work, 'fuzz.yaml')
    with open(recipe_path, 'w') as f:
        yaml.safe_dump(recipe, f, sort_keys=False)
    out = os.path.join(work, 'out')
    LAST_OUT[0] = out
    shutil.rmtree(out, ignore_errors=True)
    args = [xrayflow, 'run', recipe_path, '--out', out] + THREADS
    for k, v in inputs.items():
        args += ['--input', f'{k}={v}']
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode:
        print(f'seed {seed}: xrayflow exit {r.returncode}\n{r.stdout[-2000:]}{r.stderr[-2000:]}')
        return 0, 0, 1
    bad = known = 0
    for i, p in enumerate(cases):
        shown = {k: v for k, v in p.items() if k not in ('footprint', 'structure', 'pre', 'fn', 'input_scale') or isinstance(v, str)}
        ref = reference(p, img)
        if isinstance(ref, dict):
            with open(os.path.join(out, f'x_s{i}.json')) as f:
                got = json.load(f)
            wrong = []
            if 'properties' in p and [k for k in got if k != 'input'] != list(ref):
                wrong.append(f'columns {list(got)} against {list(ref)}')
            for key, want in ref.items():
                have = np.asarray(got.get(key, np.nan), np.float64)
                want = np.asarray(want, np.float64)
                scale = max(1.0, float(np.abs(want).max())) if want.size else 1.0
                if key == 'orientation' and have.shape == want.shape and want.size:
                    # skimage 0.19 gives -pi/4 where a region's inertia tensor ties (a = c) with b < 0 and pi/4
                    # otherwise, the sign error fixed in 0.21 (scikit-image issue 6815): XRayFlow takes the fixed
                    # rule on its exact moments; 0.19's own float sums miss the tie often and then agree. And where
                    # mu11 is exactly 0 with a > c (a horizontal major axis), XRayFlow's exact b = -0 gives pi/2, and
                    # skimage's float b (+-1e-17) pi/2 or -pi/2: the same axis.
                    off = np.abs(have - want) > 1e-4
                    ties = np.isclose(np.abs(have), np.pi / 4) | np.isclose(np.abs(have), np.pi / 2)
                    if off.any() and ties[off].all() and np.allclose(have[off], -want[off]):
                        known += 1
                        print(f'known   seed {seed} {img.shape}: orientation at a tie of the inertia tensor (+-pi/4, skimage 0.19 sign error) or of a horizontal axis (+-pi/2) (README)')
                        continue
                if have.shape != want.shape or (want.size and np.abs(have - want).max() > 1e-4 * scale):
                    wrong.append(f'{key}: {have.tolist() if have.size < 8 else have.shape} against {want.tolist() if want.size < 8 else want.shape}')
            if wrong:
                bad += 1
                print(f'MISMATCH seed {seed} {img.shape} {shown}: ' + '; '.join(wrong))
            continue
        if p['op'] in SCALARS:
            with open(os.path.join(out, f'x_s{i}.json')) as f:
                got = json.load(f)['value']
            if abs(got - float(ref)) > 1e-4 * max(1.0, abs(float(ref))):
                bad += 1
                print(f'MISMATCH seed {seed} {img.shape} {shown}: {got} against {float(ref)}')
            continue
        got = np.load(os.path.join(out, f'x_s{i}.npy'))
        ref = np.asarray(ref, np.float64)
        if got.shape != ref.shape:
            bad += 1
            print(f'MISMATCH seed {seed} {img.shape} {shown}: shape {got.shape} against {ref.shape}')
            continue
        if 'fn' in p:  # expressions: float32 arithmetic both sides, so the same values (NaN where NaN)
            if not np.array_equal(got, ref.astype(np.float32), equal_nan=True):
                bad += 1
                wrong = np.argwhere(~((got == ref) | (np.isnan(got) & np.isnan(ref))))
                print(f'MISMATCH seed {seed} {img.shape} {shown}: {len(wrong)} of {ref.size} values, first at '
                      f'{wrong[0].tolist()}: {got[tuple(wrong[0])]!r} against {ref[tuple(wrong[0])]!r}')
            continue
        scale, err = difference(got, ref)
        if p['op'] in ('frangi', 'hessian', 'sato', 'meijering', 'difference_of_gaussians'):
            # Their values are often far below 1 (frangi of an 8-bit image: ~1e-5), so the floor of 1 would check
            # nothing: 1e-4 of the largest value, plus two float32 steps near 1 (1 - exp(-y), the exp's last bit) on
            # the float32 path or a float64 step on the float64 one.
            finite = np.isfinite(ref)
            top = float(np.abs(ref[finite]).max()) if finite.any() else 0.0
            scale = top + (2.4e-7 if img.dtype == np.float32 else 1e-15) / 1e-4
        if p.get('input_scale'):  # a result that is rounding noise of the input (ifft2's imag part): its magnitude
            a = np.abs(img.astype(np.float64))
            scale = max(scale, float(a[np.isfinite(a)].max(initial=0)))
        if ref.size and err.max() > 1e-4 * scale:
            if img.ndim == 3:  # a stack: each frame far-reflected on its own
                fars = [reflected_far(p, f) for f in img]
                far = None if fars[0] is None else np.stack(fars)
            else:
                far = reflected_far(p, img)
            if far is not None and difference(got, far)[1].max() <= 1e-4 * scale:
                known += 1
                print(f'known   seed {seed} {img.shape} {shown}: SciPy offset table beyond 2 periods (README); '
                      f'equal to the far-reflected reference')
                continue
            if p.get('input_scale') and not np.isfinite(img).all() and not np.isfinite(got).any() and not np.isfinite(ref).any():
                # The FFT of a frame holding NaN or an infinity is non-finite everywhere on both sides; which values
                # are infinite rather than NaN follows each FFT's order of arithmetic (README, known differences).
                known += 1
                print(f'known   seed {seed} {img.shape} {shown}: an FFT of a non-finite frame, non-finite everywhere both sides (README)')
                continue
            off = err > 1e-4 * scale
            if p['op'] == 'hessian' and (((got[off] == 1) & (np.abs(ref[off]) < 1e-6)) | ((ref[off] == 1) & (np.abs(got[off]) < 1e-6))).all():
                # hessian sets frangi's values <= 0 to 1: where frangi's value is within an exp's last bit of 0, one
                # side has 1 and the other ~1e-8 (README, known differences).
                known += 1
                print(f'known   seed {seed} {img.shape} {shown}: {int(off.sum())} pixel(s) of frangi within an exp\'s last bit of 0, 1 on one side (README)')
                continue
            if pre_pad_only(p, img, np.argwhere(err > 1e-4 * scale)):
                known += 1
                print(f'known   seed {seed} {img.shape} {shown}: an infinity, outputs reading only the spline pre-pad (README)')
                continue
            bad += 1
            print(f'MISMATCH seed {seed} {img.shape} {shown}: {(err > 1e-4 * scale).sum()} of {ref.size} values, '
                  f'largest difference {err.max():g}, first at {np.argwhere(err > 1e-4 * scale)[0].tolist()}')
    if family == 'chains':
        bad += fused_run_differs(recipe, recipe_path, inputs, out, xrayflow, work, seed)
    print(f'seed {seed} {img.dtype} {img.shape}: {len(cases) - bad - known}/{len(cases)} equal, {known} known differences')
    return len(cases) - bad - known, known, bad


def difference(got, ref):
    """(scale, |got - ref|) where NaN against NaN and equal infinities count 0 and NaN or infinity against anything
    else counts infinite; the scale is the reference's largest finite magnitude (at least 1)."""
    ref = np.asarray(ref, np.float64)
    got = np.asarray(got, np.float64)
    finite = np.isfinite(ref)
    scale = max(1.0, float(np.abs(ref[finite]).max())) if finite.any() else 1.0
    with np.errstate(invalid='ignore'):
        err = np.abs(got - ref)
    same = (np.isnan(got) & np.isnan(ref)) | (np.isinf(got) & (got == ref))
    err = np.where(same, 0.0, np.where(np.isnan(err), np.inf, err))
    return scale, err


def fused_run_differs(recipe, recipe_path, inputs, out, xrayflow, work, seed):
    """
    The recipe again with outputs only at the ends of its chains (so the planner fuses the steps between, where
    every step's output kept each one whole before): the end files must be byte-identical. 1 if not.
    """
    used = {i for st in recipe['steps'] for i in (st['in'] if isinstance(st['in'], list) else [st['in']])}
    ends = [st['id'] for st in recipe['steps'] if st['id'] not in used]
    recipe = dict(recipe, outputs={sid: recipe['outputs'][sid] for sid in ends})
    with open(recipe_path, 'w') as f:
        yaml.safe_dump(recipe, f, sort_keys=False)
    plan = subprocess.run([xrayflow, 'plan', recipe_path] + [a for k, v in inputs.items() for a in ('--input', f'{k}={v}')],
                          capture_output=True, text=True).stdout
    out2 = os.path.join(work, 'out_fused')
    shutil.rmtree(out2, ignore_errors=True)
    args = [xrayflow, 'run', recipe_path, '--out', out2] + THREADS + [a for k, v in inputs.items() for a in ('--input', f'{k}={v}')]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode:
        print(f'MISMATCH seed {seed}: the run with chain-end outputs failed: {r.stdout[-1000:]}{r.stderr[-1000:]}')
        return 1
    for sid in ends:
        name = f'x_{sid}.npy'
        with open(os.path.join(out, name), 'rb') as f1, open(os.path.join(out2, name), 'rb') as f2:
            if f1.read() != f2.read():
                print(f'MISMATCH seed {seed}: {sid} differs between the run with every output and the fused run\n{plan}')
                return 1
    groups = plan.count('  group ')
    print(f'seed {seed}: {len(ends)} chain ends byte-identical with {groups} fused group(s)')
    return 0


# `--threads N` given: passed on to every `xrayflow run`.
THREADS = []


def main():
    xrayflow, _, argv = fuzzargs.parse(sys.argv[1:])
    if '--threads' in argv:
        k = argv.index('--threads')
        THREADS[:] = ['--threads', str(int(argv[k + 1]))]
        del argv[k:k + 2]
    if not argv or argv[0] not in FAMILIES:
        print(__doc__)
        sys.exit(2)
    first = int(argv[1]) if len(argv) > 1 else 1
    last = int(argv[2]) if len(argv) > 2 else first + 9
    total_ok = total_known = total_bad = 0
    with tempfile.TemporaryDirectory() as work:
        for seed in range(first, last + 1):
            ok, known, bad = run_seed(argv[0], seed, xrayflow, work)
            total_ok, total_known, total_bad = total_ok + ok, total_known + known, total_bad + bad
    print(f'{argv[0]}: {total_ok} steps equal, {total_known} known differences, {total_bad} differ')
    sys.exit(1 if total_bad else 0)


if __name__ == '__main__':
    main()
