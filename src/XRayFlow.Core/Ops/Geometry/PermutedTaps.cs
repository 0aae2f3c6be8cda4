using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// An axis plan's taps for a horizontal pass straight along a row (no transpose to lane layout): the outputs in blocks of
/// <see cref="Block"/> (16 or 8); every tap of a block reads a window of at most 32 coefficients starting at the
/// block's base, so one two-register permute (AVX-512 vpermt2ps) per tap brings each output's coefficient to its lane:
/// <code>
/// out[j] = sum_b w[j, b] * line[index[j, b]]    (line: the padded coefficient row, its cval at CoefLength)
/// </code>
/// summed in the order of <see cref="SeparableResampler"/>'s lane path (1 tap: the value; 2 and 4 taps: first product,
/// then each next one added; other counts: 0 + each product in turn), so the same float operations give the same bits.
/// Used for a row without a horizontal prefilter (orders 0 and 1, or prefilter off); null where a block's taps spread
/// wider than 32 coefficients (a zoom below about 0.45) or the machine has no AVX-512. A few blocks whose taps an edge maps
/// across the line (wrap modes) are computed value by value.
/// </summary>
public sealed class PermutedTaps
{
    /// <summary>How many coefficients one permute chooses from (two 512-bit registers).</summary>
    public const int Window = 32;

    private const int Lanes = 16;

    private readonly AxisPlan _plan;

    private PermutedTaps(AxisPlan plan, int block, int blocks, int taps, int outLength)
    {
        _plan = plan;
        Block = block;
        Blocks = blocks;
        Taps = taps;
        OutLength = outLength;
        Base = new int[blocks];
        LowestBaseFrom = new int[blocks];
        Index = new int[checked(blocks * taps * Lanes)];
        Weight = new float[blocks * taps * Lanes];
    }

    /// <summary>Outputs per block: 16, or 8 where 16 outputs' taps spread wider than <see cref="Window"/>.</summary>
    public int Block { get; }

    public int Blocks { get; }

    public int Taps { get; }

    public int OutLength { get; }

    /// <summary>Per block: the first coefficient of its window, or -1 for a block computed value by value.</summary>
    public int[] Base { get; }

    /// <summary>Per block k: the lowest <see cref="Base"/> of blocks k.. (0 where one of them goes value by value).</summary>
    public int[] LowestBaseFrom { get; }

    /// <summary>Blocks x taps x 16: the coefficient each lane takes, counted from the block's base (0..31).</summary>
    public int[] Index { get; }

    /// <summary>Blocks x taps x 16: the weights (0 in lanes past the block's outputs).</summary>
    public float[] Weight { get; }

    /// <summary>Whether some block goes value by value (its taps spread wider than a window).</summary>
    public bool AnyScalar { get; private set; }

    /// <summary>The line length the pass reads: every window whole (the caller's line is at least this long).</summary>
    public int LineLength { get; private set; }

    /// <summary>Whether this machine has the permute (AVX-512F).</summary>
    public static bool IsSupported => Avx512F.IsSupported;

    /// <summary>The permuted taps of <paramref name="plan"/>, or null where a block does not fit a window.</summary>
    public static PermutedTaps? For(AxisPlan plan)
    {
        foreach (int block in new[] { 16, 8 })
        {
            if (Build(plan, block) is { } built)
            {
                return built;
            }
        }

        return null;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        static PermutedTaps? Build(AxisPlan plan, int block)
        {
            int taps = plan.Taps, m = plan.OutLength;
            int blocks = (m + block - 1) / block;
            var result = new PermutedTaps(plan, block, blocks, taps, m);
            int line = plan.CoefLength + 1, scalar = 0;
            for (int k = 0; k < blocks; k++)
            {
                int j0 = k * block, count = Math.Min(block, m - j0);
                int lo = int.MaxValue, hi = int.MinValue;
                for (int q = j0 * taps; q < (j0 + count) * taps; q++)
                {
                    if (!plan.Outside[q / taps]) // an outside output's value is replaced by cval: any tap will do
                    {
                        lo = Math.Min(lo, plan.Index[q]);
                        hi = Math.Max(hi, plan.Index[q]);
                    }
                }

                if (lo > hi)
                {
                    lo = hi = 0; // every output of the block outside
                }

                if (hi - lo + 1 > Window)
                {
                    // Taps mapped across the line at an edge (wrap, mirror of a short line): this block goes value by value.
                    result.Base[k] = -1;
                    if (++scalar > Math.Max(4, blocks / 8))
                    {
                        return null;
                    }

                    continue;
                }

                result.Base[k] = lo;
                line = Math.Max(line, lo + Window);
                for (int b = 0; b < taps; b++)
                {
                    int at = ((k * taps) + b) * Lanes;
                    for (int lane = 0; lane < Lanes; lane++)
                    {
                        bool used = lane < count && !plan.Outside[j0 + lane];
                        result.Index[at + lane] = used ? plan.Index[((j0 + lane) * taps) + b] - lo : 0;
                        result.Weight[at + lane] = used ? plan.Weight[((j0 + lane) * taps) + b] : 0f;
                    }
                }
            }

            result.LineLength = line;
            result.AnyScalar = scalar > 0;
            for (int k = blocks - 1, lowest = int.MaxValue; k >= 0; k--)
            {
                lowest = Math.Min(lowest, Math.Max(0, result.Base[k]));
                result.LowestBaseFrom[k] = lowest;
            }

            return result;
        }
    }

