using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Morphology;

/// <summary>The binary ops of scipy.ndimage this kernel runs.</summary>
public enum BinaryOp
{
    Erosion,
    Dilation,
    Opening,
    Closing,
}

/// <summary>
/// scipy.ndimage's binary morphology (binary_erosion, binary_dilation, binary_opening, binary_closing,
/// binary_fill_holes) on each 2-D frame. The exact meaning, SciPy's (<see cref="Reference"/> is this, pixel by pixel):
/// <code>
/// X = (x != 0); c = (k0 // 2 + o0, k1 // 2 + o1) the structure's centre moved by the origin
/// one erosion pass:  out[p] = mask[p] ? AND over s[a] of X_b[p + a - c] : X[p]
/// one dilation pass: out[p] = mask[p] ? OR  over s[a] of X_b[p + c - a] : X[p]
/// </code>
/// where X_b reads border_value outside the frame and mask is 1 everywhere when absent (a mask pixel is nonzero).
/// Dilation is SciPy's: the reflected structure with origin -o (-o - 1 on an even axis), which is the offsets c - a
/// above. `iterations` n repeats the pass n times on its own output; 0 repeats it until a pass changes nothing
/// (SciPy's iterations &lt; 1). Opening = erosion then dilation, closing = dilation then erosion, each with the same
/// structure, iterations, mask, border_value and origin. binary_fill_holes = NOT of the dilation, until nothing
/// changes, of an all-0 image with border_value 1 and mask NOT X. Output 0/1.
/// <para>How: frames are packed 64 pixels to a word (<see cref="BitPlane"/>) and every pass works on words. Both
/// erosion and dilation run as one operator on a plane Y (Y = NOT X for erosion, whose border is then NOT
/// border_value): out_Y[p] = mask[p] ? OR over d in D of Y_b[p + d] : Y[p], D the offsets above. A pass computes
/// each output row as an OR of shifted source rows (<see cref="BitRows.OrShifted"/>, 4 words per AVX2 vector); after the
/// first pass only rows whose source rows changed are recomputed (a pixel can change only when its window did).
/// Until-stable runs with the centre in the structure (SciPy's own fast path, binary_erosion2) make out_Y grow
/// monotonically to the least fixed point above the input; it is reached with Gauss-Seidel sweeps (rows top-down then
/// bottom-up, each row's run along the row closed at once with carry-propagating word fills) until a sweep changes
/// nothing: the same fixed point as repeating passes, without one pass per pixel of path length. Without the centre,
/// passes repeat until nothing changes; such a structure can make SciPy loop forever, so here a state that comes back
/// (after two passes, or after any number: Brent's cycle check against a copy saved at passes 1, 2, 4, 8...), or more
/// than <see cref="UntilStableLimit"/> passes, fails the step.</para>
/// <para>Mask values: SciPy reads the mask as nonzero in the first pass and as int8(mask) != 0 in later passes of its
/// fast path; here always nonzero, which agrees for 0/1 masks (and any whose nonzero values survive int8).</para>
/// </summary>
public static class BinaryMorphology
{
    /// <summary>The largest `iterations`.</summary>
    public const int MaxIterations = 4096;

    /// <summary>
    /// Passes an until-stable run without the centre in its structure may take: rows * cols + 2. A pass is
    /// out_Y[p] = OR over d of Y[p + d] (the border and pixels outside the mask held), so after n passes a pixel reads
    /// the ends of the n-step walks from it. When the offsets lie in an open half-plane no walk comes back to a pixel:
    /// it leaves the frame (or stops at a held pixel) within rows * cols steps, after which nothing changes. Such runs
    /// can take far more than 2 (rows + cols) passes: offsets (0, 1) and (1, 1 - cols) walk the frame in raster order,
    /// one pixel per pass. Offsets around the centre can cycle instead; those cycles are caught as they come back.
    /// </summary>
    public static int UntilStableLimit(int rows, int cols) => (int)Math.Min(int.MaxValue - 1, ((long)rows * cols) + 2);

