#!/usr/bin/python3
"""Differential fuzz of the image readers on valid files (run by hand; CI does not run it).

codecs.py checks that damaged files are refused cleanly; this checks that valid ones are read right. Per seed it
writes COUNT random valid images with encoders nobody here wrote, reads them all with one `xrayflow run` batch (a
recipe with no steps that writes each input as `.npy`), and compares every array with the value docs/codecs.md and
docs/dicom.md promise, bit for bit (NaN as NaN):

  png-hand   PNGs written field by field (tests/fixtures/gen_png_decode.py's writer): every colour type and bit depth,
             Adam7, a random filter type per row, IDAT split at random sizes, zlib levels 0-9, ancillary chunks;
             expected from the samples written, and the file must decode to those samples in libpng (OpenCV) too
  png-cv2    OpenCV (libpng) 8- / 16-bit grey, BGR, BGRA, bilevel, every compression level and strategy
  png-pil    Pillow's own encoder: modes 1, L, I;16, LA, P (1-8 bit palettes), RGB, RGBA, optimize on / off
  jpeg-cv2   OpenCV (libjpeg-turbo) grey and colour, quality 1-100, progressive, optimized Huffman tables, restart
             intervals, separate luma / chroma quality; expected: Pillow's decode (libjpeg-turbo)
  jpeg-pil   Pillow grey, colour and CMYK (Adobe), subsampling 4:4:4 / 4:2:2 / 4:2:0, progressive, optimize
  dicom      pydicom: Bits Allocated 1 / 8 / 16 / 32 (1: bit-packed), any Bits Stored, signed and unsigned, the high
             bits sign-extended or zero, Rescale Slope / Intercept as decimal strings, MONOCHROME1 / 2, RGB of both
             planar configurations, implicit / explicit / big-endian / deflated / RLE, JPEG baseline inside DICOM,
             with or without preamble (read with --dicom-without-preamble), private and nested elements (an icon
             image sequence with pixel data of its own among them) before the pixels (JPEG inside DICOM must be refused as docs/dicom.md says), a random Window Center / Width
             (one or two values) or none; expected: the stored values
             times the slope plus the intercept in float64, to float32 (checked against pydicom's
             apply_modality_lut where pydicom reads the values the same way)
  npy        numpy.save of bool, (u)int8-64, float16/32/64 (either byte order, NaN and infinities), complex64/128,
             format versions 1-3; expected: astype(float32) (complex64 for complex)

Each single-frame grey DICOM also goes through the `window` op with the header's first window (MONOCHROME1
inverted), compared with docs/dicom.md's formula in float64 (or, without a window, its refusal); every hash in the
manifests must be the file's SHA-256. `xrayflow info --json` of every file is compared with numpy's min / max / median (exactly) and mean / std (within
1e-12) on the expected array. Frames are 1-160 pixels a side (4% of them 161-1200). Prints a line per mismatch or refused file and a summary; exit 1 if any.

    /usr/bin/python3 tests/fuzz/decoders.py SEED COUNT [--xrayflow PATH] [--messages]
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zlib

import cv2
import numpy as np
from PIL import Image, ImageFile

import fuzzargs

sys.path.insert(0, os.path.join(fuzzargs.ROOT, 'tests', 'fixtures'))
import gen_png_decode as pngw  # noqa: E402  (the fixtures' PNG writer: chunk, scanlines, adam7, expected_of)

np.seterr(all='ignore')  # float16 / float32 casts of large values overflow to infinity on purpose
ImageFile.MAXBLOCK = 1 << 26  # Pillow's progressive / optimized JPEG of a large frame needs the whole output in one block

RECIPE = """xrayflow: 1
name: decode
inputs:
  x: image
steps: []
outputs:
  v: {from: x, path: "{stem}.npy"}
