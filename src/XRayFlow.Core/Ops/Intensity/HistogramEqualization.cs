using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Statistics;

namespace XRayFlow.Core.Ops.Intensity;

/// <summary>
/// skimage.exposure.equalize_hist (scikit-image 0.19.3) on one frame: every pixel becomes the value of the
/// cumulative distribution of the counted pixels (all of them, or those where the mask is nonzero), read with
/// numpy.interp at the bin centres.
/// <list type="bullet">
/// <item>uint8 / uint16 (see <see cref="SkimageDtypes"/>): one bin per integer value from the smallest to the
/// largest counted value (nbins is ignored, as scikit-image); cdf[v] = (count of values &lt;= v) / count, in
/// float64; a pixel takes cdf at its value, cdf[first] below the counted range and 1 above it.</item>
/// <item>float32: numpy.histogram with nbins bins over [min, max] of the counted values (widened by 0.5 each side
/// when min == max): edges float32(linspace(min, max, nbins + 1)); a value's bin is
/// int(float32(float32(x - min) * float32(nbins / (max - min)))), corrected down when x &lt; edge[i] and up when
/// x &gt;= edge[i + 1] (the last bin is closed); the cdf is cast to float32; centres are
/// float32((edge[i] + edge[i + 1]) / 2); every pixel is numpy.interp(x, centres, cdf) in float64: cdf[0] below
/// the first centre, cdf[-1] above the last, exactly cdf[j] at a centre, else
/// slope_j * (x - centre_j) + cdf_j with slope_j = (cdf_{j+1} - cdf_j) / (centre_{j+1} - centre_j). NaN stays NaN.</item>
/// </list>
/// The result is float32 (scikit-image's float64 for integer images, rounded once).
/// </summary>
public static class HistogramEqualization
{
    /// <summary>Equalizes <paramref name="src"/> into <paramref name="dst"/>; <paramref name="mask"/> empty = every pixel is counted.</summary>
    /// <exception cref="ArgumentException">No pixel is counted (an empty mask), or a counted value is NaN or infinite (float path).</exception>
    public static void Apply(ReadOnlySpan<float> src, ReadOnlySpan<float> mask, Span<float> dst, SkimageDtype dtype, int nbins, int threads)
        => Apply(src, mask, dst, dtype, nbins, threads, vectorInterp: true);

    /// <summary>As the public overload; <paramref name="vectorInterp"/> false runs numpy.interp value by value only (tests compare the two).</summary>
    internal static void Apply(ReadOnlySpan<float> src, ReadOnlySpan<float> mask, Span<float> dst, SkimageDtype dtype, int nbins, int threads, bool vectorInterp)
    {
        if (dst.Length != src.Length || (!mask.IsEmpty && mask.Length != src.Length))
        {
            throw new ArgumentException("src, mask and dst must have one length");
        }

        if (nbins < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(nbins), "nbins must be at least 1");
        }