    /// <summary>
    /// Runs binary erosion / dilation / opening / closing on every frame of <paramref name="src"/> into a new 0/1 array
    /// held as bits (<see cref="ImageArray.FromMask"/>: its float32 pixels are made when something reads them).
    /// </summary>
    /// <param name="op">Which op.</param>
    /// <param name="src">The input; a pixel is 1 where it is nonzero (read as bits when it is held as bits).</param>
    /// <param name="mask">Optional mask of the input's shape: only pixels where it is nonzero are modified.</param>
    /// <param name="structure">The structuring element (true = in it).</param>
    /// <param name="iterations">Passes (each op's); 0 = until nothing changes.</param>
    /// <param name="borderValue">What the input reads outside the frame.</param>
    /// <param name="o0">Origin on axis 0.</param>
    /// <param name="o1">Origin on axis 1.</param>
    /// <param name="threads">Threads for packing, passes and unpacking.</param>
    /// <param name="cancellation">Checked between passes.</param>
    public static ImageArray Apply(BinaryOp op, ImageArray src, ImageArray? mask, bool[,] structure, int iterations, bool borderValue, int o0, int o1, int threads, CancellationToken cancellation = default)
    {
        Check(structure, iterations, o0, o1);
        var ero = Element.Erosion(structure, o0, o1);
        var dil = Element.Dilation(structure, o0, o1);
        using var work = new Work(src.Rows, src.Cols, Math.Max(ero.Guard, dil.Guard), threads, cancellation);
        var dst = PackedMask.Rent(src.Frames, src.Rows, src.Cols);
        var input = Source.Of(src);
        var maskInput = mask is null ? null : Source.Of(mask);
        for (int f = 0; f < src.Frames; f++)
        {
            var m = maskInput is null ? null : work.PackMask(maskInput, f);
            BitPlane result;
            bool complement;
            switch (op)
            {
                case BinaryOp.Erosion:
                    work.Pack(input, f, complement: true, border: !borderValue);
                    result = work.Iterate(m, ero, iterations);
                    complement = true;
                    break;
                case BinaryOp.Dilation:
                    work.Pack(input, f, complement: false, border: borderValue);
                    result = work.Iterate(m, dil, iterations);
                    complement = false;
                    break;
                case BinaryOp.Opening:
                    work.Pack(input, f, complement: true, border: !borderValue);
                    work.Iterate(m, ero, iterations).Invert(borderValue);
                    result = work.Iterate(m, dil, iterations);
                    complement = false;
                    break;
                default:
                    work.Pack(input, f, complement: false, border: borderValue);
                    work.Iterate(m, dil, iterations).Invert(!borderValue);
                    result = work.Iterate(m, ero, iterations);
                    complement = true;
                    break;
            }

            work.CopyOut(result, dst, f, complement);
        }

        return ImageArray.FromMask(dst, src.IsStack);
    }

    /// <summary>binary_fill_holes on every frame: 1 inside the objects and in the holes no path (through the structure's offsets) joins to the border; the result held as bits.</summary>
    public static ImageArray FillHoles(ImageArray src, bool[,] structure, int o0, int o1, int threads, CancellationToken cancellation = default)
    {
        Check(structure, 0, o0, o1);
        var dil = Element.Dilation(structure, o0, o1);
        using var work = new Work(src.Rows, src.Cols, dil.Guard, threads, cancellation);
        var dst = PackedMask.Rent(src.Frames, src.Rows, src.Cols);
        var input = Source.Of(src);
        for (int f = 0; f < src.Frames; f++)
        {
            // The mask is NOT X (pack complemented, spare bits 0); the plane starts all 0 with border 1.
            var m = work.PackMask(input, f, complement: true);
            work.Clear(border: true);
            var result = work.Iterate(m, dil, 0);
            work.CopyOut(result, dst, f, complement: true);
        }

        return ImageArray.FromMask(dst, src.IsStack);
    }

    /// <summary>An input as the passes read it: its bits when it is held as bits, else its float32 pixels.</summary>
    private sealed record Source(PackedMask? Bits, float[]? Pixels, int FrameLength)
    {
        /// <summary>Operations to pack a frame into <paramref name="plane"/>: a word copy per word, or a compare per pixel.</summary>
        public long PackCost(BitPlane plane) => Bits is not null ? (long)plane.Rows * plane.Words : (long)plane.Rows * plane.Cols;

        public static Source Of(ImageArray a) => a.Mask is { } bits ? new Source(bits, null, a.FrameLength) : new Source(null, a.Data, a.FrameLength);

        public void Pack(BitPlane plane, int frame, int r0, int r1, bool complement)
        {
            if (Bits is not null)
            {
                plane.Pack(Bits, frame, r0, r1, complement);
            }
            else
            {
                plane.Pack(Pixels.AsSpan(frame * FrameLength, FrameLength), r0, r1, complement);
            }
        }
    }

    private static void Check(bool[,] structure, int iterations, int o0, int o1)
    {
        int k0 = structure.GetLength(0), k1 = structure.GetLength(1);
        if (k0 < 1 || k1 < 1 || k0 > StructuringElement.MaxSide || k1 > StructuringElement.MaxSide)
        {
            throw new ArgumentException($"a structure is 1 to {StructuringElement.MaxSide} cells a side; this one is {k0} x {k1}", nameof(structure));
        }

        if (iterations is < 0 or > MaxIterations)
        {
            throw new ArgumentOutOfRangeException(nameof(iterations), iterations, $"iterations is 0 (until nothing changes) to {MaxIterations}");
        }

        if (StructuringElement.OriginProblem([o0, o1], k0, k1, "structure") is { } problem)
        {
            throw new ArgumentException(problem, nameof(o0));
        }
    }