"""


def luma(rgb):
    rgb = rgb.astype(np.float64)
    return (0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]).astype(np.float32)


def content(rnd, h, w, ch, maxv):
    """Smooth (a gradient with noise), random, or flat with a few edges, as int64 h x w x ch."""
    rng = np.random.default_rng(rnd.randrange(2**32))
    kind = rnd.random()
    if kind < 0.5:
        return pngw.image(rng, h, w, ch, maxv, smooth=True)
    if kind < 0.8:
        return rng.integers(0, maxv + 1, size=(h, w, ch), dtype=np.int64)
    pix = np.full((h, w, ch), rnd.randint(0, maxv), dtype=np.int64)
    pix[h // 2:, : w // 3] = rnd.randint(0, maxv)
    return pix


def size(rnd):
    if rnd.random() < 0.04:
        return rnd.randint(161, 1200), rnd.randint(161, 1200)  # the readers' vector and threaded paths
    return (rnd.randint(1, 160) if rnd.random() < 0.8 else rnd.randint(1, 9)), (rnd.randint(1, 160) if rnd.random() < 0.8 else rnd.randint(1, 9))


# ---------------------------------------------------------------- PNG


def png_hand(rnd, path):
    ctype = rnd.choice([0, 2, 3, 4, 6])
    depth = rnd.choice({0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]}[ctype])
    h, w = size(rnd)
    ch = pngw.CHANNELS[ctype]
    plte = None
    if ctype == 3:
        entries = rnd.randint(1, 2 ** depth)
        plte = bytes(rnd.randrange(256) for _ in range(3 * entries))
        pix = content(rnd, h, w, 1, entries - 1)
    else:
        pix = content(rnd, h, w, ch, 2 ** depth - 1)
    interlace = rnd.random() < 0.3
    filters = [rnd.randrange(5) for _ in range(max(h, 8))]
    flat = pix.reshape(h, w * ch)
    raw = pngw.adam7(flat, depth, ctype, filters) if interlace else pngw.scanlines(flat, depth, ctype, filters)
    z = zlib.compress(raw, rnd.randint(0, 9))
    parts = [z]
    if rnd.random() < 0.4:
        parts, pos = [], 0
        while pos < len(z):
            n = rnd.randint(1, 300)
            parts.append(z[pos:pos + n])
            pos += n
    out = b'\x89PNG\r\n\x1a\n' + pngw.chunk(b'IHDR', np.array([w, h], '>u4').tobytes() + bytes([depth, ctype, 0, 0, int(interlace)]))
    if rnd.random() < 0.3:
        out += pngw.chunk(b'tEXt', b'Comment\x00fuzz') + pngw.chunk(b'gAMA', (45455).to_bytes(4, 'big'))
    if plte is not None:
        out += pngw.chunk(b'PLTE', plte)
        if rnd.random() < 0.3:
            out += pngw.chunk(b'tRNS', bytes(rnd.randrange(256) for _ in range(rnd.randint(1, len(plte) // 3))))
    elif ctype == 0 and rnd.random() < 0.2:
        out += pngw.chunk(b'tRNS', rnd.randrange(2 ** depth).to_bytes(2, 'big'))
    out += b''.join(pngw.chunk(b'IDAT', p) for p in parts)
    if rnd.random() < 0.2:
        out += pngw.chunk(b'tIME', bytes([7, 234, 12, 5, 6, 41, 0]))
    out += pngw.chunk(b'IEND', b'')
    with open(path, 'wb') as f:
        f.write(out)
    expected = pngw.expected_of(pix, depth, ctype, plte)
    # The file must be what it claims: libpng (through OpenCV) decodes it to the samples written.
    cv = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if cv is not None:
        cv = cv.reshape(h, w, -1)
        if ctype == 3:
            ref = np.frombuffer(plte, np.uint8).reshape(-1, 3)[pix[:, :, 0]]
            ok = np.array_equal(cv[:, :, 2::-1], ref)
        elif ctype in (2, 6):
            ok = np.array_equal(cv[:, :, 2::-1], pix[:, :, :3])
        elif depth < 8:
            ok = np.array_equal(cv[:, :, 0], pix[:, :, 0] * (255 // (2 ** depth - 1)))
        else:
            ok = np.array_equal(cv[:, :, 0], pix[:, :, 0])
        assert ok, f'{path}: libpng reads other samples than were written (ctype {ctype}, depth {depth})'
    return expected, f'PNG ctype {ctype} depth {depth} {h}x{w}{" Adam7" if interlace else ""}'


def png_cv2(rnd, path):
    h, w = size(rnd)
    kind = rnd.choice(['grey8', 'grey16', 'bgr8', 'bgr16', 'bgra8', 'bgra16', 'bilevel'])
    maxv = 65535 if kind.endswith('16') else 255
    ch = 1 if kind.startswith('grey') or kind == 'bilevel' else 4 if kind.startswith('bgra') else 3
    pix = content(rnd, h, w, ch, maxv).astype(np.uint16 if maxv > 255 else np.uint8)
    params = [cv2.IMWRITE_PNG_COMPRESSION, rnd.randint(0, 9), cv2.IMWRITE_PNG_STRATEGY, rnd.randint(0, 4)]
    if kind == 'bilevel':
        pix = (pix > 127).astype(np.uint8) * 255
        params += [cv2.IMWRITE_PNG_BILEVEL, 1]
    img = pix[:, :, 0] if ch == 1 else pix
    assert cv2.imwrite(path, img, params)
    expected = img.astype(np.float32) if ch == 1 else luma(pix[:, :, 2::-1])
    return expected, f'OpenCV PNG {kind} {h}x{w} {params}'


def png_pil(rnd, path):
    h, w = size(rnd)
    mode = rnd.choice(['1', 'L', 'I;16', 'LA', 'P', 'RGB', 'RGBA'])
    opts = {'optimize': rnd.random() < 0.5, 'compress_level': rnd.randint(0, 9)}
    if mode == '1':
        pix = content(rnd, h, w, 1, 1)[:, :, 0].astype(np.uint8)
        im = Image.fromarray(pix * 255).convert('1')
        expected = (pix * 255).astype(np.float32)
    elif mode == 'L':
        pix = content(rnd, h, w, 1, 255)[:, :, 0].astype(np.uint8)
        im, expected = Image.fromarray(pix, 'L'), pix.astype(np.float32)
    elif mode == 'I;16':
        pix = content(rnd, h, w, 1, 65535)[:, :, 0].astype(np.uint16)
        im, expected = Image.fromarray(pix, 'I;16'), pix.astype(np.float32)
    elif mode == 'LA':
        pix = content(rnd, h, w, 2, 255).astype(np.uint8)
        im, expected = Image.fromarray(pix, 'LA'), pix[:, :, 0].astype(np.float32)
    elif mode == 'P':
        colours = rnd.choice([2, 4, 16, 200, 256])
        idx = content(rnd, h, w, 1, colours - 1)[:, :, 0].astype(np.uint8)
        pal = np.array([rnd.randrange(256) for _ in range(3 * colours)], np.uint8)
        im = Image.fromarray(idx, 'P')
        im.putpalette(pal.tobytes())
        if colours <= 16 and rnd.random() < 0.7:
            opts['bits'] = {2: 1, 4: 2, 16: 4}[colours]
        if rnd.random() < 0.3:
            opts['transparency'] = rnd.randrange(colours)
        expected = luma(pal.reshape(-1, 3)[idx])
    else:
        ch = len(mode)
        pix = content(rnd, h, w, ch, 255).astype(np.uint8)
        im, expected = Image.fromarray(pix, mode), luma(pix[:, :, :3])
    im.save(path, 'PNG', **opts)
    return expected, f'Pillow PNG mode {mode} {h}x{w} {opts}'


# ---------------------------------------------------------------- JPEG


def jpeg_expected(path):
    im = Image.open(path)
    im.load()
    if im.mode == 'L':
        return np.asarray(im).astype(np.float32)
    return luma(np.asarray(im.convert('RGB')))


def jpeg_cv2(rnd, path):
    h, w = size(rnd)
    colour = rnd.random() < 0.6
    pix = content(rnd, h, w, 3 if colour else 1, 255).astype(np.uint8)
    params = [cv2.IMWRITE_JPEG_QUALITY, rnd.randint(1, 100)]
    if rnd.random() < 0.4:
        params += [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]
    if rnd.random() < 0.4:
        params += [cv2.IMWRITE_JPEG_OPTIMIZE, 1]
    if rnd.random() < 0.4:
        params += [cv2.IMWRITE_JPEG_RST_INTERVAL, rnd.randint(1, 20)]
    if rnd.random() < 0.3:
        params += [cv2.IMWRITE_JPEG_LUMA_QUALITY, rnd.randint(1, 100), cv2.IMWRITE_JPEG_CHROMA_QUALITY, rnd.randint(1, 100)]
    assert cv2.imwrite(path, pix if colour else pix[:, :, 0], params)
    return jpeg_expected(path), f'OpenCV JPEG {"colour" if colour else "grey"} {h}x{w} {params}'


def jpeg_pil(rnd, path):
    h, w = size(rnd)
    mode = rnd.choice(['RGB'] * 5 + ['L'] * 4 + ['CMYK'])
    pix = content(rnd, h, w, len(mode), 255).astype(np.uint8)
    im = Image.fromarray(pix if mode != 'L' else pix[:, :, 0], mode)
    opts = {'quality': rnd.randint(1, 100), 'progressive': rnd.random() < 0.4, 'optimize': rnd.random() < 0.4}
    if mode == 'RGB':
        opts['subsampling'] = rnd.choice([0, 1, 2])
    im.save(path, 'JPEG', **opts)
    return jpeg_expected(path), f'Pillow JPEG {mode} {h}x{w} {opts}'


# ---------------------------------------------------------------- DICOM

WINDOWS = {}  # path -> (center, width, MONOCHROME1): the header's first window, for the `window` op's check

SLOPES = ['1', '2', '0.5', '0.25', '3.14159', '1.0E-3', '-1', ' 2.5', '1e2', '0.000123', '7.', '12345.678']
INTERCEPTS = ['0', '-1024', '-1024.0', '1.25', '100', '-0.5', ' -3 ', '1E3', '-32768', '0.1']


def dicom(rnd, path):
    import pydicom
    from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
    from pydicom.sequence import Sequence
    from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian, RLELossless
    from pydicom.pixel_data_handlers.util import apply_modality_lut

    h, w = size(rnd)
    form = rnd.choice(['mono'] * 6 + ['rgb', 'bits1', 'jpeg'])
    ts = rnd.choice([ExplicitVRLittleEndian, ImplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian, RLELossless])
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.7'
    meta.MediaStorageSOPInstanceUID = '1.2.826.0.1.3680043.8.498.%d' % rnd.randrange(10**6)
    meta.ImplementationClassUID = '1.2.826.0.1.3680043.8.498.2'
    ds = FileDataset(None, {}, file_meta=meta, preamble=b'\0' * 128)
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = rnd.choice(['CR', 'DX', 'CT', 'OT'])
    if rnd.random() < 0.4:
        item = Dataset()
        item.CodeValue = '121'
        item.CodeMeaning = 'x' * rnd.randint(0, 9)
        if rnd.random() < 0.5:
            inner = Dataset()
            inner.PatientID = 'nested'
            item.ReferencedImageSequence = Sequence([inner])
        ds.ProcedureCodeSequence = Sequence([item])
    if rnd.random() < 0.3:
        ds.add_new(0x00091010, 'LO', 'private' + 'y' * rnd.randint(0, 3))
    if rnd.random() < 0.2:
        # a thumbnail with pixel data of its own, nested before the image's (only the top-level one is the image)
        icon = Dataset()
        icon.Rows, icon.Columns, icon.SamplesPerPixel, icon.PhotometricInterpretation = 2, 3, 1, 'MONOCHROME2'
        icon.BitsAllocated, icon.BitsStored, icon.HighBit, icon.PixelRepresentation = 8, 8, 7, 0
        icon.PixelData = bytes(rnd.randrange(256) for _ in range(6))
        icon['PixelData'].VR = 'OB'
        ds.IconImageSequence = Sequence([icon])
    ds.Rows, ds.Columns = h, w
    nf = rnd.randint(2, 4) if form != 'jpeg' and rnd.random() < 0.15 else 1
    if nf > 1 or rnd.random() < 0.1:
        ds.NumberOfFrames = nf
    desc = f'{nf} frames ' if nf > 1 else ''
    stored = None
    if form == 'rgb':
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 3, 'RGB'
        ds.BitsAllocated = ds.BitsStored = 8
        ds.HighBit, ds.PixelRepresentation = 7, 0
        planar = rnd.randint(0, 1)
        ds.PlanarConfiguration = planar
        rgb = np.stack([content(rnd, h, w, 3, 255) for _ in range(nf)]).astype(np.uint8)
        data = (rgb.transpose(0, 3, 1, 2) if planar else rgb).tobytes()
        expected = luma(rgb)
        desc += f'RGB planar {planar}'
        ba = 8
    elif form == 'jpeg':
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'
        ds.BitsAllocated = ds.BitsStored = 8
        ds.HighBit, ds.PixelRepresentation = 7, 0
        grey = content(rnd, h, w, 1, 255).astype(np.uint8)[:, :, 0]
        ok, enc = cv2.imencode('.jpg', grey, [cv2.IMWRITE_JPEG_QUALITY, rnd.randint(1, 100)])
        assert ok
        from pydicom.encaps import encapsulate
        ds.PixelData = encapsulate([enc.tobytes()], has_bot=rnd.random() < 0.5)
        ds['PixelData'].VR = 'OB'
        ds['PixelData'].is_undefined_length = True
        ds.file_meta.TransferSyntaxUID = '1.2.840.10008.1.2.4.50'
        ds.is_little_endian, ds.is_implicit_VR = True, False
        ds.save_as(path, write_like_original=False)
        return None, f'DICOM JPEG baseline {h}x{w} (documented as refused: docs/dicom.md)'
    else:
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = rnd.choice(['MONOCHROME2', 'MONOCHROME1'])
        ba = 1 if form == 'bits1' else rnd.choice([8, 16, 16, 16, 32])
        bs = ba if ba == 1 or rnd.random() < 0.4 else rnd.randint(1, ba)
        pr = 0 if ba == 1 else rnd.randint(0, 1)
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = ba, bs, bs - 1, pr
        lo, hi = (-(2 ** (bs - 1)), 2 ** (bs - 1) - 1) if pr else (0, 2 ** bs - 1)
        rng = np.random.default_rng(rnd.randrange(2**32))
        smooth = rnd.random() < 0.7
        values = np.stack([content(rnd, h, w, 1, hi - lo)[:, :, 0] + lo if smooth else rng.integers(lo, hi, size=(h, w), endpoint=True) for _ in range(nf)])
        values[0, 0, 0] = lo
        stored = values.astype(np.int64)
        # the bits above Bits Stored: a sign extension (what most writers do) or zero
        sign_ext = rnd.random() < 0.6
        if ba == 1:
            data = np.packbits(stored.ravel().astype(np.uint8), bitorder='little').tobytes()
        else:
            raw = stored if sign_ext else stored & ((1 << bs) - 1)
            order = '>' if ts == ExplicitVRBigEndian else '<'
            data = (raw & ((1 << ba) - 1)).astype(f'{order}u{ba // 8}').tobytes()
        slope = intercept = None
        if rnd.random() < 0.6:
            slope, intercept = rnd.choice(SLOPES), rnd.choice(INTERCEPTS)
            ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
        s = float(slope) if slope is not None else 1.0
        i = float(intercept) if intercept is not None else 0.0
        expected = (stored.astype(np.float64) * s + i).astype(np.float32)
        if rnd.random() < 0.7:
            lo_m, hi_m = float(expected.min()), float(expected.max())
            centers = [round(rnd.uniform(lo_m - 10, hi_m + 10), rnd.choice([0, 1, 2])) for _ in range(rnd.choice([1, 1, 2]))]
            widths = [max(1.0, round(rnd.uniform(0.5, max(2.0, (hi_m - lo_m) * 1.5)), rnd.choice([0, 1]))) for _ in centers]
            if rnd.random() < 0.1:
                widths[0] = 1.0
            ds.WindowCenter = [f'{c:g}' for c in centers] if len(centers) > 1 else f'{centers[0]:g}'
            ds.WindowWidth = [f'{w:g}' for w in widths] if len(widths) > 1 else f'{widths[0]:g}'
            WINDOWS[path] = (float(f'{centers[0]:g}'), float(f'{widths[0]:g}'), ds.PhotometricInterpretation == 'MONOCHROME1')
        desc += f'{ds.PhotometricInterpretation} BA {ba} BS {bs} PR {pr} {"sign-extended" if sign_ext else "zero"} high bits, slope {slope!r} intercept {intercept!r}'
    if len(data) % 2:
        data += b'\0'
    if ts == RLELossless and ba >= 8:
        from pydicom.encoders.native import _encode_frame
        from pydicom.encaps import encapsulate
        per = h * w * (ba // 8) * ds.SamplesPerPixel
        frames = [_encode_frame(data[f * per:(f + 1) * per] if form != 'rgb' else rgb[f].tobytes(), rows=h, columns=w,
                                samples_per_pixel=ds.SamplesPerPixel, bits_allocated=ba, byteorder='<') for f in range(nf)]
        if form == 'rgb':
            ds.PlanarConfiguration = 0
        ds.PixelData = encapsulate(frames, has_bot=rnd.random() < 0.5)
        ds['PixelData'].VR = 'OB'
        ds['PixelData'].is_undefined_length = True
    else:
        if ts == RLELossless:
            ts = ExplicitVRLittleEndian
        ds.PixelData = data
        ds['PixelData'].VR = 'OB' if ba <= 8 else 'OW'
    ds.file_meta.TransferSyntaxUID = ts
    ds.is_little_endian = ts != ExplicitVRBigEndian
    ds.is_implicit_VR = ts == ImplicitVRLittleEndian
    ds.save_as(path, write_like_original=False)
    if rnd.random() < 0.15 and ts != DeflatedExplicitVRLittleEndian:
        with open(path, 'rb') as f:
            body = f.read()
        with open(path, 'wb') as f:
            f.write(body[132:])  # no preamble and no "DICM": the file meta group first
        desc += ', no preamble'
    # Cross-check with pydicom where it reads stored values our way (it keeps bits above Bits Stored as they are).
    if stored is not None and (sign_ext or not pr or bs == ba) and form != 'bits1':
        ref = pydicom.dcmread(path, force=True)
        mod = apply_modality_lut(ref.pixel_array, ref).astype(np.float32)
        assert same(mod.reshape(expected.shape), expected), f'{path}: pydicom reads other modality values than were written ({desc})'
    return (expected[0] if nf == 1 else expected), f'DICOM {ts.name} {h}x{w} {desc}'


# ---------------------------------------------------------------- .npy


def npy(rnd, path):
    h, w = size(rnd)
    rng = np.random.default_rng(rnd.randrange(2**32))
    kind = rnd.choice(['b1', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'f2', 'f4', 'f8', 'c8', 'c16'])
    order = rnd.choice(['<', '>', '='])
    if kind == 'b1':
        arr = rng.random((h, w)) < 0.5
    elif kind[0] in 'iu':
        info = np.iinfo(np.dtype(kind))
        arr = rng.integers(info.min, info.max, size=(h, w), endpoint=True, dtype=np.dtype(kind))
    else:
        base = np.dtype(kind)
        real = rng.standard_normal((h, w)) * 10.0 ** rng.integers(-8, 9, size=(h, w))
        if base.kind == 'c':
            arr = (real + 1j * rng.standard_normal((h, w))).astype(base)
        else:
            arr = real.astype(base)
            if rnd.random() < 0.3:
                flat = arr.ravel()
                for v in (np.nan, np.inf, -np.inf, -0.0):
                    flat[rnd.randrange(flat.size)] = v
    arr = arr.astype(arr.dtype.newbyteorder(order))
    version = rnd.choice([None, (1, 0), (2, 0), (3, 0)])
    with open(path, 'wb') as f:
        np.lib.format.write_array(f, arr, version=version)
    expected = arr.astype(np.complex64 if arr.dtype.kind == 'c' else np.float32)
    return expected, f'npy {arr.dtype.str} {h}x{w} version {version}'


def same(a, b):
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind == 'c':
        return same(a.real.copy(), b.real.copy()) and same(a.imag.copy(), b.imag.copy())
    na, nb = np.isnan(a), np.isnan(b)
    return np.array_equal(na, nb) and np.array_equal(a.view(np.uint32)[~na], b.view(np.uint32)[~nb])


MAKERS = [('png-hand', png_hand, 'png'), ('png-cv2', png_cv2, 'png'), ('png-pil', png_pil, 'png'),
          ('jpeg-cv2', jpeg_cv2, 'jpg'), ('jpeg-pil', jpeg_pil, 'jpg'), ('dicom', dicom, 'dcm'), ('npy', npy, 'npy')]


def windowed(x, center, width, invert):
    """docs/dicom.md's `window` (PS3.3 C.11.2.1.2.1, output 0..255) in float64, rounded once to float32."""
    x = x.astype(np.float64)
    c, w = center, width
    with np.errstate(divide='ignore', invalid='ignore'):
        mid = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0
    y = np.where(x <= c - 0.5 - (w - 1) / 2, 0.0, np.where(x > c - 0.5 + (w - 1) / 2, 255.0, mid))
    return (255.0 - y if invert else y).astype(np.float32)


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def difference(got, expected):
    if got.shape != expected.shape or got.dtype != expected.dtype:
        return f'{got.dtype} {got.shape} against {expected.dtype} {expected.shape}'
    wrong = ~np.isclose(got, expected, rtol=0, atol=0, equal_nan=True)
    first = tuple(np.argwhere(wrong)[0]) if wrong.any() else None
    return f'{int(wrong.sum())} of {got.size} values differ, first at {first}: {got[first]!r} against {expected[first]!r}'


