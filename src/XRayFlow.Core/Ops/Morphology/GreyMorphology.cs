using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Ops.Morphology;

/// <summary>
/// The window of a grey op: a k0 x k1 rectangle (`size`), a flat footprint, and/or a non-flat structure (SciPy's
/// `structure`: values added in dilation, subtracted in erosion, over the footprint's cells, all cells when no footprint).
/// </summary>
public sealed record GreyWindow(int K0, int K1, bool[,]? Footprint, double[][]? Structure)
{
    /// <summary>The window's sides: the footprint's, else the structure's, else the size.</summary>
    public (int Rows, int Cols) Sides => Footprint is { } f ? (f.GetLength(0), f.GetLength(1)) : Structure is { } s ? (s.Length, s[0].Length) : (K0, K1);

    /// <summary>
    /// SciPy's grey_dilation: footprint and structure reflected (both axes), origin -o on odd sides and -o - 1 on even
    /// ones (of the footprint, else the structure, else the size).
    /// </summary>
    public (GreyWindow Window, int O0, int O1) ForDilation(int o0, int o1)
    {
        var (rows, cols) = Sides;
        bool[,]? fp = null;
        if (Footprint is { } f)
        {
            fp = new bool[rows, cols];
            for (int a = 0; a < rows; a++)
            {
                for (int b = 0; b < cols; b++)
                {
                    fp[a, b] = f[rows - 1 - a, cols - 1 - b];
                }
            }
        }

        double[][]? st = Structure?.Reverse().Select(row => row.Reverse().ToArray()).ToArray();
        return (this with { Footprint = fp, Structure = st }, -o0 - (rows % 2 == 0 ? 1 : 0), -o1 - (cols % 2 == 0 ? 1 : 0));
    }
}

/// <summary>
/// scipy.ndimage's grey morphology on each 2-D frame, exactly (only comparisons, and for a non-flat structure one
/// double addition per cell, as SciPy):
/// <code>
/// grey_erosion:  out[p] = min over cells a of the window of  x_ext[p + a - c] - s[a]      (s = 0 when flat)
/// grey_dilation: the same with max and + s[a], over the window reflected, origin -o (-o - 1 on even sides)
/// </code>
/// c = (side // 2 + origin) per axis, x_ext the frame extended under `mode` (cval cast to float32 first, as SciPy casts
/// it to the input's type). A non-flat structure's sums are SciPy 1.10's, which are not all alike (checked against it
/// on random data): the first cell of the footprint in raster order is float64(x) + s in double, kept in double until
/// the result is rounded to float32; every other cell is float32 arithmetic, x + float32(s). Rounding is monotone, so
/// the float32 extreme of the per-cell values, the first rounded once, is the same number: that is how it runs here.
/// Flat windows are <see cref="MinMaxFilter"/> (rectangles separable, axis 0 then axis 1 as SciPy's minimum_filter1d
/// passes). grey_opening = dilation(erosion), grey_closing = erosion(dilation), morphological_gradient = dilation -
/// erosion, white_tophat = x - opening, black_tophat = closing - x, each difference in float32 as NumPy's.
/// </summary>
public static class GreyMorphology
{
    public static ImageArray Erode(ImageArray src, GreyWindow w, int o0, int o1, BoundaryMode mode, float cval, int threads)
        => Extreme(src, w, o0, o1, mode, cval, maximum: false, threads);

    public static ImageArray Dilate(ImageArray src, GreyWindow w, int o0, int o1, BoundaryMode mode, float cval, int threads)
    {
        var (reflected, r0, r1) = w.ForDilation(o0, o1);
        return Extreme(src, reflected, r0, r1, mode, cval, maximum: true, threads);
    }

    public static ImageArray Open(ImageArray src, GreyWindow w, int o0, int o1, BoundaryMode mode, float cval, int threads)
    {
        var eroded = Erode(src, w, o0, o1, mode, cval, threads);
        var result = Dilate(eroded, w, o0, o1, mode, cval, threads);
        PixelPool.Shared.Return(eroded);
        return result;
    }

