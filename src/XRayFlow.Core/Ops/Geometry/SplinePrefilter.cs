using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// The B-spline prefilter (scipy.ndimage.spline_filter1d) along axis 0 of a float32 matrix, in place: every column
/// is one line, and the lines are filtered together, a row (of <c>width</c> values, SIMD across it) at a time. The
/// exact meaning is <see cref="BSpline.PrefilterLine"/> per column; here in float32 with the passes' starting values
/// as linear combinations of rows whose weights are computed in double from that reference (<see cref="Start"/>):
/// exactly (every row) for lines of up to <see cref="ExactStartLength"/>, else truncated where z^k &lt; 1e-16.
/// The gain is folded into the first causal pass. Used for the vertical pass directly and for the horizontal pass
/// on transposed strips (one SIMD vector of rows per matrix row).
/// </summary>
public static class SplinePrefilter
{
    /// <summary>Lines up to this long get starting values with every term (SciPy's sums, incl. its in-place reflect quirk).</summary>
    public const int ExactStartLength = 96;

    /// <summary>Prefilters each of the <paramref name="width"/> columns of a rows x width matrix stored with <paramref name="stride"/> (rows = plan.Length).</summary>
    public static void Columns(Span<float> m, int width, int stride, SplinePrefilterPlan plan)
    {
        int rows = plan.Length;
        if (rows <= 1 || plan.Poles.Length == 0)
        {
            return;
        }

        Span<float> tmp = width <= 256 ? stackalloc float[width] : new float[width];
        for (int p = 0; p < plan.Poles.Length; p++)
        {
            OnePole(m, width, stride, plan, p, tmp);
        }
    }

    /// <summary>Pole p's causal and anticausal passes over m in place (the gain folded into pole 0's causal pass).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void OnePole(Span<float> m, int width, int stride, SplinePrefilterPlan plan, int p, Span<float> tmp)
    {
        int rows = plan.Length;
        float g = p == 0 ? plan.Gain : 1f;
        var (causalRows, causalWeights) = plan.Causal[p];
        var (antiRows, antiWeights) = plan.Anticausal[p];

        // c[0] = g * sum a_j x[j]  (all from the unfiltered rows), then c[i] = g x[i] + z c[i-1].
        Combine(m, stride, width, causalRows, causalWeights, g, tmp);
        tmp.CopyTo(m[..width]);
        float zf = plan.Poles[p];
        for (int i = 1; i < rows; i++)
        {
            CausalRow(m.Slice(i * stride, width), m.Slice((i - 1) * stride, width), g, zf);
        }

        // c[n-1] = sum b_j c[j] (causal output), then c[i] = z (c[i+1] - c[i]).
        Combine(m, stride, width, antiRows, antiWeights, 1f, tmp);
        tmp.CopyTo(m.Slice((rows - 1) * stride, width));
        for (int i = rows - 2; i >= 0; i--)
        {
            AnticausalRow(m.Slice(i * stride, width), m.Slice((i + 1) * stride, width), zf);
        }
    }

    /// <summary>
    /// <see cref="Columns"/> of the matrix whose row t is x[rowStart[t] ..][..width] (or <paramref name="cvalRow"/> where
    /// rowStart[t] is -1), written into <paramref name="m"/> (rows = plan.Length, stride <paramref name="stride"/>)
    /// without copying it there first: the first causal pass reads its rows from x. The same operations on the same
    /// values as copying the rows into m and calling <see cref="Columns"/>, so the same bits, with one pass over m fewer.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnsFrom(ReadOnlySpan<float> x, ReadOnlySpan<int> rowStart, ReadOnlySpan<float> cvalRow, Span<float> m, int width, int stride, SplinePrefilterPlan plan)
    {
        int rows = plan.Length;
        if (rowStart.Length < rows || cvalRow.Length < width)
        {
            throw new ArgumentException("a start for every row and a cval row as wide as the block are needed");
        }

        if (rows <= 1 || plan.Poles.Length == 0)
        {
            for (int t = 0; t < rows; t++)
            {
                Row(x, rowStart[t], cvalRow, width).CopyTo(m.Slice(t * stride, width));
            }

            return;
        }

        Span<float> tmp = width <= 256 ? stackalloc float[width] : new float[width];
        float g = plan.Gain, zf = plan.Poles[0];
        var (causalRows, causalWeights) = plan.Causal[0];
        tmp.Clear();
        for (int k = 0; k < causalRows.Length; k++)
        {
            Axpy(tmp, Row(x, rowStart[causalRows[k]], cvalRow, width), causalWeights[k] * g);
        }

        tmp.CopyTo(m[..width]);
        for (int i = 1; i < rows; i++)
        {
            CausalRowFrom(m.Slice(i * stride, width), Row(x, rowStart[i], cvalRow, width), m.Slice((i - 1) * stride, width), g, zf);
        }

        var (antiRows, antiWeights) = plan.Anticausal[0];
        Combine(m, stride, width, antiRows, antiWeights, 1f, tmp);
        tmp.CopyTo(m.Slice((rows - 1) * stride, width));
        for (int i = rows - 2; i >= 0; i--)
        {
            AnticausalRow(m.Slice(i * stride, width), m.Slice((i + 1) * stride, width), zf);
        }

        for (int p = 1; p < plan.Poles.Length; p++)
        {
            OnePole(m, width, stride, plan, p, tmp);
        }
    }