def info_statistics(xrayflow, paths):
    """`xrayflow info --json` of every file: {stem: statistics or None}."""
    r = subprocess.run([xrayflow, 'info', '--json', '--dicom-without-preamble'] + paths, capture_output=True, text=True)
    if r.returncode not in (0, 1):
        print(f'BAD: xrayflow info exit {r.returncode}: {r.stderr[-2000:]}')
        sys.exit(1)
    return {os.path.splitext(os.path.basename(f['file']))[0]: f['statistics'] for f in json.loads(r.stdout)['files']}


def statistics_differ(got, a):
    """What `info --json` reports against numpy on the array read (docs/ops.md `stats`: in double, std with ddof 0;
    count, min, max and the median exactly, as the numbers written must read back as the doubles computed)."""
    if a.dtype.kind == 'c':
        return None if got is None else f'statistics of a complex array: {got}'
    if got is None:
        return 'no statistics'
    v = a.astype(np.float64).ravel()
    want = {'count': v.size, 'min': np.min(v), 'max': np.max(v), 'mean': np.mean(v), 'median': np.median(v), 'std': np.std(v)}
    scale = np.max(np.abs(v[np.isfinite(v)]), initial=0.0)
    wrong = []
    for key, w in want.items():
        g = got.get(key)
        exact = key in ('count', 'min', 'max', 'median')
        if g is None or not np.isfinite(w):
            fine = g is None and not np.isfinite(w)  # NaN and infinities are JSON null (docs/cli-json.md)
        else:
            fine = g == w if exact else abs(g - w) <= 1e-12 * max(scale, abs(w))
        if not fine:
            wrong.append(f'{key} {g!r} against numpy {w!r}')
    return '; '.join(wrong) or None


