using System.Numerics;
using System.Runtime.CompilerServices;
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
/// take a direct path; the others map every tap.
/// </summary>
public static class AffineResampler
{
    /// <summary>SciPy's input coordinate along one axis: ((0 + o0 * m0) + o1 * m1) + offset, in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Coordinate(int o0, int o1, double m0, double m1, double offset) => (0.0 + (o0 * m0) + (o1 * m1)) + offset;

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
                Prefilter2D(src.Span, rows, cols, pad, order, mode, cval, coef, threads);
                c = coef.AsMemory(0, n0 * n1);
            }

            var job = new Job(c, n0, n1, matrix, offset, pad, order, mode, cval, outCols);
            int blocks = Math.Max(1, Math.Min(outRows, Math.Max(1, threads) * 8));
            int per = (outRows + blocks - 1) / blocks;
            int count = (outRows + per - 1) / per;
            void Body(int b)
            {
                var d = dst.Span;
                for (int i = b * per; i < Math.Min(outRows, (b + 1) * per); i++)
                {
                    job.Row(i, d.Slice(i * outCols, outCols));
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

    /// <summary>spline_filter on the pre-padded frame: axis 0 on column blocks, axis 1 on strips of rows in lane layout.</summary>
    internal static void Prefilter2D(ReadOnlySpan<float> src, int rows, int cols, int pad, int order, SplineMode mode, float cval, float[] coef, int threads)
    {
        int n0 = rows + (2 * pad), n1 = cols + (2 * pad);
        bool edge = mode == SplineMode.Nearest;
        for (int i = 0; i < n0; i++)
        {
            var row = coef.AsSpan(i * n1, n1);
            int si = i - pad;
            if (si < 0 || si >= rows)
            {
                if (!edge)
                {
                    row.Fill(cval);
                    continue;
                }

                si = Math.Clamp(si, 0, rows - 1);
            }

            var s = src.Slice(si * cols, cols);
            s.CopyTo(row.Slice(pad));
            row[..pad].Fill(edge ? s[0] : cval);
            row.Slice(pad + cols).Fill(edge ? s[cols - 1] : cval);
        }

        var boundary = BSpline.BoundaryFor(mode);
        var p0 = new SplinePrefilterPlan(n0, order, boundary);
        var p1 = new SplinePrefilterPlan(n1, order, boundary);
        int l = Vector<float>.Count;
        threads = Math.Max(1, threads);
        int block = Math.Max(l, Math.Min(128, ((n1 + threads - 1) / threads + l - 1) / l * l));
        int blocks = (n1 + block - 1) / block;
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = threads }, b =>
        {
            int c0 = b * block, w = Math.Min(block, n1 - c0);
            SplinePrefilter.Columns(coef.AsSpan(c0, ((n0 - 1) * n1) + w), w, n1, p0);
        });
        int strips = (n0 + l - 1) / l;
        Parallel.For(0, strips, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => new float[n1 * l], (s, _, lanes) =>
        {
            int r0 = s * l, n = Math.Min(l, n0 - r0);
            var rowsSpan = coef.AsSpan(r0 * n1, ((n - 1) * n1) + n1);
            Transpose.ToLanes(rowsSpan, n1, n, n1, lanes);
            SplinePrefilter.Columns(lanes, l, l, p1);
            Transpose.FromLanes(lanes, n1, rowsSpan, n1, n);
            return lanes;
        }, _ => { });
    }

    private sealed class Job(ReadOnlyMemory<float> coef, int n0, int n1, double[,] m, double[] offset, int pad, int order, SplineMode mode, float cval, int outCols)
    {
        private readonly double m00 = m[0, 0], m01 = m[0, 1], m10 = m[1, 0], m11 = m[1, 1];
        private readonly double off0 = offset[0], off1 = offset[1];
        private readonly bool maps = SplineModes.MapsCoordinates(mode);
        private readonly SplineMode tapMode = SplineModes.TapMode(mode);

        public void Row(int i, Span<float> dst)
        {
            var c = coef.Span;
            int taps = order + 1;
            Span<double> w0 = stackalloc double[taps], w1 = stackalloc double[taps];
            Span<float> f1 = stackalloc float[taps];
            Span<int> i0 = stackalloc int[taps], i1 = stackalloc int[taps];
            for (int j = 0; j < outCols; j++)
            {
                double x0 = Coordinate(i, j, m00, m01, off0) + pad;
                double x1 = Coordinate(i, j, m10, m11, off1) + pad;
                if (maps)
                {
                    x0 = SplineModes.Map(x0, n0, mode);
                    if (!(x0 > -1.0))
                    {
                        dst[j] = cval;
                        continue;
                    }

                    x1 = SplineModes.Map(x1, n1, mode);
                    if (!(x1 > -1.0))
                    {
                        dst[j] = cval;
                        continue;
                    }
                }

                long s0 = BSpline.Start(x0, order), s1 = BSpline.Start(x1, order);
                if (order == 0)
                {
                    int r = Tap(s0, n0), q = Tap(s1, n1);
                    dst[j] = r == n0 || q == n1 ? cval : c[(r * n1) + q];
                    continue;
                }

                BSpline.Weights(x0, order, w0);
                BSpline.Weights(x1, order, w1);
                for (int b = 0; b < taps; b++)
                {
                    f1[b] = (float)w1[b];
                }

                if (s0 >= 0 && s0 + order < n0 && s1 >= 0 && s1 + order < n1)
                {
                    // Every tap inside: rows s0 .. s0 + order, columns s1 .. s1 + order.
                    int at = ((int)s0 * n1) + (int)s1;
                    float t = 0;
                    for (int a = 0; a < taps; a++)
                    {
                        var row = c.Slice(at + (a * n1), taps);
                        float sum = 0;
                        for (int b = 0; b < taps; b++)
                        {
                            sum += f1[b] * row[b];
                        }

                        t += (float)w0[a] * sum;
                    }

                    dst[j] = t;
                    continue;
                }

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
                        sum += f1[b] * v;
                    }

                    total += (float)w0[a] * sum;
                }

                dst[j] = total;
            }
        }

        /// <summary>The coefficient index tap t reads on an axis of length n (n = cval), as <see cref="AxisPlan"/>.</summary>
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