    /// <summary>
    /// The scalar meaning, pixel by pixel, as SciPy's brute-force loop (tests compare the word kernel with it):
    /// erosion and dilation in SciPy's own form (dilation = inverted erosion by the reflected structure, origin -o, -o - 1
    /// on even axes), `iterations` passes, 0 = until a pass changes nothing (at most <paramref name="maxPasses"/>).
    /// Opening / closing compose them; <paramref name="fillHoles"/> runs binary_fill_holes (op and iterations ignored).
    /// </summary>
    public static float[] Reference(BinaryOp op, ReadOnlySpan<float> frame, ReadOnlySpan<float> mask, int rows, int cols, bool[,] structure, int iterations, bool borderValue, int o0, int o1, bool fillHoles = false, int maxPasses = 1 << 20)
    {
        bool[] x = new bool[rows * cols];
        bool[]? m = mask.IsEmpty ? null : new bool[rows * cols];
        for (int p = 0; p < x.Length; p++)
        {
            x[p] = frame[p] != 0;
            if (m is not null)
            {
                m[p] = mask[p] != 0;
            }
        }

        bool[] result;
        if (fillHoles)
        {
            var notX = x.Select(v => !v).ToArray();
            result = RefDilate(new bool[x.Length], notX, rows, cols, structure, 0, true, o0, o1, maxPasses).Select(v => !v).ToArray();
        }
        else
        {
            result = op switch
            {
                BinaryOp.Erosion => RefErode(x, m, rows, cols, structure, iterations, borderValue, o0, o1, maxPasses),
                BinaryOp.Dilation => RefDilate(x, m, rows, cols, structure, iterations, borderValue, o0, o1, maxPasses),
                BinaryOp.Opening => RefDilate(RefErode(x, m, rows, cols, structure, iterations, borderValue, o0, o1, maxPasses), m, rows, cols, structure, iterations, borderValue, o0, o1, maxPasses),
                _ => RefErode(RefDilate(x, m, rows, cols, structure, iterations, borderValue, o0, o1, maxPasses), m, rows, cols, structure, iterations, borderValue, o0, o1, maxPasses),
            };
        }

        return result.Select(v => v ? 1f : 0f).ToArray();
    }

    private static bool[] RefDilate(bool[] x, bool[]? m, int rows, int cols, bool[,] s, int iterations, bool border, int o0, int o1, int maxPasses)
    {
        int k0 = s.GetLength(0), k1 = s.GetLength(1);
        var reflected = new bool[k0, k1];
        for (int a = 0; a < k0; a++)
        {
            for (int b = 0; b < k1; b++)
            {
                reflected[a, b] = s[k0 - 1 - a, k1 - 1 - b];
            }
        }

        return RefErosion(x, m, rows, cols, reflected, iterations, border, -o0 - (k0 % 2 == 0 ? 1 : 0), -o1 - (k1 % 2 == 0 ? 1 : 0), invert: true, maxPasses);
    }

    private static bool[] RefErode(bool[] x, bool[]? m, int rows, int cols, bool[,] s, int iterations, bool border, int o0, int o1, int maxPasses)
        => RefErosion(x, m, rows, cols, s, iterations, border, o0, o1, invert: false, maxPasses);

    /// <summary>SciPy's NI_BinaryErosion (true/false swapped and the border inverted when <paramref name="invert"/>), repeated as its brute-force loop.</summary>
    private static bool[] RefErosion(bool[] input, bool[]? m, int rows, int cols, bool[,] s, int iterations, bool borderValue, int o0, int o1, bool invert, int maxPasses)
    {
        int k0 = s.GetLength(0), k1 = s.GetLength(1);
        int c0 = (k0 / 2) + o0, c1 = (k1 / 2) + o1;
        bool trueV = !invert, falseV = invert;
        bool bdr = invert ? !borderValue : borderValue;
        bool[] cur = (bool[])input.Clone();
        int pass = 0;
        bool[]? saved = null; // until stable: a state that comes back never settles (Brent's check, saved at passes 1, 2, 4...)
        int checkpoint = 1;
        while (true)
        {
            var next = new bool[cur.Length];
            bool changed = false;
            for (int i = 0; i < rows; i++)
            {
                for (int j = 0; j < cols; j++)
                {
                    int p = (i * cols) + j;
                    bool inV = cur[p];
                    if (m is not null && !m[p])
                    {
                        next[p] = inV;
                        continue;
                    }

                    bool outV = trueV;
                    for (int a = 0; a < k0 && outV == trueV; a++)
                    {
                        for (int b = 0; b < k1; b++)
                        {
                            if (!s[a, b])
                            {
                                continue;
                            }

                            int r = i + a - c0, c = j + b - c1;
                            bool nn = r < 0 || r >= rows || c < 0 || c >= cols ? bdr : (cur[(r * cols) + c] ? trueV : falseV);
                            if (!nn)
                            {
                                outV = falseV;
                                break;
                            }
                        }
                    }

                    next[p] = outV;
                    changed |= outV != inV;
                }
            }

            cur = next;
            pass++;
            if ((iterations >= 1 && pass >= iterations) || (iterations < 1 && !changed))
            {
                return cur;
            }

            if (pass >= maxPasses)
            {
                throw new InvalidOperationException($"no stable state after {maxPasses} passes");
            }

            if (iterations < 1 && saved is not null && cur.AsSpan().SequenceEqual(saved))
            {
                throw new InvalidOperationException($"the state comes back after pass {pass}: no stable state");
            }

            if (iterations < 1 && pass == checkpoint)
            {
                saved = cur;
                checkpoint *= 2;
            }
        }
    }