def window_differs(path, modality, out, failure):
    """The `window` op with the header's first window (MONOCHROME1 inverted) against windowed(); without one, its refusal."""
    if path not in WINDOWS:
        return None if failure and 'no usable Window Center' in failure else f'expected the item to fail for want of a window: {failure!r}'
    if failure:
        return f'failed: {failure}'
    got = np.load(os.path.join(out, os.path.basename(path)[:-4] + '.npy'))
    want = windowed(modality, *WINDOWS[path])
    return None if same(got, want) else f'window {WINDOWS[path]}: {difference(got, want)}'


def run(xrayflow, recipe, pattern, out):
    """One xrayflow batch: {stem: reason} of the items that failed."""
    r = subprocess.run([xrayflow, 'run', recipe, '--input', f'x={pattern}', '--out', out, '-q', '--dicom-without-preamble'],
                       capture_output=True, text=True)
    if r.returncode not in (0, 1):
        print(f'BAD: xrayflow exit {r.returncode} on {pattern}: {(r.stdout + r.stderr)[-2000:]}')
        sys.exit(1)
    with open(os.path.join(out, 'manifest.json')) as f:
        manifest = json.load(f)
    for item in manifest['items']:  # the manifest's hashes are the files' (inputs as read, outputs as written)
        for i in item['inputs']:
            assert i['sha256'] == sha256(i['path']), f'manifest hash of {i["path"]}'
        for o in item['outputs']:
            assert o['sha256'] == sha256(os.path.join(out, o['path'])), f'manifest hash of {o["path"]}'
    return {item['stem']: item['error'] for item in manifest['items'] if item.get('status') != 'ok'}


