using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Ops.Fourier;

/// <summary>
/// A 1-D complex DFT of one length, float32, split real/imaginary arrays, in place:
/// <c>X[k] = sum_j x[j] exp(-2 pi i j k / n)</c> (numpy's sign, no scaling on the forward transform).
/// Powers of two use an iterative radix-2 decimation-in-time transform (bit reversal, then log2(n) passes of
/// butterflies, vectorised with <see cref="Vector{T}"/> once a pass's half-width reaches the vector width);
/// every other length uses Bluestein's chirp-z algorithm on a power-of-two transform of length &gt;= 2n - 1, so
/// any length (97, 131, a prime, 1) is exact up to float rounding. Twiddles and chirps are computed in double
/// (the chirp from k^2 mod 2n, exactly) and stored as float.
/// </summary>
public sealed class FftPlan
{
    private static readonly ConcurrentDictionary<int, FftPlan> Cache = new();

    [ThreadStatic]
    private static float[]? scratchRe;

    [ThreadStatic]
    private static float[]? scratchIm;

    // Power of two: bit-reversal swap pairs, and twiddles tw[h + j] = exp(-i pi j / h) for the pass of half-width h.
    internal readonly int[] bitrev = [];
    internal readonly int[] swapA = [];
    internal readonly int[] swapB = [];
    internal readonly float[] twRe = [];
    internal readonly float[] twIm = [];

    // Bluestein
    private readonly FftPlan? inner;
    private readonly float[] chirpRe = [];
    private readonly float[] chirpIm = [];
    private readonly float[] kernelRe = [];
    private readonly float[] kernelIm = [];

    private FftPlan(int n)
    {
        Length = n;
        IsPowerOfTwo = BitOperations.IsPow2(n);
        if (IsPowerOfTwo)
        {
            int bits = BitOperations.Log2((uint)n);
            var a = new List<int>();
            var b = new List<int>();
            bitrev = new int[n];
            for (int i = 0; i < n; i++)
            {
                int r = bits == 0 ? 0 : (int)(ReverseBits((uint)i) >> (32 - bits));
                bitrev[i] = r;
                if (bits > 0 && r > i)
                {
                    a.Add(i);
                    b.Add(r);
                }
            }

            swapA = [.. a];
            swapB = [.. b];

            // Pass with half-width h uses tw[h + j] = exp(-i pi j / h), j < h.
            twRe = new float[Math.Max(n, 1)];
            twIm = new float[Math.Max(n, 1)];
            for (int h = 1; h < n; h <<= 1)
            {
                for (int j = 0; j < h; j++)
                {
                    double ang = -Math.PI * j / h;
                    twRe[h + j] = (float)Math.Cos(ang);
                    twIm[h + j] = (float)Math.Sin(ang);
                }
            }
        }
        else
        {
            int m = (int)BitOperations.RoundUpToPowerOf2((uint)((2 * n) - 1));
            inner = Get(m);
            chirpRe = new float[n];
            chirpIm = new float[n];
            var bRe = new float[m];
            var bIm = new float[m];
            long twoN = 2L * n;
            for (int k = 0; k < n; k++)
            {
                // w_k = exp(-i pi k^2 / n); k^2 mod 2n keeps the angle exact for large k.
                long k2 = (long)k * k % twoN;
                double ang = -Math.PI * k2 / n;
                chirpRe[k] = (float)Math.Cos(ang);
                chirpIm[k] = (float)Math.Sin(ang);
                bRe[k] = chirpRe[k];
                bIm[k] = -chirpIm[k];
                if (k > 0)
                {
                    bRe[m - k] = chirpRe[k];
                    bIm[m - k] = -chirpIm[k];
                }
            }

            inner.ForwardCore(bRe, bIm);
            kernelRe = bRe;
            kernelIm = bIm;
        }
    }

    public int Length { get; }

    public bool IsPowerOfTwo { get; }

