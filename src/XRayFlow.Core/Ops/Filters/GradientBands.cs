using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Elementwise;

namespace XRayFlow.Core.Ops.Filters;

/// <summary>
/// sobel's or prewitt's row-band kernel (<see cref="NdFilters.GradientBand"/>): the separable strip code, plus what a
/// fused group needs to know to compute a pair of them with their hypot in one pass (<see cref="Magnitude"/>).
/// </summary>
public sealed class GradientBand : IRowBandKernel
{
    private readonly IRowBandKernel _strips;

    internal GradientBand(IRowBandKernel strips, int axis, float center, BoundaryMode mode, float cval)
    {
        _strips = strips;
        Axis = axis;
        Center = center;
        Mode = mode;
        Cval = cval;
    }

    /// <summary>The derivative's axis, 0 or 1.</summary>
    public int Axis { get; }

    /// <summary>The smoothing's centre weight: 2 (sobel, [1, 2, 1]) or 1 (prewitt, [1, 1, 1]).</summary>
    public float Center { get; }

    public BoundaryMode Mode { get; }

    public float Cval { get; }

    public int Before => _strips.Before;

    public int After => _strips.After;

    public int PreferredRows(int cols) => _strips.PreferredRows(cols);

    public bool Supports(int rows, int cols) => _strips.Supports(rows, cols);

    public void Rows(ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1)
        => _strips.Rows(inputs, output, rows, cols, r0, r1);

    /// <summary>
    /// Whether the magnitude kernel takes its 512-bit loops (where the machine has them) or its Vector&lt;T&gt; loops and
    /// <see cref="Hypot"/>'s own code; both give the same bits, and tests run both.
    /// </summary>
    internal static bool Wide { get; set; } = Vector512.IsHardwareAccelerated;

    /// <summary>
    /// hypot(<paramref name="first"/>(x), <paramref name="second"/>(x)) as one row-band kernel on x, or null when the two
    /// are not such a pair: derivatives along different axes with the same smoothing, mode and cval, the row pass first
    /// (every mode but constant with cval != 0, where the strips pass axis 0 first).
    /// </summary>
    public static IRowBandKernel? Magnitude(GradientBand first, GradientBand second)
    {
        if (first.Axis == second.Axis || first.Center != second.Center || first.Mode != second.Mode
            || BitConverter.SingleToUInt32Bits(first.Cval) != BitConverter.SingleToUInt32Bits(second.Cval)
            || first.Mode == BoundaryMode.Wrap || (first.Mode == BoundaryMode.Constant && first.Cval != 0f))
        {
            return null;
        }

        return new MagnitudeBand(first.Axis == 0, first.Center, first.Mode, first.Cval);
    }

    /// <summary>
    /// hypot of the axis-0 and axis-1 gradients of x from one pass over x's rows, with exactly the operations the three
    /// steps do, so the same bits (the strips pass rows first, then columns; a 3-tap symmetric pass is
    /// fl(fl(p0 + p2) + c·p1), an antisymmetric one fl(p2 − p0) + (p1 − p1), as FMAs with weight 1 round; p1 − p1 is
    /// SciPy's p1·0 for the centre's zero weight: +0, or NaN where p1 is NaN or infinite):
    /// <code>
    /// S_m[j] = fl(fl(x_m[j−1] + x_m[j+1]) + c·x_m[j])      P_m[j] = fl(x_m[j+1] − x_m[j−1]) + (x_m[j] − x_m[j])   (row m, j±1 mapped by mode)
    /// g0[r, j] = fl(S_{r+1}[j] − S_{r−1}[j]) + (S_r[j] − S_r[j])       g1[r, j] = fl(fl(P_{r−1}[j] + P_{r+1}[j]) + c·P_r[j])   (r±1 mapped)
    /// out[r, j] = (float)sqrt((double)a² + (double)b²)     (a, b = g0, g1 in the hypot step's input order; +inf where
    ///                                                      a or b is infinite, NumPy's NaN for any other NaN: Hypot.Settle)
    /// </code>
    /// A row of x outside the frame (constant mode, cval 0) is a row of zeros, as the strips' cval row. Each input row's
    /// S and P are computed once into a ring of three rows; the two gradients of an output row into two scratch rows,
    /// then <see cref="Hypot.Apply(ReadOnlySpan{nint}, float*, int)"/> (the hypot step's own code) writes the output row.
    /// </summary>
    private sealed unsafe class MagnitudeBand(bool axis0First, float center, BoundaryMode mode, float cval) : IRowBandStream
    {
        public int Before => 1;

        public int After => 1;

        public BoundaryMode Mode => mode;

        public int PreferredRows(int cols) => 0;

