using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// The spline-interpolating ops on whole arrays (a stack frame by frame): zoom, shift, affine_transform, rotate
/// (scipy.ndimage) and resize (skimage.transform). Each builds its coordinates exactly as its namesake and hands
/// them to <see cref="SeparableResampler"/> or <see cref="AffineResampler"/>.
/// </summary>
public static class Resampling
{
    /// <summary>
    /// scipy.ndimage.zoom's output length of an axis: int(round(n * zoom)) with Python's round (half to even).
    /// </summary>
    public static long ZoomedLength(int n, double zoom) => (long)Math.Round(n * zoom, MidpointRounding.ToEven);

    /// <summary>scipy.ndimage.zoom on each frame, with the output shape <paramref name="outRows"/> x <paramref name="outCols"/> (<see cref="ZoomedLength"/>).</summary>
    public static ImageArray Zoom(ImageArray src, int outRows, int outCols, int order, SplineMode mode, float cval, bool prefilter, bool gridMode, int threads)
        => Zoom(src, outRows, outCols, order, mode, cval, prefilter, gridMode, threads, clips: null);

    /// <summary><see cref="Zoom(ImageArray, int, int, int, SplineMode, float, bool, bool, int)"/>, each frame clipped to its range as its rows are written.</summary>
    private static ImageArray Zoom(ImageArray src, int outRows, int outCols, int order, SplineMode mode, float cval, bool prefilter, bool gridMode, int threads, ClipRange[]? clips, float[][]? ranges = null)
    {
        int pad = SplineModes.PadFor(mode, prefilter && order >= 2);
        var rowPlan = AxisPlan.ForZoom(src.Rows, outRows, gridMode, pad, order, mode);
        var colPlan = AxisPlan.ForZoom(src.Cols, outCols, gridMode, pad, order, mode);
        return Separable(src, rowPlan, colPlan, order, prefilter, mode, cval, threads, clips, ranges);
    }

    /// <summary>scipy.ndimage.shift on each frame.</summary>
    public static ImageArray Shift(ImageArray src, double shift0, double shift1, int order, SplineMode mode, float cval, bool prefilter, int threads)
    {
        int pad = SplineModes.PadFor(mode, prefilter && order >= 2);
        var rowPlan = AxisPlan.ForShift(src.Rows, shift0, pad, src.Rows + (2 * pad), order, mode);
        var colPlan = AxisPlan.ForShift(src.Cols, shift1, pad, src.Cols + (2 * pad), order, mode);
        return Separable(src, rowPlan, colPlan, order, prefilter, mode, cval, threads);
    }

    /// <summary>
    /// scipy.ndimage.affine_transform on each frame with a 2 x 2 matrix and an offset (a 3 x 3 or 2 x 3 homogeneous
    /// matrix is split by the caller). A diagonal matrix runs separably (same coordinates, see <see cref="AxisPlan.AffineCoordinates"/>).
    /// </summary>
    public static ImageArray Affine(ImageArray src, double[,] matrix, double[] offset, int outRows, int outCols, int order, SplineMode mode, float cval, bool prefilter, int threads)
    {
        if (matrix[0, 1] == 0 && matrix[1, 0] == 0)
        {
            int pad = SplineModes.PadFor(mode, prefilter && order >= 2);
            var rowPlan = AxisPlan.ForAffine(outRows, matrix[0, 0], offset[0], pad, src.Rows + (2 * pad), order, mode);
            var colPlan = AxisPlan.ForAffine(outCols, matrix[1, 1], offset[1], pad, src.Cols + (2 * pad), order, mode);
            return Separable(src, rowPlan, colPlan, order, prefilter, mode, cval, threads);
        }

        var dst = ImageArray.Rent(outRows, outCols, src.IsStack ? src.Frames : 0);
        for (int f = 0; f < src.Frames; f++)
        {
            AffineResampler.Apply(src.Data.AsMemory(f * src.FrameLength, src.FrameLength), src.Rows, src.Cols, matrix, offset, outRows, outCols, order, prefilter, mode, cval,
                dst.Data.AsMemory(f * dst.FrameLength, dst.FrameLength), threads);
        }

        return dst;
    }

    /// <summary>scipy.ndimage.rotate (axes (1, 0)) on each frame: affine_transform with <see cref="Rotation.Geometry"/>.</summary>
    public static ImageArray Rotate(ImageArray src, double angle, bool reshape, int order, SplineMode mode, float cval, bool prefilter, int threads)
    {
        var (rows, cols, m, offset) = Rotation.Geometry(src.Rows, src.Cols, angle, reshape);
        return Affine(src, m, offset, rows, cols, order, mode, cval, prefilter, threads);
    }