    /// <summary>The (cached, thread-safe) plan for length <paramref name="n"/> &gt;= 1.</summary>
    public static FftPlan Get(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        return Cache.GetOrAdd(n, static k => new FftPlan(k));
    }

    /// <summary>Forward DFT in place (no scaling).</summary>
    public void Forward(Span<float> re, Span<float> im)
    {
        if (re.Length != Length || im.Length != Length)
        {
            throw new ArgumentException($"FFT of length {Length} got {re.Length}/{im.Length} values");
        }

        if (IsPowerOfTwo)
        {
            ForwardCore(re, im);
        }
        else
        {
            Bluestein(re, im);
        }
    }

    /// <summary>Inverse DFT in place, scaled by 1/n (numpy.fft.ifft, norm "backward").</summary>
    public void Inverse(Span<float> re, Span<float> im)
    {
        Negate(im);
        Forward(re, im);
        float s = 1f / Length;
        Scale(re, s);
        Scale(im, -s);
    }

    /// <summary>Inverse DFT in place WITHOUT the 1/n scaling.</summary>
    public void InverseUnscaled(Span<float> re, Span<float> im)
    {
        Negate(im);
        Forward(re, im);
        Negate(im);
    }

    private void Bluestein(Span<float> re, Span<float> im)
    {
        int n = Length;
        int m = inner!.Length;
        if (scratchRe is null || scratchRe.Length < m)
        {
            scratchRe = new float[m];
            scratchIm = new float[m];
        }

        var ar = scratchRe.AsSpan(0, m);
        var ai = scratchIm!.AsSpan(0, m);
        for (int k = 0; k < n; k++)
        {
            float xr = re[k], xi = im[k], wr = chirpRe[k], wi = chirpIm[k];
            ar[k] = (xr * wr) - (xi * wi);
            ai[k] = (xr * wi) + (xi * wr);
        }

        ar[n..].Clear();
        ai[n..].Clear();
        inner.ForwardCore(ar, ai);
        for (int k = 0; k < m; k++)
        {
            float xr = ar[k], xi = ai[k], br = kernelRe[k], bi = kernelIm[k];
            ar[k] = (xr * br) - (xi * bi);
            ai[k] = (xr * bi) + (xi * br);
        }

        // Unscaled inverse by conjugation, then 1/m folded into the final chirp.
        Negate(ai);
        inner.ForwardCore(ar, ai);
        float s = 1f / m;
        for (int k = 0; k < n; k++)
        {
            float xr = ar[k] * s, xi = -ai[k] * s, wr = chirpRe[k], wi = chirpIm[k];
            re[k] = (xr * wr) - (xi * wi);
            im[k] = (xr * wi) + (xi * wr);
        }
    }

