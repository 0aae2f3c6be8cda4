using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Fourier;

/// <summary>Fourier-domain filters with scipy.ndimage's exact meaning (scipy/ndimage/src/ni_fourier.c).</summary>
public static class FourierFilters
{
    /// <summary>
    /// scipy.ndimage.fourier_gaussian on each 2-D frame. For an axis of length d (or n along <paramref name="axis"/>
    /// when n &gt;= 0) and sigma s, with a = -2 (s pi / d)^2, the factor at frequency index k is
    /// <c>exp(a k^2)</c>, or exactly 0 when |a k^2| &gt; 50 (SciPy's cut-off). k runs as numpy.fft.fftfreq(d) * d:
    /// 0, 1, ..., (d+1)/2 - 1, -(d/2), ..., -1 — or 0..d-1 along the real-transform axis when n &gt;= 0. An axis of
    /// length 1 is not filtered. The product of the row and column factors is formed in double and
    /// multiplies both parts of a complex input (real input: real output, as SciPy for float32). Result float32.
    /// Rows run in parallel on up to <paramref name="threads"/> threads (0 = all cores); see <see cref="ScaleRow"/>.
    /// </summary>
    public static ImageArray Gaussian(ImageArray src, IReadOnlyList<double> sigma, int n = -1, int axis = -1, string stepId = "step", int threads = 0)
    {
        if (sigma.Count is not (1 or 2))
        {
            throw new InvalidOperationException($"step '{stepId}': sigma has {sigma.Count} values; give one, or one per axis [rows, cols]");
        }

        if (axis is < -2 or > 1)
        {
            throw new InvalidOperationException($"step '{stepId}': axis {axis} is not an axis of a 2-D image (-2..1)");
        }

        if (n == 0)
        {
            throw new InvalidOperationException($"step '{stepId}': n = 0 is not a signal length; use -1 for a full complex FFT or the length before rfft");
        }

        int ax = axis < 0 ? axis + 2 : axis;
        double sRow = sigma[0];
        double sCol = sigma.Count == 2 ? sigma[1] : sigma[0];
        double[] fr = Factors(src.Rows, sRow, ax == 0 ? n : -1);
        double[] fc = Factors(src.Cols, sCol, ax == 1 ? n : -1);

        var dst = ImageArray.Rent(src, src.IsComplex);
        int rows = src.Rows, cols = src.Cols;
        int lines = src.Frames * rows;
        if (threads <= 0)
        {
            threads = Environment.ProcessorCount;
        }

        void Line(int line)
        {
            double a = fr[line % rows];
            int o = line * cols;
            ScaleRow(src.Data.AsSpan(o, cols), dst.Data.AsSpan(o, cols), a, fc);
            if (src.Imag is { } im)
            {
                ScaleRow(im.AsSpan(o, cols), dst.Imag.AsSpan(o, cols), a, fc);
            }
        }

        if (threads > 1 && (long)lines * cols >= 1 << 16)
        {
            // Chunks of rows, one per task: the work per row is tiny.
            int chunk = Math.Max(1, lines / (threads * 4));
            Parallel.For(0, (lines + chunk - 1) / chunk, new ParallelOptions { MaxDegreeOfParallelism = threads }, k =>
            {
                for (int line = k * chunk, end = Math.Min(lines, line + chunk); line < end; line++)
                {
                    Line(line);
                }
            });
        }
        else
        {
            for (int line = 0; line < lines; line++)
            {
                Line(line);
            }
        }

        return dst;
    }

    /// <summary>
    /// dst[c] = (float)((a · fc[c]) · x[c]), every product in double — the scalar meaning, also of the vector
    /// loop (IEEE double multiplies in the same order, one rounding to float32 at the end: bit-identical).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void ScaleRow(ReadOnlySpan<float> x, Span<float> dst, double a, double[] fc)
    {
        int n = x.Length;
        int c = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated && n >= System.Numerics.Vector<float>.Count)
        {
            int w = System.Numerics.Vector<float>.Count;
            int dw = System.Numerics.Vector<double>.Count;
            var va = new System.Numerics.Vector<double>(a);
            var f = fc.AsSpan(0, n);
            for (; c <= n - w; c += w)
            {
                System.Numerics.Vector.Widen(new System.Numerics.Vector<float>(x[c..]), out var lo, out var hi);
                var tlo = va * new System.Numerics.Vector<double>(f[c..]);
                var thi = va * new System.Numerics.Vector<double>(f[(c + dw)..]);
                System.Numerics.Vector.Narrow(tlo * lo, thi * hi).CopyTo(dst[c..]);
            }
        }

        for (; c < n; c++)
        {
            double t = a * fc[c];
            dst[c] = (float)(t * x[c]);
        }
    }

    /// <summary>The per-axis factor table of fourier_gaussian (see <see cref="Gaussian"/>).</summary>
    public static double[] Factors(int length, double sigma, int n)
    {
        var table = new double[length];
        if (length == 1)
        {
            table[0] = 1.0;
            return table;
        }

        int shape = n < 0 ? length : n;
        double p = sigma * Math.PI / shape;
        p = -2.0 * p * p;
        if (n >= 0)
        {
            for (int k = 0; k < length; k++)
            {
                table[k] = Exp(p, k);
            }
        }
        else
        {
            int j = 0;
            for (int k = 0; k < (length + 1) / 2; k++)
            {
                table[j++] = Exp(p, k);
            }

            for (int k = -(length / 2); k < 0; k++)
            {
                table[j++] = Exp(p, k);
            }
        }

        return table;
    }

    private static double Exp(double p, int k)
    {
        double t = p * k * k;
        return Math.Abs(t) > 50.0 ? 0.0 : Math.Exp(t);
    }
}