    /// <summary>
    /// The whole 16-output blocks of a 2-tap plan (order 1) without a value-by-value block, in a loop of their own: the
    /// general loop's per-block switch, block checks and partial-store test cost it a third more. The same operations as
    /// the general loop. Returns the first block not done.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Whole2(ReadOnlySpan<float> line, Span<float> output)
    {
        ref float l0 = ref MemoryMarshal.GetReference(line);
        ref float o0 = ref MemoryMarshal.GetReference(output);
        ref int i0 = ref MemoryMarshal.GetArrayDataReference(Index);
        ref float w0 = ref MemoryMarshal.GetArrayDataReference(Weight);
        ref int b0 = ref MemoryMarshal.GetArrayDataReference(Base);
        int whole = OutLength / Lanes;
        for (int k = 0; k < whole; k++)
        {
            nuint at = (nuint)Unsafe.Add(ref b0, k);
            var lo = Vector512.LoadUnsafe(ref l0, at);
            var hi = Vector512.LoadUnsafe(ref l0, at + Lanes);
            nuint t = (nuint)(k * 2 * Lanes);
            var acc = Avx512F.PermuteVar16x32x2(lo, Vector512.LoadUnsafe(ref i0, t), hi) * Vector512.LoadUnsafe(ref w0, t);
            acc += Avx512F.PermuteVar16x32x2(lo, Vector512.LoadUnsafe(ref i0, t + Lanes), hi) * Vector512.LoadUnsafe(ref w0, t + Lanes);
            acc.StoreUnsafe(ref o0, (nuint)(k * Lanes));
        }

        return whole;
    }

    /// <summary>Whether <see cref="WholeFromRows"/> applies: 16-output blocks of 2 taps (order 1).</summary>
    public bool CanFuseRows => Block == Lanes && Taps == 2;

    /// <summary>Whether <see cref="Whole2"/> applies: 16-output blocks of 2 taps, none value by value.</summary>
    private bool AllWhole2 => CanFuseRows && !AnyScalar;

    /// <summary>
    /// The order-1 pass of an output row straight from the two input rows its vertical taps read (<see cref="CanFuseRows"/>,
    /// a line with no pre-pad: coefficient c is column c): each whole block whose window lies inside the rows gets its
    /// window's vertical sums made in registers, (wa * a[c]) + (wb * b[c]) as <see cref="SeparableResampler"/>'s
    /// vertical pass makes them, then <see cref="Whole2"/>'s permutes and products, so the same bits, without writing
    /// the vertical sums to a line and reading them back. A block that goes value by value (an edge's taps mapped
    /// across the row: grid-wrap, or grid-constant's cval one past a window) takes each vertical sum it reads the same
    /// way, value by value, in <see cref="Scalar"/>'s order (cval where a tap is the cval coefficient). Returns the first
    /// block not done (at the row's end): the caller makes the line from <see cref="LowestBaseFrom"/> of that block on
    /// and calls <see cref="Resample(ReadOnlySpan{float}, Span{float}, int)"/> from it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int WholeFromRows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float wa, float wb, float cval, Span<float> output)
    {
        if (!CanFuseRows || a.Length != b.Length || output.Length < OutLength)
        {
            throw new ArgumentException("rows fused only for whole 16-output blocks of 2 taps, into a whole output row");
        }

        int whole = OutLength / Lanes, last = a.Length - Window;
        int k = 0;
        while (true)
        {
            // The vector blocks run in a loop of their own, without a call: a call in it made every register
            // caller-saved (all vector registers on x64 System V), so the weights and the loop's references were
            // reloaded from the stack each block (zoom 0.5 order 1, mode constant: 0.095 -> 0.136 ms on one thread).
            k = WholeRun(a, b, wa, wb, output, k, whole, last);
            if (k < whole && Base[k] < 0)
            {
                ScalarFromRows(a, b, wa, wb, cval, output, k);
                k++;
                continue;
            }

            return k;
        }
    }