        unsafe
        {
            fixed (float* ps = src, pm = mask, pd = dst)
            {
                var job = new Job(ps, mask.IsEmpty ? null : pm, pd, src.Length, Math.Max(1, threads), vectorInterp);
                if (dtype == SkimageDtype.Float32)
                {
                    job.FloatPath(nbins);
                }
                else
                {
                    job.IntegerPath(dtype == SkimageDtype.UInt8 ? 256 : 65536);
                }
            }
        }
    }

    /// <summary>The pixels of one frame, as pointers so the parallel parts can share them.</summary>
    private readonly unsafe struct Job(float* src, float* mask, float* dst, int n, int threads, bool vectorInterp)
    {
        private readonly bool _vectorInterp = vectorInterp;
        private readonly float* _src = src;
        private readonly float* _mask = mask;
        private readonly float* _dst = dst;
        private readonly int _n = n;
        private readonly int _threads = threads;

        private int Parts => Math.Max(1, Math.Min(_threads, _n / (1 << 16)));

        /// <summary>numpy's bool(mask value): nonzero (NaN included) counts.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool Counted(int k) => _mask == null || _mask[k] != 0f;

        /// <summary>
        /// The integer path over values 0 .. <paramref name="levels"/> - 1 (256 for uint8, 65536 for uint16): the counts
        /// by numpy.bincount's kernel (ImageHistogram.BinCount) or, with a mask, a table per part of the counted pixels;
        /// then the lookup table maps every pixel.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void IntegerPath(int levels)
        {
            int parts = Parts;
            var self = this;
            long[] hist;
            if (_mask == null)
            {
                hist = ImageHistogram.BinCount(new ReadOnlySpan<float>(_src, _n), levels, _threads);
            }
            else
            {
                // Only the counted pixels: a table per part, summed.
                var counts = new long[parts][];
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
                {
                    var (start, end) = Slice(self._n, parts, t);
                    var c = new long[levels];
                    for (int k = start; k < end; k++)
                    {
                        if (self.Counted(k))
                        {
                            c[(int)self._src[k]]++;
                        }
                    }

                    counts[t] = c;
                });

                hist = counts[0];
                for (int t = 1; t < parts; t++)
                {
                    for (int v = 0; v < hist.Length; v++)
                    {
                        hist[v] += counts[t][v];
                    }
                }
            }

            int lo = 0, hi = levels - 1;
            while (lo < levels && hist[lo] == 0)
            {
                lo++;
            }

            if (lo == levels)
            {
                throw new ArgumentException("the mask selects no pixel (equalize_hist needs at least one)");
            }

            while (hist[hi] == 0)
            {
                hi--;
            }

            // cdf over the centres lo..hi; below lo np.interp gives cdf[0], above hi cdf[-1] (= 1).
            var lut = new float[levels];
            long total = 0;
            for (int v = lo; v <= hi; v++)
            {
                total += hist[v];
            }

            long cum = 0;
            for (int v = lo; v <= hi; v++)
            {
                cum += hist[v];
                lut[v] = (float)(cum / (double)total);
            }

            for (int v = 0; v < lo; v++)
            {
                lut[v] = lut[lo];
            }

            for (int v = hi + 1; v < levels; v++)
            {
                lut[v] = lut[hi];
            }

            // Every pixel through the table: for uint8 by permutes from registers, for uint16 by gathers (ExposureCurves.Map).
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
            {
                var (start, end) = Slice(self._n, parts, t);
                ExposureCurves.Map(new ReadOnlySpan<float>(self._src + start, end - start), new Span<float>(self._dst + start, end - start), lut);
            });
        }

        /// <summary>The smallest and largest counted value, value by value in parts (NaN for both when one is not finite).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private (float Min, float Max) CountedRange(int parts)
        {
            var self = this;
            var mins = new float[parts];
            var maxs = new float[parts];
            var any = new bool[parts];
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
            {
                var (start, end) = Slice(self._n, parts, t);
                float mn = float.PositiveInfinity, mx = float.NegativeInfinity;
                bool seen = false, bad = false;
                for (int k = start; k < end; k++)
                {
                    if (self.Counted(k))
                    {
                        float x = self._src[k];
                        seen = true;
                        bad |= !float.IsFinite(x);
                        mn = Math.Min(mn, x);
                        mx = Math.Max(mx, x);
                    }
                }

                any[t] = seen;
                mins[t] = bad ? float.NaN : mn;
                maxs[t] = mx;
            });

            if (!any.Contains(true))
            {
                throw new ArgumentException("the mask selects no pixel (equalize_hist needs at least one)");
            }

            float first = float.PositiveInfinity, last = float.NegativeInfinity;
            for (int t = 0; t < parts; t++)
            {
                if (!any[t])
                {
                    continue;
                }

                if (float.IsNaN(mins[t]))
                {
                    return (float.NaN, float.NaN);
                }

                first = Math.Min(first, mins[t]);
                last = Math.Max(last, maxs[t]);
            }

            return (first, last);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void FloatPath(int nbins)
        {
            int parts = Parts;
            var self = this;

            // 1. The range of the counted values (every value without a mask: one SIMD pass).
            var (lowest, highest) = _mask == null && _n > 0 ? Extremes.MinMax(new ReadOnlySpan<float>(_src, _n), _threads) : CountedRange(parts);
            if (!float.IsFinite(lowest) || !float.IsFinite(highest))
            {
                throw new ArgumentException("the image has NaN or infinite values where the histogram is counted (numpy.histogram needs a finite range)");
            }

            double first = lowest, last = highest;
            if (first == last)
            {
                first -= 0.5;
                last += 0.5;
            }

            // 2. numpy.histogram's edges (float32 linspace) and bin rule.
            var edges = new float[nbins + 1];
            double step = (last - first) / nbins;
            for (int i = 0; i < nbins; i++)
            {
                edges[i] = (float)((i * step) + first);
            }

            edges[nbins] = (float)last;
            var bins = new Bins(edges, (float)first, (float)(nbins / (last - first)));

            long[] hist;
            if (_mask == null && _n > 0 && Avx2.IsSupported)
            {
                // Every value: numpy.histogram's bins by the thresholds' vector count (the same edges and bin rule).
                hist = ImageHistogram.FloatCountsFast(new ReadOnlySpan<float>(_src, _n), ImageHistogram.FloatBins.Create(lowest, highest, nbins), _threads);
            }
            else
            {
                var counts = new long[parts][];
                Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
                {
                    var c = new long[nbins];
                    var (start, end) = Slice(self._n, parts, t);
                    for (int k = start; k < end; k++)
                    {
                        if (self.Counted(k))
                        {
                            c[bins.Of(self._src[k])]++;
                        }
                    }

                    counts[t] = c;
                });

                hist = counts[0];
                for (int t = 1; t < parts; t++)
                {
                    for (int i = 0; i < nbins; i++)
                    {
                        hist[i] += counts[t][i];
                    }
                }
            }

            // 3. cdf (float32, as scikit-image casts it for float32 images), centres, slopes.
            long total = 0;
            foreach (long h in hist)
            {
                total += h;
            }

            var cdf = new double[nbins];
            long cum = 0;
            for (int i = 0; i < nbins; i++)
            {
                cum += hist[i];
                cdf[i] = (float)(cum / (double)total);
            }

            var centres = new double[nbins];
            for (int i = 0; i < nbins; i++)
            {
                centres[i] = (edges[i] + edges[i + 1]) / 2f;
            }

            var slopes = new double[Math.Max(nbins - 1, 0)];
            for (int i = 0; i < slopes.Length; i++)
            {
                slopes[i] = (cdf[i + 1] - cdf[i]) / (centres[i + 1] - centres[i]);
            }

            // 4. numpy.interp at every pixel (counted or not).
            var interp = new Interp(centres, cdf, slopes, bins);
            Parallel.For(0, parts, new ParallelOptions { MaxDegreeOfParallelism = parts }, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (t) =>
            {
                var (start, end) = Slice(self._n, parts, t);
                int k = self._vectorInterp ? interp.Run4(self._src, self._dst, start, end) : start;
                for (; k < end; k++)
                {
                    self._dst[k] = (float)interp.At(self._src[k]);
                }
            });
        }
    }

    /// <summary>numpy.histogram's bin of a value inside [first, last] (uniform bins: index from the scaled offset, then corrected against the edges).</summary>
    private sealed class Bins(float[] edges, float first, float norm)
    {
        private readonly float[] _edges = edges;
        private readonly float _first = first;
        private readonly float _norm = norm;
        private readonly int _n = edges.Length - 1;

        public float First => _first;

        public float Norm => _norm;

        /// <summary>The number of bins.</summary>
        public int Count => _n;

        /// <summary>The uncorrected index, clamped to 0..n-1 (also a search start for values outside the range).</summary>
        public int Guess(float x)
        {
            float f = (x - _first) * _norm;
            return f >= _n - 1 ? _n - 1 : f > 0f ? (int)f : 0;
        }

        public int Of(float x)
        {
            int i = Guess(x);
            if (x < _edges[i])
            {
                i--;
            }

            if (i != _n - 1 && x >= _edges[i + 1])
            {
                i++;
            }

            return Math.Clamp(i, 0, _n - 1);
        }
    }

    /// <summary>numpy.interp(x, xp, fp) with numpy's rules (left = fp[0], right = fp[-1], exact at a knot).</summary>
    private sealed class Interp(double[] xp, double[] fp, double[] slopes, Bins bins)
    {
        private readonly double[] _xp = xp;
        private readonly double[] _fp = fp;
        private readonly double[] _slopes = slopes;
        private readonly Bins _bins = bins;

        /// <summary>
        /// <see cref="At"/> for values start.. in steps of 4 (AVX2 gathers), from the histogram bin's guess j0: j = j0,
        /// or j0 - 1 when xp[j0] &gt; x; a lane whose x lies strictly between xp[j] and xp[j + 1] (0 &lt;= j &lt;= n - 2)
        /// takes slope[j] (x - xp[j]) + fp[j] with the same operations as <see cref="At"/> (no fused multiply-add),
        /// every other lane (NaN, a knot, outside the centres, a guess off by more, a NaN result) takes
        /// <see cref="At"/> itself. Returns the first index left to the caller (start without AVX2).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public unsafe int Run4(float* src, float* dst, int start, int end)
        {
            int n = _xp.Length;
            if (!Avx2.IsSupported || n < 2)
            {
                return start;
            }

            int k = start;
            fixed (double* xp = _xp, fp = _fp, sl = _slopes)
            {
                var first = Vector128.Create(_bins.First);
                var norm = Vector128.Create(_bins.Norm);
                var top = Vector128.Create((float)(_bins.Count - 1));
                var nm2 = Vector128.Create(n - 2);
                for (; k <= end - 4; k += 4)
                {
                    var v = Sse.LoadVector128(src + k);

                    // Guess: ((x - first) * norm) clamped to 0..bins - 1, truncated; NaN becomes 0 (maxps returns its
                    // second operand when either is NaN), so every gather index stays inside the tables.
                    var f = Sse.Min(Sse.Max((v - first) * norm, Vector128<float>.Zero), top);
                    var j0 = Sse2.ConvertToVector128Int32WithTruncation(f);
                    j0 = Vector128.Min(j0, Vector128.Create(n - 1));
                    var x = Avx.ConvertToVector256Double(v);
                    int above = (int)Avx.CompareGreaterThan(Avx2.GatherVector256(xp, j0, 8), x).ExtractMostSignificantBits();
                    var j = j0 - Vector128.Create(above & 1, (above >> 1) & 1, (above >> 2) & 1, (above >> 3) & 1);
                    int valid = (int)Vector128.ExtractMostSignificantBits(~(Vector128.LessThan(j, Vector128<int>.Zero) | Vector128.GreaterThan(j, nm2)));
                    var jc = Vector128.Min(Vector128.Max(j, Vector128<int>.Zero), nm2);
                    var a = Avx2.GatherVector256(xp, jc, 8);
                    var b = Avx2.GatherVector256(xp + 1, jc, 8);
                    int inside = (int)(Avx.CompareLessThan(a, x) & Avx.CompareLessThan(x, b)).ExtractMostSignificantBits();
                    var r = Avx.Add(Avx.Multiply(Avx2.GatherVector256(sl, jc, 8), Avx.Subtract(x, a)), Avx2.GatherVector256(fp, jc, 8));
                    int ok = valid & inside & ~(int)Avx.CompareNotEqual(r, r).ExtractMostSignificantBits() & 0xF;
                    Sse.Store(dst + k, Avx.ConvertToVector128Single(r));
                    if (ok != 0xF)
                    {
                        for (int l = 0; l < 4; l++)
                        {
                            if ((ok & (1 << l)) == 0)
                            {
                                dst[k + l] = (float)At(src[k + l]);
                            }
                        }
                    }
                }
            }

            return k;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public double At(float value)
        {
            if (float.IsNaN(value))
            {
                return double.NaN;
            }

            double x = value;
            int n = _xp.Length;
            if (n == 1)
            {
                return _fp[0];
            }

            // The largest j with xp[j] <= x, starting from the histogram bin (j is that bin or the one before).
            int j = _bins.Guess(value);
            while (j >= 0 && _xp[j] > x)
            {
                j--;
            }

            while (j + 1 < n && _xp[j + 1] <= x)
            {
                j++;
            }

            return NumpyInterp.Between(x, _xp, _fp, Math.Min(j, n - 1), _slopes);
        }
    }

    internal static (int Start, int End) Slice(int n, int parts, int t)
    {
        long start = (long)n * t / parts, end = (long)n * (t + 1) / parts;
        return ((int)start, (int)end);
    }
}