    /// <summary>skimage's mode names to ndimage's (_to_ndimage_mode with SciPy &gt;= 1.6): for the interpolation and for the anti-aliasing filter.</summary>
    public static (SplineMode Interpolation, BoundaryMode Filter) ResizeModes(string mode) => mode switch
    {
        "constant" => (SplineMode.GridConstant, BoundaryMode.Constant),
        "edge" => (SplineMode.Nearest, BoundaryMode.Nearest),
        "symmetric" => (SplineMode.Reflect, BoundaryMode.Reflect),
        "reflect" => (SplineMode.Mirror, BoundaryMode.Mirror),
        "wrap" => (SplineMode.GridWrap, BoundaryMode.Wrap),
        _ => throw new ArgumentException($"unknown resize mode '{mode}' (expected constant, edge, symmetric, reflect or wrap)", nameof(mode)),
    };

    /// <summary>
    /// skimage.transform.resize (0.19.3) with preserve_range=True on each frame:
    /// <code>
    /// factors = in_shape / out_shape
    /// bounds = (nanmin(x), nanmax(x))                                       (for clip)
    /// if anti_aliasing (default: some axis shrinks):
    ///     x = ndi.gaussian_filter(x, anti_aliasing_sigma or max(0, (factors - 1) / 2), mode, cval)
    /// out = ndi.zoom(x, 1 / factors, order, mode, cval, grid_mode=True)   (coordinates (k + 0.5) * n / m - 0.5)
    /// if clip: out = clip(out, bounds), the bounds widened to cval when mode is constant, cval lies outside the
    ///          input's range and inside the output's
    /// </code>
    /// with skimage's modes mapped to ndimage's (<see cref="ResizeModes"/>).
    /// </summary>
    /// <para>
    /// At order 0 an integer image (uint8 / uint16 by <see cref="Intensity.SkimageDtypes.Of"/>) stays integer in
    /// scikit-image: its smoothing is <see cref="IntegerSmoothing"/> (each pass truncated to the dtype), with cval in
    /// float64 (<paramref name="exactCval"/>, when the caller has it); order 0 then copies values, as on the float path.
    /// </para>
    public static ImageArray Resize(ImageArray src, int outRows, int outCols, int order, string mode, float cval, bool? antiAliasing, double[]? sigma, bool clip, int threads, double? exactCval = null)
    {
        var (interp, filterMode) = ResizeModes(mode);
        double f0 = (double)src.Rows / outRows, f1 = (double)src.Cols / outCols;
        bool smooth = antiAliasing ?? (outRows < src.Rows || outCols < src.Cols);
        double[] s = sigma is null
            ? [Math.Max(0, (f0 - 1) / 2), Math.Max(0, (f1 - 1) / 2)]
            : sigma.Length == 1 ? [sigma[0], sigma[0]] : [sigma[0], sigma[1]];
        if (clip && order <= 1 && mode != "constant" && !src.IsComplex && (long)outRows * outCols < src.FrameLength
            && !(smooth && (s[0] > NdFilters.SigmaSkip || s[1] > NdFilters.SigmaSkip)))
        {
            return ShrinkWithoutSmoothing(src, outRows, outCols, order, interp, cval, threads);
        }

        // Orders 2-5 without smoothing, to fewer pixels, columns long enough for row bands: the input's range is found as
        // the spline prefilter's row bands read the rows (the resampler's inputRange), and the smaller output clipped
        // after, instead of a pass over the whole input first.
        bool smoothing = smooth && (s[0] > NdFilters.SigmaSkip || s[1] > NdFilters.SigmaSkip);
        bool late = clip && !smoothing && order >= 2 && interp != SplineMode.GridWrap && !src.IsComplex && (long)outRows * outCols < src.FrameLength
            && src.Rows >= SeparableResampler.BandedFromRows;
        var ranges = late ? Enumerable.Range(0, src.Frames).Select(_ => new float[3]).ToArray() : null;
        var bounds = clip && !late ? FrameBounds(src, threads) : null;
        ImageArray? smoothed = null;
        try
        {
            var input = src;
            if (smoothing)
            {
                // Orders 0 and 1 (no spline prefilter) read only the rows their taps name: the smoothing's column
                // pass skips the others (a 1024 -> 224 resize reads 448 of 1024 rows).
                var dtype = order == 0 && !src.IsComplex ? Intensity.SkimageDtypes.Of(src, threads) : Intensity.SkimageDtype.Float32;
                smoothed = dtype != Intensity.SkimageDtype.Float32
                    ? IntegerSmoothing.GaussianFilter(src, s, filterMode, exactCval ?? cval, dtype == Intensity.SkimageDtype.UInt16, threads)
                    : order <= 1 && !src.IsComplex
                    ? NdFilters.GaussianFilterRows(src, s, filterMode, cval, RowsRead(src.Rows, outRows, order, interp), threads)
                    : NdFilters.GaussianFilter(src, s, mode: filterMode, cval: cval, threads: threads);
                input = smoothed;
            }

            // Where every frame's clip range is known before resampling (not NaN; cval inside it or mode not
            // constant), each output row is clipped as it is written; otherwise the output's own range decides
            // (cval outside the input's range widens it when the output reaches cval): a pass after.
            bool fused = bounds is not null && bounds.All(b => !float.IsNaN(b.Min) && (mode != "constant" || (b.Min <= cval && cval <= b.Max)));
            var clips = fused ? bounds!.Select(b => new ClipRange(b.Min, b.Max)).ToArray() : null;
            var dst = Zoom(input, outRows, outCols, order, interp, cval, prefilter: true, gridMode: true, threads, clips, ranges);
            bounds ??= ranges?.Select(r => (r[0], r[1], r[2] != 0)).ToArray();
            if (bounds is not null && !fused)
            {
                for (int f = 0; f < dst.Frames; f++)
                {
                    ClipFrame(dst.Frame(f), bounds[f].Min, bounds[f].Max, bounds[f].HasNan, mode == "constant", cval, threads);
                }
            }

            return dst;
        }
        finally
        {
            PixelPool.Shared.Return(smoothed);
        }
    }

