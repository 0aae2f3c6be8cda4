using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Ops.Intensity;

/// <summary>
/// skimage.exposure.equalize_adapthist (CLAHE, scikit-image 0.19.3) on one frame, step by step as scikit-image
/// computes it, so integer inputs give its numbers exactly:
/// <list type="number">
/// <item>To 16 bits (img_as_uint): uint8 v -> 257 v; uint16 as is; float32 (values that are not 8/16-bit
/// integers) are first rescaled to [0, 1] by their min/max in float32 (rescale_intensity(x, out_range=(0, 1)):
/// float32(float32(x - min) / float32(max - min)); a constant image is clipped to [0, 1]), then
/// u = rint(float32(y * 65535)) (halves to even).</item>
/// <item>To 14 bits: v = round((u - umin) / (umax - umin) * 16383) in float64, halves to even (a constant image:
/// min(u, 16383)); the bin of a pixel is v / (1 + 16384 / nbins) (integer divisions).</item>
/// <item>Contextual regions of kernel_size (k0, k1) pixels (default (rows / 8, cols / 8), at least 1): region (a, b)
/// covers rows [a k0, (a + 1) k0) and columns [b k1, (b + 1) k1) of the image, mirrored past the last row and
/// column (numpy.pad 'reflect': ... c b | a b c | b a ...); ceil(rows / k0) x ceil(cols / k1) regions.</item>
/// <item>Each region's histogram of nbins bins is clipped at clim = int(max(clip_limit k0 k1, 1)) (no clipping when
/// clip_limit is 0) and the excess redistributed exactly as scikit-image's clip_histogram (an even share, then one
/// by one with a stride); its map is int(min(cumsum * (16383 / (k0 k1)), 16383)).</item>
/// <item>Pixel (y, x) lies in block A = (y + k0 / 2) / k0, row fraction fr = ((y + k0 / 2) mod k0) / k0 (and B, fc
/// by columns); it blends the maps of regions (A - 1, B - 1), (A - 1, B), (A, B - 1), (A, B) (indices clamped to the
/// regions) with weights (1 - fc)(1 - fr), fc (1 - fr), (1 - fc) fr, fc fr: each term map * weight in float64 rounded
/// to float32, summed in float32 in that order, then truncated to an integer r.</item>
/// <item>Out: (r - rmin) / (rmax - rmin), in float64 for integer inputs and in float32 for float ones
/// (rescale_intensity of the result; a constant r gives min(r, 1)).</item>
/// </list>
/// </summary>
public static class Clahe
{
    /// <summary>scikit-image's NR_OF_GRAY: the 14-bit levels CLAHE works on.</summary>
    public const int GrayLevels = 1 << 14;

    /// <summary>The most map entries (regions x nbins) one frame may need (each 4 bytes).</summary>
    public const long MaxMapEntries = 1L << 25;

    /// <summary>The default kernel size of an axis of <paramref name="size"/> pixels: max(size / 8, 1).</summary>
    public static int DefaultKernel(int size) => Math.Max(size / 8, 1);

    /// <summary>Equalizes one frame of <paramref name="rows"/> x <paramref name="cols"/> pixels.</summary>
    /// <exception cref="ArgumentException">A float image with NaN or infinite values, or a kernel so small that the maps exceed <see cref="MaxMapEntries"/>.</exception>
    public static void Apply(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst, SkimageDtype dtype, int k0, int k1, double clipLimit, int nbins, int threads)
        => Apply(src, rows, cols, dst, dtype, k0, k1, clipLimit, nbins, threads, BlendPath.Quads);

    /// <summary>How step 5 blends: the scalar rule pixel by pixel, AVX2 gathers from the maps, or quads where the table stays small (else gathers).</summary>
    internal enum BlendPath
    {
        Scalar,
        Gathers,
        Quads,
    }

    /// <summary>As the public overload, through the blend <paramref name="path"/> (tests compare them).</summary>
    internal static void Apply(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst, SkimageDtype dtype, int k0, int k1, double clipLimit, int nbins, int threads, BlendPath path)
    {
        long n = (long)rows * cols;
        if (src.Length != n || dst.Length != n)
        {
            throw new ArgumentException($"src and dst must hold {n} values");
        }

        if (k0 < 1 || k1 < 1 || nbins < 1 || !(clipLimit >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(k0), "kernel sizes and nbins must be at least 1, clip_limit at least 0");
        }

        int nh0 = (rows + k0 - 1) / k0, nh1 = (cols + k1 - 1) / k1;
        long entries = (long)nh0 * nh1 * nbins;
        if (entries > MaxMapEntries)
        {
            throw new ArgumentException($"kernel_size [{k0}, {k1}] makes {nh0} x {nh1} regions of {nbins} bins on a {rows} x {cols} image: more than {MaxMapEntries} map entries (use a larger kernel_size or fewer bins)");
        }

        threads = Math.Max(1, threads);
        var bins = ArrayPool<ushort>.Shared.Rent((int)n);
        var maps = ArrayPool<int>.Shared.Rent((int)entries);
        try
        {
            // uint8 through the quads: the raw values (one pass, with their min and max), their bins through a
            // 256-entry table in the histograms and the quads; otherwise each pixel's bin first.
            int[]? valueBins = null;
            if (dtype == SkimageDtype.UInt8 && path == BlendPath.Quads && Avx2.IsSupported)
            {
                valueBins = ValueBins(src, bins.AsSpan(0, (int)n), nbins, threads);
            }
            else
            {
                ToBins(src, bins.AsSpan(0, (int)n), dtype, nbins, threads);
            }

            BuildMaps(bins, rows, cols, k0, k1, nh0, nh1, clipLimit, nbins, maps, threads, valueBins);
            var (rmin, rmax) = Interpolate(bins, rows, cols, k0, k1, nh0, nh1, nbins, maps, threads, path, valueBins);
            Finish(bins, dst, rmin, rmax, threads);
        }
        finally
        {
            ArrayPool<ushort>.Shared.Return(bins);
            ArrayPool<int>.Shared.Return(maps);
        }
    }