    /// <summary>A structuring element as the offsets d of out_Y[p] = OR over d of Y[p + d], grouped by row for the passes.</summary>
    internal sealed class Element
    {
        // Plain loops, no LINQ: grouping value tuples through GroupBy/OrderBy ran as unoptimized generic code on every
        // call (40 µs, half of a whole 3 x 3 dilation of a 1024 x 1024 mask held as bits).
        private Element((int Dr, int Dc)[] offsets, bool hasCentre)
        {
            Offsets = offsets;
            HasCentre = hasCentre;
            int maxAbs = 0;
            foreach (var d in offsets)
            {
                maxAbs = Math.Max(maxAbs, Math.Abs(d.Dc));
            }

            Guard = (maxAbs >> 6) + 2;
            Groups = Group(offsets, vertical: false, Guard);
            Vertical = Group(offsets, vertical: true, Guard);
            RowOffsets = new int[Groups.Length];
            for (int k = 0; k < Groups.Length; k++)
            {
                RowOffsets[k] = Groups[k].Dr;
            }

            var horizontal = new List<int>();
            for (int dc = -maxAbs; dc <= maxAbs; dc++)
            {
                if (dc != 0 && Array.IndexOf(offsets, (0, dc)) >= 0)
                {
                    horizontal.Add(dc);
                }
            }

            Horizontal = [.. horizontal];
        }

        public (int Dr, int Dc)[] Offsets { get; }

        /// <summary>The offset (0, 0) is in the element (SciPy's centre_is_true).</summary>
        public bool HasCentre { get; }

        public int Guard { get; }

        /// <summary>Per source-row offset dr: the (q, r) word/bit shifts of its column offsets (q relative to the padded row's start).</summary>
        public (int Dr, (int Q, int R)[] Shifts)[] Groups { get; private set; }

        /// <summary>The groups with dr != 0.</summary>
        public (int Dr, (int Q, int R)[] Shifts)[] Vertical { get; private set; }

        /// <summary>Column offsets of the row dr = 0, without 0.</summary>
        public int[] Horizontal { get; }

        /// <summary>The distinct row offsets.</summary>
        public int[] RowOffsets { get; }

        /// <summary>The smallest row offset (0 for an empty element).</summary>
        public int MinDr => RowOffsets.Length == 0 ? 0 : RowOffsets[0];

        /// <summary>The largest row offset (0 for an empty element).</summary>
        public int MaxDr => RowOffsets.Length == 0 ? 0 : RowOffsets[^1];

        public static Element Erosion(bool[,] s, int o0, int o1) => Make(s, o0, o1, sign: 1);

        public static Element Dilation(bool[,] s, int o0, int o1) => Make(s, o0, o1, sign: -1);

        /// <summary>The (q, r) of a column offset for this element's guard.</summary>
        public (int Q, int R) Shift(int dc, int guard)
        {
            int e = (64 * guard) + dc;
            return (e >> 6, e & 63);
        }

        /// <summary>Regroups the shifts for planes with a wider guard (opening and closing share one guard).</summary>
        public Element WithGuard(int guard)
        {
            var copy = (Element)MemberwiseClone();
            copy.Groups = Group(Offsets, vertical: false, guard);
            copy.Vertical = Group(Offsets, vertical: true, guard);
            return copy;
        }

        private static Element Make(bool[,] s, int o0, int o1, int sign)
        {
            int k0 = s.GetLength(0), k1 = s.GetLength(1);
            int c0 = (k0 / 2) + o0, c1 = (k1 / 2) + o1;
            int count = 0;
            foreach (bool cell in s)
            {
                count += cell ? 1 : 0;
            }

            var offsets = new (int Dr, int Dc)[count];
            int n = 0;
            for (int a = 0; a < k0; a++)
            {
                for (int b = 0; b < k1; b++)
                {
                    if (s[a, b])
                    {
                        offsets[n++] = (sign * (a - c0), sign * (b - c1));
                    }
                }
            }

            return new Element(offsets, s[c0, c1]);
        }

        /// <summary>The offsets (only those with dr != 0 when <paramref name="vertical"/>) by row offset, ascending; shifts in the offsets' order.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private static (int Dr, (int Q, int R)[] Shifts)[] Group((int Dr, int Dc)[] offsets, bool vertical, int guard)
        {
            int lo = int.MaxValue, hi = int.MinValue;
            foreach (var (dr, _) in offsets)
            {
                lo = Math.Min(lo, dr);
                hi = Math.Max(hi, dr);
            }

            var groups = new List<(int Dr, (int Q, int R)[] Shifts)>();
            for (int dr = lo; dr <= hi; dr++)
            {
                if (vertical && dr == 0)
                {
                    continue;
                }

                int n = 0;
                foreach (var d in offsets)
                {
                    n += d.Dr == dr ? 1 : 0;
                }

                if (n == 0)
                {
                    continue;
                }

                var shifts = new (int Q, int R)[n];
                n = 0;
                foreach (var (r, dc) in offsets)
                {
                    if (r == dr)
                    {
                        int e = (64 * guard) + dc;
                        shifts[n++] = (e >> 6, e & 63);
                    }
                }

                groups.Add((dr, shifts));
            }

            return [.. groups];
        }
    }