def main():
    xrayflow, messages, rnd, count = fuzzargs.seed_and_count(sys.argv[1:], __doc__)
    with tempfile.TemporaryDirectory() as work:
        src, stacks, out = (os.path.join(work, d) for d in ('in', 'stacks', 'out'))
        os.makedirs(src)
        os.makedirs(stacks)
        recipes = {}
        for kind in ('image', 'stack'):
            recipes[kind] = os.path.join(work, f'decode-{kind}.yaml')
            with open(recipes[kind], 'w') as f:
                f.write(RECIPE.replace('x: image', f'x: {kind}'))
        cases = {}
        for k in range(count):
            family, make, ext = MAKERS[k % len(MAKERS)]
            stem = f'{family}-{k:05d}'
            path = os.path.join(src, f'{stem}.{ext}')
            expected, desc = make(rnd, path)
            if expected is not None and expected.ndim == 3:  # a multi-frame DICOM: read as a stack input, alone
                os.rename(path, os.path.join(stacks, f'{stem}.{ext}'))
            cases[stem] = (family, expected, desc)
        reasons = run(xrayflow, recipes['image'], f'{src}/*', out)
        for name in sorted(os.listdir(stacks)):
            stem = os.path.splitext(name)[0]
            reasons.update({stem: why for why in run(xrayflow, recipes['stack'], os.path.join(stacks, name), os.path.join(work, 'o-' + stem)).values()})
            if os.path.exists(os.path.join(work, 'o-' + stem, f'{stem}.npy')):
                os.rename(os.path.join(work, 'o-' + stem, f'{stem}.npy'), os.path.join(out, f'{stem}.npy'))
        window_recipe = os.path.join(work, 'window.yaml')
        with open(window_recipe, 'w') as f:
            f.write(RECIPE.replace('steps: []', 'steps:\n  - op: window').replace('from: x,', 'from: window,'))
        window_out = os.path.join(work, 'window-out')
        window_failed = run(xrayflow, window_recipe, f'{src}/dicom-*.dcm', window_out) if any(n.startswith('dicom-') for n in os.listdir(src)) else {}
        stats = info_statistics(xrayflow, [os.path.join(d, n) for d in (src, stacks) for n in sorted(os.listdir(d))])
        bad, tally = 0, {}
        for stem, (family, expected, desc) in sorted(cases.items()):
            t = tally.setdefault(family, [0, 0])
            t[0] += 1
            got_path = os.path.join(out, f'{stem}.npy')
            if expected is None:
                ok = not os.path.exists(got_path) and 'does not carry' in reasons.get(stem, '')
                if not ok:
                    print(f'NOT REFUSED {stem} ({desc}): {reasons.get(stem)}')
            elif not os.path.exists(got_path):
                ok = False
                print(f'REFUSED {stem} ({desc}): {reasons.get(stem, "no output; see the manifest")}')
            else:
                got = np.load(got_path)
                ok = same(got, expected)
                if not ok:
                    print(f'DIFF {stem} ({desc}): {difference(got, expected)}')
                elif family == 'dicom' and expected.ndim == 2:
                    wrong = window_differs(os.path.join(src, stem + '.dcm'), expected, window_out, window_failed.get(stem))
                    ok = not wrong
                    if wrong:
                        print(f'WINDOW {stem} ({desc}): {wrong}')
                if ok:
                    wrong = statistics_differ(stats.get(stem), expected)
                    ok = not wrong
                    if wrong:
                        print(f'INFO {stem} ({desc}): {wrong}')
                    elif messages:
                        print(f'ok {stem} ({desc})')
            t[1] += ok
            bad += not ok
    print(f'{count} files: ' + ', '.join(f'{fam} {ok}/{n}' for fam, (n, ok) in tally.items()) + f'; {bad} bad')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