    /// <summary>
    /// Steps 1 and 2 for a uint8 image, in one pass: bins[k] = the raw value (0..255), and the table from each value
    /// to its bin (the same bins <see cref="ToBins"/> gives, one table lookup later).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int[] ValueBins(ReadOnlySpan<float> src, Span<ushort> bins, int nbins, int threads)
    {
        int n = src.Length;
        int vmin, vmax;
        unsafe
        {
            fixed (float* ps = src)
            fixed (ushort* pd = bins)
            {
                nint sa = (nint)ps, da = (nint)pd;
                (vmin, vmax) = MinMaxOfParts(n, threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
                {
                    float* x = (float*)sa;
                    ushort* b = (ushort*)da;
                    int lo = int.MaxValue, hi = int.MinValue, k = start;
                    if (Avx2.IsSupported)
                    {
                        var vlo = Vector256.Create(int.MaxValue);
                        var vhi = Vector256.Create(int.MinValue);
                        for (; k <= end - 16; k += 16)
                        {
                            var a = Avx.ConvertToVector256Int32WithTruncation(Avx.LoadVector256(x + k));
                            var c = Avx.ConvertToVector256Int32WithTruncation(Avx.LoadVector256(x + k + 8));
                            vlo = Avx2.Min(vlo, Avx2.Min(a, c));
                            vhi = Avx2.Max(vhi, Avx2.Max(a, c));
                            Avx.Store(b + k, Pack(a, c));
                        }

                        for (int l = 0; l < 8; l++)
                        {
                            lo = Math.Min(lo, vlo.GetElement(l));
                            hi = Math.Max(hi, vhi.GetElement(l));
                        }
                    }

                    for (; k < end; k++)
                    {
                        int v = (int)x[k];
                        b[k] = (ushort)v;
                        lo = Math.Min(lo, v);
                        hi = Math.Max(hi, v);
                    }

                    return (lo, hi);
                });
            }
        }

        if (vmin < 0 || vmax > 255)
        {
            throw new ArgumentException($"a uint8 image's values lie in 0..255 (found {vmin}..{vmax})");
        }

        return BinTable(vmin, vmax, 257, nbins, 256);
    }

    /// <summary>Steps 1 and 2: each pixel's histogram bin.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ToBins(ReadOnlySpan<float> src, Span<ushort> bins, SkimageDtype dtype, int nbins, int threads)
    {
        var (min, max) = MinMax(src, threads);
        if (dtype != SkimageDtype.Float32)
        {
            // Integers: a table from each value to its bin (u = 257 v for uint8).
            int vhi = (int)max;
            Lookup(src, bins, BinTable((int)min, vhi, dtype == SkimageDtype.UInt8 ? 257 : 1, nbins, vhi + 1), threads);
            return;
        }

        // Floats: rescaled to [0, 1] (float32), then img_as_uint, then the same table over u.
        if (!float.IsFinite(min) || !float.IsFinite(max))
        {
            throw new ArgumentException("equalize_adapthist needs finite values (the image has NaN or infinity)");
        }

        var (umin, umax) = ToUInt16(src, bins, min, max, threads);
        LookupInPlace(bins, umin == 0 && umax == 65535 ? WholeRangeTable(nbins) : BinTable(umin, umax, 1, nbins, umax + 1), threads);
    }

    /// <summary>The last whole-range table made, and its nbins (one reference: read and replaced whole by any thread).</summary>
    private static WholeRange? wholeRange;

    /// <summary>
    /// <see cref="BinTable"/> over every 16-bit level (0 .. 65535, scale 1), kept for the next image: a rescaled float
    /// image always spans the whole range (its min maps to 0, its max to 65535), so the table depends on nbins only
    /// (65,536 entries, 256 KiB: made per image it cost a 224 x 224 image more than its pixels). Never written after.
    /// </summary>
    private static int[] WholeRangeTable(int nbins)
    {
        if (wholeRange is { } kept && kept.Nbins == nbins)
        {
            return kept.Table;
        }

        var table = BinTable(0, 65535, 1, nbins, 65536);
        wholeRange = new WholeRange(nbins, table);
        return table;
    }

    private sealed record WholeRange(int Nbins, int[] Table);