    private static ReadOnlySpan<float> Row(ReadOnlySpan<float> x, int start, ReadOnlySpan<float> cvalRow, int width)
        => start < 0 ? cvalRow[..width] : x.Slice(start, width);

    /// <summary>
    /// <see cref="Columns"/> for a matrix of exactly one SIMD vector per row (lane layout: L lines side by side), with
    /// the recursions on vectors in registers.
    /// </summary>
    public static void Lanes(Span<float> m, SplinePrefilterPlan plan) => LanesOf<OneMatrix>(m, m, plan);

    /// <summary>
    /// <see cref="Lanes"/> of two lane matrices at once, their recursions interleaved: each step of one waits on its
    /// previous step (a multiply and an add, about 7 cycles), so two independent chains keep the machine twice as busy.
    /// The same operations per lane as two calls of <see cref="Lanes"/>, so the same bits.
    /// </summary>
    public static void LanesPair(Span<float> a, Span<float> b, SplinePrefilterPlan plan) => LanesOf<TwoMatrices>(a, b, plan);

    /// <summary>Whether <see cref="LanesOf{T}"/> filters its second matrix too (a constant for the JIT: one loop body each).</summary>
    private interface IMatrixCount
    {
        static abstract bool Two { get; }
    }

    private readonly struct OneMatrix : IMatrixCount
    {
        public static bool Two => false;
    }