    /// <summary>The planes of one op run (reused frame after frame) and the passes over them.</summary>
    private sealed class Work : IDisposable
    {
        private readonly int _threads;
        private readonly CancellationToken _cancellation;
        private BitPlane _cur;
        private BitPlane _spare;
        private BitPlane? _mask;

        public Work(int rows, int cols, int guard, int threads, CancellationToken cancellation)
        {
            Guard = guard;
            _threads = Math.Max(1, threads);
            _cancellation = cancellation;
            _cur = new BitPlane(rows, cols, guard);
            _spare = new BitPlane(rows, cols, guard);
        }

        public int Guard { get; }

        private int Rows => _cur.Rows;

        public void Dispose()
        {
            _cur.Dispose();
            _spare.Dispose();
            _mask?.Dispose();
        }

        public void Pack(Source input, int frame, bool complement, bool border)
        {
            var plane = _cur;
            ForRows(Rows, (r0, r1) => input.Pack(plane, frame, r0, r1, complement), input.PackCost(plane));
            plane.SetBorder(border);
        }

        public BitPlane PackMask(Source input, int frame, bool complement = false)
        {
            var plane = _mask ??= new BitPlane(_cur.Rows, _cur.Cols, Guard);
            ForRows(Rows, (r0, r1) => input.Pack(plane, frame, r0, r1, complement), input.PackCost(plane));
            plane.SetBorder(false); // spare bits 0: nothing outside the frame is in the mask
            return plane;
        }

        public void Clear(bool border)
        {
            _cur.ClearAll();
            _cur.SetBorder(border);
        }

        public void CopyOut(BitPlane plane, PackedMask dst, int frame, bool complement)
            => ForRows(Rows, (r0, r1) => plane.CopyTo(dst, frame, r0, r1, complement), (long)Rows * plane.Words);

        /// <summary>Runs the passes on the current plane; returns the plane holding the result (the current one afterwards).</summary>
        public BitPlane Iterate(BitPlane? mask, Element element, int iterations)
        {
            var e = element.Guard == Guard ? element : element.WithGuard(Guard);
            if (iterations == 0 && e.HasCentre)
            {
                Fixpoint(_cur, mask, e);
                return _cur;
            }

            _spare.SetBorder(_cur.Border != 0);
            int rows = Rows;
            bool[]? prev = null;
            bool[] changedRows = new bool[rows];
            int limit = iterations == 0 ? UntilStableLimit(rows, _cur.Cols) : iterations;
            BitPlane? saved = null; // until stable: the state at pass savedAt (Brent's cycle check), saved again at pass checkpoint
            long savedAt = 0, checkpoint = 1;
            try
            {
                for (int pass = 1; ; pass++)
                {
                    var (changed, sameAsTwoBack) = iterations == 1 ? OnlyPass(_cur, _spare, mask, e) : Pass(_cur, _spare, mask, e, prev, changedRows);
                    (_cur, _spare) = (_spare, _cur);
                    if (!changed || (iterations > 0 && pass >= iterations))
                    {
                        return _cur;
                    }

                    if (iterations == 0 && pass >= 2 && sameAsTwoBack)
                    {
                        throw new InvalidOperationException(
                            "with iterations 0 (until nothing changes) and a structure whose centre is 0, the image flips between two states forever (SciPy would never return); give iterations, or a structure with its centre set");
                    }

                    if (iterations == 0)
                    {
                        if (saved is not null && _cur.SameBits(saved))
                        {
                            throw new InvalidOperationException(
                                $"with iterations 0 (until nothing changes) and a structure whose centre is 0, the image comes back after {pass - savedAt} passes to the state of pass {savedAt} and cycles forever (SciPy would never return); give iterations, or a structure with its centre set");
                        }

                        if (pass == checkpoint)
                        {
                            saved ??= new BitPlane(rows, _cur.Cols, Guard);
                            saved.CopyFrom(_cur);
                            savedAt = pass;
                            checkpoint *= 2;
                        }
                    }

                    if (pass >= limit)
                    {
                        throw new InvalidOperationException(
                            $"with iterations 0 (until nothing changes) and a structure whose centre is 0, the image still changes after {limit} passes (the bound: rows * cols + 2); give iterations, or a structure with its centre set");
                    }

                    _cancellation.ThrowIfCancellationRequested();
                    prev ??= new bool[rows];
                    (prev, changedRows) = (changedRows, prev);
                }
            }
            finally
            {
                saved?.Dispose();
            }
        }