    /// <summary>
    /// img_as_uint of the image rescaled to [0, 1] (float32): y = (x - min) / (max - min) (a constant image:
    /// clip(x, 0, 1)), u = rint(y * 65535) clipped to 0..65535 (halves to even). Returns the smallest and largest u.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (int Min, int Max) ToUInt16(ReadOnlySpan<float> src, Span<ushort> dst, float min, float max, int threads)
    {
        float span = (float)((double)max - min);
        bool constant = min == max;
        int n = src.Length;
        unsafe
        {
            fixed (float* ps = src)
            fixed (ushort* pd = dst)
            {
                nint sa = (nint)ps, da = (nint)pd;
                return MinMaxOfParts(n, threads, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (start, end) =>
                {
                    float* x = (float*)sa;
                    ushort* u = (ushort*)da;
                    int lo = 65535, hi = 0;
                    int k = start;
                    if (Avx2.IsSupported && !constant)
                    {
                        var vmin = Vector256.Create(min);
                        var vspan = Vector256.Create(span);
                        var scale = Vector256.Create(65535f);
                        var vlo = Vector256.Create(65535);
                        var vhi = Vector256<int>.Zero;
                        for (; k <= end - 16; k += 16)
                        {
                            var a = Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(Avx.RoundToNearestInteger(Avx.Multiply(Avx.Divide(Avx.Subtract(Avx.LoadVector256(x + k), vmin), vspan), scale)), Vector256<float>.Zero), scale));
                            var b = Avx.ConvertToVector256Int32(Avx.Min(Avx.Max(Avx.RoundToNearestInteger(Avx.Multiply(Avx.Divide(Avx.Subtract(Avx.LoadVector256(x + k + 8), vmin), vspan), scale)), Vector256<float>.Zero), scale));
                            vlo = Avx2.Min(vlo, Avx2.Min(a, b));
                            vhi = Avx2.Max(vhi, Avx2.Max(a, b));
                            Avx.Store(u + k, Pack(a, b));
                        }

                        for (int l = 0; l < 8; l++)
                        {
                            lo = Math.Min(lo, vlo.GetElement(l));
                            hi = Math.Max(hi, vhi.GetElement(l));
                        }
                    }

                    for (; k < end; k++)
                    {
                        float y = constant ? Math.Clamp(x[k], 0f, 1f) : (x[k] - min) / span;
                        int v = (int)Math.Clamp(MathF.Round(y * 65535f, MidpointRounding.ToEven), 0f, 65535f);
                        u[k] = (ushort)v;
                        lo = Math.Min(lo, v);
                        hi = Math.Max(hi, v);
                    }

                    return (lo, hi);
                });
            }
        }
    }

    /// <summary>bins[k] = lut[(int)src[k]] for whole-number pixels (0..lut.Length - 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Lookup(ReadOnlySpan<float> src, Span<ushort> bins, int[] lut, int threads)
    {
        int n = src.Length;
        int parts = Parts(n, threads);
        unsafe
        {
            fixed (float* ps = src)
            fixed (ushort* pd = bins)
            fixed (int* pl = lut)
            {
                nint sa = (nint)ps, da = (nint)pd, la = (nint)pl;
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
                {
                    var (start, end) = HistogramEqualization.Slice(n, parts, t);
                    float* x = (float*)sa;
                    ushort* b = (ushort*)da;
                    int* table = (int*)la;
                    int k = start;
                    if (Avx2.IsSupported)
                    {
                        for (; k <= end - 16; k += 16)
                        {
                            var a = Avx2.GatherVector256(table, Avx.ConvertToVector256Int32WithTruncation(Avx.LoadVector256(x + k)), 4);
                            var c = Avx2.GatherVector256(table, Avx.ConvertToVector256Int32WithTruncation(Avx.LoadVector256(x + k + 8)), 4);
                            Avx.Store(b + k, Pack(a, c));
                        }
                    }

                    for (; k < end; k++)
                    {
                        b[k] = (ushort)table[(int)x[k]];
                    }
                });
            }
        }
    }

    /// <summary>bins[k] = lut[bins[k]].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LookupInPlace(Span<ushort> bins, int[] lut, int threads)
    {
        int n = bins.Length;
        int parts = Parts(n, threads);
        unsafe
        {
            fixed (ushort* pd = bins)
            fixed (int* pl = lut)
            {
                nint da = (nint)pd, la = (nint)pl;
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
                {
                    var (start, end) = HistogramEqualization.Slice(n, parts, t);
                    ushort* b = (ushort*)da;
                    int* table = (int*)la;
                    for (int k = start; k < end; k++)
                    {
                        b[k] = (ushort)table[b[k]];
                    }
                });
            }
        }
    }

    /// <summary>16 ints in 0..65535 (a then b) as 16 ushorts in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ushort> Pack(Vector256<int> a, Vector256<int> b)
        => Avx2.Permute4x64(Avx2.PackUnsignedSaturate(a, b).AsUInt64(), 0b11_01_10_00).AsUInt16();

    /// <summary>
    /// A pass over n values in <see cref="Parts"/> slices on the threads: <paramref name="part"/>(start, end) handles one
    /// slice and returns the smallest and largest int it saw; the slices' are combined here.
    /// </summary>
    private static (int Min, int Max) MinMaxOfParts(int n, int threads, Func<int, int, (int Min, int Max)> part)
    {
        int parts = Parts(n, threads);
        var mins = new int[parts];
        var maxs = new int[parts];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, t =>
        {
            var (start, end) = HistogramEqualization.Slice(n, parts, t);
            (mins[t], maxs[t]) = part(start, end);
        });
        return (mins.Min(), maxs.Max());
    }

    private static int Parts(int n, int threads) => Math.Max(1, Math.Min(threads, n / (1 << 16)));

    /// <summary>
    /// The bin of every value lo..hi (a table of <paramref name="length"/> entries): the 16-bit level u = v * scale
    /// (257 for uint8, 1 for uint16 or img_as_uint's u), its 14-bit level, divided by the bin size.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static int[] BinTable(int lo, int hi, int scale, int nbins, int length)
    {
        int binSize = 1 + (GrayLevels / nbins);
        var table = new int[length];
        int v = lo;
        if (Vector512.IsHardwareAccelerated && hi > lo)
        {
            // To14Bit's double arithmetic eight levels at a time (the float path's table spans every 16-bit level
            // its min..max reach, 65,536 for a rescaled float image: one by one it cost more than the rest of a
            // 224 x 224 image's CLAHE). Same operations: y = ((u - umin) / (umax - umin) * 16383) + 0, rounded half
            // to even, then the whole part of y / binSize (exact: y and binSize are small whole numbers).
            var umin = Vector512.Create((double)lo * scale);
            var range = Vector512.Create(((double)hi * scale) - ((double)lo * scale));
            var top = Vector512.Create((double)(GrayLevels - 1));
            var size = Vector512.Create((double)binSize);
            var step = Vector512.Create(0.0, 1, 2, 3, 4, 5, 6, 7) * scale;
            ref int t0 = ref MemoryMarshal.GetArrayDataReference(table);
            for (; v <= hi - 7; v += 8)
            {
                var u = Vector512.Create((double)v * scale) + step;
                var y = (((u - umin) / range) * top) + Vector512<double>.Zero;
                var bin = Vector512.Truncate(Vector512.Round(y) / size);
                Vector256.StoreUnsafe(Vector512.Narrow(Vector512.ConvertToInt64(bin), Vector512<long>.Zero).GetLower(), ref t0, (nuint)v);
            }
        }

        for (; v <= hi; v++)
        {
            table[v] = To14Bit(v * scale, lo * scale, hi * scale) / binSize;
        }

        return table;
    }

    /// <summary>np.round(rescale_intensity(u, out_range=(0, 16383))) of one 16-bit value, given the image's min and max.</summary>
    internal static int To14Bit(int u, int umin, int umax)
    {
        if (umin == umax)
        {
            return Math.Min(u, GrayLevels - 1);
        }

        double y = ((u - (double)umin) / ((double)umax - umin) * (GrayLevels - 1)) + 0.0;
        return (int)Math.Round(y, MidpointRounding.ToEven);
    }

    /// <summary>Steps 3 and 4: the clipped, cumulated map of every region (maps[(a nh1 + b) nbins + bin]).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    /// <param name="valueBins">When given, <paramref name="bins"/> holds raw uint8 values and this table their bins.</param>
    private static void BuildMaps(ushort[] bins, int rows, int cols, int k0, int k1, int nh0, int nh1, double clipLimit, int nbins, int[] maps, int threads, int[]? valueBins)
    {
        int levels = valueBins?.Length ?? nbins;
        long npix = (long)k0 * k1;
        long clim = clipLimit > 0 ? (long)Math.Min(Math.Max(clipLimit * npix, 1.0), npix + 1.0) : npix;
        double scale = (double)(GrayLevels - 1) / npix;

        // Mirrored source columns of the regions' columns [0, nh1 k1).
        var colOf = new int[nh1 * k1];
        for (int j = 0; j < colOf.Length; j++)
        {
            colOf[j] = Mirror(j, cols);
        }

        Parallel.For(0, nh0, new ParallelOptions { MaxDegreeOfParallelism = threads }, () => (new long[nbins], new int[4 * levels], new long[levels]), [MethodImpl(MethodImplOptions.AggressiveOptimization)] (a, _, state) =>
        {
            var (hist, tables, counts) = state;
            for (int b = 0; b < nh1; b++)
            {
                int c0 = b * k1;
                bool inside = c0 + k1 <= cols;
                for (int r = a * k0; r < (a + 1) * k0; r++)
                {
                    int row = Mirror(r, rows) * cols;
                    if (inside)
                    {
                        Count(bins.AsSpan(row + c0, k1), tables, levels);
                    }
                    else
                    {
                        for (int c = c0; c < c0 + k1; c++)
                        {
                            tables[bins[row + colOf[c]]]++;
                        }
                    }
                }

                // The four counters of each bin added (a region holds k0 k1 <= 4096^2 < 2^31 pixels: kernel_size is bounded), and cleared.
                if (valueBins is null)
                {
                    SumTables(tables, nbins, hist);
                }
                else
                {
                    SumTables(tables, levels, counts);
                    Array.Clear(hist);
                    for (int v = 0; v < levels; v++)
                    {
                        hist[valueBins[v]] += counts[v];
                    }
                }

                Array.Clear(tables);
                ClipHistogram(hist, clim);
                MapOf(hist, scale, maps.AsSpan(((a * nh1) + b) * nbins, nbins));
            }

            return state;
        }, _ => { });
    }

    /// <summary>
    /// A region's map: map[i] = int(min(cumsum(hist)[i] * scale, 16383)), in float64 (the running sums, below 2^31,
    /// are exact doubles); the sums made one by one into <paramref name="hist"/>, then 8 maps at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void MapOf(long[] hist, double scale, Span<int> map)
    {
        int n = map.Length;
        long cum = 0;
        for (int i = 0; i < n; i++)
        {
            cum += hist[i];
            hist[i] = cum;
        }

        int k = 0;
        fixed (long* h = hist)
        fixed (int* m = map)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                var vscale = Vector512.Create(scale);
                var top = Vector512.Create((double)(GrayLevels - 1));
                for (; k <= n - Vector512<long>.Count; k += Vector512<long>.Count)
                {
                    var level = Vector512.Min(Vector512.ConvertToDouble(Vector512.Load(h + k)) * vscale, top);
                    Avx512F.ConvertToVector256Int32WithTruncation(level).Store(m + k);
                }
            }

            for (; k < n; k++)
            {
                m[k] = (int)Math.Min(h[k] * scale, GrayLevels - 1);
            }
        }
    }

    /// <summary>sums[i] = the four tables' counters of bin i added (each table <paramref name="levels"/> long; the sums fit an int), 8 bins at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void SumTables(int[] tables, int levels, long[] sums)
    {
        fixed (int* t0 = tables)
        fixed (long* d = sums)
        {
            int* t1 = t0 + levels, t2 = t1 + levels, t3 = t2 + levels;
            int i = 0;
            for (; Vector256.IsHardwareAccelerated && i <= levels - Vector256<int>.Count; i += Vector256<int>.Count)
            {
                var sum = Vector256.Load(t0 + i) + Vector256.Load(t1 + i) + Vector256.Load(t2 + i) + Vector256.Load(t3 + i);
                var (lower, upper) = Vector256.Widen(sum);
                lower.Store(d + i);
                upper.Store(d + i + Vector256<long>.Count);
            }

            for (; i < levels; i++)
            {
                d[i] = (long)t0[i] + t1[i] + t2[i] + t3[i];
            }
        }
    }

    /// <summary>Counts bins into four tables of <paramref name="nbins"/> in turn (runs of equal bins do not wait on one counter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Count(ReadOnlySpan<ushort> values, int[] tables, int nbins)
    {
        fixed (ushort* p = values)
        fixed (int* t0 = tables)
        {
            int* t1 = t0 + nbins, t2 = t1 + nbins, t3 = t2 + nbins;
            int n = values.Length, c = 0;
            for (; c <= n - 4; c += 4)
            {
                t0[p[c]]++;
                t1[p[c + 1]]++;
                t2[p[c + 2]]++;
                t3[p[c + 3]]++;
            }

            for (; c < n; c++)
            {
                t0[p[c]]++;
            }
        }
    }

    /// <summary>numpy.pad 'reflect' of index <paramref name="i"/> &gt;= 0 into an axis of <paramref name="size"/>: period 2 (size - 1), no repeated edge.</summary>
    internal static int Mirror(int i, int size)
    {
        if (i < size)
        {
            return i;
        }

        if (size == 1)
        {
            return 0;
        }

        int period = 2 * (size - 1);
        int m = i % period;
        return m < size ? m : period - m;
    }

    /// <summary>
    /// scikit-image's clip_histogram (<see cref="ClipHistogramScalar"/> is the rule): with 512-bit vectors, the three
    /// passes over every bin and the one-by-one passes of stride 1 (every bin under the limit gets 1) run 8 bins at a
    /// time; the same integers, so the same histogram (tested against the scalar rule for every length 1..300).
    /// </summary>
    internal static void ClipHistogram(long[] hist, long clip)
    {
        if (Vector512.IsHardwareAccelerated)
        {
            ClipHistogramVector(hist, clip);
        }
        else
        {
            ClipHistogramScalar(hist, clip);
        }
    }

    /// <summary>The vector path of <see cref="ClipHistogram"/> (tests call it directly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void ClipHistogramVector(long[] hist, long clip)
    {
        int n = hist.Length, last = n - Vector512<long>.Count;
        var vclip = Vector512.Create(clip);
        fixed (long* h = hist)
        {
            // Bins above the limit cut to it, their excess summed.
            var over = Vector512<long>.Zero;
            int i = 0;
            for (; i <= last; i += Vector512<long>.Count)
            {
                var v = Vector512.Load(h + i);
                over += Vector512.Max(v - vclip, Vector512<long>.Zero);
                Vector512.Min(v, vclip).Store(h + i);
            }

            long excess = Vector512.Sum(over);
            for (; i < n; i++)
            {
                if (h[i] > clip)
                {
                    excess += h[i] - clip;
                    h[i] = clip;
                }
            }

            // The even share to the bins below clip - share.
            long share = excess / n, upper = clip - share;
            var vshare = Vector512.Create(share);
            var vupper = Vector512.Create(upper);
            long shared = 0;
            for (i = 0; i <= last; i += Vector512<long>.Count)
            {
                var v = Vector512.Load(h + i);
                var below = Vector512.LessThan(v, vupper);
                (v + (below & vshare)).Store(h + i);
                shared += BitOperations.PopCount(below.ExtractMostSignificantBits());
            }

            for (; i < n; i++)
            {
                if (h[i] < upper)
                {
                    h[i] += share;
                    shared++;
                }
            }

            excess -= shared * share;

            // Bins now in [upper, clip) set to clip, giving back the difference; and the bins left under the limit.
            var back = Vector512<long>.Zero;
            int under = 0;
            for (i = 0; i <= last; i += Vector512<long>.Count)
            {
                var v = Vector512.Load(h + i);
                var mid = Vector512.GreaterThanOrEqual(v, vupper) & Vector512.LessThan(v, vclip);
                back += (v - vclip) & mid;
                v = Vector512.ConditionalSelect(mid, vclip, v);
                v.Store(h + i);
                under += BitOperations.PopCount(Vector512.LessThan(v, vclip).ExtractMostSignificantBits());
            }

            excess += Vector512.Sum(back);
            for (; i < n; i++)
            {
                if (h[i] >= upper && h[i] < clip)
                {
                    excess += h[i] - clip;
                    h[i] = clip;
                }

                under += h[i] < clip ? 1 : 0;
            }

            if (excess <= 0)
            {
                return;
            }

            Redistribute(h, n, clip, excess, under);
        }
    }

    /// <summary>clip_histogram's one-by-one passes (the loop of <see cref="ClipHistogramScalar"/>), stride 1 by vectors.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Redistribute(long* h, int n, long clip, long excess, int under)
    {
        var vclip = Vector512.Create(clip);
        while (excess > 0)
        {
            long before = excess;
            for (int index = 0; index < n; index++)
            {
                long step = Math.Max(1, under / excess);
                long given = 0;
                long i = index;
                if (step == 1)
                {
                    // Every bin under the limit from index on gets 1 (a bin reaching the limit leaves the count).
                    for (; i <= n - Vector512<long>.Count; i += Vector512<long>.Count)
                    {
                        var v = Vector512.Load(h + i);
                        var low = Vector512.LessThan(v, vclip);
                        v -= low; // all ones is -1
                        v.Store(h + i);
                        given += BitOperations.PopCount(low.ExtractMostSignificantBits());
                        under -= BitOperations.PopCount((low & Vector512.Equals(v, vclip)).ExtractMostSignificantBits());
                    }
                }

                for (; i < n; i += step)
                {
                    if (h[i] < clip)
                    {
                        if (++h[i] == clip)
                        {
                            under--;
                        }

                        given++;
                    }
                }

                excess -= given;
                if (excess <= 0)
                {
                    break;
                }
            }

            if (before == excess)
            {
                break;
            }
        }
    }

    /// <summary>
    /// scikit-image's clip_histogram: bins above <paramref name="clip"/> are cut to it; the excess is shared evenly
    /// (bins below clip - share get the share, those reaching [clip - share, clip) are set to clip and give back the
    /// difference), then handed out one by one: for each start index, every step-th bin under the limit gets 1,
    /// step = max(1, bins under the limit / excess), until the excess is gone or a whole pass changes nothing.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ClipHistogramScalar(long[] hist, long clip)
    {
        int n = hist.Length;
        long excess = 0;
        for (int i = 0; i < n; i++)
        {
            if (hist[i] > clip)
            {
                excess += hist[i] - clip;
                hist[i] = clip;
            }
        }

        long share = excess / n;
        long upper = clip - share;
        for (int i = 0; i < n; i++)
        {
            if (hist[i] < upper)
            {
                hist[i] += share;
                excess -= share;
            }
        }

        for (int i = 0; i < n; i++)
        {
            if (hist[i] >= upper && hist[i] < clip)
            {
                excess += hist[i] - clip;
                hist[i] = clip;
            }
        }

        if (excess <= 0)
        {
            return;
        }

        int under = 0;
        for (int i = 0; i < n; i++)
        {
            under += hist[i] < clip ? 1 : 0;
        }

        while (excess > 0)
        {
            long before = excess;
            for (int index = 0; index < n; index++)
            {
                long step = Math.Max(1, under / excess);
                long given = 0;
                for (long i = index; i < n; i += step)
                {
                    if (hist[i] < clip)
                    {
                        if (++hist[i] == clip)
                        {
                            under--;
                        }

                        given++;
                    }
                }

                excess -= given;
                if (excess <= 0)
                {
                    break;
                }
            }

            if (before == excess)
            {
                break;
            }
        }
    }

    /// <summary>Step 5: the blended, truncated result r of every pixel (0..16383, written over its bin), with their min and max.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (int Min, int Max) Interpolate(ushort[] bins, int rows, int cols, int k0, int k1, int nh0, int nh1, int nbins, int[] maps, int threads, BlendPath path, int[]? valueBins = null)
    {
        // The quads are indexed by raw value when valueBins is given (bins holds raw uint8 values), else by bin.
        int levels = valueBins?.Length ?? nbins;
        int p0 = k0 / 2, p1 = k1 / 2;

        // Per column: the two region columns (clamped), the column weights and the block's offset in the quads.
        var left = new int[cols];
        var right = new int[cols];
        var wc0 = new double[cols];
        var wc1 = new double[cols];
        var block = new int[cols];
        for (int x = 0; x < cols; x++)
        {
            int j = x + p1, b = j / k1;
            double f = (j - (b * k1)) / (double)k1;
            left[x] = Math.Clamp(b - 1, 0, nh1 - 1) * nbins;
            right[x] = Math.Clamp(b, 0, nh1 - 1) * nbins;
            wc1[x] = f;
            wc0[x] = 1 - f;
            block[x] = b * levels * 4;
        }

        // The four maps a pixel blends, side by side per block of pixels and bin (one 16-byte load instead of four
        // gathered values), where that table stays small; the same values, so the same bits.
        int nb0 = ((rows - 1 + p0) / k0) + 1, nb1 = ((cols - 1 + p1) / k1) + 1;
        long quadInts = (long)nb0 * nb1 * levels * 4;
        int[]? quads = path == BlendPath.Quads && Avx2.IsSupported && cols >= 8 && quadInts <= MaxQuadInts ? ArrayPool<int>.Shared.Rent((int)quadInts) : null;
        if (quads is not null)
        {
            // The default 9 x 9 blocks of 256 bins (83K entries) on this thread, not worth waking another; large tables in parallel.
            if (quadInts <= 1 << 18 || threads == 1)
            {
                for (int a = 0; a < nb0; a++)
                {
                    QuadRow(a);
                }
            }
            else
            {
                Parallel.For(0, nb0, new ParallelOptions { MaxDegreeOfParallelism = threads }, QuadRow);
            }

            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            void QuadRow(int a)
            {
                int top = Math.Clamp(a - 1, 0, nh0 - 1) * nh1 * nbins, bottom = Math.Clamp(a, 0, nh0 - 1) * nh1 * nbins;
                for (int b = 0; b < nb1; b++)
                {
                    int l = Math.Clamp(b - 1, 0, nh1 - 1) * nbins, r = Math.Clamp(b, 0, nh1 - 1) * nbins;
                    int q = ((a * nb1) + b) * levels * 4;
                    for (int level = 0; level < levels; level++, q += 4)
                    {
                        int bin = valueBins is null ? level : valueBins[level];
                        quads![q] = maps[top + l + bin];
                        quads[q + 1] = maps[top + r + bin];
                        quads[q + 2] = maps[bottom + l + bin];
                        quads[q + 3] = maps[bottom + r + bin];
                    }
                }
            }
        }

        if (valueBins is not null && quads is null)
        {
            LookupInPlace(bins.AsSpan(0, rows * cols), valueBins, threads); // the other blends read bins
        }

        int parts = Math.Max(1, Math.Min(threads, rows / 16));
        var mins = new int[parts];
        var maxs = new int[parts];
        Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
        {
            var (start, end) = HistogramEqualization.Slice(rows, parts, t);
            int mn = int.MaxValue, mx = int.MinValue;
            for (int y = start; y < end; y++)
            {
                int i = y + p0, a = i / k0;
                double fr = (i - (a * k0)) / (double)k0;
                int top = Math.Clamp(a - 1, 0, nh0 - 1) * nh1 * nbins;
                int bottom = Math.Clamp(a, 0, nh0 - 1) * nh1 * nbins;
                var row = new Row(bins, y * cols, maps, top, bottom, 1 - fr, fr, left, right, wc0, wc1);
                var outRow = bins.AsSpan(y * cols, cols); // in place: each pixel's bin is read before its r is written
                if (quads is not null)
                {
                    row.BlendQuads(quads, a * nb1 * levels * 4, block, valueBins, outRow, ref mn, ref mx);
                }
                else if (path != BlendPath.Scalar)
                {
                    row.Blend(0, cols, outRow, ref mn, ref mx);
                }
                else
                {
                    row.BlendScalar(0, cols, outRow, ref mn, ref mx);
                }
            }

            mins[t] = mn;
            maxs[t] = mx;
        });

        if (quads is not null)
        {
            ArrayPool<int>.Shared.Return(quads);
        }

        return (mins.Min(), maxs.Max());
    }

    /// <summary>The largest quad table (ints) <see cref="Interpolate"/> builds: 16 MiB; beyond, it gathers from the maps.</summary>
    private const long MaxQuadInts = 1L << 22;

    /// <summary>One image row's blend (step 5): the scalar definition, and its AVX2 form (the same bits).</summary>
    internal readonly ref struct Row(ushort[] bins, int offset, int[] maps, int top, int bottom, double wr0, double wr1, int[] left, int[] right, double[] wc0, double[] wc1)
    {
        private readonly ushort[] _bins = bins;
        private readonly int _offset = offset;
        private readonly int[] _maps = maps;
        private readonly int _top = top;
        private readonly int _bottom = bottom;
        private readonly double _wr0 = wr0;
        private readonly double _wr1 = wr1;
        private readonly int[] _left = left;
        private readonly int[] _right = right;
        private readonly double[] _wc0 = wc0;
        private readonly double[] _wc1 = wc1;

        /// <summary>Columns [from, to) of the row, one by one: the meaning.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void BlendScalar(int from, int to, Span<ushort> dst, ref int min, ref int max)
        {
            for (int x = from; x < to; x++)
            {
                int v = Pixel(x);
                dst[x] = (ushort)v;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        /// <summary>Columns [from, to): eight at a time with AVX2 gathers where available, the rest one by one.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Blend(int from, int to, Span<ushort> dst, ref int min, ref int max)
        {
            int x = from;
            if (Avx2.IsSupported && to - from >= 8)
            {
                x = BlendAvx2(from, to, dst, ref min, ref max);
            }

            BlendScalar(x, to, dst, ref min, ref max);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private int Pixel(int x)
        {
            int bin = _bins[_offset + x];
            float s = (float)(_maps[_top + _left[x] + bin] * (_wc0[x] * _wr0));
            s += (float)(_maps[_top + _right[x] + bin] * (_wc1[x] * _wr0));
            s += (float)(_maps[_bottom + _left[x] + bin] * (_wc0[x] * _wr1));
            s += (float)(_maps[_bottom + _right[x] + bin] * (_wc1[x] * _wr1));
            return (int)s;
        }

        /// <summary>
        /// The whole row, eight columns at a time, the four maps of each pixel read as one 16-byte quad
        /// (quads[rowBlock + block[x] + 4 bin ..]) and transposed to four vectors; the rest one by one.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        /// <param name="valueBins">When given, the row holds raw uint8 values (the quads are indexed by value): the
        /// columns left after the groups of eight take their bins from it before the scalar rule.</param>
        public unsafe void BlendQuads(int[] quads, int rowBlock, int[] block, int[]? valueBins, Span<ushort> dst, ref int min, ref int max)
        {
            int to = dst.Length;
            var vmin = Vector256.Create(min);
            var vmax = Vector256.Create(max);
            int x = 0;
            fixed (ushort* pb = &_bins[_offset])
            fixed (int* pq = quads, pk = block)
            fixed (double* pc0 = _wc0, pc1 = _wc1)
            fixed (ushort* pd = dst)
            {
                int* q = pq + rowBlock;
                for (; x <= to - 8; x += 8)
                {
                    var a0 = Vector256.Create(Sse2.LoadVector128(q + pk[x] + (4 * pb[x])), Sse2.LoadVector128(q + pk[x + 4] + (4 * pb[x + 4])));
                    var a1 = Vector256.Create(Sse2.LoadVector128(q + pk[x + 1] + (4 * pb[x + 1])), Sse2.LoadVector128(q + pk[x + 5] + (4 * pb[x + 5])));
                    var a2 = Vector256.Create(Sse2.LoadVector128(q + pk[x + 2] + (4 * pb[x + 2])), Sse2.LoadVector128(q + pk[x + 6] + (4 * pb[x + 6])));
                    var a3 = Vector256.Create(Sse2.LoadVector128(q + pk[x + 3] + (4 * pb[x + 3])), Sse2.LoadVector128(q + pk[x + 7] + (4 * pb[x + 7])));
                    var t0 = Avx2.UnpackLow(a0, a1);
                    var t1 = Avx2.UnpackLow(a2, a3);
                    var t2 = Avx2.UnpackHigh(a0, a1);
                    var t3 = Avx2.UnpackHigh(a2, a3);
                    var m00 = Avx2.UnpackLow(t0.AsInt64(), t1.AsInt64()).AsInt32();
                    var m01 = Avx2.UnpackHigh(t0.AsInt64(), t1.AsInt64()).AsInt32();
                    var m10 = Avx2.UnpackLow(t2.AsInt64(), t3.AsInt64()).AsInt32();
                    var m11 = Avx2.UnpackHigh(t2.AsInt64(), t3.AsInt64()).AsInt32();
                    Blend8(m00, m01, m10, m11, pc0 + x, pc1 + x, pd + x, ref vmin, ref vmax);
                }
            }

            for (int k = 0; k < 8; k++)
            {
                min = Math.Min(min, vmin.GetElement(k));
                max = Math.Max(max, vmax.GetElement(k));
            }

            if (valueBins is not null)
            {
                for (int k = x; k < to; k++)
                {
                    _bins[_offset + k] = (ushort)valueBins[_bins[_offset + k]];
                }
            }

            BlendScalar(x, to, dst, ref min, ref max);
        }

        /// <summary>Whole groups of 8 columns from <paramref name="from"/>; returns the first column not done.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe int BlendAvx2(int from, int to, Span<ushort> dst, ref int min, ref int max)
        {
            var vmin = Vector256.Create(min);
            var vmax = Vector256.Create(max);
            var top = Vector256.Create(_top);
            var bottom = Vector256.Create(_bottom);
            int x = from;
            fixed (ushort* pb = &_bins[_offset])
            fixed (int* pm = _maps, pl = _left, pr = _right)
            fixed (double* pc0 = _wc0, pc1 = _wc1)
            fixed (ushort* pd = dst)
            {
                for (; x <= to - 8; x += 8)
                {
                    var bin = Avx2.ConvertToVector256Int32(Sse2.LoadVector128(pb + x));
                    var l = Avx2.Add(Avx.LoadVector256(pl + x), bin);
                    var r = Avx2.Add(Avx.LoadVector256(pr + x), bin);
                    var m00 = Avx2.GatherVector256(pm, Avx2.Add(top, l), 4);
                    var m01 = Avx2.GatherVector256(pm, Avx2.Add(top, r), 4);
                    var m10 = Avx2.GatherVector256(pm, Avx2.Add(bottom, l), 4);
                    var m11 = Avx2.GatherVector256(pm, Avx2.Add(bottom, r), 4);
                    Blend8(m00, m01, m10, m11, pc0 + x, pc1 + x, pd + x, ref vmin, ref vmax);
                }
            }

            for (int k = 0; k < 8; k++)
            {
                min = Math.Min(min, vmin.GetElement(k));
                max = Math.Max(max, vmax.GetElement(k));
            }

            return x;
        }

        /// <summary>
        /// Eight pixels' blend from their four maps (the scalar rule's operations per lane): r = trunc of the four
        /// float32(map * (column weight * row weight)) summed in order, stored as ushorts; min / max updated.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private unsafe void Blend8(Vector256<int> m00, Vector256<int> m01, Vector256<int> m10, Vector256<int> m11, double* c0, double* c1, ushort* pd, ref Vector256<int> vmin, ref Vector256<int> vmax)
        {
            Vector256<float> s;
            if (Avx512F.IsSupported)
            {
                // 8 doubles at a time.
                var w0 = Vector512.Create(_wr0);
                var w1 = Vector512.Create(_wr1);
                var a = Vector512.Load(c0);
                var b = Vector512.Load(c1);
                s = Avx.Add(Avx.Add(Avx.Add(Term(m00, a * w0), Term(m01, b * w0)), Term(m10, a * w1)), Term(m11, b * w1));
            }
            else
            {
                var w0 = Vector256.Create(_wr0);
                var w1 = Vector256.Create(_wr1);
                var c0a = Avx.LoadVector256(c0);
                var c0b = Avx.LoadVector256(c0 + 4);
                var c1a = Avx.LoadVector256(c1);
                var c1b = Avx.LoadVector256(c1 + 4);
                s = Term(m00, Avx.Multiply(c0a, w0), Avx.Multiply(c0b, w0));
                s = Avx.Add(s, Term(m01, Avx.Multiply(c1a, w0), Avx.Multiply(c1b, w0)));
                s = Avx.Add(s, Term(m10, Avx.Multiply(c0a, w1), Avx.Multiply(c0b, w1)));
                s = Avx.Add(s, Term(m11, Avx.Multiply(c1a, w1), Avx.Multiply(c1b, w1)));
            }

            var v = Avx.ConvertToVector256Int32WithTruncation(s);
            vmin = Avx2.Min(vmin, v);
            vmax = Avx2.Max(vmax, v);
            Sse2.Store(pd, Sse41.PackUnsignedSaturate(v.GetLower(), v.GetUpper())); // r is 0..16383
        }

        /// <summary>float32(map * weight) of 8 lanes: map as double times the lanes' weights, each rounded to float (AVX-512).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Term(Vector256<int> map, Vector512<double> w)
            => Avx512F.ConvertToVector256Single(Avx512F.Multiply(Avx512F.ConvertToVector512Double(map), w));

        /// <summary>float32(map * weight) of 8 lanes: map as double times the lanes' weights (4 + 4), each rounded to float.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector256<float> Term(Vector256<int> map, Vector256<double> wa, Vector256<double> wb)
        {
            var a = Avx.ConvertToVector128Single(Avx.Multiply(Avx.ConvertToVector256Double(map.GetLower()), wa));
            var b = Avx.ConvertToVector128Single(Avx.Multiply(Avx.ConvertToVector256Double(map.GetUpper()), wb));
            return Vector256.Create(a, b);
        }
    }

    /// <summary>
    /// Step 6: (r - rmin) / (rmax - rmin) in float64 (integer inputs) or float32 (float inputs); a constant r (rmin ==
    /// rmax) is clipped to [0, 1]. Both rules are the float32 quotient of two whole numbers below 2^24 (each exact as a
    /// float): float64 division rounded to float32 is that correctly rounded quotient (53 >= 2 x 24 + 2 bits: the double
    /// rounding is innocuous), and so is float32 division; so one float32 division serves both, 16 at a time on AVX-512.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static unsafe void Finish(ushort[] r, Span<float> dst, int rmin, int rmax, int threads)
    {
        if (rmin == rmax)
        {
            dst.Fill(Math.Min(rmin, 1f)); // every r is rmin
            return;
        }

        int n = dst.Length;
        int parts = Parts(n, threads);
        float low = rmin, span = rmax - rmin;
        fixed (float* pd = dst)
        fixed (ushort* pr = r)
        {
            nint da = (nint)pd, ra = (nint)pr;
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
            {
                var (start, end) = HistogramEqualization.Slice(n, parts, t);
                float* d = (float*)da;
                ushort* from = (ushort*)ra;
                var vlow = Vector512.Create(low);
                var vspan = Vector512.Create(span);
                int k = start;
                for (; Avx512F.IsSupported && k <= end - 16; k += 16)
                {
                    var v = Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(Avx.LoadVector256(from + k)));
                    ((v - vlow) / vspan).Store(d + k);
                }

                for (; k < end; k++)
                {
                    d[k] = (from[k] - low) / span;
                }
            });
        }
    }

    /// <summary>The smallest and largest value (NaN for both when any value is NaN), in parallel with AVX where available.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (float Min, float Max) MinMax(ReadOnlySpan<float> src, int threads)
    {
        int n = src.Length;
        int parts = Parts(n, threads);
        var mins = new float[parts];
        var maxs = new float[parts];
        var nans = new bool[parts];
        unsafe
        {
            fixed (float* ps = src)
            {
                nint sa = (nint)ps;
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
                {
                    var (start, end) = HistogramEqualization.Slice(n, parts, t);
                    float* x = (float*)sa;
                    float mn = float.PositiveInfinity, mx = float.NegativeInfinity;
                    bool nan = false;
                    int k = start;
                    if (Avx.IsSupported && end - start >= 8)
                    {
                        var vmn = Vector256.Create(float.PositiveInfinity);
                        var vmx = Vector256.Create(float.NegativeInfinity);
                        var bad = Vector256<float>.Zero;
                        for (; k <= end - 8; k += 8)
                        {
                            var v = Avx.LoadVector256(x + k);
                            bad = Avx.Or(bad, Avx.CompareUnordered(v, v));
                            vmn = Avx.Min(vmn, v);
                            vmx = Avx.Max(vmx, v);
                        }

                        nan = Avx.MoveMask(bad) != 0;
                        for (int l = 0; l < 8; l++)
                        {
                            mn = Math.Min(mn, vmn.GetElement(l));
                            mx = Math.Max(mx, vmx.GetElement(l));
                        }
                    }

                    for (; k < end; k++)
                    {
                        nan |= float.IsNaN(x[k]);
                        mn = Math.Min(mn, x[k]);
                        mx = Math.Max(mx, x[k]);
                    }

                    mins[t] = mn;
                    maxs[t] = mx;
                    nans[t] = nan;
                });
            }
        }

        return nans.Contains(true) ? (float.NaN, float.NaN) : (mins.Min(), maxs.Max());
    }
}