    public static ImageArray Close(ImageArray src, GreyWindow w, int o0, int o1, BoundaryMode mode, float cval, int threads)
    {
        var dilated = Dilate(src, w, o0, o1, mode, cval, threads);
        var result = Erode(dilated, w, o0, o1, mode, cval, threads);
        PixelPool.Shared.Return(dilated);
        return result;
    }

    /// <summary>dilation - erosion.</summary>
    public static ImageArray Gradient(ImageArray src, GreyWindow w, int o0, int o1, BoundaryMode mode, float cval, int threads)
    {
        var dilated = Dilate(src, w, o0, o1, mode, cval, threads);
        var eroded = Erode(src, w, o0, o1, mode, cval, threads);
        Subtract(dilated.Data, eroded.Data, dilated.Data);
        PixelPool.Shared.Return(eroded);
        return dilated;
    }

    /// <summary>x - opening.</summary>
    public static ImageArray WhiteTophat(ImageArray src, GreyWindow w, int o0, int o1, BoundaryMode mode, float cval, int threads)
    {
        var opened = Open(src, w, o0, o1, mode, cval, threads);
        Subtract(src.Data, opened.Data, opened.Data);
        return opened;
    }

    /// <summary>closing - x.</summary>
    public static ImageArray BlackTophat(ImageArray src, GreyWindow w, int o0, int o1, BoundaryMode mode, float cval, int threads)
    {
        var closed = Close(src, w, o0, o1, mode, cval, threads);
        Subtract(closed.Data, src.Data, closed.Data);
        return closed;
    }

