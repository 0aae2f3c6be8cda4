using System.Buffers;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// scipy.ndimage.gaussian_filter (order 0) as SciPy computes it for a float32 or a float64 array, bit for bit: for
/// each axis in order whose sigma is above 1e-15, <see cref="CannyGaussian"/>'s kernel (radius int(truncate * sigma
/// + 0.5)) and NI_Correlate1D's symmetric loop in float64, the pass stored in the array's type (rounded to float32
/// for a float32 array). The project's own float32 Gaussian (<see cref="SeparableFilter"/>) is faster and within
/// float rounding of it; the ops that take differences of smoothed values (the ridge filters' Hessian,
/// difference_of_gaussians) use this one, since a difference magnifies that last bit.
/// <para>
/// The two passes run in bands of rows: a band's axis-0 pass into rows of the thread's own, then each of those rows'
/// axis-1 pass, so the axis-0 pass's result is never written as a whole frame (each value's operations are SciPy's
/// in its order, whatever the order the values are made in). A thread makes a run of consecutive bands, so the rows
/// its axis-0 window reads stay in its caches from one band to the next.
/// </para>
/// </summary>
internal static class ScipyGaussian
{
    /// <summary>
    /// The frame in <paramref name="src"/> (rows x cols in rows of <paramref name="stride"/>) smoothed into
    /// <paramref name="dst"/> (rows x cols, packed); an axis whose sigma is at or below 1e-15 is skipped (a copy when
    /// both are).
    /// </summary>
    public static unsafe void Apply(double[] src, int stride, double[] dst, int rows, int cols, double sigma0, double sigma1, BoundaryMode mode, double cval, double truncate, bool toFloat, int threads)
    {
        Check(src, stride, rows, cols);
        if ((long)rows * cols > dst.Length)
        {
            throw new ArgumentException("dst does not hold rows x cols", nameof(dst));
        }

        var smoothing = new Smoothing(sigma0, sigma1, truncate, mode, cval, toFloat, cols);
        ForRuns(rows, threads, (first, end) =>
        {
            var scratch = smoothing.RentScratch();
            try
            {
                fixed (double* s = src, d = dst)
                {
                    smoothing.Rows(s, stride, rows, first, end, scratch, d + ((long)first * cols), cols);
                }
            }
            finally
            {
                Smoothing.Return(scratch);
            }
        });
    }

    /// <summary>
    /// A row stride for a frame whose axis-0 pass reads a window of rows: a row of a multiple of 64 doubles (4 KiB
    /// multiples) gets 8 more, so the window's rows do not all fall in the same L1 sets (as Canny's).
    /// </summary>
    public static int Stride(int cols) => cols % 64 == 0 ? cols + 8 : cols;

    /// <summary>
    /// body(first, end) for runs of consecutive rows covering 0..rows, on up to <paramref name="threads"/> threads:
    /// four runs a thread (a late thread's share is taken by the others), each long enough that its axis-0 window is
    /// read once per run, not once per row.
    /// </summary>
    public static void ForRuns(int rows, int threads, Action<int, int> body)
    {
        int runs = Math.Clamp(threads * 4, 1, Math.Max(1, rows / 16));
        if (threads <= 1 || runs == 1)
        {
            body(0, rows);
            return;
        }

        Parallel.For(0, runs, new ParallelOptions { MaxDegreeOfParallelism = threads }, k =>
            body((int)((long)k * rows / runs), (int)((long)(k + 1) * rows / runs)));
    }

