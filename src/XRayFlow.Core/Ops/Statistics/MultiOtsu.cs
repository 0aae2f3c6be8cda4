using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Ops.Statistics;

/// <summary>
/// skimage.filters.threshold_multiotsu (0.19) of an image: the classes - 1 thresholds that maximise the variance
/// between classes, by trying every choice (Liao, Chen and Chung's formulation, scikit-image's LUT version). The exact
/// meaning, scikit-image's own float32 arithmetic:
/// <code>
/// prob[i]  = float32(counts[i] / sum(counts))             (the histogram of docs/integer-sources.md's path, float64 division)
/// P[0] = prob[0], S[0] = prob[0]                          (S[0] is prob[0], not 0 x prob[0]: scikit-image's start)
/// P[i] = P[i-1] + prob[i], S[i] = S[i-1] + float32(i) * prob[i]            (float32)
/// H(0, j) = j >= 1 and P[j] > 0 ? S[j]^2 / P[j] : 0      (its table's first row; H(0, 0) is 0)
/// H(i, j) = P[j] - P[i-1] > 0 ? (S[j] - S[i-1])^2 / (P[j] - P[i-1]) : 0    (i >= 1; float32, x^2 as x * x)
/// sigma(t0 &lt; ... &lt; tn) = H(0, t0) + H(tn + 1, last), then + H(tk + 1, tk+1) for k = 0 .. n-1, in float32
/// </code>
/// Every t0 &lt; t1 &lt; ... in increasing order (the first loop outermost); a choice replaces the best only when its
/// sigma is strictly larger (the first of equal ones stays; the search starts from 0). The thresholds are the bin
/// centers at the chosen indices. With exactly `classes` occupied bins, the thresholds are the occupied bins but the
/// last; with fewer, scikit-image refuses the image (so does this).
/// </summary>
public static class MultiOtsu
{
    /// <summary>The most choices one image may try (about ten seconds of one core).</summary>
    public const double MaxChoices = 2e9;

    /// <summary>The thresholds of an image (8-/16-bit: one bin per integer value; float: <paramref name="nbins"/> bins).</summary>
    public static double[] Thresholds(ReadOnlySpan<float> x, int bits, int nbins, int classes, int threads, CancellationToken cancel = default)
    {
        var h = ImageHistogram.Of(x, bits, nbins, threads);
        return Thresholds(h.Counts, h.Centers, classes, cancel);
    }

    /// <summary>The thresholds of a histogram (counts and their bin centers).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static double[] Thresholds(ReadOnlySpan<long> counts, double[] centers, int classes, CancellationToken cancel = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        int n = counts.Length;
        double total = 0;
        foreach (long c in counts)
        {
            total += c;
        }

