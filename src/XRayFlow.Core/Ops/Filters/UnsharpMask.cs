using System.Numerics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Elementwise;
using XRayFlow.Core.Ops.Intensity;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// skimage.filters.unsharp_mask(image, radius, amount, preserve_range) (0.19) of a 2-D image, or of each frame of a
/// stack, in scikit-image's own precision:
/// <list type="number">
/// <item>the values scikit-image starts from (fimg): a float image's float32 values as they are; an 8- or 16-bit image
/// (docs/integer-sources.md) in float64, divided by 255 / 65535 as img_as_float does (numpy.multiply(v, 1. / max)),
/// or as they are with preserve_range (astype(float64));</item>
/// <item>blurred = scipy.ndimage.gaussian_filter(fimg, sigma = radius, mode reflect, truncate 4) as SciPy computes it
/// for that dtype (<see cref="ScipyGaussian"/>: float64 sums, each pass stored as float32 for a float32 image);</item>
/// <item>result = fimg + (fimg - blurred) * amount, each operation in that dtype (amount rounded to float32 for a
/// float32 image, as NumPy casts the Python float);</item>
/// <item>without preserve_range, numpy.clip to [0, 1], or to [-1, 1] when some value of the frame is negative (NaN
/// passes through); with it, not clipped; the result rounded to float32.</item>
/// </list>
/// A float image gives scikit-image's bits; an 8- or 16-bit one its float64 result rounded to float32 (but where
/// NumPy's exp gives a Gaussian weight another last bit: docs/integer-sources.md). Until 2026-12-06 the blur was the
/// project's float32 Gaussian: where the result cancels large values (a float image of values in the hundreds, clipped
/// to [-1, 1]), its last-bit difference from SciPy's came to 1.2e-4 (differential fuzz, `intensity` seed 50046).
/// </summary>
public static class UnsharpMask
{
    public static ImageArray Apply(ImageArray src, IReadOnlyList<double> radius, double amount, bool preserveRange, int threads)
    {
        var dtype = SkimageDtypes.Of(src, threads);
        bool single = dtype == SkimageDtype.Float32;
        double? scale = single || preserveRange ? null : 1.0 / SkimageDtypes.Max(dtype);
        int rows = src.Rows, cols = src.Cols, n = src.FrameLength, stride = ScipyGaussian.Stride(cols);
        var dst = ImageArray.Rent(src);
        var start = System.Buffers.ArrayPool<double>.Shared.Rent(Math.Max(1, checked(rows * stride)));
        var blur = new ScipyGaussian.Smoothing(radius[0], radius[^1], 4.0, BoundaryMode.Reflect, 0.0, toFloat: single, cols);
        try
        {
            for (int f = 0; f < src.Frames; f++)
            {
                float[] from = src.Data, to = dst.Data;
                int offset = f * n;

                // numpy.any(fimg < 0) of the frame: its nanmin below 0 (NaN is not below 0, nor is -0; img_as_float keeps signs).
                var (lo, hi) = preserveRange ? (double.NegativeInfinity, double.PositiveInfinity)
                    : (Extremes.NanMinMax(src.Frame(f), threads).Min < 0 ? -1.0 : 0.0, 1.0);
                ScipyGaussian.ForRuns(rows, threads, (first, end) => ScipyGaussian.Widen(from.AsSpan(offset, n), start, first, end, cols, stride, scale));
                ScipyGaussian.ForRuns(rows, threads, (first, end) => Sharpen(start, stride, rows, cols, first, end, blur, to, offset, single, amount, lo, hi));
            }
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(start);
        }

        return dst;
    }

    /// <summary>Rows first..end-1 of the result, a band of the blur at a time in the thread's own rows.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Sharpen(double[] start, int stride, int rows, int cols, int first, int end, ScipyGaussian.Smoothing blur, float[] to, int offset, bool single, double amount, double lo, double hi)
    {
        var op = new SharpenOperator((float)amount, (float)lo, (float)hi);
        blur.Bands(start, stride, rows, first, end, [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (b0, b1, band) =>
        {
            for (int r = b0; r < b1; r++)
            {
                var x = start.AsSpan(r * stride, cols);
                var y = band.Slice((r - b0) * cols, cols);
                var row = to.AsSpan(offset + (r * cols), cols);
                if (single)
                {
                    SharpenSingle(x, y, row, op);
                }
                else
                {
                    SharpenDouble(x, y, row, amount, lo, hi);
                }
            }
        });
    }

    /// <summary>A float32 row: x and y are float32 values held as doubles; <see cref="SharpenOperator"/> in float32.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void SharpenSingle(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<float> row, SharpenOperator op)
    {
        int c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<double>.Count;
            for (; c <= row.Length - (2 * w); c += 2 * w)
            {
                var xf = Vector.Narrow(new Vector<double>(x[c..]), new Vector<double>(x[(c + w)..]));
                var yf = Vector.Narrow(new Vector<double>(y[c..]), new Vector<double>(y[(c + w)..]));
                op.Invoke(xf, yf).CopyTo(row[c..]);
            }
        }

        for (; c < row.Length; c++)
        {
            row[c] = op.Invoke((float)x[c], (float)y[c]);
        }
    }

    /// <summary>A float64 row: x + (x - y) * amount, clipped as numpy.clip (NaN stays NaN), rounded to float32.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void SharpenDouble(ReadOnlySpan<double> x, ReadOnlySpan<double> y, Span<float> row, double amount, double lo, double hi)
    {
        int c = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int w = Vector<double>.Count;
            Vector<double> a = new(amount), l = new(lo), h = new(hi);
            for (; c <= row.Length - (2 * w); c += 2 * w)
            {
                var r0 = Clip(new Vector<double>(x[c..]) + ((new Vector<double>(x[c..]) - new Vector<double>(y[c..])) * a), l, h);
                var r1 = Clip(new Vector<double>(x[(c + w)..]) + ((new Vector<double>(x[(c + w)..]) - new Vector<double>(y[(c + w)..])) * a), l, h);
                Vector.Narrow(r0, r1).CopyTo(row[c..]);
            }
        }

        for (; c < row.Length; c++)
        {
            double r = x[c] + ((x[c] - y[c]) * amount);
            row[c] = (float)(r < lo ? lo : r > hi ? hi : r);
        }
    }

    /// <summary>numpy.clip of doubles: below lo is lo, above hi is hi, NaN stays NaN (comparisons with NaN are false).</summary>
    private static Vector<double> Clip(Vector<double> r, Vector<double> lo, Vector<double> hi)
    {
        var low = Vector.ConditionalSelect(Vector.LessThan(r, lo), lo, r);
        return Vector.ConditionalSelect(Vector.GreaterThan(low, hi), hi, low);
    }
}

/// <summary>
/// unsharp_mask's last step for an image value x and its blurred value y: numpy.clip(x + (x - y) * amount, lo, hi),
/// each operation rounded to float32 (no fused multiply-add, as NumPy's three array operations), the clip as
/// <see cref="ClipOperator"/>'s (NaN stays NaN; infinite bounds do not clip).
/// </summary>
public readonly struct SharpenOperator(float amount, float lo, float hi) : IBinaryOperator
{
    public float Invoke(float x, float y) => new ClipOperator(lo, hi).Invoke(x + ((x - y) * amount));

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) => new ClipOperator(lo, hi).Invoke(x + ((x - y) * new Vector<float>(amount)));

    public override string ToString() => $"Sharpen({amount}, [{lo}, {hi}])";
}