    /// <summary>
    /// Rows first..end-1 of a rows x cols frame as the doubles the Gaussian reads (rows of <paramref name="stride"/>):
    /// each value as it is, or times <paramref name="scale"/> in float64 (img_as_float's numpy.multiply).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static void Widen(ReadOnlySpan<float> frame, double[] start, int first, int end, int cols, int stride, double? scale)
    {
        bool scaled = scale is not null;
        double factor = scale ?? 1.0;
        for (int r = first; r < end; r++)
        {
            var line = frame.Slice(r * cols, cols);
            var to = start.AsSpan(r * stride, cols);
            int c = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated)
            {
                var times = new System.Numerics.Vector<double>(factor);
                for (; c <= line.Length - System.Numerics.Vector<float>.Count; c += System.Numerics.Vector<float>.Count)
                {
                    System.Numerics.Vector.Widen(new System.Numerics.Vector<float>(line[c..]), out var low, out var high);
                    (scaled ? low * times : low).CopyTo(to[c..]);
                    (scaled ? high * times : high).CopyTo(to[(c + System.Numerics.Vector<double>.Count)..]);
                }
            }

            for (; c < line.Length; c++)
            {
                to[c] = scaled ? line[c] * factor : line[c];
            }
        }
    }

    /// <summary>The source holds rows x cols in rows of stride (stride at least cols).</summary>
    public static void Check(double[] src, int stride, int rows, int cols)
    {
        if (stride < cols || (rows > 0 && (long)(rows - 1) * stride + cols > src.Length))
        {
            throw new ArgumentException("the stride or the source array does not hold rows x cols", nameof(src));
        }
    }

    /// <summary>
    /// One Gaussian of a frame in bands of rows: its two kernels (null where the axis is skipped) and its boundary.
    /// A band's axis-0 pass is made in strips of columns (each strip's window of input rows stays in L1 while the
    /// band's rows are made from it), then its rows get the axis-1 pass, eight at a time down transposed columns where
    /// the machine has AVX-512 (<see cref="CannyGaussian.RowsAxis1Eight"/>), the rest one at a time.
    /// </summary>
    internal sealed class Smoothing
    {
        /// <summary>Rows an axis-0 band makes at a time.</summary>
        public const int Band = 32;

        /// <summary>Columns of a band made at a time: (Band + 2r) input rows of 512 bytes, in L1 for r up to 16.</summary>
        private const int Strip = 64;

        private readonly double[]? _w0;
        private readonly double[]? _w1;
        private readonly BoundaryMode _mode;
        private readonly double _cval;
        private readonly bool _toFloat;
        private readonly int _cols;
        private readonly double[] _constant;
        private readonly bool _eight; // the axis-1 pass eight rows at a time (CannyGaussian.RowsAxis1Eight)

        public Smoothing(double sigma0, double sigma1, double truncate, BoundaryMode mode, double cval, bool toFloat, int cols)
        {
            _w0 = sigma0 > 1e-15 ? CannyGaussian.Kernel(sigma0, truncate) : null;
            _w1 = sigma1 > 1e-15 ? CannyGaussian.Kernel(sigma1, truncate) : null;
            (_mode, _cval, _toFloat, _cols) = (mode, cval, toFloat, cols);
            _constant = new double[cols];
            _constant.AsSpan().Fill(cval);
            _eight = _w1 is not null && System.Runtime.Intrinsics.X86.Avx512F.IsSupported && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated && (long)cols + _w1.Length - 1 <= CannyGaussian.MaxEightWide;
        }

        /// <summary>
        /// A thread's scratch: a band's axis-0 rows, a row extended by the mode, the band's row pointers, and where the
        /// axis-1 pass runs eight rows at a time their transposed columns and results (room to align both to 64 bytes).
        /// </summary>
        public Scratch RentScratch() => new(
            ArrayPool<double>.Shared.Rent(Math.Max(1, checked(Band * _cols))),
            ArrayPool<double>.Shared.Rent(_cols + (2 * ((_w1?.Length ?? 1) / 2))),
            ArrayPool<nint>.Shared.Rent(Band * (_w0?.Length ?? 1)),
            ArrayPool<double>.Shared.Rent(_eight ? checked((8 * (_cols + _w1!.Length - 1)) + 8) : 1), // + 8: room to align
            ArrayPool<double>.Shared.Rent(_eight ? checked((8 * _cols) + 8) : 1));

        public static void Return(Scratch scratch)
        {
            ArrayPool<double>.Shared.Return(scratch.Rows);
            ArrayPool<double>.Shared.Return(scratch.Extended);
            ArrayPool<nint>.Shared.Return(scratch.Pointers);
            ArrayPool<double>.Shared.Return(scratch.Transposed);
            ArrayPool<double>.Shared.Return(scratch.Columns);
        }

        /// <summary>The first 64-byte boundary at or after p (an array of doubles is 8-byte aligned).</summary>
        private static unsafe double* Aligned(double* p) => (double*)(((nint)p + 63) & ~(nint)63);

        /// <summary>
        /// Rows first..end-1 of the smoothed frame (source rows x cols in rows of <paramref name="stride"/>) a band at
        /// a time in the thread's own rows: each band's rows (packed, cols apart) handed to <paramref name="each"/>
        /// with the band's first and end rows.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public unsafe void Bands(double[] src, int stride, int rows, int first, int end, BandRows each)
        {
            var scratch = RentScratch();
            var band = ArrayPool<double>.Shared.Rent(Math.Max(1, checked(Band * _cols)));
            try
            {
                fixed (double* s = src, b = band)
                {
                    for (int b0 = first; b0 < end; b0 += Band)
                    {
                        int b1 = Math.Min(end, b0 + Band);
                        Rows(s, stride, rows, b0, b1, scratch, b, _cols);
                        each(b0, b1, new ReadOnlySpan<double>(b, (b1 - b0) * _cols));
                    }
                }
            }
            finally
            {
                Return(scratch);
                ArrayPool<double>.Shared.Return(band);
            }
        }

        /// <summary>
        /// Rows t0..t1-1 of the smoothed frame (source rows x cols in rows of <paramref name="stride"/>), row t at
        /// o + (t - t0) * oStride.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public unsafe void Rows(double* src, int stride, int rows, int t0, int t1, Scratch scratch, double* o, int oStride)
        {
            int cols = _cols;
            fixed (double* bandRows = scratch.Rows)
            {
                for (int b0 = t0; b0 < t1; b0 += Band)
                {
                    int b1 = Math.Min(t1, b0 + Band);
                    double* band = src + ((long)b0 * stride);
                    long bandStride = stride;
                    if (_w0 is not null)
                    {
                        band = _w1 is null ? o + ((long)(b0 - t0) * oStride) : bandRows;
                        bandStride = _w1 is null ? oStride : cols;
                        AxisZero(src, stride, rows, b0, b1, band, bandStride, scratch);
                    }

                    int t = b0;
                    if (_eight)
                    {
                        fixed (double* transposed = scratch.Transposed, columns = scratch.Columns)
                        {
                            for (; t <= b1 - 8; t += 8)
                            {
                                CannyGaussian.RowsAxis1Eight(band + ((t - b0) * bandStride), bandStride, cols, _w1!, _mode, _cval, Aligned(transposed), Aligned(columns), o + ((long)(t - t0) * oStride), oStride, _toFloat);
                            }
                        }
                    }

                    for (; t < b1; t++)
                    {
                        double* line = band + ((t - b0) * bandStride), to = o + ((long)(t - t0) * oStride);
                        if (_w1 is not null)
                        {
                            CannyGaussian.RowAxis1(new ReadOnlySpan<double>(line, cols), scratch.Extended, _w1, _mode, _cval, to, _toFloat);
                        }
                        else if (_w0 is null)
                        {
                            new ReadOnlySpan<double>(line, cols).CopyTo(new Span<double>(to, cols));
                        }
                    }
                }
            }
        }

        /// <summary>Whether every one of output row t's taps reads a row of the frame (no row mapped by the mode).</summary>
        private static bool Inside(int t, int taps, int rows) => t >= taps / 2 && t + (taps / 2) < rows;

        /// <summary>
        /// The axis-0 pass of rows b0..b1-1 into band (row t at band + (t - b0) * bandStride), strip by strip: a row whose
        /// taps all lie inside the frame takes them a stride apart, the others through their table of mapped rows.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private unsafe void AxisZero(double* src, int stride, int rows, int b0, int b1, double* band, long bandStride, Scratch scratch)
        {
            var w = _w0!;
            int taps = w.Length, cols = _cols;
            fixed (nint* pointers = scratch.Pointers)
            fixed (double* constant = _constant)
            {
                var p = (double**)pointers;
                for (int t = b0; t < b1; t++)
                {
                    if (!Inside(t, taps, rows))
                    {
                        CannyGaussian.RowPointers(p + ((t - b0) * taps), src, stride, rows, t, constant, taps / 2, _mode);
                    }
                }

                for (int c = 0; c < cols; c += Strip)
                {
                    int end = Math.Min(cols, c + Strip);
                    for (int t = b0; t < b1; t++)
                    {
                        if (Inside(t, taps, rows))
                        {
                            // Every tap's row inside the frame: rows a stride apart, no pointer table (same operations).
                            CannyGaussian.TapsStrided(src + ((long)t * stride), stride, w, band + ((t - b0) * bandStride), c, end, _toFloat);
                        }
                        else
                        {
                            CannyGaussian.Taps(p + ((t - b0) * taps), w, band + ((t - b0) * bandStride), c, end, _toFloat);
                        }

                        // This strip of a row the next band reads first, fetched while this band computes (without it one
                        // thread's pass waited on memory: 2.7-2.9 -> 1.7-1.8 ms at sigma 3.2 on 1024 x 1024).
                        int ahead = t + (b1 - b0) + (taps / 2);
                        if (ahead < rows && System.Runtime.Intrinsics.X86.Sse.IsSupported)
                        {
                            double* next = src + ((long)ahead * stride) + c;
                            for (int k = 0; k < end - c; k += 8)
                            {
                                System.Runtime.Intrinsics.X86.Sse.Prefetch0(next + k);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>What a caller does with a band of smoothed rows first..end-1 (packed, cols apart).</summary>
    internal delegate void BandRows(int first, int end, ReadOnlySpan<double> rows);

    /// <summary>A thread's rows for <see cref="Smoothing"/>.</summary>
    internal sealed record Scratch(double[] Rows, double[] Extended, nint[] Pointers, double[] Transposed, double[] Columns);
}