    /// <summary>
    /// <see cref="Resize"/> at order 0 or 1, without smoothing, mode not constant, to fewer pixels than the input: the
    /// same bits as clipping each frame to its (nanmin, nanmax), without the pass over the whole input that finds them
    /// where it can be shown to change nothing. Every output is then a weighted sum of input values (no cval), so
    /// it lies between the values it was made from up to rounding; the clip (IEEE 754-2019 max and min: -0 below +0,
    /// NaN kept) is the identity when some input value is at or below the output's lowest value and some at or above
    /// its highest: the frame's own minimum and maximum lie beyond those. Such values are looked for among the taps
    /// of the lowest and the highest output (four input values at order 1), not the whole input. Where a tap's
    /// rounding made an output escape its taps' range, that search fails and the frame is clipped exactly as before:
    /// its range found by a pass over the input, then np.clip.
    /// </summary>
    private static ImageArray ShrinkWithoutSmoothing(ImageArray src, int outRows, int outCols, int order, SplineMode mode, float cval, int threads)
    {
        var rowPlan = AxisPlan.ForZoom(src.Rows, outRows, gridMode: true, prePad: 0, order, mode);
        var colPlan = AxisPlan.ForZoom(src.Cols, outCols, gridMode: true, prePad: 0, order, mode);
        var dst = ImageArray.Rent(outRows, outCols, src.IsStack ? src.Frames : 0);
        var ranges = new float[2 * outRows];
        for (int f = 0; f < src.Frames; f++)
        {
            var output = dst.Data.AsMemory(f * dst.FrameLength, dst.FrameLength);
            SeparableResampler.Apply(src.Data.AsMemory(f * src.FrameLength, src.FrameLength), src.Rows, src.Cols, rowPlan, colPlan, order, prefilter: false, mode, cval, output, threads, rowRanges: ranges);

            // The output's lowest and highest values and the first row holding each (-0 below +0, NaN rows skipped).
            int loRow = -1, hiRow = -1;
            for (int i = 0; i < outRows; i++)
            {
                float lo = ranges[2 * i], hi = ranges[(2 * i) + 1];
                if (float.IsNaN(lo))
                {
                    continue;
                }

                if (loRow < 0 || IsBelow(lo, ranges[2 * loRow]))
                {
                    loRow = i;
                }

                if (hiRow < 0 || IsBelow(ranges[(2 * hiRow) + 1], hi))
                {
                    hiRow = i;
                }
            }

            if (loRow < 0)
            {
                continue; // every output NaN: np.clip keeps them (an all-NaN input fills NaN: the same values)
            }

            var input = src.Frame(f);
            if (!HasTapBeyond(input, src.Cols, output.Span, outCols, loRow, rowPlan, colPlan, ranges[2 * loRow], below: true)
                || !HasTapBeyond(input, src.Cols, output.Span, outCols, hiRow, rowPlan, colPlan, ranges[(2 * hiRow) + 1], below: false))
            {
                var (min, max, hasNan) = Extremes.NanMinMax(input, threads);
                ClipFrame(output.Span, min, max, hasNan, constant: false, cval, threads);
            }
        }

        return dst;
    }

    /// <summary>a strictly below b in the order of Math.Min / Math.Max (-0 below +0), neither NaN.</summary>
    private static bool IsBelow(float a, float b) => a < b || (a == 0 && b == 0 && float.IsNegative(a) && !float.IsNegative(b));

