using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Measure;

/// <summary>The columns of a region table, one item per region (the intensity columns null without an intensity image).</summary>
public sealed record RegionTable(long[] Label, long[] Area, double[] Centroid0, double[] Centroid1, long[][] Bbox, double[]? Perimeter, double[] Eccentricity,
    double[]? MeanIntensity, double[]? MinIntensity, double[]? MaxIntensity)
{
    /// <summary>axis_major_length = 4 sqrt(l1) of the inertia tensor's larger eigenvalue.</summary>
    public required double[] AxisMajor { get; init; }

    /// <summary>axis_minor_length = 4 sqrt(l2) of the smaller eigenvalue.</summary>
    public required double[] AxisMinor { get; init; }

    /// <summary>orientation: the angle (radians, -pi/2 to pi/2) between the row axis and the major axis.</summary>
    public required double[] Orientation { get; init; }

    /// <summary>centroid_local-0, -1: the centroid relative to the bounding box's corner (sums over the region / area).</summary>
    public required double[] CentroidLocal0 { get; init; }

    /// <summary>See <see cref="CentroidLocal0"/>.</summary>
    public required double[] CentroidLocal1 { get; init; }
}

/// <summary>
/// skimage.measure.regionprops_table (0.19) of a 2-D label image (whole values 0 to 2^24; 0 is background), one row per
/// label present, ascending, in one pass over the pixels (plus one for the border pixels):
/// <list type="bullet">
/// <item>label; area = pixel count; centroid-0, centroid-1 = mean row and column (exact sums / area);</item>
/// <item>bbox-0..3 = min row, min column, max row + 1, max column + 1;</item>
/// <item>perimeter = skimage.measure.perimeter(region, 4): the region's border pixels (in the region, and some
/// 4-neighbour is not, or lies outside the image) are coded 1 + 2 (border 4-neighbours of the same region) + 10 (border
/// diagonal neighbours of the same region); codes 5, 7, 15, 17, 25, 27 weigh 1, codes 21, 33 weigh sqrt 2, codes 13, 23
/// weigh (1 + sqrt 2) / 2, others 0 (skimage's erosion of the bounding-box crop and 3 x 3 convolution, computed
/// in place);</item>
/// <item>eccentricity = sqrt(1 - l2 / l1) for the eigenvalues l1 &gt;= l2 (clipped at 0) of the inertia tensor
/// T = [[a, b], [b, c]] = [[mu02, -mu11], [-mu11, mu20]] / mu00 from the central moments (0 when l1 = 0); the moments
/// come from exact integer sums;
/// axis_major_length = 4 sqrt(l1), axis_minor_length = 4 sqrt(l2); orientation = 0.5 atan2(-2b, c - a), or where a - c
/// is 0 (a region symmetric about a diagonal) pi/4 for b &lt; 0 and -pi/4 otherwise, the atan2's limit, as scikit-image
/// 0.21 and later (0.19 swapped the two signs, scikit-image issue 6815; its own float sums often miss the tie and give
/// the limit too); centroid_local = the centroid minus the bounding box's corner, from exact sums;</item>
/// <item>mean_intensity, min_intensity, max_intensity of the intensity image over the region (double sums; NaN
/// propagates).</item>
/// </list>
/// </summary>
public static class RegionProps
{
    /// <summary>The region table of <paramref name="labels"/>; <paramref name="intensity"/> (same shape) adds the intensity columns.</summary>
    /// <exception cref="LabelException">A label is negative, fractional, not finite or above 2^24.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    /// <param name="perimeters">False: skip the border pass (the perimeter column is then null).</param>
    public static RegionTable Measure(ImageArray labels, ImageArray? intensity, string op, bool perimeters = true)
    {
        int rows = labels.Rows, cols = labels.Cols;
        var data = labels.Data;
        var kind = Components.Classify(labels, op);

        // Dense region index per label value, ascending.
        var index = new RegionIndex(data, kind.MaxLabel);
        int m = index.Count;
        var area = new long[m];
        var sumR = new long[m];
        var sumC = new long[m];
        var sumRR = new long[m];
        var sumCC = new long[m];
        var sumRC = new long[m];
        var minR = new int[m];
        var minC = new int[m];
        var maxR = new int[m];
        var maxC = new int[m];
        Array.Fill(minR, int.MaxValue);
        Array.Fill(minC, int.MaxValue);
        double[]? sumI = intensity is null ? null : new double[m];
        double[]? minI = intensity is null ? null : new double[m];
        double[]? maxI = intensity is null ? null : new double[m];
        if (minI is not null)
        {
            Array.Fill(minI, double.PositiveInfinity);
            Array.Fill(maxI!, double.NegativeInfinity);
        }

        // Runs of one label along each row: moments of a run in closed form.
        for (int r = 0; r < rows; r++)
        {
            int at = r * cols;
            int c = 0;
            while (c < cols)
            {
                float v = data[at + c];
                if (v == 0)
                {
                    c = SkipZeros(data, at + c + 1, at + cols) - at;
                    continue;
                }

                int a = c;
                c = RunEnd(data, at + c, at + cols, v) - at;

                int b = c - 1, n = c - a;
                int k = index[(int)v];
                long sc = ((long)a + b) * n / 2;
                area[k] += n;
                sumR[k] += (long)r * n;
                sumC[k] += sc;
                sumRR[k] += (long)r * r * n;
                sumCC[k] += SumSquares(b) - SumSquares(a - 1);
                sumRC[k] += r * sc;
                minR[k] = Math.Min(minR[k], r);
                maxR[k] = Math.Max(maxR[k], r);
                minC[k] = Math.Min(minC[k], a);
                maxC[k] = Math.Max(maxC[k], b);
                if (intensity is not null)
                {
                    var iv = intensity.Data.AsSpan(at + a, n);
                    double s = 0, lo = minI![k], hi = maxI![k];
                    foreach (float x in iv)
                    {
                        s += x;
                        lo = Math.Min(lo, x);
                        hi = Math.Max(hi, x);
                    }

                    sumI![k] += s;
                    minI[k] = lo;
                    maxI[k] = hi;
                }
            }
        }

        double[]? perimeter = perimeters ? Perimeters(data, rows, cols, index, m) : null;

        var label = new long[m];
        var c0 = new double[m];
        var c1 = new double[m];
        var bbox = new long[4][];
        for (int q = 0; q < 4; q++)
        {
            bbox[q] = new long[m];
        }

        var ecc = new double[m];
        var major = new double[m];
        var minor = new double[m];
        var orientation = new double[m];
        var local0 = new double[m];
        var local1 = new double[m];
        for (int k = 0; k < m; k++)
        {
            label[k] = index.LabelAt(k);
            double n = area[k];
            c0[k] = sumR[k] / n;
            c1[k] = sumC[k] / n;
            bbox[0][k] = minR[k];
            bbox[1][k] = minC[k];
            bbox[2][k] = maxR[k] + 1L;
            bbox[3][k] = maxC[k] + 1L;
            local0[k] = (sumR[k] - (area[k] * minR[k])) / n;
            local1[k] = (sumC[k] - (area[k] * minC[k])) / n;
            var t = Inertia(area[k], sumR[k], sumC[k], sumRR[k], sumCC[k], sumRC[k]);
            ecc[k] = t.Eccentricity;
            major[k] = 4 * Math.Sqrt(t.L1);
            minor[k] = 4 * Math.Sqrt(t.L2);
            orientation[k] = t.Orientation;
        }

        double[]? mean = null;
        if (intensity is not null)
        {
            mean = new double[m];
            for (int k = 0; k < m; k++)
            {
                mean[k] = sumI![k] / area[k];
            }
        }

        return new RegionTable(label, area, c0, c1, bbox, perimeter, ecc, mean, minI, maxI)
        {
            AxisMajor = major,
            AxisMinor = minor,
            Orientation = orientation,
            CentroidLocal0 = local0,
            CentroidLocal1 = local1,
        };
    }

