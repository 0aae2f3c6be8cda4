using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// scipy.ndimage.affine_transform (2 x 2 matrix m, offset) of one 2-D frame, as SciPy 1.10's geometric_transform
/// computes it (see <see cref="SplineReference"/> for the scalar meaning): for output pixel (o0, o1) the input
/// coordinates, in double and in SciPy's order of operations,
/// <code>
/// x_h = ((0 + o0 * m[h, 0]) + o1 * m[h, 1]) + offset[h]  (+ the 12-pixel pre-pad of nearest / grid-constant)
/// </code>
/// are mapped and split into taps and weights per axis exactly as <see cref="AxisPlan"/> (cval when an axis is
/// outside in mode constant), and the value is sum_a w0[a] * (sum_b w1[b] * c[i0[a], i1[b]]) in float32 over the
/// spline coefficients c (prefiltered in float32, <see cref="SplinePrefilter"/>). Pixels whose taps are all inside
/// take a direct path (order 0: also the coordinates inside); the others map every tap.
/// </summary>
public static class AffineResampler
{
    /// <summary>SciPy's input coordinate along one axis: ((0 + o0 * m0) + o1 * m1) + offset, in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Coordinate(int o0, int o1, double m0, double m1, double offset) => (0.0 + (o0 * m0) + (o1 * m1)) + offset;

    /// <summary>Output rows of a tile.</summary>
    private const int TileRows = 64;

    /// <summary>Output columns of a tile (a multiple of 8: the vector path's steps).</summary>
    private const int TileCols = 256;