        public bool Supports(int rows, int cols) => rows >= 3 && cols >= 3;

        public void Rows(ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1)
        {
            using var state = new Ring(cols);
            Rows(state, inputs, output, rows, cols, r0, r1);
        }

        /// <summary>The ring of three S and P rows lives as long as the chunk: the next band's first rows are the last one's.</summary>
        public IDisposable NewState(int rows, int cols, int maxRows) => new Ring(cols);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Rows(IDisposable state, ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1)
        {
            var ring = (Ring)state;
            var x = inputs[0];
            int stride = ring.Stride;
            float* sp = ring.Base;

            // Ring slots 0..2 of S, 3..5 of P, 6 zeros (an outside row), 7 and 8 the two gradients.
            float* zeros = sp + (6L * stride);
            float* g0 = sp + (7L * stride), g1 = sp + (8L * stride);
            Span<nint> pair = stackalloc nint[2];
            pair[0] = (nint)(axis0First ? g0 : g1);
            pair[1] = (nint)(axis0First ? g1 : g0);
            Span<int> held = ring.Held;
            for (int r = r0; r < r1; r++)
            {
                int above = Boundary.Map(r - 1L, rows, mode), below = Boundary.Map(r + 1L, rows, mode);
                float* sAbove = Passed(x, above, (above, below, r), sp, held, cols, stride, zeros, out float* pAbove);
                float* sBelow = Passed(x, below, (above, below, r), sp, held, cols, stride, zeros, out float* pBelow);
                float* sHere = Passed(x, r, (above, below, r), sp, held, cols, stride, zeros, out float* pHere);
                if (Wide)
                {
                    Magnitudes512(sAbove, sHere, sBelow, pAbove, pHere, pBelow, output.Row(r), cols, center, axis0First);
                }
                else
                {
                    Columns(sAbove, sHere, sBelow, pAbove, pHere, pBelow, g0, g1, cols, center);
                    Hypot.Apply(pair, output.Row(r), cols);
                }
            }
        }

        /// <summary>
        /// Nine scratch rows (64 bytes more than a row apart: not 4 KiB-aliased for 1024-value rows), pinned while the
        /// state lives, and the image row each of the three ring slots holds (rows outside the frame are the zeros row,
        /// never held).
        /// </summary>
        private sealed class Ring : IDisposable
        {
            private readonly PinnedFloats _floats;

            public Ring(int cols)
            {
                Stride = cols + 16;
                _floats = new PinnedFloats(checked(9 * Stride));
                new Span<float>(Base + (6L * Stride), cols).Clear();
                Held = [int.MinValue, int.MinValue, int.MinValue];
            }

            public int Stride { get; }

            public float* Base => _floats.Base;

            public int[] Held { get; }

            public void Dispose()
            {
                _floats.Dispose();
            }
        }

        /// <summary>
        /// The S and P rows of image row m (zeros for -1), computed into a ring slot unless one holds them; the slot
        /// taken holds none of the current output row's three rows (at most two of them are held when m is not).
        /// </summary>
        private float* Passed(RowWindow x, int m, (int A, int B, int C) needed, float* sp, Span<int> held, int cols, int stride, float* zeros, out float* p)
        {
            if (m < 0)
            {
                p = zeros;
                return zeros;
            }

            int slot = held.IndexOf(m);
            if (slot < 0)
            {
                slot = 0;
                while (held[slot] == needed.A || held[slot] == needed.B || held[slot] == needed.C)
                {
                    slot++;
                }

                RowPasses(x.Row(m), sp + ((long)slot * stride), sp + ((long)(slot + 3) * stride), cols, center, mode, cval);
                held[slot] = m;
            }

            p = sp + ((long)(slot + 3) * stride);
            return sp + ((long)slot * stride);
        }

        /// <summary>S = smoothing row pass, P = derivative row pass of one row (edges sampled by mode).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void RowPasses(float* row, float* s, float* p, int cols, float center, BoundaryMode mode, float cval)
        {
            int width = Vector<float>.Count;
            var c = new Vector<float>(center);
            int j = 1;
            if (Wide)
            {
                var c16 = Vector512.Create(center);
                for (; j <= cols - 17; j += 16)
                {
                    var left16 = Vector512.Load(row + j - 1);
                    var right16 = Vector512.Load(row + j + 1);
                    var here16 = Vector512.Load(row + j);
                    ((left16 + right16) + (c16 * here16)).Store(s + j);
                    ((right16 - left16) + (here16 - here16)).Store(p + j);
                }
            }

            for (; j <= cols - 1 - width; j += width)
            {
                var left = Vector.Load(row + j - 1);
                var right = Vector.Load(row + j + 1);
                var here = Vector.Load(row + j);
                Vector.Store((left + right) + (c * here), s + j);
                Vector.Store((right - left) + (here - here), p + j);
            }

            var line = new ReadOnlySpan<float>(row, cols);
            for (; j < cols - 1; j++)
            {
                s[j] = (row[j - 1] + row[j + 1]) + (center * row[j]);
                p[j] = (row[j + 1] - row[j - 1]) + (row[j] - row[j]);
            }

            for (int e = 0; e < cols; e += cols - 1)
            {
                float l = Boundary.Sample(line, e - 1L, mode, cval), r = Boundary.Sample(line, e + 1L, mode, cval);
                s[e] = (l + r) + (center * row[e]);
                p[e] = (r - l) + (row[e] - row[e]);
            }
        }