    private readonly struct TwoMatrices : IMatrixCount
    {
        public static bool Two => true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LanesOf<T>(Span<float> a, Span<float> b, SplinePrefilterPlan plan)
        where T : struct, IMatrixCount
    {
        int n = plan.Length, l = Vector<float>.Count;
        if (n <= 1 || plan.Poles.Length == 0)
        {
            return;
        }

        ref float a0 = ref MemoryMarshal.GetReference(a[..(n * l)]);
        ref float b0 = ref MemoryMarshal.GetReference(b[..(n * l)]);
        for (int p = 0; p < plan.Poles.Length; p++)
        {
            var g = new Vector<float>(p == 0 ? plan.Gain : 1f);
            var z = new Vector<float>(plan.Poles[p]);
            var (causalRows, causalWeights) = plan.Causal[p];
            var (antiRows, antiWeights) = plan.Anticausal[p];
            float gain = p == 0 ? plan.Gain : 1f;
            var prevA = Vector<float>.Zero;
            var prevB = Vector<float>.Zero;
            for (int k = 0; k < causalRows.Length; k++)
            {
                var w = new Vector<float>(causalWeights[k] * gain);
                prevA += w * Vector.LoadUnsafe(ref a0, (nuint)(causalRows[k] * l));
                prevB = T.Two ? prevB + (w * Vector.LoadUnsafe(ref b0, (nuint)(causalRows[k] * l))) : prevB;
            }

            prevA.StoreUnsafe(ref a0);
            if (T.Two)
            {
                prevB.StoreUnsafe(ref b0);
            }

            for (int i = 1; i < n; i++)
            {
                prevA = (g * Vector.LoadUnsafe(ref a0, (nuint)(i * l))) + (z * prevA);
                if (T.Two)
                {
                    prevB = (g * Vector.LoadUnsafe(ref b0, (nuint)(i * l))) + (z * prevB);
                    prevB.StoreUnsafe(ref b0, (nuint)(i * l));
                }

                prevA.StoreUnsafe(ref a0, (nuint)(i * l));
            }

            var nextA = Vector<float>.Zero;
            var nextB = Vector<float>.Zero;
            for (int k = 0; k < antiRows.Length; k++)
            {
                var w = new Vector<float>(antiWeights[k] * 1f);
                nextA += w * Vector.LoadUnsafe(ref a0, (nuint)(antiRows[k] * l));
                nextB = T.Two ? nextB + (w * Vector.LoadUnsafe(ref b0, (nuint)(antiRows[k] * l))) : nextB;
            }

            nextA.StoreUnsafe(ref a0, (nuint)((n - 1) * l));
            if (T.Two)
            {
                nextB.StoreUnsafe(ref b0, (nuint)((n - 1) * l));
            }

            for (int i = n - 2; i >= 0; i--)
            {
                nextA = z * (nextA - Vector.LoadUnsafe(ref a0, (nuint)(i * l)));
                if (T.Two)
                {
                    nextB = z * (nextB - Vector.LoadUnsafe(ref b0, (nuint)(i * l)));
                    nextB.StoreUnsafe(ref b0, (nuint)(i * l));
                }

                nextA.StoreUnsafe(ref a0, (nuint)(i * l));
            }
        }
    }


    /// <summary>The starting value of a pass over a line of length n as rows and weights: exact from the double reference on unit lines, or truncated for long lines.</summary>
    public static (int[] Rows, float[] Weights) Start(int n, double z, PrefilterBoundary boundary, bool causal)
    {
        var rows = new List<int>();
        var weights = new List<float>();
        if (n <= ExactStartLength)
        {
            // The reference starting value is linear in the line: its weight on x[j] is its value on the unit line e_j.
            var unit = new double[n];
            for (int j = 0; j < n; j++)
            {
                Array.Clear(unit);
                unit[j] = 1;
                if (causal)
                {
                    BSpline.CausalStart(unit, z, boundary);
                    Add(j, unit[0]);
                }
                else
                {
                    BSpline.AnticausalStart(unit, z, boundary);
                    Add(j, unit[n - 1]);
                }
            }

            return ([.. rows], [.. weights]);
        }

        // Long lines: z^(n-1) < 1e-30 vanishes; the sums stop where z^k < 1e-16.
        int h = Math.Min(n - 2, (int)Math.Ceiling(Math.Log(1e-16) / Math.Log(Math.Abs(z))));
        switch (boundary, causal)
        {
            case (PrefilterBoundary.Mirror, true):
                for (int j = 0; j <= h; j++)
                {
                    Add(j, Math.Pow(z, j));
                }

                break;
            case (PrefilterBoundary.Reflect, true):
                Add(0, 1 + z);
                for (int j = 1; j <= h; j++)
                {
                    Add(j, Math.Pow(z, j + 1));
                }

                break;
            case (PrefilterBoundary.Periodic, true):
                Add(0, 1);
                for (int i = 1; i <= h; i++)
                {
                    Add(n - i, Math.Pow(z, i));
                }

                break;
            case (PrefilterBoundary.Mirror, false):
                Add(n - 2, z * z / ((z * z) - 1));
                Add(n - 1, z / ((z * z) - 1));
                break;
            case (PrefilterBoundary.Reflect, false):
                Add(n - 1, z / (z - 1));
                break;
            default:
                // (c[n-1] + sum_i z^(i+1) c[i]) * z / (z^n - 1), with z^n = 0.
                Add(n - 1, -z);
                for (int i = 0; i <= h; i++)
                {
                    Add(i, -z * Math.Pow(z, i + 1));
                }

                break;
        }

        return ([.. rows], [.. weights]);

        void Add(int row, double weight)
        {
            if (weight != 0)
            {
                rows.Add(row);
                weights.Add((float)weight);
            }
        }
    }

    /// <summary>dst = scale * sum_k weights[k] * row(rows[k]) over the first width values of each row.</summary>
    private static void Combine(Span<float> m, int stride, int width, int[] rows, float[] weights, float scale, Span<float> dst)
    {
        dst.Clear();
        for (int k = 0; k < rows.Length; k++)
        {
            Axpy(dst, m.Slice(rows[k] * stride, width), weights[k] * scale);
        }
    }

    /// <summary>acc[t] += a * x[t].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Axpy(Span<float> acc, ReadOnlySpan<float> x, float a)
    {
        int n = acc.Length, t = 0, w = Vector<float>.Count;
        ref float pa = ref MemoryMarshal.GetReference(acc);
        ref float px = ref MemoryMarshal.GetReference(x);
        var va = new Vector<float>(a);
        for (; t <= n - w; t += w)
        {
            (Vector.LoadUnsafe(ref pa, (nuint)t) + (va * Vector.LoadUnsafe(ref px, (nuint)t))).StoreUnsafe(ref pa, (nuint)t);
        }

        for (; t < n; t++)
        {
            Unsafe.Add(ref pa, t) += a * Unsafe.Add(ref px, t);
        }
    }

    /// <summary>cur[t] = g * cur[t] + z * prev[t].</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CausalRow(Span<float> cur, ReadOnlySpan<float> prev, float g, float z) => CausalRowFrom(cur, cur, prev, g, z);

    /// <summary>cur[t] = g * x[t] + z * prev[t] (x may be cur itself: each value is read before it is written).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CausalRowFrom(Span<float> cur, ReadOnlySpan<float> x, ReadOnlySpan<float> prev, float g, float z)
    {
        int n = cur.Length, t = 0, w = Vector<float>.Count;
        ref float pc = ref MemoryMarshal.GetReference(cur);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float pp = ref MemoryMarshal.GetReference(prev);
        var vg = new Vector<float>(g);
        var vz = new Vector<float>(z);
        for (; t <= n - w; t += w)
        {
            ((vg * Vector.LoadUnsafe(ref px, (nuint)t)) + (vz * Vector.LoadUnsafe(ref pp, (nuint)t))).StoreUnsafe(ref pc, (nuint)t);
        }

        for (; t < n; t++)
        {
            Unsafe.Add(ref pc, t) = (g * Unsafe.Add(ref px, t)) + (z * Unsafe.Add(ref pp, t));
        }
    }

    /// <summary>cur[t] = z * (next[t] - cur[t]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AnticausalRow(Span<float> cur, ReadOnlySpan<float> next, float z) => AnticausalRowFrom(cur, cur, next, z);

    /// <summary>cur[t] = z * (next[t] - causal[t]) (causal may be cur itself: each value is read before it is written).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void AnticausalRowFrom(Span<float> cur, ReadOnlySpan<float> causal, ReadOnlySpan<float> next, float z)
    {
        int n = cur.Length, t = 0, w = Vector<float>.Count;
        ref float pc = ref MemoryMarshal.GetReference(cur);
        ref float px = ref MemoryMarshal.GetReference(causal);
        ref float pn = ref MemoryMarshal.GetReference(next);
        var vz = new Vector<float>(z);
        for (; t <= n - w; t += w)
        {
            (vz * (Vector.LoadUnsafe(ref pn, (nuint)t) - Vector.LoadUnsafe(ref px, (nuint)t))).StoreUnsafe(ref pc, (nuint)t);
        }

        for (; t < n; t++)
        {
            Unsafe.Add(ref pc, t) = z * (Unsafe.Add(ref pn, t) - Unsafe.Add(ref px, t));
        }
    }
}

/// <summary>What <see cref="SplinePrefilter.Columns"/> needs for lines of one length: the poles, the gain and each pass's starting weights.</summary>
public sealed class SplinePrefilterPlan
{
    public SplinePrefilterPlan(int length, int order, PrefilterBoundary boundary)
    {
        Length = length;
        var poles = length > 1 ? BSpline.Poles(order) : [];
        Poles = poles.Select(z => (float)z).ToArray();
        Gain = (float)BSpline.Gain(poles);
        Causal = poles.Select(z => SplinePrefilter.Start(length, z, boundary, causal: true)).ToArray();
        Anticausal = poles.Select(z => SplinePrefilter.Start(length, z, boundary, causal: false)).ToArray();
    }

    /// <summary>The last 64 plans made (<see cref="For"/>).</summary>
    private static readonly RecentPlans<(int Length, int Order, PrefilterBoundary Boundary), SplinePrefilterPlan> Recent = new(64);

    /// <summary>The length of the lines.</summary>
    public int Length { get; }

    public float[] Poles { get; }

    public float Gain { get; }

    public (int[] Rows, float[] Weights)[] Causal { get; }

    public (int[] Rows, float[] Weights)[] Anticausal { get; }

    /// <summary>
    /// The plan for lines of this length, order and boundary, made once and kept (a plan is only read): a batch of
    /// images of one size makes its plans once, not 3.7 KiB of them a call (a 1024 line at order 3), which on this VM
    /// cost more than their arithmetic: until the collector reuses gen0, fresh garbage lands on pages touched for the
    /// first time (about 30 us each).
    /// </summary>
    public static SplinePrefilterPlan For(int length, int order, PrefilterBoundary boundary)
        => Recent.Get((length, order, boundary), 0, static (k, _) => new SplinePrefilterPlan(k.Length, k.Order, k.Boundary));
}
