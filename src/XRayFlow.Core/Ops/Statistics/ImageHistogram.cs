using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Statistics;

/// <summary>
/// skimage.exposure.histogram(image.ravel(), nbins, source_range='image') as scikit-image 0.19.3 computes it,
/// the histogram its thresholds start from, for both of its paths (which one: <see cref="Imaging.IntegerSource"/>):
/// <list type="bullet">
/// <item>Integer images (<c>bits</c> 8 or 16): numpy.bincount, one bin per integer from the smallest value to the
/// largest; nbins is ignored. Centers are those integers.</item>
/// <item>Float images (<c>bits</c> 0): numpy.histogram(image, bins=nbins) of the float32 values over [min, max]
/// (numpy 1.24): edges = float32(linspace(min, max, nbins + 1)) computed in double; the bin of v is
/// i = int(float32(float32(v - min) * float32(nbins / float32(max - min)))), nbins - 1 when it is nbins, then one
/// step down when v &lt; edge[i] and one step up when v &gt;= edge[i + 1] (not past the last bin). A constant image
/// has the range [v - 0.5, v + 0.5] (in double). Centers are float32((edge[i] + edge[i + 1]) / 2).</item>
/// </list>
/// Counts are kept as numpy keeps them (int64; thresholds turn them into float64 where scikit-image does).
/// </summary>
/// <param name="Counts">Count per bin.</param>
/// <param name="Centers">The bin centers (whole numbers on the integer path, float32 values on the float path).</param>
/// <param name="IsInteger">Which path made it.</param>
/// <param name="Min">The smallest value.</param>
/// <param name="Max">The largest value.</param>
public sealed record ImageHistogram(long[] Counts, double[] Centers, bool IsInteger, double Min, double Max)
{
    /// <summary>Number of bins.</summary>
    public int Bins => Counts.Length;

    /// <summary>
    /// The histogram of <paramref name="x"/> (all finite) on the integer path when <paramref name="bits"/> is 8 or 16
    /// (every value a whole number in 0..2^bits - 1), else on the float path with <paramref name="nbins"/> bins.
    /// </summary>
    /// <exception cref="ArgumentException">No values, or (float path) a value that is NaN or infinite.</exception>
    public static ImageHistogram Of(ReadOnlySpan<float> x, int bits, int nbins, int threads = 1)
    {
        if (x.IsEmpty)
        {
            throw new ArgumentException("the image has no values", nameof(x));
        }

        if (bits is 8 or 16)
        {
            var full = BinCountPooled(x, 1 << bits, threads);
            try
            {
                return Trim(full);
            }
            finally
            {
                ReturnCounts(full);
            }
        }

        if (nbins < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(nbins), "nbins must be at least 1");
        }

