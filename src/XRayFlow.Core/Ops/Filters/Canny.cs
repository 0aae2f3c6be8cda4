using System.Numerics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Measure;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// The Canny edge detector with the exact meaning of scikit-image 0.19's <c>skimage.feature.canny</c> for a
/// float32 image, with or without a mask (the steps and the float32 rounding points of skimage/NumPy/SciPy reproduced):
/// <list type="number">
/// <item>Smoothing: <c>smoothed = gaussian(image) / (gaussian(ones) + eps)</c> (with a mask: <c>gaussian(image where
/// mask, else 0) / (gaussian(mask as 0 / 1) + eps)</c>, a mask value nonzero, NaN included, as numpy's astype(bool)), each a SciPy
/// <c>gaussian_filter(sigma, mode, cval, truncate=4)</c> run axis 0 then axis 1; the image pass stores float32
/// after each axis (SciPy keeps the input dtype), the ones pass is float64; the quotient is stored float32.
/// Both go through <see cref="CannyGaussian"/> (double weights, SciPy's symmetric summation order), not the shared
/// float32-weight <see cref="SeparableFilter"/>: with that one a symmetric step edge loses skimage's exact
/// magnitude ties in non-maximum suppression (34 edge pixels instead of skimage's 60 on a 32 x 32 step).</item>
/// <item>Gradients: <c>isobel = ndimage.sobel(smoothed, axis=0)</c>, <c>jsobel = ndimage.sobel(smoothed, axis=1)</c>
/// (mode 'reflect', float32 results), <c>magnitude = hypot(isobel, jsobel)</c> (float32).</item>
/// <item>Non-maximum suppression by octants with interpolation between the two neighbours the gradient
/// points between (skimage's <c>_get_local_maxima</c>), only inside the border-eroded mask (the outermost
/// row/column never is an edge; with a mask, its <c>binary_erosion</c> by a 3 x 3 square with border 0) and where
/// magnitude &gt; 0. A pixel in several octants (ties) takes the result
/// of the last octant, as skimage's successive assignments do.</item>
/// <item>Hysteresis: keep the 8-connected components of (local maximum and magnitude &gt;= low) that contain a
/// pixel with magnitude &gt;= high (skimage's <c>ndimage.label</c> with a 3x3 structure).</item>
/// </list>
/// Thresholds are absolute magnitudes (skimage divides them by the dtype's max, which is 1 for floats):
/// defaults low 0.1, high 0.2; compared in float32 as NumPy does. With <c>useQuantiles</c> they are quantiles of
/// the magnitude (numpy.percentile, linear). The result is 1 at edges, 0 elsewhere.
/// </summary>
public static class Canny
{
    /// <summary>
    /// Runs Canny on one rows x cols image (row-major) into <paramref name="edges"/> (0 or 1). <paramref name="threads"/>
    /// parallelises the smoothing by rows and, with two or more, runs the Sobel pair, the magnitude and the suppression
    /// in two halves; the result does not depend on it. The same bits as <see cref="DetectReference"/> (the steps above
    /// one value at a time), faster: the smoothed ones (the bleed-over correction's denominator) made once per row for
    /// the columns the mode reaches and once for the columns it does not (where every tap reads the same value, so
    /// every result is the same), the Gaussian passes with each value's taps in registers, the Sobel pair, the
    /// magnitude, the division and the octant suppression as vectors (the same IEEE operations per value), the big
    /// arrays pooled.
    /// </summary>
    public static void Detect(
        ReadOnlySpan<float> image,
        int rows,
        int cols,
        Span<float> edges,
        double sigma = 1.0,
        double? lowThreshold = null,
        double? highThreshold = null,
        bool useQuantiles = false,
        BoundaryMode mode = BoundaryMode.Constant,
        double cval = 0.0,
        int threads = 1,
        ReadOnlySpan<float> mask = default)
    {
        var (n, lowF, highF) = Checked(image.Length, edges.Length, rows, cols, lowThreshold, highThreshold, useQuantiles);
        CheckMask(mask, n);
        var doubles = System.Buffers.ArrayPool<double>.Shared;
        float[]? masked = null;
        double[]? smoothedMask = null;
        if (!mask.IsEmpty)
        {
            masked = PixelPool.Shared.Rent(n);
            Masked(image, mask, masked);
            image = masked.AsSpan(0, n);
        }

        // The smoothing's rows are padded to a stride off multiples of 4 KiB (ScipyGaussian.Stride).
        int stride = ScipyGaussian.Stride(cols);
        double[] work = doubles.Rent(checked(rows * stride));
        float[] smoothed = PixelPool.Shared.Rent(n), isobel = PixelPool.Shared.Rent(n), jsobel = PixelPool.Shared.Rent(n), magnitude = PixelPool.Shared.Rent(n), scratch = PixelPool.Shared.Rent(n);
        bool[] localMax = System.Buffers.ArrayPool<bool>.Shared.Rent(n);
        try
        {
            // 1. smoothing with the bleed-over correction: the image in doubles (work, rows at the padded stride), then
            // SciPy's Gaussian band by band, each band's rows divided by the smoothed ones as they are made
            unsafe
            {
                fixed (float* pixels = image)
                {
                    nint at = (nint)pixels; // pinned while the runs read it
                    ScipyGaussian.ForRuns(rows, threads, (first, end) => ScipyGaussian.Widen(new ReadOnlySpan<float>((float*)at, n), work, first, end, cols, stride, scale: null));
                }
            }

            double[]? kernel = sigma > 1e-15 ? CannyGaussian.Kernel(sigma, 4.0) : null;
            IDenominator ones;
            if (mask.IsEmpty)
            {
                ones = new OnesDenominator(rows, cols, kernel, mode, cval);
            }
            else
            {
                smoothedMask = doubles.Rent(n);
                ones = new MaskDenominator(SmoothedMask(mask, rows, cols, stride, sigma, kernel, mode, cval, threads, smoothedMask), cols);
            }

            var smoothing = kernel is null ? null : new ScipyGaussian.Smoothing(sigma, sigma, 4.0, mode, cval, toFloat: true, cols);
            ScipyGaussian.ForRuns(rows, threads, (first, end) => SmoothRows(work, stride, rows, cols, first, end, smoothing, ones, smoothed));

            // 2. gradients and their magnitude
            // Each half of the work on its own thread where there are two (rows and values are independent: same bits).
            bool two = threads > 1 && n >= 1 << 16;
            if (two)
            {
                Parallel.Invoke(() => SobelFast(smoothed, rows, cols, axis: 0, isobel, magnitude), () => SobelFast(smoothed, rows, cols, axis: 1, jsobel, scratch));
                int half = (n / 2) & ~63;
                Parallel.Invoke(() => Magnitude(isobel, jsobel, magnitude, 0, half), () => Magnitude(isobel, jsobel, magnitude, half, n));
            }
            else
            {
                SobelFast(smoothed, rows, cols, axis: 0, isobel, magnitude);
                SobelFast(smoothed, rows, cols, axis: 1, jsobel, magnitude);
                Magnitude(isobel, jsobel, magnitude, 0, n);
            }

            if (useQuantiles)
            {
                (lowF, highF) = QuantileThresholds(magnitude.AsSpan(0, n), lowThreshold, highThreshold);
            }

            // 3. non-maximum suppression, 4. hysteresis
            if (two && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
            {
                Array.Clear(localMax, 0, n);
                int middle = rows / 2;
                Parallel.Invoke(
                    () => LocalMaximaRows(isobel, jsobel, magnitude, rows, cols, localMax, 1, middle),
                    () => LocalMaximaRows(isobel, jsobel, magnitude, rows, cols, localMax, middle, rows - 1));
            }
            else
            {
                LocalMaximaFast(isobel, jsobel, magnitude, rows, cols, localMax);
            }

            if (!mask.IsEmpty)
            {
                KeepInsideErodedMask(localMax, mask, rows, cols);
            }

            LabelledHysteresis(localMax, magnitude, rows, cols, lowF, highF, edges, threads);
        }
        finally
        {
            System.Buffers.ArrayPool<bool>.Shared.Return(localMax);
            doubles.Return(work);
            PixelPool.Shared.Return(smoothed);
            PixelPool.Shared.Return(isobel);
            PixelPool.Shared.Return(jsobel);
            PixelPool.Shared.Return(magnitude);
            PixelPool.Shared.Return(scratch);
            if (masked is not null)
            {
                PixelPool.Shared.Return(masked);
            }

            if (smoothedMask is not null)
            {
                doubles.Return(smoothedMask);
            }
        }
    }

    /// <summary>
    /// skimage's gaussian(mask as 0 / 1 in float64) into <paramref name="smoothed"/> (rows x cols, packed), by the same
    /// banded SciPy Gaussian as the image (float64 results), on the threads; no smoothing: the mask itself.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double[] SmoothedMask(ReadOnlySpan<float> mask, int rows, int cols, int stride, double sigma, double[]? kernel, BoundaryMode mode, double cval, int threads, double[] smoothed)
    {
        int n = rows * cols;
        if (kernel is null)
        {
            ZeroOne(mask, smoothed.AsSpan(0, n));
            return smoothed;
        }

        var work = System.Buffers.ArrayPool<double>.Shared.Rent(checked(rows * stride));
        try
        {
            for (int r = 0; r < rows; r++)
            {
                ZeroOne(mask.Slice(r * cols, cols), work.AsSpan(r * stride, cols));
            }

            var smoothing = new ScipyGaussian.Smoothing(sigma, sigma, 4.0, mode, cval, toFloat: false, cols);
            ScipyGaussian.ForRuns(rows, threads, (first, end) => smoothing.Bands(work, stride, rows, first, end, (b0, b1, band) => band.CopyTo(smoothed.AsSpan(b0 * cols, (b1 - b0) * cols))));
        }
        finally
        {
            System.Buffers.ArrayPool<double>.Shared.Return(work);
        }

        return smoothed;
    }

    /// <summary>A mask, when given, has one value per pixel of the frame.</summary>
    private static void CheckMask(ReadOnlySpan<float> mask, int n)
    {
        if (!mask.IsEmpty && mask.Length < n)
        {
            throw new ArgumentException($"the mask holds {mask.Length} values for an image of {n} pixels");
        }
    }

    /// <summary>The mask as float64 0 / 1 (1 where nonzero, NaN included, as numpy's astype(bool)).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void ZeroOne(ReadOnlySpan<float> mask, Span<double> ones)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var one = Vector<float>.One;
            for (; k <= mask.Length - Vector<float>.Count; k += Vector<float>.Count)
            {
                var m = Vector.AndNot(one, Vector.Equals(new Vector<float>(mask.Slice(k)), Vector<float>.Zero).As<int, float>());
                Vector.Widen(m, out var lo, out var hi);
                lo.CopyTo(ones.Slice(k));
                hi.CopyTo(ones.Slice(k + Vector<double>.Count));
            }
        }