    /// <summary>0^2 + 1^2 + ... + x^2 (0 for x &lt; 0).</summary>
    private static long SumSquares(long x) => x <= 0 ? 0 : x * (x + 1) * ((2 * x) + 1) / 6;

    /// <summary>The inertia tensor's eigenvalues (l1 &gt;= l2, clipped at 0), eccentricity and orientation of a region.</summary>
    internal readonly record struct InertiaOf(double L1, double L2, double Eccentricity, double Orientation);

    /// <summary>sqrt(1 - l2 / l1) of the inertia tensor's eigenvalues (see <see cref="Inertia"/>).</summary>
    internal static double Eccentricity(long n, long sr, long sc, long srr, long scc, long src) => Inertia(n, sr, sc, srr, scc, src).Eccentricity;

    /// <summary>
    /// The inertia tensor of a region of n pixels from its sums of rows, columns and their squares and products.
    /// mu20 = sum (r - rc)^2 = (n sumRR - sumR^2) / n and likewise mu02, mu11, with the numerators exact in 128-bit
    /// integers; T = [[a, b], [b, c]] = [[mu02, -mu11], [-mu11, mu20]] / n (skimage.measure.inertia_tensor in 2-D);
    /// its eigenvalues (a + c) / 2 +- sqrt(((a - c) / 2)^2 + b^2), clipped at 0. (NumPy's eigvalsh, LAPACK's DLAE2,
    /// was tried on 2026-12-06: equal to scikit-image's eccentricity on 91% of random small regions against 90% here,
    /// but one ulp further from it on a lung of the shipped lung-fields recipe, whose locked table this form made;
    /// scikit-image's own float moments decide most last bits on large regions.)
    /// </summary>
    internal static InertiaOf Inertia(long n, long sr, long sc, long srr, long scc, long src)
    {
        double mu20 = (double)(((Int128)n * srr) - ((Int128)sr * sr)) / n;
        double mu02 = (double)(((Int128)n * scc) - ((Int128)sc * sc)) / n;
        double mu11 = (double)(((Int128)n * src) - ((Int128)sr * sc)) / n;

        double a = mu02 / n, b = -mu11 / n, d = mu20 / n;
        double mean = (a + d) / 2, half = (a - d) / 2;
        double root = Math.Sqrt((half * half) + (b * b));
        double l1 = Math.Max(mean + root, 0), l2 = Math.Max(mean - root, 0);
        double eccentricity = l1 == 0 ? 0 : Math.Sqrt(1 - (l2 / l1));

        // skimage's orientation; where the diagonal ties (a = c), pi/4 for b < 0, else -pi/4: the limit of the atan2
        // from either side, as skimage 0.21 has it (0.19's signs were swapped, scikit-image issue 6815).
        double orientation = a - d == 0 ? (b < 0 ? Math.PI / 4 : -Math.PI / 4) : 0.5 * Math.Atan2(-2 * b, d - a);
        return new InertiaOf(l1, l2, eccentricity, orientation);
    }