        /// <summary>g0 = fl(S_below − S_above) + (S_here − S_here), g1 = fl(fl(P_above + P_below) + c·P_here).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Columns(float* sAbove, float* sHere, float* sBelow, float* pAbove, float* pHere, float* pBelow, float* g0, float* g1, int cols, float center)
        {
            int width = Vector<float>.Count;
            var c = new Vector<float>(center);
            int j = 0;
            for (; j <= cols - width; j += width)
            {
                Vector.Store((Vector.Load(sBelow + j) - Vector.Load(sAbove + j)) + (Vector.Load(sHere + j) - Vector.Load(sHere + j)), g0 + j);
                Vector.Store((Vector.Load(pAbove + j) + Vector.Load(pBelow + j)) + (c * Vector.Load(pHere + j)), g1 + j);
            }

            for (; j < cols; j++)
            {
                g0[j] = (sBelow[j] - sAbove[j]) + (sHere[j] - sHere[j]);
                g1[j] = (pAbove[j] + pBelow[j]) + (center * pHere[j]);
            }
        }

        /// <summary>
        /// Both gradients of an output row and their hypot in registers, 16 values at a time: the same operations per value
        /// as <see cref="Columns"/> then <see cref="Hypot.Apply(ReadOnlySpan{nint}, float*, int)"/> (squares widened to
        /// double, summed in input order, one double square root, narrowed), without storing the gradients.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Magnitudes512(float* sAbove, float* sHere, float* sBelow, float* pAbove, float* pHere, float* pBelow, float* dst, int cols, float center, bool axis0First)
        {
            var c = Vector512.Create(center);
            int j = 0;
            for (; j <= cols - 16; j += 16)
            {
                var g0 = (Vector512.Load(sBelow + j) - Vector512.Load(sAbove + j)) + (Vector512.Load(sHere + j) - Vector512.Load(sHere + j));
                var g1 = (Vector512.Load(pAbove + j) + Vector512.Load(pBelow + j)) + (c * Vector512.Load(pHere + j));
                var (a0, a1) = Vector512.Widen(axis0First ? g0 : g1);
                var (b0, b1) = Vector512.Widen(axis0First ? g1 : g0);
                var lo = (a0 * a0) + (b0 * b0);
                var hi = (a1 * a1) + (b1 * b1);
                Vector512.Narrow(Vector512.Sqrt(lo), Vector512.Sqrt(hi)).Store(dst + j);
            }

            for (; j < cols; j++)
            {
                float g0 = (sBelow[j] - sAbove[j]) + (sHere[j] - sHere[j]);
                float g1 = (pAbove[j] + pBelow[j]) + (center * pHere[j]);
                double a = axis0First ? g0 : g1, b = axis0First ? g1 : g0;
                dst[j] = (float)Math.Sqrt((a * a) + (b * b));
            }

            // NaN results (rare, of the loops above) take hypot's special cases (Hypot.Settle: +inf beside an infinite gradient, else NumPy's
            // NaN) in a pass of their own, so the loop above stays as it was; the gradients are recomputed with the same
            // operations (the same values, so the same infinities).
            var nan = Vector512<float>.Zero;
            int v = 0;
            for (; v <= cols - 16; v += 16)
            {
                var r = Vector512.Load(dst + v);
                nan |= ~Vector512.Equals(r, r);
            }

            bool any = nan != Vector512<float>.Zero;
            for (; v < cols && !any; v++)
            {
                any = float.IsNaN(dst[v]);
            }

            if (!any)
            {
                return;
            }

            for (int q = 0; q < cols; q++)
            {
                if (float.IsNaN(dst[q]))
                {
                    float g0 = (sBelow[q] - sAbove[q]) + (sHere[q] - sHere[q]);
                    float g1 = (pAbove[q] + pBelow[q]) + (center * pHere[q]);
                    dst[q] = Hypot.Settle(dst[q], float.IsInfinity(g0) || float.IsInfinity(g1));
                }
            }
        }
    }
}