    /// <summary>The scalar meaning of erosion (maximum = false) or of the already reflected dilation window (tests).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] Reference(ReadOnlySpan<float> frame, int rows, int cols, GreyWindow w, int o0, int o1, BoundaryMode mode, float cval, bool maximum)
    {
        var (k0, k1) = w.Sides;
        var result = new float[rows * cols];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double best = double.NaN;
                for (int a = 0; a < k0; a++)
                {
                    for (int b = 0; b < k1; b++)
                    {
                        if (w.Footprint is { } f && !f[a, b])
                        {
                            continue;
                        }

                        int r = Boundary.Map((long)i + a - (k0 / 2) - o0, rows, mode);
                        int c = Boundary.Map((long)j + b - (k1 / 2) - o1, cols, mode);
                        double v = r < 0 || c < 0 ? cval : frame[(r * cols) + c];
                        if (w.Structure is { } s)
                        {
                            double add = maximum ? s[a][b] : -s[a][b];
                            v = double.IsNaN(best) ? (float)(v + add) : (float)v + (float)add; // the first cell in double, the others in float32
                        }

                        if (double.IsNaN(best) || (maximum ? v > best : v < best))
                        {
                            best = v;
                        }
                    }
                }

                result[(i * cols) + j] = (float)best;
            }
        }

        return result;
    }

    private static ImageArray Extreme(ImageArray src, GreyWindow w, int o0, int o1, BoundaryMode mode, float cval, bool maximum, int threads)
    {
        if (w.Structure is null)
        {
            return MinMaxFilter.Apply(src, w.K0, w.K1, w.Footprint, o0, o1, mode, cval, maximum, threads);
        }

        var dst = ImageArray.Rent(src);
        for (int f = 0; f < src.Frames; f++)
        {
            NonFlat(src.Data.AsSpan(f * src.FrameLength, src.FrameLength), dst.Data.AsMemory(f * src.FrameLength, src.FrameLength), src.Rows, src.Cols, w, o0, o1, mode, cval, maximum, threads);
        }

        return dst;
    }

    /// <summary>
    /// Non-flat: the extreme over the window's cells of x_ext +- s on shifted rows of the padded frame, one vector pass
    /// per cell: the first cell float32(float64(x) + s) (doubles widened from floats, rounded back), the others
    /// x + float32(s) in float32 (see the class comment).
    /// </summary>
    private static void NonFlat(ReadOnlySpan<float> input, Memory<float> output, int rows, int cols, GreyWindow w, int o0, int o1, BoundaryMode mode, float cval, bool maximum, int threads)
    {
        var (k0, k1) = w.Sides;
        var s = w.Structure!;
        int pc = cols + k1 - 1;
        float[] padded = PixelPool.Shared.Rent(checked((rows + k0 - 1) * pc));
        try
        {
            MinMaxFilter.Pad(input, rows, cols, padded, k0, k1, o0, o1, mode, cval);
            var cells = new List<(int A, int B, double Add)>();
            for (int a = 0; a < k0; a++)
            {
                for (int b = 0; b < k1; b++)
                {
                    if (w.Footprint is null || w.Footprint[a, b])
                    {
                        cells.Add((a, b, maximum ? s[a][b] : -s[a][b]));
                    }
                }
            }

            int blocks = Math.Min(Math.Max(1, threads) * 4, rows);
            int per = (rows + blocks - 1) / blocks;
            Parallel.For(0, (rows + per - 1) / per, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (blk) =>
            {
                var dst = output.Span;
                var term = new float[cols];
                for (int i = blk * per; i < Math.Min(rows, (blk + 1) * per); i++)
                {
                    var row = dst.Slice(i * cols, cols);
                    for (int q = 0; q < cells.Count; q++)
                    {
                        var (a, b, add) = cells[q];
                        var src = padded.AsSpan(((i + a) * pc) + b, cols);
                        if (q == 0)
                        {
                            AddRounded(src, add, row);
                        }
                        else
                        {
                            AddFloat(src, (float)add, term);
                            Combine(row, term, maximum);
                        }
                    }
                }
            });
        }
        finally
        {
            PixelPool.Shared.Return(padded);
        }
    }

    /// <summary>dst[t] = (float)((double)src[t] + add).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddRounded(ReadOnlySpan<float> src, double add, Span<float> dst)
    {
        int n = src.Length, k = 0, w = Vector<float>.Count;
        if (Vector.IsHardwareAccelerated)
        {
            var addv = new Vector<double>(add);
            ref float s0 = ref MemoryMarshal.GetReference(src);
            ref float d0 = ref MemoryMarshal.GetReference(dst);
            for (; k <= n - w; k += w)
            {
                Vector.Widen(Vector.LoadUnsafe(ref s0, (nuint)k), out var lo, out var hi);
                Vector.Narrow(lo + addv, hi + addv).StoreUnsafe(ref d0, (nuint)k);
            }
        }

        for (; k < n; k++)
        {
            dst[k] = (float)(src[k] + add);
        }
    }

    /// <summary>dst[t] = src[t] + add in float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddFloat(ReadOnlySpan<float> src, float add, Span<float> dst)
    {
        int n = src.Length, k = 0, w = Vector<float>.Count;
        var addv = new Vector<float>(add);
        ref float s0 = ref MemoryMarshal.GetReference(src);
        ref float d0 = ref MemoryMarshal.GetReference(dst);
        for (; k <= n - w; k += w)
        {
            (Vector.LoadUnsafe(ref s0, (nuint)k) + addv).StoreUnsafe(ref d0, (nuint)k);
        }

        for (; k < n; k++)
        {
            dst[k] = src[k] + add;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Combine(Span<float> acc, ReadOnlySpan<float> other, bool maximum)
    {
        int n = acc.Length, k = 0, w = Vector<float>.Count;
        ref float a0 = ref MemoryMarshal.GetReference(acc);
        ref float b0 = ref MemoryMarshal.GetReference(other);
        for (; k <= n - w; k += w)
        {
            var a = Vector.LoadUnsafe(ref a0, (nuint)k);
            var b = Vector.LoadUnsafe(ref b0, (nuint)k);
            (maximum ? Vector.Max(a, b) : Vector.Min(a, b)).StoreUnsafe(ref a0, (nuint)k);
        }

        for (; k < n; k++)
        {
            acc[k] = maximum ? Math.Max(acc[k], other[k]) : Math.Min(acc[k], other[k]);
        }
    }

    /// <summary>dst = a - b in float32 (dst may be a or b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Subtract(float[] a, float[] b, float[] dst)
    {
        int n = dst.Length, k = 0, w = Vector<float>.Count;
        for (; k <= n - w; k += w)
        {
            (Vector.LoadUnsafe(ref a[0], (nuint)k) - Vector.LoadUnsafe(ref b[0], (nuint)k)).StoreUnsafe(ref dst[0], (nuint)k);
        }

        for (; k < n; k++)
        {
            dst[k] = a[k] - b[k];
        }
    }
}