    /// <summary>skimage's perimeter (neighbourhood 4) of every region, from its border pixels' codes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] Perimeters(float[] data, int rows, int cols, RegionIndex index, int m)
    {
        var ones = new long[m];
        var diagonal = new long[m];
        var corner = new long[m];
        byte[] border = ArrayPool<byte>.Shared.Rent(rows * cols);
        try
        {
            // border[p] = p is in a region and a 4-neighbour is not in it (or outside the image).
            for (int r = 0; r < rows; r++)
            {
                int at = r * cols;
                int c = 0;
                if (r > 0 && r < rows - 1)
                {
                    // Inside rows, columns 1 .. cols - 2, 8 at a time (the same test as below).
                    c = BorderRow(data, border, at, cols);
                }

                for (; c < cols; c++)
                {
                    float v = data[at + c];
                    border[at + c] = (byte)(v != 0 && (r == 0 || r == rows - 1 || c == 0 || c == cols - 1
                        || data[at + c - cols] != v || data[at + c + cols] != v || data[at + c - 1] != v || data[at + c + 1] != v) ? 1 : 0);
                }
            }

            for (int r = 0; r < rows; r++)
            {
                int at = r * cols;
                for (int c = 0; c < cols; c++)
                {
                    if (border[at + c] == 0)
                    {
                        // Eight non-border pixels at once where they are all in this row.
                        while (c + 8 <= cols && Unsafe.ReadUnaligned<ulong>(ref border[at + c]) == 0)
                        {
                            c += 8;
                        }

                        if (c >= cols || border[at + c] == 0)
                        {
                            continue;
                        }
                    }

                    float v = data[at + c];
                    bool Same(int rr, int cc) => rr >= 0 && rr < rows && cc >= 0 && cc < cols && border[(rr * cols) + cc] != 0 && data[(rr * cols) + cc] == v;
                    int code = 1
                        + (2 * ((Same(r - 1, c) ? 1 : 0) + (Same(r + 1, c) ? 1 : 0) + (Same(r, c - 1) ? 1 : 0) + (Same(r, c + 1) ? 1 : 0)))
                        + (10 * ((Same(r - 1, c - 1) ? 1 : 0) + (Same(r - 1, c + 1) ? 1 : 0) + (Same(r + 1, c - 1) ? 1 : 0) + (Same(r + 1, c + 1) ? 1 : 0)));
                    int k = index[(int)v];
                    switch (code)
                    {
                        case 5 or 7 or 15 or 17 or 25 or 27:
                            ones[k]++;
                            break;
                        case 21 or 33:
                            diagonal[k]++;
                            break;
                        case 13 or 23:
                            corner[k]++;
                            break;
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(border);
        }

        var perimeter = new double[m];
        for (int k = 0; k < m; k++)
        {
            perimeter[k] = ones[k] + (diagonal[k] * Math.Sqrt(2)) + (corner[k] * ((1 + Math.Sqrt(2)) / 2));
        }

        return perimeter;
    }

    /// <summary>The first index in [from, end) whose value is not 0 (end if none): 8 values a test.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int SkipZeros(float[] data, int from, int end) => RunEnd(data, from, end, 0f);

    /// <summary>The first index in [from, end) whose value is not <paramref name="v"/> (end if none): 8 values a test.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int RunEnd(float[] data, int from, int end, float v)
    {
        int k = from;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float d0 = ref MemoryMarshal.GetArrayDataReference(data);
            var value = Vector256.Create(v);
            for (; k <= end - 8; k += 8)
            {
                uint same = Vector256.Equals(Vector256.LoadUnsafe(ref d0, (nuint)k), value).ExtractMostSignificantBits();
                if (same != 0xFFu)
                {
                    return k + System.Numerics.BitOperations.TrailingZeroCount(~same);
                }
            }
        }

        while (k < end && data[k] == v)
        {
            k++;
        }

        return k;
    }

    /// <summary>
    /// border[at + c] for c in 1 .. up to cols - 2 of an inside row (rows above and below exist), 8 columns a step:
    /// (v != 0) and (a 4-neighbour differs). Returns the first column left to the scalar loop (0 when there is no
    /// vector path: the whole row).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int BorderRow(float[] data, byte[] border, int at, int cols)
    {
        if (!Vector256.IsHardwareAccelerated || cols < 10)
        {
            return 0;
        }

        ref float d0 = ref MemoryMarshal.GetArrayDataReference(data);
        ref byte b0 = ref MemoryMarshal.GetArrayDataReference(border);
        int c = 1;
        for (; c + 8 <= cols - 1; c += 8)
        {
            nuint p = (nuint)(at + c);
            var v = Vector256.LoadUnsafe(ref d0, p);
            var differs = ~Vector256.Equals(Vector256.LoadUnsafe(ref d0, p - (nuint)cols), v)
                | ~Vector256.Equals(Vector256.LoadUnsafe(ref d0, p + (nuint)cols), v)
                | ~Vector256.Equals(Vector256.LoadUnsafe(ref d0, p - 1), v)
                | ~Vector256.Equals(Vector256.LoadUnsafe(ref d0, p + 1), v);
            uint bits = (differs & ~Vector256.Equals(v, Vector256<float>.Zero)).ExtractMostSignificantBits();
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref b0, (nint)p), bits == 0 ? 0UL : ByteMask[bits]);
        }

        // Column 0 of an inside row: in a region means on the border (the image's edge).
        border[at] = (byte)(data[at] != 0 ? 1 : 0);
        return c;
    }