    /// <summary>
    /// <see cref="WholeFromRows"/>'s vector blocks from block k on; stops at the first block that goes value by value
    /// (Base &lt; 0), whose window passes the rows' end, or at <paramref name="whole"/>, and returns it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int WholeRun(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float wa, float wb, Span<float> output, int k, int whole, int last)
    {
        ref float a0 = ref MemoryMarshal.GetReference(a);
        ref float c0 = ref MemoryMarshal.GetReference(b);
        ref float o0 = ref MemoryMarshal.GetReference(output);
        ref int i0 = ref MemoryMarshal.GetArrayDataReference(Index);
        ref float w0 = ref MemoryMarshal.GetArrayDataReference(Weight);
        ref int b0 = ref MemoryMarshal.GetArrayDataReference(Base);
        var va = Vector512.Create(wa);
        var vb = Vector512.Create(wb);
        for (; k < whole; k++)
        {
            int first = Unsafe.Add(ref b0, k);
            if (first < 0 || first > last)
            {
                break;
            }

            nuint at = (nuint)first;
            var lo = (va * Vector512.LoadUnsafe(ref a0, at)) + (vb * Vector512.LoadUnsafe(ref c0, at));
            var hi = (va * Vector512.LoadUnsafe(ref a0, at + Lanes)) + (vb * Vector512.LoadUnsafe(ref c0, at + Lanes));
            nuint t = (nuint)(k * 2 * Lanes);
            var acc = Avx512F.PermuteVar16x32x2(lo, Vector512.LoadUnsafe(ref i0, t), hi) * Vector512.LoadUnsafe(ref w0, t);
            acc += Avx512F.PermuteVar16x32x2(lo, Vector512.LoadUnsafe(ref i0, t + Lanes), hi) * Vector512.LoadUnsafe(ref w0, t + Lanes);
            acc.StoreUnsafe(ref o0, (nuint)(k * Lanes));
        }

        return k;
    }

    /// <summary>
    /// <see cref="Scalar"/> of a 2-tap block with each line value made from the rows as the line would hold it:
    /// (wa * a[c]) + (wb * b[c]), cval at c = CoefLength (the rows are the line: no pre-pad).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScalarFromRows(ReadOnlySpan<float> a, ReadOnlySpan<float> b, float wa, float wb, float cval, Span<float> output, int k)
    {
        int c1 = _plan.CoefLength;
        int[] index = _plan.Index;
        float[] weight = _plan.Weight;
        int j0 = k * Block, count = Math.Min(Block, OutLength - j0);
        for (int j = j0; j < j0 + count; j++)
        {
            int at = j * 2, i0 = index[at], i1 = index[at + 1];
            float v0 = i0 == c1 ? cval : (wa * a[i0]) + (wb * b[i0]);
            float v1 = i1 == c1 ? cval : (wa * a[i1]) + (wb * b[i1]);
            output[j] = (v0 * weight[at]) + (v1 * weight[at + 1]);
        }
    }