    /// <summary>Radix-2 DIT, power-of-two length, in place.</summary>
    private void ForwardCore(Span<float> re, Span<float> im)
    {
        int n = re.Length;
        if (n == 1)
        {
            return;
        }

        for (int s = 0; s < swapA.Length; s++)
        {
            int a = swapA[s], b = swapB[s];
            (re[a], re[b]) = (re[b], re[a]);
            (im[a], im[b]) = (im[b], im[a]);
        }

        if (n == 2)
        {
            float ar = re[0], ai = im[0], br = re[1], bi = im[1];
            re[0] = ar + br;
            im[0] = ai + bi;
            re[1] = ar - br;
            im[1] = ai - bi;
            return;
        }

        // Passes h = 1 and h = 2 fused into one radix-4 pass (twiddles 1 and -i).
        for (int i = 0; i < n; i += 4)
        {
            float x0r = re[i], x0i = im[i], x1r = re[i + 1], x1i = im[i + 1];
            float x2r = re[i + 2], x2i = im[i + 2], x3r = re[i + 3], x3i = im[i + 3];
            float a0r = x0r + x1r, a0i = x0i + x1i, a1r = x0r - x1r, a1i = x0i - x1i;
            float a2r = x2r + x3r, a2i = x2i + x3i, a3r = x2r - x3r, a3i = x2i - x3i;

            // a3 * (-i) = a3i - i a3r
            re[i] = a0r + a2r;
            im[i] = a0i + a2i;
            re[i + 2] = a0r - a2r;
            im[i + 2] = a0i - a2i;
            re[i + 1] = a1r + a3i;
            im[i + 1] = a1i - a3r;
            re[i + 3] = a1r - a3i;
            im[i + 3] = a1i + a3r;
        }

        int vw = Vector<float>.Count;
        ref float rr = ref MemoryMarshal.GetReference(re);
        ref float ri = ref MemoryMarshal.GetReference(im);
        ref float wr0 = ref MemoryMarshal.GetArrayDataReference(twRe);
        ref float wi0 = ref MemoryMarshal.GetArrayDataReference(twIm);
        for (int h = 4; h < n; h <<= 1)
        {
            int step = h << 1;
            if (h == 4 && vw > 4 && Vector128.IsHardwareAccelerated)
            {
                var wr = Vector128.LoadUnsafe(ref wr0, 4);
                var wi = Vector128.LoadUnsafe(ref wi0, 4);
                for (int s = 0; s < n; s += 8)
                {
                    nuint ia = (nuint)s, ib = (nuint)(s + 4);
                    var ar = Vector128.LoadUnsafe(ref rr, ia);
                    var ai = Vector128.LoadUnsafe(ref ri, ia);
                    var br = Vector128.LoadUnsafe(ref rr, ib);
                    var bi = Vector128.LoadUnsafe(ref ri, ib);
                    var tr = (br * wr) - (bi * wi);
                    var ti = (br * wi) + (bi * wr);
                    (ar + tr).StoreUnsafe(ref rr, ia);
                    (ai + ti).StoreUnsafe(ref ri, ia);
                    (ar - tr).StoreUnsafe(ref rr, ib);
                    (ai - ti).StoreUnsafe(ref ri, ib);
                }
            }
            else if (Vector.IsHardwareAccelerated && h >= vw)
            {
                for (int s = 0; s < n; s += step)
                {
                    for (int j = 0; j < h; j += vw)
                    {
                        nuint ia = (nuint)(s + j), ib = (nuint)(s + j + h), iw = (nuint)(h + j);
                        var ar = Vector.LoadUnsafe(ref rr, ia);
                        var ai = Vector.LoadUnsafe(ref ri, ia);
                        var br = Vector.LoadUnsafe(ref rr, ib);
                        var bi = Vector.LoadUnsafe(ref ri, ib);
                        var wr = Vector.LoadUnsafe(ref wr0, iw);
                        var wi = Vector.LoadUnsafe(ref wi0, iw);
                        var tr = (br * wr) - (bi * wi);
                        var ti = (br * wi) + (bi * wr);
                        (ar + tr).StoreUnsafe(ref rr, ia);
                        (ai + ti).StoreUnsafe(ref ri, ia);
                        (ar - tr).StoreUnsafe(ref rr, ib);
                        (ai - ti).StoreUnsafe(ref ri, ib);
                    }
                }
            }
            else
            {
                for (int s = 0; s < n; s += step)
                {
                    for (int j = 0; j < h; j++)
                    {
                        int ia = s + j, ib = ia + h;
                        float wr = twRe[h + j], wi = twIm[h + j];
                        float br = re[ib], bi = im[ib];
                        float tr = (br * wr) - (bi * wi);
                        float ti = (br * wi) + (bi * wr);
                        float ar = re[ia], ai = im[ia];
                        re[ia] = ar + tr;
                        im[ia] = ai + ti;
                        re[ib] = ar - tr;
                        im[ib] = ai - ti;
                    }
                }
            }
        }
    }

    private static uint ReverseBits(uint v)
    {
        v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
        v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
        v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
        v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
        return (v >> 16) | (v << 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Negate(Span<float> x) => System.Numerics.Tensors.TensorPrimitives.Negate(x, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scale(Span<float> x, float s) => System.Numerics.Tensors.TensorPrimitives.Multiply(x, s, x);
}