    /// <summary>Transforms <paramref name="src"/> (rows x cols) into <paramref name="dst"/> (outRows x outCols).</summary>
    public static void Apply(ReadOnlyMemory<float> src, int rows, int cols, double[,] matrix, double[] offset, int outRows, int outCols, int order, bool prefilter, SplineMode mode, float cval, Memory<float> dst, int threads)
    {
        bool filtered = prefilter && order >= 2;
        int pad = SplineModes.PadFor(mode, filtered);
        int n0 = rows + (2 * pad), n1 = cols + (2 * pad);
        float[]? coef = null;
        try
        {
            ReadOnlyMemory<float> c = src;
            if (filtered)
            {
                coef = PixelPool.Shared.Rent(checked(n0 * n1));
                Prefilter2D(src, rows, cols, pad, order, mode, cval, coef, threads);
                // After Prefilter2D the first coefficient row is finite exactly when the input is: each column's passes
                // carry a NaN or an infinity to its first row, and that row's passes keep it (x + z * inf and
                // z * (inf - x) are not finite for a pole z other than 0). Only then is the input looked at.
                if ((long)n0 * n1 <= ExactPrefilterValues && !NonFinite.AllFinite(coef.AsSpan(0, n1)) && NonFinite.AnyInfinity(src.Span))
                {
                    ExactPrefilter(src.Span, rows, cols, order, mode, cval, coef);
                }
                c = coef.AsMemory(0, n0 * n1);
            }

            var job = new Job(c, n0, n1, matrix, offset, pad, order, mode, cval);
            int blocks = Math.Max(1, Math.Min(outRows, Math.Max(1, threads) * 8));
            int per = (outRows + blocks - 1) / blocks;
            int count = (outRows + per - 1) / per;
            // Tiles of TileRows x TileCols outputs: a rotation's output row runs diagonally across the input, so a
            // whole row at a time read a new input row (a new page, 32 KiB apart at 8192 wide) every few pixels and
            // left the caches between rows; a tile's inputs (about 180 x 250 values at 30 degrees) stay in L2. Tile
            // columns start at multiples of 8, where the row's vectors start: every pixel is made as before.
            void Body(int b)
            {
                var d = dst.Span;
                int i0 = b * per, i1 = Math.Min(outRows, (b + 1) * per);
                for (int t = i0; t < i1; t += TileRows)
                {
                    for (int j0 = 0; j0 < outCols; j0 += TileCols)
                    {
                        for (int i = t; i < Math.Min(i1, t + TileRows); i++)
                        {
                            job.Row(i, j0, Math.Min(outCols, j0 + TileCols), d.Slice(i * outCols, outCols));
                        }
                    }
                }
            }

            if (threads > 1 && count > 1)
            {
                Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, Body);
            }
            else
            {
                for (int b = 0; b < count; b++)
                {
                    Body(b);
                }
            }
        }
        finally
        {
            PixelPool.Shared.Return(coef);
        }
    }

    /// <summary>
    /// The most coefficients <see cref="ExactPrefilter"/> makes (its float64 array: 256 MiB); a larger frame holding an
    /// infinity keeps the float32 prefilter's NaN and infinities (README, known differences).
    /// </summary>
    public const long ExactPrefilterValues = 1L << 25;

    /// <summary>
    /// The coefficients of an input that holds an infinity, as SciPy makes them: <see cref="SplineReference.Coefficients"/>
    /// (float64, each line's starting values summed over the whole line, as ni_splines.c does), rounded to float32.
    /// <see cref="Prefilter2D"/> starts its lines from a few dozen values (their weights beyond are below 1e-16 of the
    /// line's), which gives the same finite numbers but not the same infinities: an infinity further along makes SciPy's
    /// first value infinite (or NaN, where the weight has underflowed to 0), and the passes then meet it as inf - inf.
    /// Found by the differential fuzz (geometry-large seed 8007: affine_transform order 3 of a frame with one +inf is NaN
    /// everywhere in SciPy, and was -inf at 54% of the pixels here). NaN alone fills every line it is on either way.
    /// </summary>
    private static void ExactPrefilter(ReadOnlySpan<float> src, int rows, int cols, int order, SplineMode mode, float cval, float[] coef)
    {
        var (exact, _) = SplineReference.Coefficients(src, rows, cols, order, mode, cval, prefilter: true);
        int n0 = exact.GetLength(0), n1 = exact.GetLength(1);
        for (int i = 0; i < n0; i++)
        {
            for (int j = 0; j < n1; j++)
            {
                coef[(i * n1) + j] = (float)exact[i, j];
            }
        }
    }

    /// <summary>
    /// spline_filter on the pre-padded frame: axis 0 on column blocks (each block's padded columns copied from the
    /// input and filtered while in cache, on the threads), axis 1 on strips of rows in lane layout.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Prefilter2D(ReadOnlyMemory<float> src, int rows, int cols, int pad, int order, SplineMode mode, float cval, float[] coef, int threads)
    {
        int n0 = rows + (2 * pad), n1 = cols + (2 * pad);
        bool edge = mode == SplineMode.Nearest;
        var boundary = BSpline.BoundaryFor(mode);
        var p0 = SplinePrefilterPlan.For(n0, order, boundary);
        var p1 = SplinePrefilterPlan.For(n1, order, boundary);
        int l = Vector<float>.Count;
        threads = Math.Max(1, threads);
        ColumnBlocks.Run(n1, threads, 128, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (c0, w) =>
        {
            var x = src.Span;

            // Padded row i, columns [c0, c0 + w): input row i - pad and column c - pad, clamped to the edge
            // (nearest) or cval outside.
            int mid0 = Math.Max(c0, pad), mid1 = Math.Min(c0 + w, pad + cols);
            for (int i = 0; i < n0; i++)
            {
                var to = coef.AsSpan((i * n1) + c0, w);
                int si = i - pad;
                if ((si < 0 || si >= rows) && !edge)
                {
                    to.Fill(cval);
                    continue;
                }

                var s = x.Slice(Math.Clamp(si, 0, rows - 1) * cols, cols);
                if (mid0 < mid1)
                {
                    s.Slice(mid0 - pad, mid1 - mid0).CopyTo(coef.AsSpan((i * n1) + mid0, mid1 - mid0));
                }

                if (c0 < pad)
                {
                    coef.AsSpan((i * n1) + c0, Math.Min(c0 + w, pad) - c0).Fill(edge ? s[0] : cval);
                }

                int right = Math.Max(c0, pad + cols);
                if (right < c0 + w)
                {
                    coef.AsSpan((i * n1) + right, c0 + w - right).Fill(edge ? s[cols - 1] : cval);
                }
            }

            SplinePrefilter.Columns(coef.AsSpan(c0, ((n0 - 1) * n1) + w), w, n1, p0);
        });
        int strips = (n0 + l - 1) / l;
        Parallel.For(0, strips, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new float[n1 * l], [MethodImpl(MethodImplOptions.AggressiveOptimization)] (s, _, lanes) =>
        {
            int r0 = s * l, n = Math.Min(l, n0 - r0);
            var rowsSpan = coef.AsSpan(r0 * n1, ((n - 1) * n1) + n1);
            Transpose.ToLanes(rowsSpan, n1, n, n1, lanes);
            SplinePrefilter.Lanes(lanes, p1);
            Transpose.FromLanes(lanes, n1, rowsSpan, n1, n);
            return lanes;
        }, _ => { });
    }

    /// <summary>
    /// <see cref="BSpline.Weights"/> for eight fractions at once, in float32: t = x - floor(x) (odd orders) or
    /// x - floor(x + 0.5) (even), SciPy's formulas, the last weight 1 minus the others.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void SplineWeights(Vector256<float> x, int order, Vector256<float>* w)
    {
        var one = Vector256<float>.One;
        var y = x;
        var z = one - x;
        switch (order)
        {
            case 1:
                w[0] = one - x;
                break;
            case 2:
            {
                w[1] = Vector256.Create(0.75f) - (x * x);
                var h = Vector256.Create(0.5f) - x;
                w[0] = Vector256.Create(0.5f) * h * h;
                break;
            }

            case 3:
            {
                var three = Vector256.Create(3f);
                var four = Vector256.Create(4f);
                var sixth = Vector256.Create(1f / 6f);
                var two = Vector256.Create(2f);
                w[1] = ((y * y * (y - two) * three) + four) * sixth;
                w[2] = ((z * z * (z - two) * three) + four) * sixth;
                w[0] = z * z * z * sixth;
                break;
            }

            case 4:
            {
                var t = x * x;
                w[2] = (t * ((t * Vector256.Create(0.25f)) - Vector256.Create(0.625f))) + Vector256.Create(115f / 192f);
                var p = one + x;
                w[1] = (p * ((p * ((p * (Vector256.Create(5f) - p) * Vector256.Create(1f / 6f)) - Vector256.Create(1.25f))) + Vector256.Create(5f / 24f))) + Vector256.Create(55f / 96f);
                w[3] = (z * ((z * ((z * (Vector256.Create(5f) - z) * Vector256.Create(1f / 6f)) - Vector256.Create(1.25f))) + Vector256.Create(5f / 24f))) + Vector256.Create(55f / 96f);
                var h = Vector256.Create(0.5f) - x;
                t = h * h;
                w[0] = t * t * Vector256.Create(1f / 24f);
                break;
            }

            default:
            {
                var t = y * y;
                w[2] = (t * ((t * (Vector256.Create(0.25f) - (y * Vector256.Create(1f / 12f)))) - Vector256.Create(0.5f))) + Vector256.Create(0.55f);
                t = z * z;
                w[3] = (t * ((t * (Vector256.Create(0.25f) - (z * Vector256.Create(1f / 12f)))) - Vector256.Create(0.5f))) + Vector256.Create(0.55f);
                var p = y + one;
                w[1] = (p * ((p * ((p * ((p * ((p * Vector256.Create(1f / 24f)) - Vector256.Create(0.375f))) + Vector256.Create(1.25f))) - Vector256.Create(1.75f))) + Vector256.Create(0.625f))) + Vector256.Create(0.425f);
                var q = z + one;
                w[4] = (q * ((q * ((q * ((q * ((q * Vector256.Create(1f / 24f)) - Vector256.Create(0.375f))) + Vector256.Create(1.25f))) - Vector256.Create(1.75f))) + Vector256.Create(0.625f))) + Vector256.Create(0.425f);
                var h = one - x;
                t = h * h;
                w[0] = h * t * t * Vector256.Create(1f / 120f);
                break;
            }
        }

        var last = one;
        for (int k = 0; k < order; k++)
        {
            last -= w[k];
        }

        w[order] = last;
    }

    private sealed class Job(ReadOnlyMemory<float> coef, int n0, int n1, double[,] m, double[] offset, int pad, int order, SplineMode mode, float cval)
    {
        private readonly double m00 = m[0, 0], m01 = m[0, 1], m10 = m[1, 0], m11 = m[1, 1];
        private readonly double off0 = offset[0], off1 = offset[1];
        private readonly bool maps = SplineModes.MapsCoordinates(mode);
        private readonly SplineMode tapMode = SplineModes.TapMode(mode);
        private readonly bool remaps = SplineModes.MapsCoordinates(mode) && mode != SplineMode.Constant;

        /// <summary>
        /// Output row i's pixels [from, to) into <paramref name="dst"/> (the whole row): eight at a time from
        /// <paramref name="from"/> (a multiple of 8), the last few of the row one by one.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Row(int i, int from, int to, Span<float> dst)
        {
            var c = coef.Span;
            int j = from;
            if (Avx2.IsSupported)
            {
                unsafe
                {
                    fixed (float* pc = c)
                    {
                        j = RowAvx2(i, from, to, dst, pc);
                    }
                }

                if (order > 0)
                {
                    RedoNonFinite(c, i, dst[from..j], from);
                }
            }

            for (; j < to; j++)
            {
                dst[j] = Pixel(c, i, j);
            }
        }

        /// <summary>
        /// Makes again by <see cref="Pixel"/> every pixel of <paramref name="made"/> (row i's outputs from column
        /// <paramref name="from"/>, made in vectors) that is NaN or infinite. The vectors' weights are float32 values
        /// of the fractions, whose smallest weights may differ in sign from SciPy's float64 ones (at a whole-number
        /// coordinate, order 3: the last weight 1 - 1/6 - 2/3 - 1/6 is -4.5e-8 in float32 and +8.3e-17 in float64,
        /// so an infinite coefficient gave -inf where SciPy gives +inf), or be zero where SciPy's are not (0 x inf is
        /// NaN). Finite results differ from SciPy's by far less than the tolerance, but an infinite tap shows the sign:
        /// <see cref="Pixel"/> rounds SciPy's float64 weights, so the same signs, and the same infinities and NaN.
        /// A scan of the row in cache (<see cref="NonFinite.AllFinite(ReadOnlySpan{float})"/>) is all a finite row costs.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void RedoNonFinite(ReadOnlySpan<float> c, int i, Span<float> made, int from)
        {
            if (NonFinite.AllFinite(made))
            {
                return;
            }

            // A NaN result where no coefficient (nor cval) is infinite came from a NaN tap, which is NaN whatever the
            // weights: kept, so an image with NaN regions does not make each of their pixels twice.
            for (int k = 0; k < made.Length; k++)
            {
                if (!float.IsFinite(made[k]) && (float.IsInfinity(made[k]) || HoldsInfinity(c)))
                {
                    made[k] = Pixel(c, i, from + k);
                }
            }
        }

        /// <summary>-1 until <see cref="HoldsInfinity"/> has looked, then 1 when a coefficient or cval is infinite, else 0.</summary>
        private int infinite = -1;

        /// <summary>Whether a coefficient or cval is infinite: one pass over the coefficients the first time it is asked (threads that ask at once each look, with the same answer).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool HoldsInfinity(ReadOnlySpan<float> c)
        {
            int known = Volatile.Read(ref infinite);
            if (known < 0)
            {
                known = float.IsInfinity(cval) || NonFinite.AnyInfinity(c) ? 1 : 0;
                Volatile.Write(ref infinite, known);
            }

            return known == 1;
        }

        /// <summary>(c[at[0]], c[at[0] + 1], ..., c[at[3]], c[at[3] + 1]): four pairs, each one 64-bit load.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe Vector256<float> Pairs(float* c, int* at)
            => Vector256.Create(*(long*)(c + at[0]), *(long*)(c + at[1]), *(long*)(c + at[2]), *(long*)(c + at[3])).AsSingle();

        /// <summary>One output pixel by the scalar definition (mapping every coordinate and tap as needed).</summary>
        private float Pixel(ReadOnlySpan<float> c, int i, int j)
        {
            double x0 = Coordinate(i, j, m00, m01, off0) + pad;
            double x1 = Coordinate(i, j, m10, m11, off1) + pad;
            if (maps)
            {
                x0 = SplineModes.Map(x0, n0, mode);
                if (!(x0 > -1.0))
                {
                    return cval;
                }

                x1 = SplineModes.Map(x1, n1, mode);
                if (!(x1 > -1.0))
                {
                    return cval;
                }
            }

            long s0 = BSpline.Start(x0, order), s1 = BSpline.Start(x1, order);
            if (order == 0)
            {
                int r = Tap(s0, n0), q = Tap(s1, n1);
                return r == n0 || q == n1 ? cval : c[(r * n1) + q];
            }

            int taps = order + 1;
            Span<double> w0 = stackalloc double[taps], w1 = stackalloc double[taps];
            Span<int> i0 = stackalloc int[taps], i1 = stackalloc int[taps];
            BSpline.Weights(x0, order, w0);
            BSpline.Weights(x1, order, w1);
            bool edge0 = s0 < 0 || s0 + order >= n0, edge1 = s1 < 0 || s1 + order >= n1;
            for (int a = 0; a < taps; a++)
            {
                i0[a] = edge0 ? Tap(s0 + a, n0) : (int)s0 + a;
                i1[a] = edge1 ? Tap(s1 + a, n1) : (int)s1 + a;
            }

            float total = 0;
            for (int a = 0; a < taps; a++)
            {
                float sum = 0;
                for (int b = 0; b < taps; b++)
                {
                    float v = i0[a] == n0 || i1[b] == n1 ? cval : c[(i0[a] * n1) + i1[b]];
                    sum += (float)w1[b] * v;
                }

                total += (float)w0[a] * sum;
            }

            return total;
        }

        /// <summary>
        /// Eight pixels at a time: coordinates in double (SciPy's expression, no fused multiply-add), and where all
        /// eight read only taps inside the coefficients (and lie inside the image, for modes that map coordinates),
        /// float weights from the fractions and gathered taps; otherwise <see cref="Pixel"/> per pixel, or cval for
        /// eight pixels all outside in mode constant. Returns the first column not done.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe int RowAvx2(int i, int from, int to, Span<float> dst, float* c)
        {
            double a0 = 0.0 + (i * m00), a1 = 0.0 + (i * m10);
            var va0 = Vector256.Create(a0);
            var va1 = Vector256.Create(a1);
            var vm01 = Vector256.Create(m01);
            var vm11 = Vector256.Create(m11);
            var voff0 = Vector256.Create(off0);
            var voff1 = Vector256.Create(off1);
            var vpad = Vector256.Create((double)pad);
            var vhalf = Vector256.Create((order & 1) != 0 ? 0.0 : 0.5);
            var hi0 = Vector256.Create((double)(n0 - 1));
            var hi1 = Vector256.Create((double)(n1 - 1));
            var zero = Vector256<double>.Zero;
            var one = Vector256<float>.One;
            var lanes = Vector256.Create(0.0, 1.0, 2.0, 3.0);
            var four = Vector256.Create(4.0);
            var half = Vector256.Create(order / 2);
            var maxStart0 = Vector256.Create(n0 - order);
            var maxStart1 = Vector256.Create(n1 - order);
            var minusOne = Vector256.Create(-1);
            var stride = Vector256.Create(n1);
            bool constant = mode == SplineMode.Constant;
            int taps = order + 1;
            var w0 = stackalloc Vector256<float>[taps];
            var w1 = stackalloc Vector256<float>[taps];
            var idx = stackalloc int[8];
            int j = from;
            fixed (float* pd = dst)
            {
                for (; j <= to - 8; j += 8)
                {
                    var ja = Vector256.Create((double)j) + lanes;
                    var jb = ja + four;
                    var x0a = ((va0 + (ja * vm01)) + voff0) + vpad;
                    var x0b = ((va0 + (jb * vm01)) + voff0) + vpad;
                    var x1a = ((va1 + (ja * vm11)) + voff1) + vpad;
                    var x1b = ((va1 + (jb * vm11)) + voff1) + vpad;
                    var f0a = Avx.Floor(x0a + vhalf);
                    var f0b = Avx.Floor(x0b + vhalf);
                    var f1a = Avx.Floor(x1a + vhalf);
                    var f1b = Avx.Floor(x1b + vhalf);
                    var s0 = Vector256.Create(Avx.ConvertToVector128Int32WithTruncation(f0a), Avx.ConvertToVector128Int32WithTruncation(f0b)) - half;
                    var s1 = Vector256.Create(Avx.ConvertToVector128Int32WithTruncation(f1a), Avx.ConvertToVector128Int32WithTruncation(f1b)) - half;

                    // For orders >= 1, every tap inside implies the coordinates inside [0, n - 1] (no mapping).
                    var ok = Avx2.CompareGreaterThan(s0, minusOne) & Avx2.CompareGreaterThan(maxStart0, s0) & Avx2.CompareGreaterThan(s1, minusOne) & Avx2.CompareGreaterThan(maxStart1, s1);
                    bool all = Avx.MoveMask(ok.AsSingle()) == 0xFF;
                    if (order == 0 && all)
                    {
                        // Nearest: the tap inside does not imply the coordinate inside (it may lie half a pixel
                        // out, where a mapping mode maps it or constant gives cval): require both.
                        var insideA = Avx.CompareGreaterThanOrEqual(x0a, zero) & Avx.CompareLessThanOrEqual(x0a, hi0) & Avx.CompareGreaterThanOrEqual(x1a, zero) & Avx.CompareLessThanOrEqual(x1a, hi1);
                        var insideB = Avx.CompareGreaterThanOrEqual(x0b, zero) & Avx.CompareLessThanOrEqual(x0b, hi0) & Avx.CompareGreaterThanOrEqual(x1b, zero) & Avx.CompareLessThanOrEqual(x1b, hi1);
                        if ((Avx.MoveMask(insideA) & Avx.MoveMask(insideB)) == 0xF)
                        {
                            // Eight loads rather than AVX2's gather (slower on Zen 4): the same values.
                            ((s0 * stride) + s1).Store(idx);
                            Vector256.Create(c[idx[0]], c[idx[1]], c[idx[2]], c[idx[3]], c[idx[4]], c[idx[5]], c[idx[6]], c[idx[7]]).Store(pd + j);
                            continue;
                        }

                        all = false;
                    }

                    if (!all)
                    {
                        if (constant)
                        {
                            var insideA = Avx.CompareGreaterThanOrEqual(x0a, zero) & Avx.CompareLessThanOrEqual(x0a, hi0) & Avx.CompareGreaterThanOrEqual(x1a, zero) & Avx.CompareLessThanOrEqual(x1a, hi1);
                            var insideB = Avx.CompareGreaterThanOrEqual(x0b, zero) & Avx.CompareLessThanOrEqual(x0b, hi0) & Avx.CompareGreaterThanOrEqual(x1b, zero) & Avx.CompareLessThanOrEqual(x1b, hi1);
                            if ((Avx.MoveMask(insideA) | Avx.MoveMask(insideB)) == 0)
                            {
                                Vector256.Create(cval).Store(pd + j);
                                continue;
                            }
                        }

                        // Coordinates beyond the frame in a mode that maps them (a rotation's corners) are mapped
                        // first. (In a call that takes them by value: going back to the inside pixels' test with
                        // them, or mapping them in place, cost mode constant's rotate 5-10%.)
                        if (maps ? remaps && MappedEdgeVector(x0a, x0b, x1a, x1b, c, pd + j, w0, w1) : EdgeVector(x0a, x0b, x1a, x1b, c, pd + j, w0, w1))
                        {
                            continue;
                        }

                        var cs = new ReadOnlySpan<float>(c, n0 * n1);
                        for (int k = 0; k < 8; k++)
                        {
                            pd[j + k] = Pixel(cs, i, j + k);
                        }

                        continue;
                    }

                    var t0 = Vector256.Create(Avx.ConvertToVector128Single(x0a - f0a), Avx.ConvertToVector128Single(x0b - f0b));
                    var t1 = Vector256.Create(Avx.ConvertToVector128Single(x1a - f1a), Avx.ConvertToVector128Single(x1b - f1b));
                    var index = (s0 * stride) + s1;
                    if (order == 1)
                    {
                        // Bilinear: each tap row is a pair (c[i], c[i + 1]): pairs as 64-bit loads, four to a vector
                        // (AVX2's 4-pair gathers took about 12 cycles each on Zen 4, four per eight pixels), then
                        // split; the pair order puts lanes as 0 1 4 5 2 3 6 7, undone by one permute at the end.
                        index.Store(idx);
                        var top0 = Pairs(c, idx);
                        var top1 = Pairs(c, idx + 4);
                        var bot0 = Pairs(c + n1, idx);
                        var bot1 = Pairs(c + n1, idx + 4);
                        var ta = Avx.Shuffle(top0, top1, 0b10_00_10_00);
                        var tb = Avx.Shuffle(top0, top1, 0b11_01_11_01);
                        var ba = Avx.Shuffle(bot0, bot1, 0b10_00_10_00);
                        var bb = Avx.Shuffle(bot0, bot1, 0b11_01_11_01);
                        var u0 = Avx2.Permute4x64(t0.AsDouble(), 0b11_01_10_00).AsSingle();
                        var u1 = Avx2.Permute4x64(t1.AsDouble(), 0b11_01_10_00).AsSingle();
                        var v1 = one - (one - u1);
                        var top = ((one - u1) * ta) + (v1 * tb);
                        var bottom = ((one - u1) * ba) + (v1 * bb);
                        var mixed = ((one - u0) * top) + ((one - (one - u0)) * bottom);
                        Avx2.Permute4x64(mixed.AsDouble(), 0b11_01_10_00).AsSingle().Store(pd + j);
                        continue;
                    }

                    SplineWeights(t0, order, w0);
                    SplineWeights(t1, order, w1);
                    if (order == 3)
                    {
                        // Cubic: each tap row of the eight pixels is four neighbours, read as 128-bit loads and
                        // transposed into four vectors of eight (one per tap column); then the same sums as the
                        // gathered path below (columns, then rows), without gathers.
                        index.Store(idx);
                        var total3 = Vector256<float>.Zero;
                        for (int a = 0; a < 4; a++)
                        {
                            float* p = c + (a * n1);
                            var y0 = Vector256.Create(Vector128.Load(p + idx[0]), Vector128.Load(p + idx[4]));
                            var y1 = Vector256.Create(Vector128.Load(p + idx[1]), Vector128.Load(p + idx[5]));
                            var y2 = Vector256.Create(Vector128.Load(p + idx[2]), Vector128.Load(p + idx[6]));
                            var y3 = Vector256.Create(Vector128.Load(p + idx[3]), Vector128.Load(p + idx[7]));
                            var u0 = Avx.UnpackLow(y0, y1);
                            var u1 = Avx.UnpackLow(y2, y3);
                            var u2 = Avx.UnpackHigh(y0, y1);
                            var u3 = Avx.UnpackHigh(y2, y3);
                            var col0 = Avx.UnpackLow(u0.AsDouble(), u1.AsDouble()).AsSingle();
                            var col1 = Avx.UnpackHigh(u0.AsDouble(), u1.AsDouble()).AsSingle();
                            var col2 = Avx.UnpackLow(u2.AsDouble(), u3.AsDouble()).AsSingle();
                            var col3 = Avx.UnpackHigh(u2.AsDouble(), u3.AsDouble()).AsSingle();
                            var sum = w1[0] * col0;
                            sum += w1[1] * col1;
                            sum += w1[2] * col2;
                            sum += w1[3] * col3;
                            total3 += w0[a] * sum;
                        }

                        total3.Store(pd + j);
                        continue;
                    }

                    var total = Vector256<float>.Zero;
                    for (int a = 0; a < taps; a++)
                    {
                        var row = index + Vector256.Create(a * n1);
                        var sum = w1[0] * Avx2.GatherVector256(c, row, 4);
                        for (int b = 1; b < taps; b++)
                        {
                            sum += w1[b] * Avx2.GatherVector256(c, row + Vector256.Create(b), 4);
                        }

                        total += w0[a] * sum;
                    }

                    total.Store(pd + j);
                }
            }

            return j;
        }

        /// <summary>
        /// Eight pixels some of whose taps lie beyond the coefficients (pixels at or beyond the frame's edge), in vectors,
        /// given coordinates already mapped (<see cref="MappedEdgeVector"/>) in the modes that map them: every tap's index mapped
        /// by the tap mode in integer lanes, as <see cref="Tap"/> maps it where a tap lies less than a period beyond the
        /// edge (nearest: clamped; mirror, reflect, grid-wrap: folded once; grid-constant: cval), then the weights and
        /// sums of the inside pixels' gathered loop (float32 weights from the fractions, as the inside pixels' paths;
        /// <see cref="Pixel"/> rounds float64 weights: both within the same tolerance of SciPy). Returns false, writing
        /// nothing, where that does not hold: mode constant (its edge pixels are cval or read mirrored taps of a
        /// coordinate inside: few), a frame shorter than twice the order plus 4 on an axis, a coordinate beyond 2^30 or
        /// not a number. Pixel by pixel, rotate 30 with mode nearest or reflect took 2-3 times its mode-constant time
        /// (the corners lie outside).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe bool EdgeVector(Vector256<double> x0a, Vector256<double> x0b, Vector256<double> x1a, Vector256<double> x1b, float* c, float* d, Vector256<float>* w0, Vector256<float>* w1)
        {
            if (mode == SplineMode.Constant || n0 < (2 * order) + 4 || n1 < (2 * order) + 4)
            {
                return false;
            }

            var limit = Vector256.Create(1073741824.0);
            var finite = Vector256.LessThan(Vector256.Abs(x0a), limit) & Vector256.LessThan(Vector256.Abs(x0b), limit)
                & Vector256.LessThan(Vector256.Abs(x1a), limit) & Vector256.LessThan(Vector256.Abs(x1b), limit);
            if (finite.AsInt64() != Vector256<long>.AllBitsSet)
            {
                return false;
            }

            var vhalf = Vector256.Create((order & 1) != 0 ? 0.0 : 0.5);
            var f0a = Avx.Floor(x0a + vhalf);
            var f0b = Avx.Floor(x0b + vhalf);
            var f1a = Avx.Floor(x1a + vhalf);
            var f1b = Avx.Floor(x1b + vhalf);
            var half = Vector256.Create(order / 2);
            var s0 = Vector256.Create(Avx.ConvertToVector128Int32WithTruncation(f0a), Avx.ConvertToVector128Int32WithTruncation(f0b)) - half;
            var s1 = Vector256.Create(Avx.ConvertToVector128Int32WithTruncation(f1a), Avx.ConvertToVector128Int32WithTruncation(f1b)) - half;
            var stride = Vector256.Create(n1);
            var fill = Vector256.Create(cval);
            if (order == 0)
            {
                var (r, okr) = FoldTaps(s0, n0);
                var (q, okq) = FoldTaps(s1, n1);
                Avx2.GatherMaskVector256(fill, c, (r * stride) + q, (okr & okq).AsSingle(), 4).Store(d);
                return true;
            }

            SplineWeights(Vector256.Create(Avx.ConvertToVector128Single(x0a - f0a), Avx.ConvertToVector128Single(x0b - f0b)), order, w0);
            SplineWeights(Vector256.Create(Avx.ConvertToVector128Single(x1a - f1a), Avx.ConvertToVector128Single(x1b - f1b)), order, w1);
            int taps = order + 1;
            var cols = stackalloc Vector256<int>[taps];
            var colsOk = stackalloc Vector256<int>[taps];
            for (int b = 0; b < taps; b++)
            {
                (cols[b], colsOk[b]) = FoldTaps(s1 + Vector256.Create(b), n1);
            }

            var total = Vector256<float>.Zero;
            for (int a = 0; a < taps; a++)
            {
                var (r, okr) = FoldTaps(s0 + Vector256.Create(a), n0);
                var row = r * stride;
                var sum = w1[0] * Avx2.GatherMaskVector256(fill, c, row + cols[0], (okr & colsOk[0]).AsSingle(), 4);
                for (int b = 1; b < taps; b++)
                {
                    sum += w1[b] * Avx2.GatherMaskVector256(fill, c, row + cols[b], (okr & colsOk[b]).AsSingle(), 4);
                }

                total += w0[a] * sum;
            }

            total.Store(d);
            return true;
        }

        /// <summary>
        /// <see cref="EdgeVector"/> of eight pixels whose coordinates (pre-padded, the first axis in x0a / x0b, the
        /// second in x1a / x1b) are first mapped into the frame as <see cref="Pixel"/> maps them
        /// (<see cref="SplineModes.Map"/>: mirror, reflect, wrap and grid-wrap within a period by <see cref="SplineModes.Fold"/>,
        /// else lane by lane), for the modes that map coordinates but constant (whose outside is cval). False, writing nothing,
        /// where EdgeVector is, or for a NaN coordinate.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe bool MappedEdgeVector(Vector256<double> x0a, Vector256<double> x0b, Vector256<double> x1a, Vector256<double> x1b, float* c, float* d, Vector256<float>* w0, Vector256<float>* w1)
        {
            if (SplineModes.WithinPeriod(x0a, n0, mode) && SplineModes.WithinPeriod(x0b, n0, mode) && SplineModes.WithinPeriod(x1a, n1, mode) && SplineModes.WithinPeriod(x1b, n1, mode))
            {
                x0a = SplineModes.Fold(x0a, n0, mode);
                x0b = SplineModes.Fold(x0b, n0, mode);
                x1a = SplineModes.Fold(x1a, n1, mode);
                x1b = SplineModes.Fold(x1b, n1, mode);
                return EdgeVector(x0a, x0b, x1a, x1b, c, d, w0, w1);
            }

            var xs = stackalloc double[16];
            x0a.Store(xs);
            x0b.Store(xs + 4);
            x1a.Store(xs + 8);
            x1b.Store(xs + 12);
            for (int k = 0; k < 16; k++)
            {
                xs[k] = SplineModes.Map(xs[k], k < 8 ? n0 : n1, mode);
                if (!(xs[k] > -1.0))
                {
                    return false;
                }
            }

            x0a = Vector256.Load(xs);
            x0b = Vector256.Load(xs + 4);
            x1a = Vector256.Load(xs + 8);
            x1b = Vector256.Load(xs + 12);
            return EdgeVector(x0a, x0b, x1a, x1b, c, d, w0, w1);
        }

        /// <summary>
        /// <see cref="Tap"/> of eight tap indices less than a period beyond [0, n) (the caller's guarantee): the index
        /// read and whether it is an input value (false: cval, grid-constant only; its index is then 0).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private (Vector256<int> Index, Vector256<int> Ok) FoldTaps(Vector256<int> t, int n)
        {
            var zero = Vector256<int>.Zero;
            var last = Vector256.Create(n - 1);
            var below = Vector256.LessThan(t, zero);
            var above = Vector256.GreaterThan(t, last);
            switch (tapMode)
            {
                case SplineMode.Nearest:
                    return (Vector256.Min(Vector256.Max(t, zero), last), Vector256<int>.AllBitsSet);
                case SplineMode.GridConstant:
                {
                    var ok = ~(below | above);
                    return (t & ok, ok);
                }

                case SplineMode.Reflect:
                    return (Vector256.ConditionalSelect(below, Vector256.Create(-1) - t, Vector256.ConditionalSelect(above, Vector256.Create((2 * n) - 1) - t, t)), Vector256<int>.AllBitsSet);
                case SplineMode.GridWrap:
                    return (Vector256.ConditionalSelect(below, t + Vector256.Create(n), Vector256.ConditionalSelect(above, t - Vector256.Create(n), t)), Vector256<int>.AllBitsSet);
                default: // mirror (also the taps of wrap and constant)
                    return (Vector256.ConditionalSelect(below, zero - t, Vector256.ConditionalSelect(above, Vector256.Create((2 * n) - 2) - t, t)), Vector256<int>.AllBitsSet);
            }
        }

        /// <summary>The coefficient index tap t reads on an axis of length n (n = cval), as <see cref="AxisPlan"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int Tap(long t, int n)
        {
            if (mode == SplineMode.GridConstant)
            {
                return t < 0 || t >= n ? n : (int)t;
            }

            return t >= 0 && t < n ? (int)t : (int)SplineModes.Map(t, n, tapMode);
        }
    }
}