    /// <summary>A block whose taps spread wider than a window, value by value in the same order of operations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Scalar(ReadOnlySpan<float> line, Span<float> output, int k)
    {
        int j0 = k * Block, count = Math.Min(Block, OutLength - j0);
        for (int j = j0; j < j0 + count; j++)
        {
            int at = j * Taps;
            float acc = Taps switch
            {
                1 => line[_plan.Index[at]],
                2 => (line[_plan.Index[at]] * _plan.Weight[at]) + (line[_plan.Index[at + 1]] * _plan.Weight[at + 1]),
                4 => (line[_plan.Index[at]] * _plan.Weight[at]) + (line[_plan.Index[at + 1]] * _plan.Weight[at + 1])
                     + (line[_plan.Index[at + 2]] * _plan.Weight[at + 2]) + (line[_plan.Index[at + 3]] * _plan.Weight[at + 3]),
                _ => Sum(line, at),
            };
            output[j] = acc;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float Sum(ReadOnlySpan<float> line, int at)
    {
        float acc = 0f;
        for (int b = 0; b < Taps; b++)
        {
            acc += line[_plan.Index[at + b]] * _plan.Weight[at + b];
        }

        return acc;
    }

    /// <summary>
    /// out[j] for every output j of the plan, from <paramref name="line"/> (at least <see cref="LineLength"/> long; its
    /// values past CoefLength + 1 are never chosen). An output the plan marks Outside gets no defined value (the caller
    /// writes cval there). Needs <see cref="IsSupported"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Resample(ReadOnlySpan<float> line, Span<float> output) => Resample(line, output, 0);

    /// <summary>
    /// <see cref="Resample(ReadOnlySpan{float}, Span{float})"/> of the blocks from <paramref name="firstBlock"/> on (the
    /// line need only hold its values from <see cref="LowestBaseFrom"/> of that block on).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Resample(ReadOnlySpan<float> line, Span<float> output, int firstBlock)
    {
        if (line.Length < LineLength || output.Length < OutLength)
        {
            throw new ArgumentException("line or output too short for the permuted taps");
        }

        ref float l0 = ref MemoryMarshal.GetReference(line);
        ref float o0 = ref MemoryMarshal.GetReference(output);
        ref int i0 = ref MemoryMarshal.GetArrayDataReference(Index);
        ref float w0 = ref MemoryMarshal.GetArrayDataReference(Weight);
        Span<float> tail = stackalloc float[Lanes];
        int k = firstBlock == 0 && AllWhole2 ? Whole2(line, output) : firstBlock;
        for (; k < Blocks; k++)
        {
            if (Base[k] < 0)
            {
                Scalar(line, output, k);
                continue;
            }

            nuint at = (nuint)Base[k];
            var lo = Vector512.LoadUnsafe(ref l0, at);
            var hi = Vector512.LoadUnsafe(ref l0, at + Lanes);
            nuint t = (nuint)(k * Taps * Lanes);
            Vector512<float> acc;
            switch (Taps)
            {
                case 1:
                    acc = Avx512F.PermuteVar16x32x2(lo, Vector512.LoadUnsafe(ref i0, t), hi);
                    break;
                case 2:
                    acc = Avx512F.PermuteVar16x32x2(lo, Vector512.LoadUnsafe(ref i0, t), hi) * Vector512.LoadUnsafe(ref w0, t);
                    acc += Avx512F.PermuteVar16x32x2(lo, Vector512.LoadUnsafe(ref i0, t + Lanes), hi) * Vector512.LoadUnsafe(ref w0, t + Lanes);
                    break;
                case 4:
                    acc = Avx512F.PermuteVar16x32x2(lo, Vector512.LoadUnsafe(ref i0, t), hi) * Vector512.LoadUnsafe(ref w0, t);
                    acc += Avx512F.PermuteVar16x32x2(lo, Vector512.LoadUnsafe(ref i0, t + Lanes), hi) * Vector512.LoadUnsafe(ref w0, t + Lanes);
                    acc += Avx512F.PermuteVar16x32x2(lo, Vector512.LoadUnsafe(ref i0, t + (2 * Lanes)), hi) * Vector512.LoadUnsafe(ref w0, t + (2 * Lanes));
                    acc += Avx512F.PermuteVar16x32x2(lo, Vector512.LoadUnsafe(ref i0, t + (3 * Lanes)), hi) * Vector512.LoadUnsafe(ref w0, t + (3 * Lanes));
                    break;
                default:
                    acc = Vector512<float>.Zero;
                    for (int b = 0; b < Taps; b++)
                    {
                        nuint tb = t + (nuint)(b * Lanes);
                        acc += Avx512F.PermuteVar16x32x2(lo, Vector512.LoadUnsafe(ref i0, tb), hi) * Vector512.LoadUnsafe(ref w0, tb);
                    }

                    break;
            }

            int j0 = k * Block, count = Math.Min(Block, OutLength - j0);
            if (count == Lanes)
            {
                acc.StoreUnsafe(ref o0, (nuint)j0);
            }
            else if (count == 8)
            {
                acc.GetLower().StoreUnsafe(ref o0, (nuint)j0);
            }
            else
            {
                acc.StoreUnsafe(ref MemoryMarshal.GetReference(tail));
                tail[..count].CopyTo(output.Slice(j0, count));
            }
        }
    }
}