        return Float(x, nbins, threads);
    }

    /// <summary>
    /// The first and last bins with a count (both the last bin when none has one; (0, -1) for no bins). A 16-bit
    /// histogram is 65536 bins, mostly empty: both ends are found 32 bins a step (four 512-bit ORs), then bin by bin
    /// (on a 16-bit histogram the scalar scan took 0.021 ms, Span.LastIndexOfAnyExcept(0L) 0.029 ms, this 0.0025).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (int Lo, int Hi) Occupied(ReadOnlySpan<long> counts)
    {
        int n = counts.Length;
        if (n == 0)
        {
            return (0, -1);
        }

        ref long c0 = ref MemoryMarshal.GetReference(counts);
        int lo = 0, end = n;
        if (Vector512.IsHardwareAccelerated)
        {
            while (lo <= n - 32 && AllZero32(ref c0, lo))
            {
                lo += 32;
            }

            lo = Math.Min(lo, n - 1); // every bin empty: the last one, as the scan below gives
            while (end - 32 >= lo && AllZero32(ref c0, end - 32))
            {
                end -= 32;
            }
        }

        int hi = end - 1;
        while (lo < hi && counts[lo] == 0)
        {
            lo++;
        }

        while (hi > lo && counts[hi] == 0)
        {
            hi--;
        }

        return (lo, hi);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool AllZero32(ref long c0, int at)
        => (Vector512.LoadUnsafe(ref c0, (nuint)at) | Vector512.LoadUnsafe(ref c0, (nuint)(at + 8))
            | Vector512.LoadUnsafe(ref c0, (nuint)(at + 16)) | Vector512.LoadUnsafe(ref c0, (nuint)(at + 24))) == Vector512<long>.Zero;

    /// <summary>The integer histogram from the smallest to the largest value that occurs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static ImageHistogram Trim(long[] full)
    {
        var (lo, hi) = Occupied(full);

        var counts = full.AsSpan(lo, hi - lo + 1).ToArray();
        var centers = new double[counts.Length];
        for (int i = 0; i < centers.Length; i++)
        {
            centers[i] = lo + i;
        }

        return new ImageHistogram(counts, centers, true, lo, hi);
    }

    // ================================================================================ integer path

    /// <summary>
    /// numpy.bincount of whole-number values: counts[v] for every v of <paramref name="x"/>, each a whole number in
    /// 0..<paramref name="bins"/> - 1 (checked: a value outside throws). Meaning: <see cref="BinCountScalar"/>; with
    /// AVX2, values are checked and converted 16 (AVX-512) or 8 at a time and counted by <see cref="CountChunk(ReadOnlySpan{float}, int, int[])"/>
    /// (8-bit values two at a time), in parallel parts.
    /// </summary>
    public static long[] BinCount(ReadOnlySpan<float> x, int bins, int threads = 1)
        => Avx2.IsSupported ? BinCountFast(x, bins, threads) : BinCountScalar(x, bins);

    /// <summary>The reference meaning of <see cref="BinCount"/>: one value at a time.</summary>
    public static long[] BinCountScalar(ReadOnlySpan<float> x, int bins)
    {
        var counts = new long[bins];
        foreach (float v in x)
        {
            counts[Index(v, bins)]++;
        }

        return counts;
    }

    private static int Index(float v, int bins) => v >= 0 && v < bins && v == MathF.Floor(v)
        ? (int)v
        : throw new ArgumentException($"value {v} is not a whole number in 0..{bins - 1}");

    internal static long[] BinCountFast(ReadOnlySpan<float> x, int bins, int threads)
    {
        if (bins > 65536)
        {
            return BinCountScalar(x, bins);
        }

        return CountInParts(x, bins, threads, new long[bins]);
    }

    /// <summary>
    /// <see cref="BinCount"/> into an array of exactly <paramref name="bins"/> counts from the shared array pool (the
    /// 16-bit histogram is 512 KiB: a new one per image made the garbage collector run with every few images); give
    /// it back with <see cref="ReturnCounts"/> once done with it.
    /// </summary>
    internal static long[] BinCountPooled(ReadOnlySpan<float> x, int bins, int threads)
    {
        var rented = System.Buffers.ArrayPool<long>.Shared.Rent(bins);
        if (rented.Length != bins || !Avx2.IsSupported || bins > 65536)
        {
            System.Buffers.ArrayPool<long>.Shared.Return(rented);
            return BinCount(x, bins, threads);
        }

        Array.Clear(rented);
        try
        {
            return CountInParts(x, bins, threads, rented);
        }
        catch
        {
            System.Buffers.ArrayPool<long>.Shared.Return(rented);
            throw;
        }
    }

    /// <summary>Gives counts from <see cref="BinCountPooled"/> back to the pool (any other array is left alone).</summary>
    internal static void ReturnCounts(long[] counts)
    {
        if (counts.Length is 256 or 65536)
        {
            System.Buffers.ArrayPool<long>.Shared.Return(counts);
        }
    }

    /// <summary>
    /// Counts <paramref name="x"/> into <paramref name="counts"/> in up to <paramref name="threads"/> parts of about
    /// 128K values or more (each a multiple of 32 long, the last the rest), each part into its own int table
    /// (<see cref="CountChunk(ReadOnlySpan{float}, int, int[])"/>), then added over the range of values the part spans.
    /// The parts' 16-bit tables (256 KiB, only their range written) come from the shared array pool, rented and given
    /// back on this thread (a new one a part and a call was a large-object allocation, and a table rented on a worker
    /// and given back here left the workers' own pools empty: both made the garbage collector run every few images).
    /// </summary>
    private static long[] CountInParts(ReadOnlySpan<float> x, int bins, int threads, long[] counts)
    {
        int parts = Math.Max(1, Math.Min(threads, x.Length / (1 << 17)));
        bool words = bins > 256;
        var tables = new int[parts][];
        for (int p = 0; p < parts; p++)
        {
            tables[p] = words ? System.Buffers.ArrayPool<int>.Shared.Rent(65536) : new int[256];
        }

        try
        {
            int next = -1;
            foreach (var (table, lo, hi) in SpanParts.Map(x, parts, 32, part =>
            {
                var table = tables[Interlocked.Increment(ref next)];
                var (lo, hi) = CountChunk(part, bins, table);
                return (table, lo, hi);
            }))
            {
                AddCounts(counts, table, lo, hi);
            }
        }
        finally
        {
            if (words)
            {
                foreach (var table in tables)
                {
                    System.Buffers.ArrayPool<int>.Shared.Return(table);
                }
            }
        }

        return counts;
    }

    /// <summary>Adds one part's int counts of bins from..to (the only bins it counted; the rest of chunk is undefined) into counts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddCounts(long[] counts, int[] chunk, int from, int to)
    {
        int b = from;
        if (Vector256.IsHardwareAccelerated)
        {
            ref long c0 = ref MemoryMarshal.GetArrayDataReference(counts);
            ref int k0 = ref MemoryMarshal.GetArrayDataReference(chunk);
            for (; b <= to - 7; b += 8)
            {
                var (lo, hi) = Vector256.Widen(Vector256.LoadUnsafe(ref k0, (nuint)b));
                (Vector256.LoadUnsafe(ref c0, (nuint)b) + lo).StoreUnsafe(ref c0, (nuint)b);
                (Vector256.LoadUnsafe(ref c0, (nuint)(b + 4)) + hi).StoreUnsafe(ref c0, (nuint)(b + 4));
            }
        }

        for (; b <= to; b++)
        {
            counts[b] += chunk[b];
        }
    }

    /// <summary>Adds interleaved counters (bin b at b * lanes + lane) into counts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Add(long[] counts, int[] interleaved)
    {
        int lanes = interleaved.Length / counts.Length;
        for (int b = 0; b < counts.Length; b++)
        {
            long s = 0;
            for (int l = 0; l < lanes; l++)
            {
                s += interleaved[(b * lanes) + l];
            }

            counts[b] += s;
        }
    }

    private const int Block = 1024;

    /// <summary>
    /// Counts a chunk (at most 2^31 - 1 values, bins at most 65536) into the int table <paramref name="c"/> (256 or 65536
    /// long) and returns the range of values it holds: 8-bit, c cleared first and (0, bins - 1); 16-bit, only c[lo..hi] is
    /// written (the rest left as it was) and (lo, hi), or (0, -1) for no values. Blocks of 1024 values are
    /// checked (whole numbers in range) and packed to bytes (bins &lt;= 256) or 16-bit words by saturating packs (the
    /// packs mix the order of the values, which a count does not see). Bytes: a 32-byte run of one value adds 32 to
    /// its count at once (an X-ray's black border), any other 32 bytes are counted as 16 pairs, one increment per
    /// pair in a 64K-entry table of this thread (<see cref="PairCounts"/>), folded into the counts at the end (a
    /// pair (a, b) counts a once and b once): half the increments of counting byte by byte. Words: a 16-value run
    /// of one value adds 16 at once, other words are counted one by one, alternately into this thread's two word
    /// tables (<see cref="WordCounts"/>), whose range lo..hi is then folded into c and cleared.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe (int Lo, int Hi) CountChunk(ReadOnlySpan<float> x, int bins, int[] c)
    {
        bool bytes = bins <= 256;
        if (bytes)
        {
            Array.Clear(c, 0, 256);
        }

        int[] table = bytes ? PairCounts : WordCounts;
        bool folded = false;
        try
        {
            int lo = 0, hi = bins - 1;
            if (bytes)
            {
                CountChunk(x, bins, c, table);
                FoldPairs(table, c);
            }
            else
            {
                (lo, hi) = CountChunk(x, bins, table, []);
                FoldWords(table, c, lo, hi);
            }

            folded = true;
            return (lo, hi);
        }
        finally
        {
            if (!folded)
            {
                Array.Clear(table); // a value out of range threw: the next chunk on this thread starts from zeros
            }
        }
    }

    /// <summary>
    /// This thread's two 65536-entry word tables, one after the other (words are counted alternately into them, so
    /// neighbouring equal values of a smooth image do not wait on one counter; all zero between chunks:
    /// <see cref="FoldWords"/> clears what it read).
    /// </summary>
    private static int[] WordCounts => wordCounts ??= new int[2 * 65536];

    [ThreadStatic]
    private static int[]? wordCounts;

    /// <summary>counts[v] = both tables' counts of v for v in lo..hi (the range the chunk's values span), then those entries cleared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void FoldWords(int[] tables, int[] counts, int lo, int hi)
    {
        var first = tables.AsSpan(lo, Math.Max(0, hi - lo + 1));
        var second = tables.AsSpan(65536 + lo, first.Length);
        System.Numerics.Tensors.TensorPrimitives.Add(first, second, counts.AsSpan(lo, first.Length));
        first.Clear();
        second.Clear();
    }

    /// <summary>This thread's 64K pair counters (all zero between chunks: <see cref="FoldPairs"/> clears them).</summary>
    private static int[] PairCounts => pairCounts ??= new int[65536];

    [ThreadStatic]
    private static int[]? pairCounts;

    /// <summary>Adds the pair table (pair (a, b) at b * 256 + a) into counts: a once and b once; leaves it zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void FoldPairs(int[] pairs, int[] counts)
    {
        fixed (int* p = pairs, c = counts)
        {
            for (int b = 0; b < 256; b++)
            {
                int* row = p + (b * 256);
                var sum = Vector256<int>.Zero;
                for (int a = 0; a < 256; a += Vector256<int>.Count)
                {
                    var k = Vector256.Load(row + a);
                    sum += k;
                    (Vector256.Load(c + a) + k).Store(c + a);
                    Vector256<int>.Zero.Store(row + a);
                }

                c[b] += Vector256.Sum(sum);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe (int Lo, int Hi) CountChunk(ReadOnlySpan<float> x, int bins, int[] c, int[] pairs)
    {
        bool bytes = bins <= 256;
        byte* buffer = stackalloc byte[Block * 2];
        ref float x0 = ref MemoryMarshal.GetReference(x);
        var top = Vector256.Create((float)(bins - 1));
        int n = x.Length;
        int i = 0;
        var wordMin = Vector256.Create(ushort.MaxValue);
        var wordMax = Vector256<ushort>.Zero;
        int lo = int.MaxValue, hi = -1;
        fixed (int* c0 = c, p0 = pairs)
        {
            int* c1 = bytes ? c0 : c0 + 65536; // words: the second table
            while (n - i >= 32)
            {
                int len = Math.Min(Block, n - i) & ~31;
                var bad = Vector256<float>.Zero;
                int whole = 0;
                if (Avx512F.IsSupported)
                {
                    // 16 values at a time: truncate, convert back and compare (a fraction, NaN or a value beyond
                    // int differs), compare as unsigned with the top bin, narrow with unsigned saturation.
                    var top16 = Vector512.Create((uint)(bins - 1));
                    var bad16 = Vector512<uint>.Zero;
                    for (; whole <= len - 64; whole += 64)
                    {
                        for (int q = 0; q < 64; q += 16)
                        {
                            var v = Vector512.LoadUnsafe(ref x0, (nuint)(i + whole + q));
                            var k = Avx512F.ConvertToVector512Int32WithTruncation(v);
                            bad16 |= ~(Vector512.Equals(Avx512F.ConvertToVector512Single(k), v).AsUInt32() & Vector512.LessThanOrEqual(k.AsUInt32(), top16));
                            if (bytes)
                            {
                                Avx512F.ConvertToVector128ByteWithSaturation(k.AsUInt32()).Store(buffer + whole + q);
                            }
                            else
                            {
                                Avx512F.ConvertToVector256UInt16WithSaturation(k.AsUInt32()).Store((ushort*)buffer + whole + q);
                            }
                        }
                    }

                    if (bad16 != Vector512<uint>.Zero)
                    {
                        bad = Vector256<float>.AllBitsSet;
                    }
                }

                for (int j = whole; j < len; j += 32)
                {
                    var v0 = Vector256.LoadUnsafe(ref x0, (nuint)(i + j));
                    var v1 = Vector256.LoadUnsafe(ref x0, (nuint)(i + j + 8));
                    var v2 = Vector256.LoadUnsafe(ref x0, (nuint)(i + j + 16));
                    var v3 = Vector256.LoadUnsafe(ref x0, (nuint)(i + j + 24));
                    bad |= Outside(v0, top) | Outside(v1, top) | Outside(v2, top) | Outside(v3, top);
                    var k0 = Avx.ConvertToVector256Int32WithTruncation(v0);
                    var k1 = Avx.ConvertToVector256Int32WithTruncation(v1);
                    var k2 = Avx.ConvertToVector256Int32WithTruncation(v2);
                    var k3 = Avx.ConvertToVector256Int32WithTruncation(v3);
                    var w01 = Avx2.PackUnsignedSaturate(k0, k1);
                    var w23 = Avx2.PackUnsignedSaturate(k2, k3);
                    if (bytes)
                    {
                        Avx2.PackUnsignedSaturate(w01.AsInt16(), w23.AsInt16()).Store(buffer + j);
                    }
                    else
                    {
                        w01.Store((ushort*)buffer + j);
                        w23.Store((ushort*)buffer + j + 16);
                    }
                }

                if (bad != Vector256<float>.Zero)
                {
                    for (int j = 0; j < len; j++)
                    {
                        Index(Unsafe.Add(ref x0, i + j), bins); // throws, naming the value
                    }
                }

                if (bytes)
                {
                    CountPairs(buffer, len, c0, p0);
                }
                else
                {
                    CountWords((ushort*)buffer, len, c0, c1, ref wordMin, ref wordMax);
                }

                i += len;
            }
        }

        for (; i < n; i++)
        {
            int v = Index(Unsafe.Add(ref x0, i), bins);
            c[v]++;
            lo = Math.Min(lo, v);
            hi = Math.Max(hi, v);
        }

        if (!bytes)
        {
            for (int l = 0; l < Vector256<ushort>.Count; l++)
            {
                if (wordMin[l] <= wordMax[l])
                {
                    lo = Math.Min(lo, wordMin[l]);
                    hi = Math.Max(hi, wordMax[l]);
                }
            }
        }

        return hi < 0 ? (0, -1) : (lo, hi);
    }

    /// <summary>
    /// Counts len bytes (a multiple of 32): a 32-byte run of one value adds 32 to its count at once (an X-ray's black
    /// border), any other 32 bytes are counted as 16 pairs in the pair table p0 (folded later). A method of its own
    /// with no call inside, so its pointers stay in registers (in the chunk loop, beside the call that names a bad
    /// value, they were reloaded from the stack every step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CountPairs(byte* buffer, int len, int* c0, int* p0)
    {
        for (int j = 0; j < len; j += 32)
        {
            byte* q = buffer + j;
            if (Vector256.Load(q) == Vector256.Create(*q))
            {
                c0[*q] += 32;
                continue;
            }

            // The 16 pairs as 16-bit loads, in the order 0, 4, 8, 12, 1, 5, ...: neighbouring pairs of a smooth image
            // are often the same pair, and incrementing one counter twice in a row waits on the first store (this
            // order measured 1.45x faster than pairs in order from 64-bit words).
            ushort* u = (ushort*)q;
            p0[u[0]]++;
            p0[u[4]]++;
            p0[u[8]]++;
            p0[u[12]]++;
            p0[u[1]]++;
            p0[u[5]]++;
            p0[u[9]]++;
            p0[u[13]]++;
            p0[u[2]]++;
            p0[u[6]]++;
            p0[u[10]]++;
            p0[u[14]]++;
            p0[u[3]]++;
            p0[u[7]]++;
            p0[u[11]]++;
            p0[u[15]]++;
        }
    }

    /// <summary>
    /// Counts len 16-bit words (a multiple of 16) alternately into the tables c0 and c1, and widens the range
    /// [wordMin, wordMax] they span: a 16-word run of one value adds 16 at once. Call-free, as <see cref="CountPairs"/>
    /// (the range's vectors and the table pointers were kept on the stack in the chunk loop: two extra stores a step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void CountWords(ushort* words, int len, int* c0, int* c1, ref Vector256<ushort> wordMin, ref Vector256<ushort> wordMax)
    {
        var lo = wordMin;
        var hi = wordMax;
        for (int j = 0; j < len; j += 16)
        {
            ushort* q = words + j;
            var v = Vector256.Load(q);
            lo = Vector256.Min(lo, v); // the range the chunk spans, for the fold
            hi = Vector256.Max(hi, v);
            if (v == Vector256.Create(*q))
            {
                c0[*q] += 16; // a run of one value would wait on one counter 16 times
                continue;
            }

            c0[q[0]]++; // the same interleaved order as the pairs, alternately into the two tables
            c1[q[4]]++;
            c0[q[8]]++;
            c1[q[12]]++;
            c0[q[1]]++;
            c1[q[5]]++;
            c0[q[9]]++;
            c1[q[13]]++;
            c0[q[2]]++;
            c1[q[6]]++;
            c0[q[10]]++;
            c1[q[14]]++;
            c0[q[3]]++;
            c1[q[7]]++;
            c0[q[11]]++;
            c1[q[15]]++;
        }

        wordMin = lo;
        wordMax = hi;
    }

    /// <summary>All-ones lanes for values that are not whole numbers in 0..top (NaN included).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Outside(Vector256<float> v, Vector256<float> top)
        => ~(Vector256.Equals(v, Vector256.Floor(v)) & Vector256.GreaterThanOrEqual(v, Vector256<float>.Zero) & Vector256.LessThanOrEqual(v, top));

    // ================================================================================ float path

    /// <summary>numpy.histogram(x, nbins) of finite float32 values, as the type documents.</summary>
    internal static ImageHistogram Float(ReadOnlySpan<float> x, int nbins, int threads)
    {
        var (min, max) = FiniteMinMax(x, threads);
        var bins = FloatBins.Create(min, max, nbins);
        var counts = Avx2.IsSupported ? FloatCountsFast(x, bins, threads) : FloatCountsScalar(x, bins);
        return new ImageHistogram(counts, bins.Centers(), false, min, max);
    }

    /// <summary>The float path's counts one value at a time (the meaning of the vectorised count).</summary>
    internal static long[] FloatCountsScalar(ReadOnlySpan<float> x, in FloatBins b)
    {
        var counts = new long[b.Bins];
        foreach (float v in x)
        {
            counts[b.BinOf(v)]++;
        }

        return counts;
    }

    /// <summary><see cref="FiniteMinMax(ReadOnlySpan{float})"/> of parts of about 128K values or more on up to <paramref name="threads"/> threads.</summary>
    internal static (float Min, float Max) FiniteMinMax(ReadOnlySpan<float> x, int threads)
    {
        int parts = Math.Max(1, Math.Min(threads, x.Length / (1 << 17)));
        if (parts == 1)
        {
            return FiniteMinMax(x);
        }

        // A part with NaN or infinity throws; the first exception surfaces (as an AggregateException's inner one).
        try
        {
            var each = SpanParts.Map(x, parts, 8, part => FiniteMinMax(part));
            float min = each[0].Min, max = each[0].Max;
            foreach (var (lo, hi) in each)
            {
                min = Math.Min(min, lo);
                max = Math.Max(max, hi);
            }

            return (min, max);
        }
        catch (AggregateException e) when (e.InnerException is ArgumentException inner)
        {
            throw inner;
        }
    }

    /// <summary>
    /// The smallest and largest value; throws when one is NaN or infinite (numpy.histogram refuses a non-finite range).
    /// Without NaN, IEEE 754's min and max are nanmin and nanmax: one pass of <see cref="Extremes.NanMinMax(ReadOnlySpan{float})"/>
    /// (it was one accumulator of each, every step waiting on the last: about 3x slower).
    /// </summary>
    internal static (float Min, float Max) FiniteMinMax(ReadOnlySpan<float> x)
    {
        var (min, max, nan) = Extremes.NanMinMax(x);
        if (nan || !float.IsFinite(min) || !float.IsFinite(max))
        {
            throw new ArgumentException("the image has NaN or infinite values: the histogram's range is not finite");
        }

        return (min, max);
    }

    /// <summary>
    /// numpy's equal bins over [first, last]: float32 edges, the float32 first edge and scale of the bin estimate.
    /// A range whose float32 width overflows (values near both ends of float32) is refused: numpy's estimate is NaN
    /// there and it fails.
    /// </summary>
    internal readonly struct FloatBins
    {
        private FloatBins(float[] edges, float first, float norm, float margin)
        {
            Edges = edges;
            First = first;
            Norm = norm;
            Margin = margin;
        }

        /// <summary>
        /// A bound (in bins, with a factor 4 to spare) on how far the float32 estimate (v - first) * norm can lie from
        /// v's true position among the float32 edges: roundings of the difference, of norm, of the product, of the
        /// float32 range, and of each edge (an ulp of the largest magnitude). An estimate whose fractional part is
        /// farther than this from 0 and 1 is numpy's bin with no correction. Above 0.05 every value is corrected.
        /// </summary>
        public float Margin { get; }

        public float[] Edges { get; }

        public int Bins => Edges.Length - 1;

        /// <summary>The first edge as numpy subtracts it from the float32 values (cast to float32).</summary>
        public float First { get; }

        /// <summary>nbins / (last - first), cast to float32 as numpy multiplies the float32 differences by it.</summary>
        public float Norm { get; }

        public static FloatBins Create(float min, float max, int nbins)
        {
            double first = min, last = max;
            double range;
            if (min == max)
            {
                // numpy widens an empty range in double (float32 scalar - 0.5 is a float64 scalar).
                first = min - 0.5;
                last = max + 0.5;
                range = last - first;
            }
            else
            {
                range = max - min; // float32 scalars: float32 subtraction
                range = (float)range;
                if (double.IsInfinity(range))
                {
                    // numpy's bin estimate is then inf * 0 = NaN, an index it fails on (IndexError); ours would read
                    // outside the edges.
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                        $"the values span {min:R} to {max:R}, a range wider than float32 holds (max - min overflows): numpy.histogram fails on it too; rescale the values first"));
                }
            }

            var edges = new float[nbins + 1];
            double step = (last - first) / nbins;
            for (int i = 0; i < nbins; i++)
            {
                edges[i] = step == 0 ? (float)((i / (double)nbins * (last - first)) + first) : (float)((i * step) + first);
            }

            edges[nbins] = (float)last;
            double magnitude = Math.Max(Math.Abs(first), Math.Abs(last));
            double margin = Math.Pow(2, -22) * nbins * (4 + (magnitude / (last - first)));
            return new FloatBins(edges, (float)first, (float)(nbins / range), margin < 0.05 ? (float)margin : 2f);
        }

        /// <summary>numpy's bin of one value inside [first, last].</summary>
        public int BinOf(float v)
        {
            int n = Bins;
            int i = (int)((v - First) * Norm);
            if (i == n)
            {
                i--;
            }

            if (v < Edges[i])
            {
                i--;
            }
            else if (v >= Edges[i + 1] && i != n - 1)
            {
                i++;
            }

            return i;
        }

        /// <summary>float32((edge[i] + edge[i + 1]) / 2), as double.</summary>
        public double[] Centers()
        {
            var c = new double[Bins];
            for (int i = 0; i < c.Length; i++)
            {
                c[i] = (Edges[i] + Edges[i + 1]) / 2f;
            }

            return c;
        }
    }

    /// <summary>
    /// The counts of <paramref name="x"/> in up to <paramref name="threads"/> parts of about 128K values or more (each
    /// a multiple of 8 long, the last the rest), each into its own interleaved counters, then added.
    /// </summary>
    internal static long[] FloatCountsFast(ReadOnlySpan<float> x, FloatBins b, int threads)
    {
        int parts = Math.Max(1, Math.Min(threads, x.Length / (1 << 17)));
        var counts = new long[b.Bins];
        foreach (var part in SpanParts.Map(x, parts, 8, part => FloatChunk(part, b)))
        {
            Add(counts, part);
        }

        return counts;
    }

    /// <summary>
    /// <see cref="FloatBins.BinOf"/> eight values at a time: the float32 estimate, then edge[i] and edge[i + 1]
    /// gathered to take numpy's one step down or up; counted as <see cref="CountChunk"/> does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe int[] FloatChunk(ReadOnlySpan<float> x, FloatBins b)
    {
        int bins = b.Bins;
        int lanes = bins <= 4096 ? 4 : 1;
        var c = new int[bins * lanes];
        ref int c0 = ref MemoryMarshal.GetArrayDataReference(c);
        Span<int> idx = stackalloc int[Block];
        ref int i0 = ref MemoryMarshal.GetReference(idx);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        var first = Vector256.Create(b.First);
        var norm = Vector256.Create(b.Norm);
        var n = Vector256.Create(bins);
        var last = Vector256.Create(bins - 1);
        var one = Vector256.Create(1);
        var laneOffsets = lanes == 4 ? Vector256.Create(0, 1, 2, 3, 0, 1, 2, 3) : Vector256<int>.Zero;
        var low = Vector256.Create(b.Margin);
        var high = Vector256.Create(1f - b.Margin);
        var nf = Vector256.Create((float)bins);
        int count = x.Length;
        int i = 0;
        fixed (float* e = b.Edges)
        {
            while (count - i >= 8)
            {
                int len = Math.Min(Block, count - i) & ~7;
                for (int j = 0; j < len; j += 8)
                {
                    var v = Vector256.LoadUnsafe(ref x0, (nuint)(i + j));
                    var estimate = (v - first) * norm;
                    var k = Avx.ConvertToVector256Int32WithTruncation(estimate);
                    var frac = estimate - Vector256.Floor(estimate);
                    if ((Vector256.LessThan(frac, low) | Vector256.GreaterThan(frac, high) | Vector256.GreaterThanOrEqual(estimate, nf)) == Vector256<float>.Zero)
                    {
                        // Every lane far from an edge: the estimate is numpy's bin.
                        (lanes == 4 ? (k << 2) + laneOffsets : k).StoreUnsafe(ref i0, (nuint)j);
                        continue;
                    }

                    k -= Vector256.Equals(k, n).AsInt32() & one;
                    var below = Avx2.GatherVector256(e, k, 4);
                    var above = Avx2.GatherVector256(e + 1, k, 4);
                    var down = Vector256.LessThan(v, below).AsInt32();
                    var up = Vector256.GreaterThanOrEqual(v, above).AsInt32() & ~down & ~Vector256.Equals(k, last);
                    k = k + down - up; // down/up are all-ones (-1) lanes
                    if (lanes == 4)
                    {
                        k = (k << 2) + laneOffsets;
                    }

                    k.StoreUnsafe(ref i0, (nuint)j);
                }

                for (int j = 0; j < len; j += 4)
                {
                    Unsafe.Add(ref c0, Unsafe.Add(ref i0, j))++;
                    Unsafe.Add(ref c0, Unsafe.Add(ref i0, j + 1))++;
                    Unsafe.Add(ref c0, Unsafe.Add(ref i0, j + 2))++;
                    Unsafe.Add(ref c0, Unsafe.Add(ref i0, j + 3))++;
                }

                i += len;
            }
        }

        for (; i < count; i++)
        {
            c[b.BinOf(Unsafe.Add(ref x0, i)) * lanes]++;
        }

        return c;
    }
}