        for (; k < mask.Length; k++)
        {
            ones[k] = mask[k] != 0f ? 1.0 : 0.0;
        }
    }

    /// <summary>skimage's masked_image: the image's value where the mask is nonzero (NaN counts as nonzero, as numpy's astype(bool)), 0 elsewhere.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Masked(ReadOnlySpan<float> image, ReadOnlySpan<float> mask, Span<float> masked)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; k <= masked.Length - Vector<float>.Count; k += Vector<float>.Count)
            {
                var outside = Vector.Equals(new Vector<float>(mask.Slice(k)), Vector<float>.Zero);
                Vector.ConditionalSelect(outside, Vector<float>.Zero, new Vector<float>(image.Slice(k))).CopyTo(masked.Slice(k));
            }
        }

        for (; k < masked.Length; k++)
        {
            masked[k] = mask[k] != 0f ? image[k] : 0f;
        }
    }

    /// <summary>
    /// Clears the local maxima outside skimage's eroded mask, <c>ndimage.binary_erosion(mask, ones((3, 3)),
    /// border_value=0)</c>: a pixel stays when it and its 8 neighbours are all in the mask and inside the frame (the
    /// border ring, which the suppression never marks, is outside it). Inside that ring the suppression's answer does
    /// not depend on the mask, so this equals skimage's suppression restricted to the eroded mask.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void KeepInsideErodedMask(bool[] localMax, ReadOnlySpan<float> mask, int rows, int cols)
    {
        for (int r = 1; r < rows - 1; r++)
        {
            for (int c = 1; c < cols - 1; c++)
            {
                int k = (r * cols) + c;
                if (localMax[k] && !AllIn3x3(mask, k, cols))
                {
                    localMax[k] = false;
                }
            }
        }
    }

    /// <summary>Whether the 3 x 3 neighbourhood of pixel k (not on the border) lies wholly in the mask.</summary>
    private static bool AllIn3x3(ReadOnlySpan<float> mask, int k, int cols)
    {
        for (int dr = -cols; dr <= cols; dr += cols)
        {
            if (mask[k + dr - 1] == 0f || mask[k + dr] == 0f || mask[k + dr + 1] == 0f)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Rows first..end-1 of smoothed: SciPy's Gaussian of work (none without <paramref name="smoothing"/>) a band at a
    /// time, each row divided by the smoothed ones.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void SmoothRows(double[] work, int stride, int rows, int cols, int first, int end, ScipyGaussian.Smoothing? smoothing, IDenominator ones, float[] smoothed)
    {
        if (smoothing is null)
        {
            for (int r = first; r < end; r++)
            {
                ones.Divide(r, work.AsSpan(r * stride, cols), smoothed.AsSpan(r * cols, cols));
            }

            return;
        }

        smoothing.Bands(work, stride, rows, first, end, [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)] (b0, b1, band) =>
        {
            for (int r = b0; r < b1; r++)
            {
                ones.Divide(r, band.Slice((r - b0) * cols, cols), smoothed.AsSpan(r * cols, cols));
            }
        });
    }

    /// <summary>
    /// The frame's size (image and edges must hold rows x cols) and the thresholds as given (checked), in float32; with
    /// quantiles, placeholders until the magnitude is known.
    /// </summary>
    private static (int N, float Low, float High) Checked(int imageLength, int edgesLength, int rows, int cols, double? lowThreshold, double? highThreshold, bool useQuantiles)
    {
        int n = rows * cols;
        if (imageLength != n || edgesLength != n)
        {
            throw new ArgumentException($"image has {imageLength} values and edges {edgesLength}, shape ({rows}, {cols}) needs {n}");
        }

        double low = lowThreshold ?? 0.1;
        double high = highThreshold ?? 0.2;
        if (useQuantiles && (low is < 0.0 or > 1.0 || high is < 0.0 or > 1.0))
        {
            throw new ArgumentException("quantile thresholds must be between 0 and 1");
        }

        if (high < low)
        {
            throw new ArgumentException("low_threshold should be lower than high_threshold");
        }

        return (n, (float)low, (float)high);
    }

    /// <summary>The thresholds as quantiles of the magnitude (numpy.percentile, linear).</summary>
    private static (float Low, float High) QuantileThresholds(ReadOnlySpan<float> magnitude, double? lowThreshold, double? highThreshold)
    {
        var sorted = magnitude.ToArray();
        Array.Sort(sorted);
        return ((float)Percentile(sorted, 100.0 * (lowThreshold ?? 0.1)), (float)Percentile(sorted, 100.0 * (highThreshold ?? 0.2)));
    }

    /// <summary>
    /// The hysteresis as scikit-image computes it: the low mask (local maximum and magnitude &gt;= low) as bits, its
    /// 8-connected components (<see cref="RunLabels"/>, the <c>label</c> op's), each component kept when one of its
    /// pixels has magnitude &gt;= high. The same edges as <see cref="Hysteresis"/>'s flood (which took 13 ms of a
    /// 21 ms call on a 1024 x 1024 X-ray at thresholds 25.5 / 51: a pixel at a time through a stack).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void LabelledHysteresis(bool[] localMax, float[] magnitude, int rows, int cols, float lowF, float highF, Span<float> edges, int threads)
    {
        var mask = PackedMask.Rent(1, rows, cols);
        try
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) };
            int parts = (long)rows * cols >= 1 << 16 ? Math.Max(1, threads) : 1;
            Parallel.For(0, parts, options, part =>
            {
                for (int r = (int)((long)rows * part / parts), end = (int)((long)rows * (part + 1) / parts); r < end; r++)
                {
                    LowMaskRow(localMax.AsSpan(r * cols, cols), magnitude.AsSpan(r * cols, cols), lowF, mask.Row(0, r));
                }
            });

            using var labels = RunLabels.Find(mask, 0, Neighbours.Square, threads);
            var kept = System.Buffers.ArrayPool<bool>.Shared.Rent(labels.Count + 1);
            try
            {
                Array.Clear(kept, 0, labels.Count + 1);
                ReadOnlySpan<int> start = labels.Start, stop = labels.End, label = labels.Label;
                for (int r = 0; r < rows; r++)
                {
                    for (int k = labels.RowStart[r]; k < labels.RowStart[r + 1]; k++)
                    {
                        if (!kept[label[k]] && AnyAtLeast(magnitude.AsSpan((r * cols) + start[k], stop[k] - start[k]), highF))
                        {
                            kept[label[k]] = true;
                        }
                    }
                }

                edges.Clear();
                for (int r = 0; r < rows; r++)
                {
                    for (int k = labels.RowStart[r]; k < labels.RowStart[r + 1]; k++)
                    {
                        if (kept[label[k]])
                        {
                            edges.Slice((r * cols) + start[k], stop[k] - start[k]).Fill(1f);
                        }
                    }
                }
            }
            finally
            {
                System.Buffers.ArrayPool<bool>.Shared.Return(kept);
            }
        }
        finally
        {
            mask.Release();
        }
    }

    /// <summary>One row of the low mask as bits: bit t of word k = localMax[64k + t] and magnitude[64k + t] &gt;= low (spare bits 0).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void LowMaskRow(ReadOnlySpan<bool> localMax, ReadOnlySpan<float> magnitude, float low, Span<ulong> words)
    {
        int cols = magnitude.Length, k = 0;
        if (System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(localMax);
            var limit = System.Runtime.Intrinsics.Vector512.Create(low);
            for (; k < cols / 64; k++)
            {
                int at = k * 64;
                ulong maxima = ~System.Runtime.Intrinsics.Vector512.ExtractMostSignificantBits(System.Runtime.Intrinsics.Vector512.Equals(System.Runtime.Intrinsics.Vector512.Create(bytes.Slice(at, 64)), System.Runtime.Intrinsics.Vector512<byte>.Zero));
                ulong atLeast = AtLeast(magnitude.Slice(at, 16), limit) | (AtLeast(magnitude.Slice(at + 16, 16), limit) << 16)
                    | (AtLeast(magnitude.Slice(at + 32, 16), limit) << 32) | (AtLeast(magnitude.Slice(at + 48, 16), limit) << 48);
                words[k] = maxima & atLeast;
            }
        }

        for (; k < words.Length; k++)
        {
            ulong w = 0;
            for (int t = 0, at = k * 64; t < 64 && at + t < cols; t++)
            {
                if (localMax[at + t] && magnitude[at + t] >= low)
                {
                    w |= 1UL << t;
                }
            }

            words[k] = w;
        }
    }

    /// <summary>Bit t: values[t] &gt;= limit[t] (16 values; NaN is not).</summary>
    private static ulong AtLeast(ReadOnlySpan<float> values, System.Runtime.Intrinsics.Vector512<float> limit)
        => System.Runtime.Intrinsics.Vector512.ExtractMostSignificantBits(System.Runtime.Intrinsics.Vector512.GreaterThanOrEqual(System.Runtime.Intrinsics.Vector512.Create(values), limit));

    /// <summary>Whether some value of <paramref name="values"/> is at least <paramref name="high"/> (NaN is not).</summary>
    private static bool AnyAtLeast(ReadOnlySpan<float> values, float high)
    {
        foreach (float v in values)
        {
            if (v >= high)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Flood the low mask from every high pixel, 8-connected (edges cleared first).</summary>
    private static void Hysteresis(bool[] localMax, float[] magnitude, int rows, int cols, float lowF, float highF, Span<float> edges)
    {
        int n = rows * cols;
        edges.Clear();
        var stack = new Stack<int>();
        for (int k = 0; k < n; k++)
        {
            if (localMax[k] && magnitude[k] >= highF && edges[k] == 0)
            {
                edges[k] = 1;
                stack.Push(k);
                while (stack.Count > 0)
                {
                    int p = stack.Pop();
                    int r = p / cols, c = p % cols;
                    for (int dr = -1; dr <= 1; dr++)
                    {
                        int rr = r + dr;
                        if ((uint)rr >= (uint)rows)
                        {
                            continue;
                        }

                        for (int dc = -1; dc <= 1; dc++)
                        {
                            int cc = c + dc;
                            if ((uint)cc >= (uint)cols)
                            {
                                continue;
                            }

                            int q = (rr * cols) + cc;
                            if (edges[q] == 0 && localMax[q] && magnitude[q] >= lowF)
                            {
                                edges[q] = 1;
                                stack.Push(q);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// The meaning of <see cref="Detect"/> one value at a time, kept for the tests: every step as the class remarks
    /// describe it, on fresh arrays.
    /// </summary>
    internal static void DetectReference(
        ReadOnlySpan<float> image,
        int rows,
        int cols,
        Span<float> edges,
        double sigma = 1.0,
        double? lowThreshold = null,
        double? highThreshold = null,
        bool useQuantiles = false,
        BoundaryMode mode = BoundaryMode.Constant,
        double cval = 0.0,
        int threads = 1,
        ReadOnlySpan<float> mask = default)
    {
        var (n, lowF, highF) = Checked(image.Length, edges.Length, rows, cols, lowThreshold, highThreshold, useQuantiles);
        CheckMask(mask, n);

        // 1. smoothing with the bleed-over correction: the image where the mask is nonzero (0 elsewhere) and the mask
        // as 0 / 1 in float64 (no mask: the image, and ones)
        var work = new double[n];
        var ones = new double[n];
        for (int k = 0; k < n; k++)
        {
            bool inside = mask.IsEmpty || mask[k] != 0f;
            work[k] = inside ? image[k] : 0f;
            ones[k] = inside ? 1.0 : 0.0;
        }

        if (sigma > 1e-15)
        {
            var kernel = CannyGaussian.Kernel(sigma, 4.0);
            CannyGaussian.Correlate1D(work, rows, cols, axis: 0, kernel, mode, cval, toFloat: true, threads);
            CannyGaussian.Correlate1D(work, rows, cols, axis: 1, kernel, mode, cval, toFloat: true, threads);
            CannyGaussian.Correlate1D(ones, rows, cols, axis: 0, kernel, mode, cval, toFloat: false, threads);
            CannyGaussian.Correlate1D(ones, rows, cols, axis: 1, kernel, mode, cval, toFloat: false, threads);
        }

        var smoothed = new float[n];
        for (int k = 0; k < n; k++)
        {
            smoothed[k] = (float)(work[k] / (ones[k] + NumpyEps));
        }

        // 2. gradients (ndimage.sobel, mode reflect, float32 output)
        var isobel = Sobel(smoothed, rows, cols, axis: 0);
        var jsobel = Sobel(smoothed, rows, cols, axis: 1);
        var magnitude = new float[n];
        for (int k = 0; k < n; k++)
        {
            magnitude[k] = (float)Math.Sqrt(((double)isobel[k] * isobel[k]) + ((double)jsobel[k] * jsobel[k]));
        }

        if (useQuantiles)
        {
            (lowF, highF) = QuantileThresholds(magnitude, lowThreshold, highThreshold);
        }

        // 3. non-maximum suppression, inside the border-eroded mask (with a mask: its 3 x 3 erosion, border 0)
        var localMax = LocalMaxima(isobel, jsobel, magnitude, rows, cols);
        for (int k = 0; k < n && !mask.IsEmpty; k++)
        {
            int r = k / cols, c = k % cols;
            bool eroded = r > 0 && r < rows - 1 && c > 0 && c < cols - 1;
            for (int dr = -1; dr <= 1 && eroded; dr++)
            {
                for (int dc = -1; dc <= 1; dc++)
                {
                    eroded &= mask[((r + dr) * cols) + c + dc] != 0f;
                }
            }

            localMax[k] &= eroded;
        }

        // 4. hysteresis
        Hysteresis(localMax, magnitude, rows, cols, lowF, highF, edges);
    }

    /// <summary>
    /// gaussian(ones) as <see cref="CannyGaussian.Correlate1D"/> makes it, axis 0 then axis 1, without the passes over
    /// a frame of ones: every column of ones is the same, so axis 0 gives one value per row (Down); along axis 1 a row
    /// of one value gives the same result at every column whose taps stay inside the row (Inner), and the columns
    /// within the radius of an edge are made one by one (Left, Right) with the same operations in the same order.
    /// </summary>
    /// <summary>Divides a row of the smoothed image by the smoothed mask (+ eps): skimage's bleed-over correction.</summary>
    private interface IDenominator
    {
        void Divide(int r, ReadOnlySpan<double> work, Span<float> smoothed);
    }

    /// <summary>The smoothed mask of <see cref="SmoothedMask"/> as the denominator (the all-ones case is <see cref="OnesDenominator"/>).</summary>
    private sealed class MaskDenominator(double[] smoothedMask, int cols) : IDenominator
    {
        /// <summary>smoothed[c] = (float)(work[c] / (gaussian(mask)(r, c) + eps)) for row r.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void Divide(int r, ReadOnlySpan<double> work, Span<float> smoothed)
        {
            var d = smoothedMask.AsSpan(r * cols, cols);
            int c = 0;
            int width = Vector<double>.Count;
            if (Vector.IsHardwareAccelerated)
            {
                var eps = new Vector<double>(NumpyEps);
                for (; c <= cols - (2 * width); c += 2 * width)
                {
                    var q0 = new Vector<double>(work.Slice(c, width)) / (new Vector<double>(d.Slice(c, width)) + eps);
                    var q1 = new Vector<double>(work.Slice(c + width, width)) / (new Vector<double>(d.Slice(c + width, width)) + eps);
                    Vector.Narrow(q0, q1).CopyTo(smoothed.Slice(c, 2 * width));
                }
            }

            for (; c < cols; c++)
            {
                smoothed[c] = (float)(work[c] / (d[c] + NumpyEps));
            }
        }
    }

    private sealed class OnesDenominator : IDenominator
    {
        private readonly int _cols;
        private readonly int _edge;
        private readonly double[] _inner;
        private readonly double[] _left;
        private readonly double[] _right;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public OnesDenominator(int rows, int cols, double[]? w, BoundaryMode mode, double cval)
        {
            _cols = cols;
            int radius = w is null ? 0 : w.Length / 2;
            _edge = Math.Min(cols, radius);
            _inner = new double[rows];
            _left = new double[rows * _edge];
            _right = new double[rows * _edge];
            if (w is null)
            {
                _inner.AsSpan().Fill(1.0);
                _left.AsSpan().Fill(1.0);
                _right.AsSpan().Fill(1.0);
                return;
            }

            var down = new double[rows];
            for (int t = 0; t < rows; t++)
            {
                double acc = 1.0 * w[radius];
                for (int j = -radius; j < 0; j++)
                {
                    acc += (One(t + j, rows) + One(t - j, rows)) * w[radius + j];
                }

                down[t] = acc;
            }

            for (int t = 0; t < rows; t++)
            {
                double v = down[t];
                double Along(int c)
                {
                    double acc = At(c) * w[radius];
                    for (int j = -radius; j < 0; j++)
                    {
                        acc += (At(c + j) + At(c - j)) * w[radius + j];
                    }

                    return acc;
                }

                double At(int k) => Boundary.Map(k, cols, mode) < 0 ? cval : v;
                _inner[t] = cols > 2 * radius ? Along(radius) : 0;
                for (int c = 0; c < _edge; c++)
                {
                    _left[(t * _edge) + c] = Along(c);
                    _right[(t * _edge) + c] = Along(cols - _edge + c);
                }
            }

            double One(int t, int n) => Boundary.Map(t, n, mode) < 0 ? cval : 1.0;
        }

        /// <summary>smoothed[c] = (float)(work[c] / (ones(r, c) + eps)) for row r.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public void Divide(int r, ReadOnlySpan<double> work, Span<float> smoothed)
        {
            int c = 0;
            for (; c < _edge; c++)
            {
                smoothed[c] = (float)(work[c] / (_left[(r * _edge) + c] + NumpyEps));
            }

            int end = _cols - _edge;
            double d = _inner[r] + NumpyEps;
            int width = Vector<double>.Count;
            if (Vector.IsHardwareAccelerated)
            {
                var vd = new Vector<double>(d);
                for (; c <= end - (2 * width); c += 2 * width)
                {
                    var q0 = new Vector<double>(work.Slice(c, width)) / vd;
                    var q1 = new Vector<double>(work.Slice(c + width, width)) / vd;
                    Vector.Narrow(q0, q1).CopyTo(smoothed.Slice(c, 2 * width));
                }
            }

            for (; c < end; c++)
            {
                smoothed[c] = (float)(work[c] / d);
            }

            for (; c < _cols; c++)
            {
                smoothed[c] = (float)(work[c] / (_right[(r * _edge) + c - end] + NumpyEps));
            }
        }
    }

    /// <summary>
    /// <see cref="Sobel"/> into <paramref name="output"/> (rows x cols at its start), rows of the inside as vectors of
    /// doubles (the same double operations per value, rounded to float32 at the same points), the edges value by
    /// value; <paramref name="deriv"/> is scratch of the same size.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void SobelFast(float[] input, int rows, int cols, int axis, float[] output, float[] deriv)
    {
        int width = Vector<float>.Count;
        if (axis == 0)
        {
            for (int r = 0; r < rows; r++)
            {
                int up = Reflect(r - 1, rows) * cols, down = Reflect(r + 1, rows) * cols, o = r * cols;
                int c = 0;
                for (; c <= cols - width; c += width)
                {
                    Vector.Widen(new Vector<float>(input, up + c), out var u0, out var u1);
                    Vector.Widen(new Vector<float>(input, down + c), out var d0, out var d1);
                    Vector.Narrow((u0 - d0) * -1.0, (u1 - d1) * -1.0).CopyTo(deriv, o + c);
                }

                for (; c < cols; c++)
                {
                    deriv[o + c] = (float)(((double)input[up + c] - input[down + c]) * -1.0);
                }

                SmoothAlongRow(deriv, o, cols, output);
            }
        }
        else
        {
            for (int r = 0; r < rows; r++)
            {
                int o = r * cols;
                deriv[o] = (float)(((double)input[o + Reflect(-1, cols)] - input[o + Reflect(1, cols)]) * -1.0);
                int c = 1;
                for (; c <= cols - 1 - width; c += width)
                {
                    Vector.Widen(new Vector<float>(input, o + c - 1), out var l0, out var l1);
                    Vector.Widen(new Vector<float>(input, o + c + 1), out var r0, out var r1);
                    Vector.Narrow((l0 - r0) * -1.0, (l1 - r1) * -1.0).CopyTo(deriv, o + c);
                }

                for (; c < cols; c++)
                {
                    int cl = Reflect(c - 1, cols), cr = Reflect(c + 1, cols);
                    deriv[o + c] = (float)(((double)input[o + cl] - input[o + cr]) * -1.0);
                }
            }

            for (int r = 0; r < rows; r++)
            {
                int up = Reflect(r - 1, rows) * cols, down = Reflect(r + 1, rows) * cols, o = r * cols;
                int c = 0;
                for (; c <= cols - width; c += width)
                {
                    Vector.Widen(new Vector<float>(deriv, o + c), out var m0, out var m1);
                    Vector.Widen(new Vector<float>(deriv, up + c), out var u0, out var u1);
                    Vector.Widen(new Vector<float>(deriv, down + c), out var d0, out var d1);
                    Vector.Narrow((m0 * 2.0) + ((u0 + d0) * 1.0), (m1 * 2.0) + ((u1 + d1) * 1.0)).CopyTo(output, o + c);
                }

                for (; c < cols; c++)
                {
                    output[o + c] = (float)((deriv[o + c] * 2.0) + (((double)deriv[up + c] + deriv[down + c]) * 1.0));
                }
            }
        }
    }

    /// <summary>output[o + c] = (float)(deriv[o + c] * 2 + (deriv[o + cl] + deriv[o + cr]) * 1) in double, cl / cr reflected at the ends.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void SmoothAlongRow(float[] deriv, int o, int cols, float[] output)
    {
        int width = Vector<float>.Count;
        output[o] = (float)((deriv[o] * 2.0) + (((double)deriv[o + Reflect(-1, cols)] + deriv[o + Reflect(1, cols)]) * 1.0));
        int c = 1;
        for (; c <= cols - 1 - width; c += width)
        {
            Vector.Widen(new Vector<float>(deriv, o + c), out var m0, out var m1);
            Vector.Widen(new Vector<float>(deriv, o + c - 1), out var l0, out var l1);
            Vector.Widen(new Vector<float>(deriv, o + c + 1), out var r0, out var r1);
            Vector.Narrow((m0 * 2.0) + ((l0 + r0) * 1.0), (m1 * 2.0) + ((l1 + r1) * 1.0)).CopyTo(output, o + c);
        }

        for (; c < cols; c++)
        {
            int cl = Reflect(c - 1, cols), cr = Reflect(c + 1, cols);
            output[o + c] = (float)((deriv[o + c] * 2.0) + (((double)deriv[o + cl] + deriv[o + cr]) * 1.0));
        }
    }

    /// <summary>magnitude[k] = (float)sqrt((double)a[k]^2 + (double)b[k]^2) for from &lt;= k &lt; n, as vectors of doubles.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Magnitude(float[] a, float[] b, float[] magnitude, int from, int n)
    {
        int width = Vector<float>.Count, k = from;
        for (; k <= n - width; k += width)
        {
            Vector.Widen(new Vector<float>(a, k), out var a0, out var a1);
            Vector.Widen(new Vector<float>(b, k), out var b0, out var b1);
            Vector.Narrow(Vector.SquareRoot((a0 * a0) + (b0 * b0)), Vector.SquareRoot((a1 * a1) + (b1 * b1))).CopyTo(magnitude, k);
        }

        for (; k < n; k++)
        {
            magnitude[k] = (float)Math.Sqrt(((double)a[k] * a[k]) + ((double)b[k] * b[k]));
        }
    }

    /// <summary>np.finfo(float).eps, added to the smoothed mask by skimage.</summary>
    private const double NumpyEps = 2.220446049250313e-16;

    /// <summary>
    /// ndimage.sobel(input, axis) for float32 input, mode 'reflect': [-1, 0, 1] along axis (SciPy's antisymmetric loop:
    /// out = (x[i-1] - x[i+1]) * -1 in double), stored float32; then [1, 2, 1] along the other axis
    /// (x[i] * 2 + (x[i-1] + x[i+1]) * 1 in double), stored float32. Computed row by row (same arithmetic).
    /// </summary>
    internal static float[] Sobel(float[] input, int rows, int cols, int axis)
    {
        var deriv = new float[input.Length];
        var output = new float[input.Length];
        if (axis == 0)
        {
            for (int r = 0; r < rows; r++)
            {
                int up = Reflect(r - 1, rows) * cols, down = Reflect(r + 1, rows) * cols, o = r * cols;
                for (int c = 0; c < cols; c++)
                {
                    deriv[o + c] = (float)(((double)input[up + c] - input[down + c]) * -1.0);
                }

                for (int c = 0; c < cols; c++)
                {
                    int cl = Reflect(c - 1, cols), cr = Reflect(c + 1, cols);
                    output[o + c] = (float)((deriv[o + c] * 2.0) + (((double)deriv[o + cl] + deriv[o + cr]) * 1.0));
                }
            }
        }
        else
        {
            for (int r = 0; r < rows; r++)
            {
                int o = r * cols;
                for (int c = 0; c < cols; c++)
                {
                    int cl = Reflect(c - 1, cols), cr = Reflect(c + 1, cols);
                    deriv[o + c] = (float)(((double)input[o + cl] - input[o + cr]) * -1.0);
                }
            }

            for (int r = 0; r < rows; r++)
            {
                int up = Reflect(r - 1, rows) * cols, down = Reflect(r + 1, rows) * cols, o = r * cols;
                for (int c = 0; c < cols; c++)
                {
                    output[o + c] = (float)((deriv[o + c] * 2.0) + (((double)deriv[up + c] + deriv[down + c]) * 1.0));
                }
            }
        }

        return output;
    }

    private static int Reflect(int k, int n) => Boundary.Map(k, n, BoundaryMode.Reflect);

    /// <summary>skimage's _get_local_maxima: octant-wise non-maximum suppression with interpolation (float32 arithmetic).</summary>
    internal static bool[] LocalMaxima(float[] isobel, float[] jsobel, float[] magnitude, int rows, int cols)
    {
        var result = new bool[magnitude.Length];
        for (int r = 1; r < rows - 1; r++)
        {
            for (int c = 1; c < cols - 1; c++)
            {
                result[(r * cols) + c] = LocalMaximum(isobel, jsobel, magnitude, cols, r, c);
            }
        }

        return result;
    }

    /// <summary>One pixel of <see cref="LocalMaxima"/> (inside the border).</summary>
    private static bool LocalMaximum(float[] isobel, float[] jsobel, float[] magnitude, int cols, int r, int c)
    {
        int k = (r * cols) + c;
        float m = magnitude[k];
        if (!(m > 0))
        {
            return false;
        }

        float gi = isobel[k], gj = jsobel[k];
        float ai = Math.Abs(gi), aj = Math.Abs(gj);
        bool horizontal = ai >= aj, vertical = ai <= aj;
        bool up = gi >= 0, down = gi <= 0, right = gj >= 0, left = gj <= 0;
        bool diag = (up && right) || (down && left);
        bool anti = (down && right) || (up && left);
        bool? value = null;

        // 0-45 degrees: neighbours (+1, 0) and (+1, +1), weight |j|/|i|
        if (diag && horizontal)
        {
            value = Check(magnitude, cols, r, c, m, aj / ai, 1, 0, 1, 1);
        }

        // 45-90 degrees: (0, +1) and (+1, +1), weight |i|/|j|
        if (diag && vertical)
        {
            value = Check(magnitude, cols, r, c, m, ai / aj, 0, 1, 1, 1);
        }

        // 90-135 degrees: (0, +1) and (-1, +1), weight |i|/|j|
        if (anti && vertical)
        {
            value = Check(magnitude, cols, r, c, m, ai / aj, 0, 1, -1, 1);
        }

        // 135-180 degrees: (-1, 0) and (-1, +1), weight |j|/|i|
        if (anti && horizontal)
        {
            value = Check(magnitude, cols, r, c, m, aj / ai, -1, 0, -1, 1);
        }

        return value ?? false;
    }

    /// <summary>
    /// <see cref="LocalMaxima"/> into <paramref name="result"/> (its first rows x cols cleared here), 8 pixels of a row
    /// at a time: every octant's test made for all 8 with the same float32 operations, and the octants applied in
    /// the same order (a pixel in several takes the last one's answer, none: false); the row's last pixels one by one.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void LocalMaximaFast(float[] isobel, float[] jsobel, float[] magnitude, int rows, int cols, bool[] result)
    {
        Array.Clear(result, 0, rows * cols);
        if (!System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated)
        {
            LocalMaxima(isobel, jsobel, magnitude, rows, cols).AsSpan(0, rows * cols).CopyTo(result);
            return;
        }

        LocalMaximaRows(isobel, jsobel, magnitude, rows, cols, result, 1, rows - 1);
    }

    /// <summary><see cref="LocalMaximaFast"/> of rows [r0, r1) (inside the border; result already cleared).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void LocalMaximaRows(float[] isobel, float[] jsobel, float[] magnitude, int rows, int cols, bool[] result, int r0, int r1)
    {

        var zero = System.Runtime.Intrinsics.Vector256<float>.Zero;
        var oneF = System.Runtime.Intrinsics.Vector256.Create(1f);
        ref float mag0 = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(magnitude);
        ref float gi0 = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(isobel);
        ref float gj0 = ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(jsobel);
        for (int r = Math.Max(1, r0); r < Math.Min(rows - 1, r1); r++)
        {
            int c = 1;
            for (; c <= cols - 1 - 8; c += 8)
            {
                nuint k = (nuint)((r * cols) + c);
                var m = System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref mag0, k);
                var gi = System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref gi0, k);
                var gj = System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref gj0, k);
                var ai = System.Runtime.Intrinsics.Vector256.Abs(gi);
                var aj = System.Runtime.Intrinsics.Vector256.Abs(gj);
                var horizontal = System.Runtime.Intrinsics.Vector256.GreaterThanOrEqual(ai, aj);
                var vertical = System.Runtime.Intrinsics.Vector256.LessThanOrEqual(ai, aj);
                var up = System.Runtime.Intrinsics.Vector256.GreaterThanOrEqual(gi, zero);
                var down = System.Runtime.Intrinsics.Vector256.LessThanOrEqual(gi, zero);
                var right = System.Runtime.Intrinsics.Vector256.GreaterThanOrEqual(gj, zero);
                var left = System.Runtime.Intrinsics.Vector256.LessThanOrEqual(gj, zero);
                var diag = (up & right) | (down & left);
                var anti = (down & right) | (up & left);
                var wh = aj / ai;
                var wv = ai / aj;
                long row = r * (long)cols;
                var value = System.Runtime.Intrinsics.Vector256<float>.Zero; // all-ones lanes where the last applicable octant says so
                value = System.Runtime.Intrinsics.Vector256.ConditionalSelect(diag & horizontal, Check8(ref mag0, k, cols, m, wh, oneF, 1, 0, 1, 1), value);
                value = System.Runtime.Intrinsics.Vector256.ConditionalSelect(diag & vertical, Check8(ref mag0, k, cols, m, wv, oneF, 0, 1, 1, 1), value);
                value = System.Runtime.Intrinsics.Vector256.ConditionalSelect(anti & vertical, Check8(ref mag0, k, cols, m, wv, oneF, 0, 1, -1, 1), value);
                value = System.Runtime.Intrinsics.Vector256.ConditionalSelect(anti & horizontal, Check8(ref mag0, k, cols, m, wh, oneF, -1, 0, -1, 1), value);
                value &= System.Runtime.Intrinsics.Vector256.GreaterThan(m, zero);
                uint bits = System.Runtime.Intrinsics.Vector256.ExtractMostSignificantBits(value);
                if (bits != 0)
                {
                    System.Runtime.CompilerServices.Unsafe.WriteUnaligned(ref System.Runtime.CompilerServices.Unsafe.As<bool, byte>(ref result[(int)k]), ByteLanes[bits]);
                }
            }

            for (; c < cols - 1; c++)
            {
                int k = (r * cols) + c;
                result[k] = LocalMaximum(isobel, jsobel, magnitude, cols, r, c);
            }
        }
    }

    /// <summary>For each 8-bit mask, the 8 bools (bytes 0 or 1) it stands for, as one little-endian word.</summary>
    private static readonly ulong[] ByteLanes = BuildByteLanes();

    private static ulong[] BuildByteLanes()
    {
        var lanes = new ulong[256];
        for (int bits = 0; bits < 256; bits++)
        {
            for (int i = 0; i < 8; i++)
            {
                lanes[bits] |= (ulong)((bits >> i) & 1) << (8 * i);
            }
        }

        return lanes;
    }

    /// <summary><see cref="Check"/> for 8 neighbouring pixels (all-ones lanes where both interpolated neighbours are &lt;= m).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static System.Runtime.Intrinsics.Vector256<float> Check8(ref float mag0, nuint k, int cols, System.Runtime.Intrinsics.Vector256<float> m, System.Runtime.Intrinsics.Vector256<float> w, System.Runtime.Intrinsics.Vector256<float> one, int r1, int c1, int r2, int c2)
    {
        var oneMinusW = one - w;
        var p1 = System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref mag0, (nuint)((nint)k + (r1 * cols) + c1));
        var p2 = System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref mag0, (nuint)((nint)k + (r2 * cols) + c2));
        var plus = (p2 * w) + (p1 * oneMinusW);
        var q1 = System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref mag0, (nuint)((nint)k - (r1 * cols) - c1));
        var q2 = System.Runtime.Intrinsics.Vector256.LoadUnsafe(ref mag0, (nuint)((nint)k - (r2 * cols) - c2));
        var minus = (q2 * w) + (q1 * oneMinusW);
        return System.Runtime.Intrinsics.Vector256.LessThanOrEqual(plus, m) & System.Runtime.Intrinsics.Vector256.LessThanOrEqual(minus, m);
    }

    private static bool Check(float[] mag, int cols, int r, int c, float m, float w, int r1, int c1, int r2, int c2)
    {
        float oneMinusW = 1f - w;
        float p1 = mag[((r + r1) * cols) + c + c1];
        float p2 = mag[((r + r2) * cols) + c + c2];
        float plus = (p2 * w) + (p1 * oneMinusW);
        float q1 = mag[((r - r1) * cols) + c - c1];
        float q2 = mag[((r - r2) * cols) + c - c2];
        float minus = (q2 * w) + (q1 * oneMinusW);
        return plus <= m && minus <= m;
    }

    /// <summary>numpy.percentile (linear) of a sorted array.</summary>
    private static double Percentile(float[] sorted, double q)
    {
        double index = q / 100.0 * (sorted.Length - 1);
        int lo = (int)Math.Floor(index);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        double t = index - lo;
        double a = sorted[lo], b = sorted[hi];
        double diff = b - a;
        return t >= 0.5 ? b - (diff * (1 - t)) : a + (diff * t);
    }
}