        /// <summary>
        /// One pass src -&gt; dst (dst's guards already hold the border). Rows whose source rows did not change in the
        /// previous pass (<paramref name="prev"/>; null = first pass) are copied. Returns whether any pixel changed and
        /// whether dst now equals what it held before (the state two passes back).
        /// </summary>
        /// <summary>
        /// The one pass of iterations 1: <see cref="Pass"/> without what only a next pass needs (which rows changed, whether
        /// the plane returned to an earlier state), each row computed straight into dst. Reports a change, which ends the run.
        /// </summary>
        private (bool Changed, bool SameAsTwoBack) OnlyPass(BitPlane src, BitPlane dst, BitPlane? mask, Element e)
        {
            ForRows(
                src.Rows,
                [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
                {
                    for (int i = r0; i < r1; i++)
                    {
                        ComputeRow(src, mask, e, i, dst.Bits.AsSpan(dst.Row(i), dst.Words));
                    }
                },
                (long)src.Rows * src.Words * (1 + e.Offsets.Length));
            return (true, false);
        }

        private (bool Changed, bool SameAsTwoBack) Pass(BitPlane src, BitPlane dst, BitPlane? mask, Element e, bool[]? prev, bool[] changedRows)
        {
            int rows = src.Rows;
            int changed = 0, differs = 0;
            ForRows(rows, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (r0, r1) =>
            {
                bool anyChanged = false, anyDiffers = false;
                var scratch = new ulong[src.Words];
                for (int i = r0; i < r1; i++)
                {
                    bool active = prev is null;
                    if (!active)
                    {
                        foreach (int dr in e.RowOffsets)
                        {
                            int j = i + dr;
                            if ((uint)j < (uint)rows && prev![j])
                            {
                                active = true;
                                break;
                            }
                        }
                    }

                    var outRow = dst.Bits.AsSpan(dst.Row(i), dst.Words);
                    var y = src.Bits.AsSpan(src.Row(i), src.Words);
                    if (!active)
                    {
                        // Unchanged window: the row stays; it equals the state two back unless it changed last pass.
                        anyDiffers |= prev![i];
                        y.CopyTo(outRow);
                        changedRows[i] = false;
                        continue;
                    }

                    ComputeRow(src, mask, e, i, scratch);
                    bool rowChanged = !scratch.AsSpan().SequenceEqual(y);
                    anyDiffers |= !scratch.AsSpan().SequenceEqual(outRow);
                    scratch.CopyTo(outRow);
                    changedRows[i] = rowChanged;
                    anyChanged |= rowChanged;
                }

                if (anyChanged)
                {
                    Interlocked.Exchange(ref changed, 1);
                }

                if (anyDiffers)
                {
                    Interlocked.Exchange(ref differs, 1);
                }
            },
            (long)rows * src.Words * (4 + e.Offsets.Length)); // per word: a shifted OR per offset, compares and a copy
            return (changed != 0, differs == 0);
        }

        /// <summary>out = mask ? OR over the offsets of the shifted source rows : Y, spare bits = border.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ComputeRow(BitPlane src, BitPlane? mask, Element e, int i, Span<ulong> outRow)
        {
            if (mask is null && i + e.MinDr >= 0 && i + e.MaxDr < src.Rows)
            {
                ComputeInteriorRow(src, e, i, outRow);
                return;
            }

            bool first = true;
            foreach (var (dr, shifts) in e.Groups)
            {
                int si = i + dr;
                if ((uint)si >= (uint)src.Rows)
                {
                    if (src.Border != 0)
                    {
                        outRow.Fill(~0UL);
                        first = false;
                        break; // OR with all ones
                    }

                    continue;
                }

                var srcRow = src.Bits.AsSpan(si * src.Stride, src.Stride);
                foreach (var (q, r) in shifts)
                {
                    BitRows.OrShifted(outRow, srcRow, q, r, first);
                    first = false;
                }
            }

            if (first)
            {
                outRow.Clear();
            }

            var y = src.Bits.AsSpan(src.Row(i), src.Words);
            if (mask is not null)
            {
                var m = mask.Bits.AsSpan(mask.Row(i), mask.Words);
                for (int k = 0; k < outRow.Length; k++)
                {
                    outRow[k] = (outRow[k] & m[k]) | (y[k] & ~m[k]);
                }
            }

            int w = outRow.Length - 1;
            outRow[w] = (outRow[w] & src.LastMask) | (src.Border & ~src.LastMask);
        }

        /// <summary>
        /// <see cref="ComputeRow"/> for a row whose source rows are all inside the frame, without a mask: for each block of
        /// words the OR of every shifted read is built in a register and stored once (instead of one pass over the row per
        /// offset). The same words as the general path (tests: every width 1..130, every structure).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ComputeInteriorRow(BitPlane src, Element e, int i, Span<ulong> outRow)
        {
            int n = outRow.Length;
            var groups = e.Groups;
            ref ulong bits = ref MemoryMarshal.GetArrayDataReference(src.Bits);
            ref ulong d0 = ref MemoryMarshal.GetReference(outRow);
            int k = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; k <= n - 8; k += 8)
                {
                    var acc = Vector512<ulong>.Zero;
                    foreach (var (dr, shifts) in groups)
                    {
                        ref ulong s0 = ref Unsafe.Add(ref bits, ((i + dr) * src.Stride) + k);
                        foreach (var (q, r) in shifts)
                        {
                            var lo = Vector512.LoadUnsafe(ref s0, (nuint)q);
                            acc |= r == 0 ? lo : Vector512.ShiftRightLogical(lo, r) | Vector512.ShiftLeft(Vector512.LoadUnsafe(ref s0, (nuint)(q + 1)), 64 - r);
                        }
                    }

                    acc.StoreUnsafe(ref d0, (nuint)k);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                for (; k <= n - 4; k += 4)
                {
                    var acc = Vector256<ulong>.Zero;
                    foreach (var (dr, shifts) in groups)
                    {
                        ref ulong s0 = ref Unsafe.Add(ref bits, ((i + dr) * src.Stride) + k);
                        foreach (var (q, r) in shifts)
                        {
                            var lo = Vector256.LoadUnsafe(ref s0, (nuint)q);
                            acc |= r == 0 ? lo : Vector256.ShiftRightLogical(lo, r) | Vector256.ShiftLeft(Vector256.LoadUnsafe(ref s0, (nuint)(q + 1)), 64 - r);
                        }
                    }

                    acc.StoreUnsafe(ref d0, (nuint)k);
                }
            }

            for (; k < n; k++)
            {
                ulong acc = 0;
                foreach (var (dr, shifts) in groups)
                {
                    ref ulong s0 = ref Unsafe.Add(ref bits, ((i + dr) * src.Stride) + k);
                    foreach (var (q, r) in shifts)
                    {
                        ulong lo = Unsafe.Add(ref s0, q);
                        acc |= r == 0 ? lo : (lo >> r) | (Unsafe.Add(ref s0, q + 1) << (64 - r));
                    }
                }

                Unsafe.Add(ref d0, k) = acc;
            }

            outRow[n - 1] = (outRow[n - 1] & src.LastMask) | (src.Border & ~src.LastMask);
        }