    /// <summary>
    /// Whether an input value read by the first output of row <paramref name="row"/> equal to <paramref name="bound"/>
    /// lies at or below it (<paramref name="below"/>) or at or above it, in the order of Math.Min / Math.Max (-0 below
    /// +0; NaN never).
    /// </summary>
    private static bool HasTapBeyond(ReadOnlySpan<float> input, int cols, ReadOnlySpan<float> output, int outCols, int row, AxisPlan rowPlan, AxisPlan colPlan, float bound, bool below)
    {
        int j = MemoryMarshal.Cast<float, int>(output.Slice(row * outCols, outCols)).IndexOf(BitConverter.SingleToInt32Bits(bound));
        if (j < 0)
        {
            return false;
        }

        int rows = input.Length / cols;
        for (int a = 0; a < rowPlan.Taps; a++)
        {
            int r = rowPlan.Index[(row * rowPlan.Taps) + a];
            for (int b = 0; b < colPlan.Taps; b++)
            {
                int c = colPlan.Index[(j * colPlan.Taps) + b];
                if (r < 0 || r >= rows || c < 0 || c >= cols)
                {
                    continue; // the cval index: not an input value
                }

                float v = input[(r * cols) + c];
                if (!float.IsNaN(v) && (below ? !IsBelow(bound, v) : !IsBelow(v, bound)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The input rows that the taps of <see cref="Zoom(ImageArray, int, int, int, SplineMode, float, bool, bool, int)"/> (grid mode, no prefilter: order 0 or 1) name, zero weights included.</summary>
    internal static bool[] RowsRead(int rows, int outRows, int order, SplineMode mode)
    {
        var plan = AxisPlan.ForZoom(rows, outRows, gridMode: true, SplineModes.PadFor(mode, prefiltered: false), order, mode);
        var read = new bool[rows];
        foreach (int r in plan.Index)
        {
            if (r >= 0 && r < rows)
            {
                read[r] = true; // an index of rows (CoefLength, no pre-pad) is the cval row
            }
        }

        return read;
    }

    private static ImageArray Separable(ImageArray src, AxisPlan rowPlan, AxisPlan colPlan, int order, bool prefilter, SplineMode mode, float cval, int threads, ClipRange[]? clips = null, float[][]? ranges = null)
    {
        var dst = ImageArray.Rent(rowPlan.OutLength, colPlan.OutLength, src.IsStack ? src.Frames : 0);
        for (int f = 0; f < src.Frames; f++)
        {
            SeparableResampler.Apply(src.Data.AsMemory(f * src.FrameLength, src.FrameLength), src.Rows, src.Cols, rowPlan, colPlan, order, prefilter, mode, cval,
                dst.Data.AsMemory(f * dst.FrameLength, dst.FrameLength), threads, clip: clips?[f], inputRange: ranges?[f]);
        }

        return dst;
    }

    /// <summary>Each frame's (nanmin, nanmax), as skimage's _clip_warp_output takes them (NaN when every value is NaN).</summary>
    private static (float Min, float Max, bool HasNan)[] FrameBounds(ImageArray src, int threads)
    {
        var bounds = new (float, float, bool)[src.Frames];
        for (int f = 0; f < src.Frames; f++)
        {
            bounds[f] = Extremes.NanMinMax(src.Frame(f), threads);
        }

        return bounds;
    }

    /// <summary>_clip_warp_output: clip to [lo, hi], widened to cval when mode is constant and cval is outside [lo, hi] but inside the output's range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ClipFrame(Span<float> frame, float lo, float hi, bool inputHadNan, bool constant, float cval, int threads)
    {
        if (constant && !(lo <= cval && cval <= hi))
        {
            // The output's min / max: np.nanmin / np.nanmax when the input held a NaN, else np.min / np.max (NaN if the output holds one).
            var (outLo, outHi, outNan) = Extremes.NanMinMax(frame);
            if ((inputHadNan || !outNan) && outLo <= cval && cval <= outHi)
            {
                lo = Math.Min(lo, cval);
                hi = Math.Max(hi, cval);
            }
        }

        if (float.IsNaN(lo) || float.IsNaN(hi))
        {
            frame.Fill(float.NaN);
            return;
        }

        // np.clip keeps NaN; Vector.Min/Max order chosen so a NaN element stays NaN. Large frames in parts on the threads.
        int parts = Math.Clamp(threads, 1, Math.Max(1, frame.Length / (1 << 18)));
        if (parts > 1)
        {
            unsafe
            {
                fixed (float* p = frame)
                {
                    nint at = (nint)p;
                    int n = frame.Length;
                    Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
                    {
                        int a = (int)((long)n * t / parts), b = (int)((long)n * (t + 1) / parts);
                        var part = new Span<float>((float*)at + a, b - a);
                        new ClipRange(lo, hi).Apply(part, part, stream: false);
                    });
                }
            }

            return;
        }

        new ClipRange(lo, hi).Apply(frame, frame, stream: false);
    }
}