        // The scratch arrays of one image come from the pool: fresh ones (a few KiB) cost more than the search in a
        // process's first few hundred images (their pages touched for the first time).
        var prob = System.Buffers.ArrayPool<float>.Shared.Rent(n);
        try
        {
            return Thresholds(counts, centers, classes, prob, total, cancel);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(prob);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static double[] Thresholds(ReadOnlySpan<long> counts, double[] centers, int classes, float[] prob, double total, CancellationToken cancel)
    {
        int n = counts.Length;
        int occupied = 0;
        for (int i = 0; i < n; i++)
        {
            prob[i] = (float)(counts[i] / total);
            occupied += prob[i] > 0 ? 1 : 0;
        }

        if (occupied < classes)
        {
            throw new InvalidOperationException($"the image has only {occupied} different values: it cannot be thresholded in {classes} classes (scikit-image refuses it too)");
        }

        int count = classes - 1;
        int[] best;
        if (occupied == classes)
        {
            best = [.. Enumerable.Range(0, n).Where(i => prob[i] > 0).Take(count)];
        }
        else
        {
            double choices = Choices(n, count);
            if (choices > MaxChoices)
            {
                throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{classes} classes over a histogram of {n} bins means trying {choices:0.#e0} choices of thresholds, more than the {MaxChoices:0.#e0} one image may try; use fewer classes, or fewer bins (nbins, for a float image; an 8- or 16-bit image has one bin per value between its min and max: rescale_intensity it first)"));
            }

            best = Search(prob, n, count, cancel);
        }

        return [.. best.Select(i => centers[i])];
    }

    /// <summary>How many choices of <paramref name="count"/> increasing indices below n - 1 the search tries: C(n - 1, count).</summary>
    public static double Choices(int n, int count)
    {
        double c = 1;
        for (int k = 0; k < count; k++)
        {
            c = c * (n - 1 - k) / (k + 1);
        }

        return c;
    }

    /// <summary>The indices of the best choice, scikit-image's recursion written as an odometer (same order).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int[] Search(float[] prob, int n, int count, CancellationToken cancel)
    {
        int last = n - 1;
        var p = System.Buffers.ArrayPool<float>.Shared.Rent(n + Pad); // padded for Two's last vectors
        var s = System.Buffers.ArrayPool<float>.Shared.Rent(n + Pad);
        try
        {
            return Search(prob, n, count, p, s, cancel);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(p);
            System.Buffers.ArrayPool<float>.Shared.Return(s);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int[] Search(float[] prob, int n, int count, float[] p, float[] s, CancellationToken cancel)
    {
        int last = n - 1;
        Array.Clear(p, n, Pad);
        Array.Clear(s, n, Pad);
        p[0] = prob[0];
        s[0] = prob[0];
        for (int i = 1; i < n; i++)
        {
            p[i] = p[i - 1] + prob[i];
            s[i] = s[i - 1] + (i * prob[i]);
        }

        if (count == 2)
        {
            return Two(p, s, n, cancel); // three classes, the common case: each row's H made as it is read, in vectors
        }

        using var h = new Between(p, s, n, tabled: count > 1); // one threshold reads 2n values of H: no table of n^2 / 2
        if (count is 3 or 4 && h.Table is not null)
        {
            return Many(h, n, count, cancel); // four and five classes (their choices bound n below 2,300: the table exists)
        }

        var t = new int[count];
        var best = new int[count];
        for (int k = 0; k < count; k++)
        {
            t[k] = k; // the first choice: 0, 1, ..., count - 1
        }

        float max = 0f;
        long tried = 0;
        while (true)
        {
            float sigma = h.At(0, t[0]) + h.At(t[count - 1] + 1, last);
            for (int k = 0; k < count - 1; k++)
            {
                sigma += h.At(t[k] + 1, t[k + 1]);
            }

            if (sigma > max)
            {
                max = sigma;
                Array.Copy(t, best, count);
            }

            if ((++tried & 0xFFFFF) == 0)
            {
                cancel.ThrowIfCancellationRequested();
            }

            // Next choice: the last index that can still grow (index k may reach n - 1 - count + k) grows, those after restart.
            int m = count - 1;
            while (m >= 0 && t[m] == n - 1 - count + m)
            {
                m--;
            }

            if (m < 0)
            {
                return best;
            }

            t[m]++;
            for (int k = m + 1; k < count; k++)
            {
                t[k] = t[k - 1] + 1;
            }
        }
    }

    /// <summary>
    /// Two thresholds i &lt; j: sigma = H(0, i) + H(j + 1, last), then + H(i + 1, j), as the general search sums them, with
    /// H(i + 1, j) made for the row as it is read (the same float32 operations as <see cref="Between"/>'s table, in
    /// vectors: no table to write and read back). Each row's sigmas are made in whole vectors over moments padded past
    /// the end (the lanes beyond j = n - 2 set to -infinity), its largest taken by a reduction, and a row whose largest
    /// beats the best so far gives the first j that reaches it (found by comparing vectors): that is the sequential
    /// scan's choice, the first (i, j) in order whose sigma is strictly larger than every earlier one. Sigmas are finite
    /// and at least +0 (each H divides by a positive mass), so the maxima are ordinary ones.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int[] Two(float[] p, float[] s, int n, CancellationToken cancel)
    {
        var tail = System.Buffers.ArrayPool<float>.Shared.Rent(n + Pad);
        var row = System.Buffers.ArrayPool<float>.Shared.Rent(n + Pad);
        try
        {
            return Two(p, s, n, tail, row, cancel);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(tail);
            System.Buffers.ArrayPool<float>.Shared.Return(row);
        }
    }

    /// <summary><see cref="Two(float[], float[], int, CancellationToken)"/> with its scratch: p, s and tail padded with zeros to n + <see cref="Pad"/>.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int[] Two(float[] p, float[] s, int n, float[] tail, float[] row, CancellationToken cancel)
    {
        int last = n - 1;
        Array.Clear(tail, n - 1, Pad + 1); // tail[j] = H(j + 1, last) below; the padding is read by a row's last vector only
        for (int j = 0; j < n - 1; j++)
        {
            tail[j] = Between.Compute(p, s, j + 1, last);
        }

        // row: the sigmas of the row being searched (-infinity in lanes past its end)
        float max = 0f;
        int bi = 0, bj = 1;
        for (int i = 0; i < n - 2; i++)
        {
            if ((i & 255) == 0)
            {
                cancel.ThrowIfCancellationRequested();
            }

            float left = Between.Compute(p, s, 0, i);
            float rowMax = Vector512.IsHardwareAccelerated ? Row512(p, s, tail, row, i, n, left)
                : Vector256.IsHardwareAccelerated ? Row256(p, s, tail, row, i, n, left)
                : RowScalar(p, s, tail, row, i, n, left);
            if (rowMax > max)
            {
                (max, bi, bj) = (rowMax, i, FirstAt(row, i + 1, n - 1, rowMax));
            }
        }

        return [bi, bj];
    }

    /// <summary>
    /// Three or more thresholds t0 &lt; ... &lt; tm-1 (m = count), in the general search's order and sums, the last index
    /// in vectors: for each prefix t0 .. tm-2 (in increasing order, the first outermost) the sigmas of every last index
    /// j are ((H(0, t0) + H(j + 1, last)) + H(t0 + 1, t1) + ...) + H(tm-2 + 1, j), float32 sums in that order per lane,
    /// with H read from the table (row tm-2 + 1 is contiguous in j). As in <see cref="Two(float[], float[], int, CancellationToken)"/>,
    /// a prefix whose largest sigma beats the best so far gives the first j reaching it: the sequential search's choice.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int[] Many(Between h, int n, int count, CancellationToken cancel)
    {
        var tail = System.Buffers.ArrayPool<float>.Shared.Rent(n + Pad);
        var row = System.Buffers.ArrayPool<float>.Shared.Rent(n + Pad);
        try
        {
            return Many(h, n, count, tail, row, cancel);
        }
        finally
        {
            System.Buffers.ArrayPool<float>.Shared.Return(tail);
            System.Buffers.ArrayPool<float>.Shared.Return(row);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static int[] Many(Between h, int n, int count, float[] tail, float[] row, CancellationToken cancel)
    {
        int last = n - 1, m = count;
        float[] table = h.Table!;
        Array.Clear(tail, n - 1, Pad + 1);
        for (int j = 0; j < n - 1; j++)
        {
            tail[j] = h.At(j + 1, last);
        }

        var t = new int[m];
        var best = new int[m];
        for (int k = 0; k < m - 1; k++)
        {
            t[k] = k; // the first prefix: 0, 1, ..., m - 2
        }

        Span<float> mids = stackalloc float[m - 2]; // H(tk + 1, tk+1) for k = 0 .. m - 3
        float max = 0f;
        for (long prefixes = 1; ; prefixes++)
        {
            if ((prefixes & 0xFFF) == 0)
            {
                cancel.ThrowIfCancellationRequested();
            }

            for (int k = 0; k < m - 2; k++)
            {
                mids[k] = h.At(t[k] + 1, t[k + 1]);
            }

            int i = t[m - 2] + 1; // the last index runs over i .. n - 2; H(i, j) = table[RowStart(i) + j]
            float first = h.At(0, t[0]);
            int at = h.RowStart(i);
            float rowMax = Vector512.IsHardwareAccelerated ? RowMany512(table, at, tail, row, i, n, first, mids)
                : Vector256.IsHardwareAccelerated ? RowMany256(table, at, tail, row, i, n, first, mids)
                : RowManyScalar(table, at, tail, row, i, n, first, mids);
            if (rowMax > max)
            {
                max = rowMax;
                t.AsSpan(0, m - 1).CopyTo(best);
                best[m - 1] = FirstAt(row, i, n - 1, rowMax);
            }

            // Next prefix: the last index that can still grow (index k may reach n - 1 - count + k) grows, those after restart.
            int q = m - 2;
            while (q >= 0 && t[q] == n - 1 - count + q)
            {
                q--;
            }

            if (q < 0)
            {
                return best;
            }

            t[q]++;
            for (int k = q + 1; k < m - 1; k++)
            {
                t[k] = t[k - 1] + 1;
            }
        }
    }

    /// <summary>A prefix's sigmas for j = i .. n - 2 into <paramref name="row"/> (16 lanes a step; -infinity past the end), and their largest.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static float RowMany512(float[] table, int at, float[] tail, float[] row, int i, int n, float first, ReadOnlySpan<float> mids)
    {
        var lanes = Vector512.Create(float.NegativeInfinity);
        var f = Vector512.Create(first);
        var m0 = Vector512.Create(mids.Length > 0 ? mids[0] : 0f);
        var m1 = Vector512.Create(mids.Length > 1 ? mids[1] : 0f);
        int end = n - 1;
        for (int j = i; j < end; j += 16)
        {
            var sigmas = f + Vector512.LoadUnsafe(ref tail[0], (nuint)j);
            if (mids.Length > 0)
            {
                sigmas += m0;
                if (mids.Length > 1)
                {
                    sigmas += m1;
                }
            }

            sigmas += Vector512.LoadUnsafe(ref table[0], (nuint)(at + j));
            var inside = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(end - j)).AsSingle();
            sigmas = Vector512.ConditionalSelect(inside, sigmas, Vector512.Create(float.NegativeInfinity));
            sigmas.StoreUnsafe(ref row[0], (nuint)j);
            lanes = Vector512.MaxNative(lanes, sigmas);
        }

        var v = Vector256.MaxNative(lanes.GetLower(), lanes.GetUpper());
        return Largest(Vector128.MaxNative(v.GetLower(), v.GetUpper()));
    }

    /// <summary>As <see cref="RowMany512"/>, 8 lanes a step.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static float RowMany256(float[] table, int at, float[] tail, float[] row, int i, int n, float first, ReadOnlySpan<float> mids)
    {
        var lanes = Vector256.Create(float.NegativeInfinity);
        var f = Vector256.Create(first);
        var m0 = Vector256.Create(mids.Length > 0 ? mids[0] : 0f);
        var m1 = Vector256.Create(mids.Length > 1 ? mids[1] : 0f);
        int end = n - 1;
        for (int j = i; j < end; j += 8)
        {
            var sigmas = f + Vector256.LoadUnsafe(ref tail[0], (nuint)j);
            if (mids.Length > 0)
            {
                sigmas += m0;
                if (mids.Length > 1)
                {
                    sigmas += m1;
                }
            }

            sigmas += Vector256.LoadUnsafe(ref table[0], (nuint)(at + j));
            var inside = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(end - j)).AsSingle();
            sigmas = Vector256.ConditionalSelect(inside, sigmas, Vector256.Create(float.NegativeInfinity));
            sigmas.StoreUnsafe(ref row[0], (nuint)j);
            lanes = Vector256.MaxNative(lanes, sigmas);
        }

        return Largest(Vector128.MaxNative(lanes.GetLower(), lanes.GetUpper()));
    }

    /// <summary>As <see cref="RowMany512"/>, one value at a time (the same sums).</summary>
    private static float RowManyScalar(float[] table, int at, float[] tail, float[] row, int i, int n, float first, ReadOnlySpan<float> mids)
    {
        float rowMax = float.NegativeInfinity;
        for (int j = i; j < n - 1; j++)
        {
            float sigma = first + tail[j];
            foreach (float mid in mids)
            {
                sigma += mid;
            }

            sigma += table[at + j];
            row[j] = sigma;
            rowMax = Math.Max(rowMax, sigma);
        }

        return rowMax;
    }

    /// <summary>How far the moments and a row are padded: one 512-bit vector.</summary>
    private const int Pad = 16;

    /// <summary>Row i's sigmas for j = i + 1 .. n - 2 into <paramref name="row"/> (16 lanes a step), and their largest.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static float Row512(float[] p, float[] s, float[] tail, float[] row, int i, int n, float left)
    {
        var lanes = Vector512.Create(float.NegativeInfinity);
        var l = Vector512.Create(left);
        var p0 = Vector512.Create(p[i]);
        var s0 = Vector512.Create(s[i]);
        int end = n - 1;
        for (int j = i + 1; j < end; j += 16)
        {
            var pij = Vector512.LoadUnsafe(ref p[0], (nuint)j) - p0;
            var sij = Vector512.LoadUnsafe(ref s[0], (nuint)j) - s0;
            var between = Vector512.ConditionalSelect(Vector512.GreaterThan(pij, Vector512<float>.Zero), sij * sij / pij, Vector512<float>.Zero);
            var sigmas = (l + Vector512.LoadUnsafe(ref tail[0], (nuint)j)) + between;
            var inside = Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(end - j)).AsSingle();
            sigmas = Vector512.ConditionalSelect(inside, sigmas, Vector512.Create(float.NegativeInfinity));
            sigmas.StoreUnsafe(ref row[0], (nuint)j);
            lanes = Vector512.MaxNative(lanes, sigmas);
        }

        var m = Vector256.MaxNative(lanes.GetLower(), lanes.GetUpper());
        return Largest(Vector128.MaxNative(m.GetLower(), m.GetUpper()));
    }

    /// <summary>As <see cref="Row512"/>, 8 lanes a step.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static float Row256(float[] p, float[] s, float[] tail, float[] row, int i, int n, float left)
    {
        var lanes = Vector256.Create(float.NegativeInfinity);
        var l = Vector256.Create(left);
        var p0 = Vector256.Create(p[i]);
        var s0 = Vector256.Create(s[i]);
        int end = n - 1;
        for (int j = i + 1; j < end; j += 8)
        {
            var pij = Vector256.LoadUnsafe(ref p[0], (nuint)j) - p0;
            var sij = Vector256.LoadUnsafe(ref s[0], (nuint)j) - s0;
            var between = Vector256.ConditionalSelect(Vector256.GreaterThan(pij, Vector256<float>.Zero), sij * sij / pij, Vector256<float>.Zero);
            var sigmas = (l + Vector256.LoadUnsafe(ref tail[0], (nuint)j)) + between;
            var inside = Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(end - j)).AsSingle();
            sigmas = Vector256.ConditionalSelect(inside, sigmas, Vector256.Create(float.NegativeInfinity));
            sigmas.StoreUnsafe(ref row[0], (nuint)j);
            lanes = Vector256.MaxNative(lanes, sigmas);
        }

        return Largest(Vector128.MaxNative(lanes.GetLower(), lanes.GetUpper()));
    }

    /// <summary>As <see cref="Row512"/>, one value at a time (the same operations).</summary>
    private static float RowScalar(float[] p, float[] s, float[] tail, float[] row, int i, int n, float left)
    {
        float rowMax = float.NegativeInfinity;
        for (int j = i + 1; j < n - 1; j++)
        {
            float sigma = left + tail[j];
            sigma += Between.Compute(p, s, i + 1, j);
            row[j] = sigma;
            rowMax = Math.Max(rowMax, sigma);
        }

        return rowMax;
    }

    /// <summary>The largest of four lanes (none NaN, none -0).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static float Largest(Vector128<float> v)
    {
        v = Vector128.MaxNative(v, Vector128.Shuffle(v, Vector128.Create(2, 3, 0, 1)));
        return Math.Max(v.ToScalar(), v.GetElement(1));
    }

    /// <summary>The first j in [from, to) with row[j] == value (there is one).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int FirstAt(float[] row, int from, int to, float value)
    {
        int j = from;
        if (Vector256.IsHardwareAccelerated)
        {
            var v = Vector256.Create(value);
            for (; j + 8 <= to; j += 8)
            {
                uint eq = Vector256.Equals(Vector256.LoadUnsafe(ref row[0], (nuint)j), v).ExtractMostSignificantBits();
                if (eq != 0)
                {
                    return j + System.Numerics.BitOperations.TrailingZeroCount(eq);
                }
            }
        }

        for (; j < to; j++)
        {
            if (row[j] == value)
            {
                return j;
            }
        }

        throw new InvalidOperationException("a row's largest sigma was not among its sigmas");
    }
    /// <summary>
    /// H(i, j), the variance between classes of bins i..j, from the moments P and S (the class summary); kept as
    /// scikit-image's table of rows i, j &gt;= i (its compressed upper triangle) where that fits in 64 MiB (histograms of
    /// up to 5,792 bins, rented from the pool: a fresh 100 KiB table per image was most of the time), else computed when
    /// asked (the same float32 operations).
    /// </summary>
    private sealed class Between : IDisposable
    {
        private readonly float[] p, s;
        private readonly float[]? table;
        private readonly int n;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public Between(float[] p, float[] s, int n, bool tabled = true)
        {
            (this.p, this.s, this.n) = (p, s, n);
            if (tabled && (long)n * (n + 1) / 2 <= 1L << 24)
            {
                table = System.Buffers.ArrayPool<float>.Shared.Rent((n * (n + 1) / 2) + Pad); // + Pad: Many's last vectors
                for (int i = 0; i < n; i++)
                {
                    Row(i, table.AsSpan(RowStart(i) + i, n - i));
                }
            }
        }

        public void Dispose()
        {
            if (table is not null)
            {
                System.Buffers.ArrayPool<float>.Shared.Return(table);
            }
        }

        /// <summary>The table (null when computed on demand).</summary>
        public float[]? Table => table;

        /// <summary>Where row i's H(i, j) is in the table, less j: H(i, j) = table[RowStart(i) + j].</summary>
        public int RowStart(int i) => (int)(((long)i * ((2 * n) - i + 1) / 2) - i);

        public float At(int i, int j) => table is null ? Compute(p, s, i, j) : table[RowStart(i) + j];

        /// <summary>H(i, j) for j = i .. n - 1 into <paramref name="row"/>, in vectors where i &gt;= 1 (the same operations per lane).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        private void Row(int i, Span<float> row)
        {
            int j = i, w = System.Numerics.Vector<float>.Count;
            if (i >= 1 && System.Numerics.Vector.IsHardwareAccelerated)
            {
                var p0 = new System.Numerics.Vector<float>(p[i - 1]);
                var s0 = new System.Numerics.Vector<float>(s[i - 1]);
                for (; j <= n - w; j += w)
                {
                    var pij = new System.Numerics.Vector<float>(p, j) - p0;
                    var sij = new System.Numerics.Vector<float>(s, j) - s0;
                    var h = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThan(pij, System.Numerics.Vector<float>.Zero), sij * sij / pij, System.Numerics.Vector<float>.Zero);
                    h.CopyTo(row[(j - i)..]);
                }
            }

            for (; j < n; j++)
            {
                row[j - i] = Compute(p, s, i, j);
            }
        }

        /// <summary>H(i, j) from the moments, one value (inlined: called a few hundred times an image, it would otherwise run unoptimized code for a process's first images).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static float Compute(float[] p, float[] s, int i, int j)
        {
            if (i == 0)
            {
                return j >= 1 && p[j] > 0 ? s[j] * s[j] / p[j] : 0f;
            }

            float pij = p[j] - p[i - 1];
            if (!(pij > 0))
            {
                return 0f;
            }

            float sij = s[j] - s[i - 1];
            return sij * sij / pij;
        }
    }
}