        /// <summary>
        /// The least fixed point of Y -&gt; Y | (mask AND OR over d != 0 of Y_b[p + d]) above the current plane, by
        /// Gauss-Seidel sweeps (top-down, bottom-up, ...). A row is revisited only when a row it reads changed since its
        /// last visit; a visit ORs in the other rows' contributions and then closes the row along itself.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Fixpoint(BitPlane y, BitPlane? mask, Element e)
        {
            int rows = y.Rows, words = y.Words;
            var valid = new ulong[words];
            valid.AsSpan().Fill(~0UL);
            valid[^1] = y.LastMask;
            var line = new ulong[y.Stride];
            var tmp = new ulong[words];
            var processed = new long[rows];
            processed.AsSpan().Fill(-1);
            var changedAt = new long[rows];
            int[] vrows = [.. e.RowOffsets.Where(d => d != 0)];
            var closure = new RowClosure(e.Horizontal, Guard);
            long stamp = 0;
            bool down = true;
            while (true)
            {
                bool sweepChanged = false;
                for (int idx = 0; idx < rows; idx++)
                {
                    int i = down ? idx : rows - 1 - idx;
                    bool first = processed[i] < 0;
                    bool need = first;
                    for (int v = 0; v < vrows.Length && !need; v++)
                    {
                        int j = i + vrows[v];
                        need = (uint)j < (uint)rows && changedAt[j] > processed[i];
                    }

                    if (!need)
                    {
                        continue;
                    }

                    stamp++;
                    processed[i] = stamp;
                    var m = mask is null ? valid : mask.Bits.AsSpan(mask.Row(i), words);
                    var row = y.Bits.AsSpan(y.Row(i), words);

                    // Contributions of the other rows.
                    bool any = false;
                    foreach (var (dr, shifts) in e.Vertical)
                    {
                        int si = i + dr;
                        if ((uint)si >= (uint)rows)
                        {
                            if (y.Border != 0)
                            {
                                tmp.AsSpan().Fill(~0UL);
                                any = true;
                                break;
                            }

                            continue;
                        }

                        var srcRow = y.Bits.AsSpan(si * y.Stride, y.Stride);
                        foreach (var (q, r) in shifts)
                        {
                            BitRows.OrShifted(tmp, srcRow, q, r, assign: !any);
                            any = true;
                        }
                    }

                    bool grew = false;
                    if (any)
                    {
                        for (int k = 0; k < words; k++)
                        {
                            ulong add = tmp[k] & m[k] & ~row[k];
                            grew |= add != 0;
                            tmp[k] = row[k] | add;
                        }
                    }
                    else
                    {
                        row.CopyTo(tmp);
                    }

                    if (!grew && !first)
                    {
                        continue;
                    }

                    if (closure.Active)
                    {
                        y.Bits.AsSpan(i * y.Stride, y.Stride).CopyTo(line);
                        tmp.AsSpan().CopyTo(line.AsSpan(Guard, words));
                        closure.Close(line, m);
                        line.AsSpan(Guard, words).CopyTo(tmp);
                    }

                    if (!tmp.AsSpan().SequenceEqual(row))
                    {
                        tmp.AsSpan().CopyTo(row);
                        changedAt[i] = stamp;
                        sweepChanged = true;
                    }
                }

                if (!sweepChanged)
                {
                    return;
                }

                _cancellation.ThrowIfCancellationRequested();
                down = !down;
            }
        }