    /// <summary>ByteMask[bits]: byte i is 1 where bit i of bits is set.</summary>
    private static readonly ulong[] ByteMask = BuildByteMask();

    private static ulong[] BuildByteMask()
    {
        var t = new ulong[256];
        for (int bits = 0; bits < 256; bits++)
        {
            for (int i = 0; i < 8; i++)
            {
                if ((bits & (1 << i)) != 0)
                {
                    t[bits] |= 1UL << (8 * i);
                }
            }
        }

        return t;
    }

    /// <summary>The labels present, ascending, and each one's row of the table.</summary>
    private sealed class RegionIndex
    {
        private readonly int[]? _dense;
        private readonly Dictionary<int, int>? _sparse;
        private readonly int[] _labels;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public RegionIndex(float[] data, int max)
        {
            if (max <= Math.Max(65536L, 4L * data.Length))
            {
                // One store per run of a value (labels come in runs, found 8 values a test; 0 is never looked up): one
                // store per pixel took about 0.3 ms on a 1024 x 1024 label image.
                var seen = new int[max + 1];
                for (int k = 0; k < data.Length;)
                {
                    float v = data[k];
                    seen[(int)v] = 1;
                    k = RunEnd(data, k + 1, data.Length, v);
                }

                var labels = new List<int>();
                for (int l = 1; l <= max; l++)
                {
                    if (seen[l] != 0)
                    {
                        seen[l] = labels.Count;
                        labels.Add(l);
                    }
                }

                _dense = seen;
                _labels = [.. labels];
            }
            else
            {
                var set = new SortedSet<int>();
                for (int k = 0; k < data.Length;)
                {
                    float v = data[k];
                    if (v != 0)
                    {
                        set.Add((int)v);
                    }

                    k = RunEnd(data, k + 1, data.Length, v);
                }

                _labels = [.. set];
                _sparse = new Dictionary<int, int>(_labels.Length);
                for (int k = 0; k < _labels.Length; k++)
                {
                    _sparse[_labels[k]] = k;
                }
            }
        }

        public int Count => _labels.Length;

        public int this[int label] => _dense is not null ? _dense[label] : _sparse![label];

        public int LabelAt(int k) => _labels[k];
    }
}