        /// <summary>
        /// Runs body over row ranges, on the threads only when <paramref name="cost"/> (word or pixel operations) reaches
        /// <see cref="ParallelCost"/>: a 1024 x 1024 plane is 16 K words, copied in microseconds, and a 3 x 3 pass over it
        /// costs less than waking a second thread (measured: 0.08 ms on one thread, 0.17 ms on two).
        /// </summary>
        private const long ParallelCost = 1L << 20;

        private void ForRows(int rows, Action<int, int> body, long cost)
        {
            int blocks = _threads <= 1 || cost < ParallelCost ? 1 : Math.Min(rows, _threads * 4);
            if (blocks <= 1)
            {
                body(0, rows);
                return;
            }

            int per = (rows + blocks - 1) / blocks;
            Parallel.For(0, (rows + per - 1) / per, new ParallelOptions { MaxDegreeOfParallelism = _threads, CancellationToken = _cancellation }, b => body(b * per, Math.Min(rows, (b + 1) * per)));
        }
    }

    /// <summary>
    /// Closes a padded row under its own column offsets H (the element's offsets with dr = 0): bits of the mask m join
    /// when the bit d further along the row is set, until nothing joins. Offsets +1 and -1 are whole runs at once
    /// (carry-propagating fills, 64 bits per word in six doubling steps); other offsets repeat shifted ORs.
    /// </summary>
    internal sealed class RowClosure
    {
        private readonly bool _fromRight;
        private readonly bool _fromLeft;
        private readonly (int Q, int R)[] _others;
        private readonly int _guard;

        public RowClosure(int[] horizontal, int guard)
        {
            _guard = guard;
            _fromRight = horizontal.Contains(1); // out[p] reads p + 1: runs fill leftwards
            _fromLeft = horizontal.Contains(-1);
            _others = [.. horizontal.Where(d => d is not (1 or -1)).Select(d => (((64 * guard) + d) >> 6, ((64 * guard) + d) & 63))];
            Active = horizontal.Length > 0;
        }

        public bool Active { get; }

        /// <summary>Closes <paramref name="line"/> (a padded row, guards = border) within mask <paramref name="m"/> (data words).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Close(ulong[] line, ReadOnlySpan<ulong> m)
        {
            int words = m.Length;
            var data = line.AsSpan(_guard, words);
            Span<ulong> shifted = words <= 256 ? stackalloc ulong[words] : new ulong[words];
            while (true)
            {
                if (_fromRight)
                {
                    FillTowardsLow(line, _guard, m);
                }

                if (_fromLeft)
                {
                    FillTowardsHigh(line, _guard, m);
                }

                if (_others.Length == 0)
                {
                    return;
                }

                bool grew = false;
                foreach (var (q, r) in _others)
                {
                    BitRows.OrShifted(shifted, line, q, r, assign: true);
                    for (int k = 0; k < words; k++)
                    {
                        ulong add = shifted[k] & m[k] & ~data[k];
                        grew |= add != 0;
                        data[k] |= add;
                    }
                }

                if (!grew)
                {
                    return;
                }
            }
        }

        /// <summary>Bits of m join when the bit below them (column - 1) is set: runs fill towards higher columns; carries cross words.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void FillTowardsHigh(ulong[] line, int guard, ReadOnlySpan<ulong> m)
        {
            ulong carry = line[guard - 1] >> 63;
            for (int k = 0; k < m.Length; k++)
            {
                ulong p = m[k];
                ulong g = line[guard + k] | (carry & p & 1);
                g |= p & (g << 1);
                p &= p << 1;
                g |= p & (g << 2);
                p &= p << 2;
                g |= p & (g << 4);
                p &= p << 4;
                g |= p & (g << 8);
                p &= p << 8;
                g |= p & (g << 16);
                p &= p << 16;
                g |= p & (g << 32);
                line[guard + k] = g;
                carry = g >> 63;
            }
        }

        /// <summary>Bits of m join when the bit above them (column + 1) is set: runs fill towards lower columns; carries cross words.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal static void FillTowardsLow(ulong[] line, int guard, ReadOnlySpan<ulong> m)
        {
            ulong carry = line[guard + m.Length] & 1;
            for (int k = m.Length - 1; k >= 0; k--)
            {
                ulong p = m[k];
                ulong g = line[guard + k] | ((carry << 63) & p);
                g |= p & (g >> 1);
                p &= p >> 1;
                g |= p & (g >> 2);
                p &= p >> 2;
                g |= p & (g >> 4);
                p &= p >> 4;
                g |= p & (g >> 8);
                p &= p >> 8;
                g |= p & (g >> 16);
                p &= p >> 16;
                g |= p & (g >> 32);
                line[guard + k] = g;
                carry = g & 1;
            }
        }
    }
}
