using XRayFlow.Core.Ops.Fourier;
using XRayFlow.Core.Imaging;
using static XRayFlow.Core.Tests.TestSupport.EngineFixtures;

namespace XRayFlow.Core.Tests.Ops.Fourier;

/// <summary>
/// The 8-lane AVX FFT kernels (LaneFft: row pass on transposed 8 x 8 blocks, real rows 16 at a time, column pass
/// 32 columns per strip, cache-blocked stages, fused first/last passes, strip-wise Hermitian mirror, the inverse by
/// swapping real and imaginary parts) against the scalar meaning: a direct 2-D DFT in double,
/// X[u, v] = sum_{r, c} x[r, c] exp(-2 pi i (u r / rows + v c / cols)), and ifft2 = the same with +i, times 1/(rows cols).
/// Fixed seeds; every row count and every column count 1..64, and powers of two up to 4096.
/// </summary>
public class LaneFftTests
{
    /// <summary>Max |error| allowed, relative to the largest modulus of the reference (float32 FFT rounding is ~1e-7 * log2 n).</summary>
    private const double Tol = 4e-6;

    /// <summary>Direct separable 2-D DFT in double of one frame; <paramref name="sign"/> -1 forward, +1 inverse (then / (rows cols)).</summary>
    private static (double[] Re, double[] Im) Dft2(float[] re, float[]? im, int off, int rows, int cols, int sign)
    {
        var tr = new double[rows * cols];
        var ti = new double[rows * cols];
        var cc = Table(cols, sign);
        for (int r = 0; r < rows; r++)
        {
            for (int v = 0; v < cols; v++)
            {
                double sr = 0, si = 0;
                for (int c = 0; c < cols; c++)
                {
                    int t = (int)((long)v * c % cols);
                    double xr = re[off + (r * cols) + c], xi = im is null ? 0 : im[off + (r * cols) + c];
                    sr += (xr * cc.Cos[t]) - (xi * cc.Sin[t]);
                    si += (xr * cc.Sin[t]) + (xi * cc.Cos[t]);
                }

                tr[(r * cols) + v] = sr;
                ti[(r * cols) + v] = si;
            }
        }

        var rr = Table(rows, sign);
        var outRe = new double[rows * cols];
        var outIm = new double[rows * cols];
        double scale = sign > 0 ? 1.0 / (rows * cols) : 1.0;
        for (int v = 0; v < cols; v++)
        {
            for (int u = 0; u < rows; u++)
            {
                double sr = 0, si = 0;
                for (int r = 0; r < rows; r++)
                {
                    int t = (int)((long)u * r % rows);
                    double xr = tr[(r * cols) + v], xi = ti[(r * cols) + v];
                    sr += (xr * rr.Cos[t]) - (xi * rr.Sin[t]);
                    si += (xr * rr.Sin[t]) + (xi * rr.Cos[t]);
                }

                outRe[(u * cols) + v] = sr * scale;
                outIm[(u * cols) + v] = si * scale;
            }
        }

        return (outRe, outIm);
    }

    private static (double[] Cos, double[] Sin) Table(int n, int sign)
    {
        var c = new double[n];
        var s = new double[n];
        for (int k = 0; k < n; k++)
        {
            double a = sign * 2 * Math.PI * k / n;
            c[k] = Math.Cos(a);
            s[k] = Math.Sin(a);
        }

        return (c, s);
    }

    private static ImageArray RandomStack(int frames, int rows, int cols, int seed, bool complex)
    {
        var rng = new Random(seed);
        float[] Make() => Enumerable.Range(0, Math.Max(frames, 1) * rows * cols).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
        var re = Make();
        var im = complex ? Make() : null;
        return frames == 0 ? new ImageArray(rows, cols, re, im) : ImageArray.Stack(frames, rows, cols, re, im);
    }

    /// <summary>fft2 or ifft2 of <paramref name="x"/>, every frame against the direct DFT.</summary>
    private static void CheckAgainstDft(ImageArray x, bool inverse, string what, int threads = 1)
    {
        var got = inverse ? Fft2D.Inverse(x, threads) : Fft2D.Forward(x, threads);
        int rows = x.Rows, cols = x.Cols, len = rows * cols;
        for (int f = 0; f < x.Frames; f++)
        {
            var (er, ei) = Dft2(x.Data, x.Imag, f * len, rows, cols, inverse ? 1 : -1);
            double peak = 1e-30;
            for (int k = 0; k < len; k++)
            {
                peak = Math.Max(peak, Math.Sqrt((er[k] * er[k]) + (ei[k] * ei[k])));
            }

            for (int k = 0; k < len; k++)
            {
                double dr = Math.Abs(er[k] - got.Data[(f * len) + k]);
                double di = Math.Abs(ei[k] - got.Imag![(f * len) + k]);
                if (!(dr <= Tol * peak && di <= Tol * peak))
                {
                    Assert.Fail($"{what} frame {f}: element ({k / cols}, {k % cols}) expected ({er[k]:G6}, {ei[k]:G6}), got ({got.Data[(f * len) + k]:G6}, {got.Imag![(f * len) + k]:G6}), tolerance {Tol * peak:G4}");
                }
            }
        }
    }

    [Fact]
    public void Fft2MatchesTheDirectDftForEveryRowCount1To64()
    {
        // cols 8 and 32: the lane row pass on full 8 x 8 blocks; 13: rows by Bluestein, columns by the lane kernel.
        for (int r = 1; r <= 64; r++)
        {
            foreach (int c in new[] { 8, 13, 32 })
            {
                CheckAgainstDft(RandomStack(0, r, c, (r * 97) + c, complex: false), false, $"real {r}x{c}");
                CheckAgainstDft(RandomStack(0, r, c, (r * 89) + c, complex: true), false, $"complex {r}x{c}");
            }
        }
    }

    [Fact]
    public void Fft2MatchesTheDirectDftForEveryColumnCount1To64()
    {
        // rows 16 and 32: full strips of 8 (complex) and 16 (real) rows; 5: partial strips only; 64: the blocked column kernel.
        for (int c = 1; c <= 64; c++)
        {
            foreach (int r in new[] { 5, 16, 32, 64 })
            {
                CheckAgainstDft(RandomStack(0, r, c, (c * 71) + r, complex: false), false, $"real {r}x{c}");
                CheckAgainstDft(RandomStack(0, r, c, (c * 67) + r, complex: true), false, $"complex {r}x{c}");
            }
        }
    }

    [Fact]
    public void Ifft2MatchesTheDirectInverseDft()
    {
        foreach (var (r, c) in new[] { (1, 1), (2, 2), (4, 8), (8, 8), (16, 16), (3, 32), (32, 3), (64, 64), (17, 64), (64, 40), (128, 256) })
        {
            CheckAgainstDft(RandomStack(0, r, c, (r * 31) + c, complex: true), true, $"ifft2 complex {r}x{c}");
            CheckAgainstDft(RandomStack(0, r, c, (r * 37) + c, complex: false), true, $"ifft2 real {r}x{c}");
        }
    }

    [Fact]
    public void PowersOfTwoUpTo4096MatchTheDirectDft()
    {
        // Long rows (the row pass and its fused last pass), long columns (the column pass, blocked stages plus
        // global radix-4 passes above 256 points), and odd log2 (one radix-2 stage).
        for (int n = 64; n <= 4096; n *= 2)
        {
            CheckAgainstDft(RandomStack(0, 8, n, n + 1, complex: true), false, $"complex 8x{n}");
            CheckAgainstDft(RandomStack(0, 16, n, n + 2, complex: false), false, $"real 16x{n}");
            CheckAgainstDft(RandomStack(0, n, 8, n + 3, complex: true), false, $"complex {n}x8");
            CheckAgainstDft(RandomStack(0, n, 40, n + 4, complex: false), false, $"real {n}x40");
            CheckAgainstDft(RandomStack(0, 8, n, n + 5, complex: true), true, $"ifft2 complex 8x{n}");
        }
    }

    [Fact]
    public void EveryFrameOfAStackIsTransformed()
    {
        foreach (bool complex in new[] { false, true })
        {
            foreach (var (r, c) in new[] { (64, 64), (32, 48), (7, 16) })
            {
                var x = RandomStack(3, r, c, r + c + (complex ? 1 : 0), complex);
                CheckAgainstDft(x, false, $"stack {r}x{c} complex={complex}", threads: 2);
                CheckAgainstDft(x, true, $"stack ifft2 {r}x{c} complex={complex}", threads: 2);
            }
        }
    }

    [Fact]
    public void TheLaneKernelEqualsTheScalarPlanForEveryPowerOfTwo()
    {
        // LaneFft.Run / RunBlocked (+ LastPassStore) on 8 lanes against FftPlan.Forward (the scalar radix-2
        // transform) lane by lane, n = 1..4096.
        for (int n = 1; n <= 4096; n *= 2)
        {
            var plan = FftPlan.Get(n);
            var rng = new Random(n);
            var lanesRe = new float[8][];
            var lanesIm = new float[8][];
            for (int l = 0; l < 8; l++)
            {
                lanesRe[l] = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
                lanesIm[l] = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
            }

            foreach (int variant in new[] { 0, 1, 2 })
            {
                if (variant == 2 && n < 8)
                {
                    continue;
                }

                var buf = new float[n * LaneFft.PointFloats];
                for (int k = 0; k < n; k++)
                {
                    int p = plan.bitrev[k] * LaneFft.PointFloats;
                    for (int l = 0; l < 8; l++)
                    {
                        buf[p + l] = lanesRe[l][k];
                        buf[p + 8 + l] = lanesIm[l][k];
                    }
                }

                var outRe = new float[n * 8];
                var outIm = new float[n * 8];
                unsafe
                {
                    fixed (float* pb = buf)
                    fixed (float* twr = plan.twRe)
                    fixed (float* twi = plan.twIm)
                    fixed (float* dr = outRe)
                    fixed (float* di = outIm)
                    {
                        if (variant == 0)
                        {
                            LaneFft.Run(pb, n, twr, twi);
                        }
                        else if (variant == 1)
                        {
                            LaneFft.RunBlocked(pb, n, twr, twi, stopBeforeLast: false);
                        }
                        else
                        {
                            LaneFft.RunBlocked(pb, n, twr, twi, stopBeforeLast: true);
                            var one = System.Runtime.Intrinsics.Vector256.Create(1f);
                            LaneFft.LastPassStore(pb, n, 1, twr, twi, dr, di, 8, one, one);
                        }

                        if (variant < 2)
                        {
                            for (int k = 0; k < n; k++)
                            {
                                for (int l = 0; l < 8; l++)
                                {
                                    dr[(k * 8) + l] = pb[(k * LaneFft.PointFloats) + l];
                                    di[(k * 8) + l] = pb[(k * LaneFft.PointFloats) + 8 + l];
                                }
                            }
                        }
                    }
                }

                for (int l = 0; l < 8; l++)
                {
                    var er = (float[])lanesRe[l].Clone();
                    var ei = (float[])lanesIm[l].Clone();
                    plan.Forward(er, ei);
                    var gr = Enumerable.Range(0, n).Select(k => outRe[(k * 8) + l]).ToArray();
                    var gi = Enumerable.Range(0, n).Select(k => outIm[(k * 8) + l]).ToArray();
                    AssertClose(new ImageArray(1, n, er, ei), new ImageArray(1, n, gr, gi), $"lane {l} n={n} variant {variant}", Tol * Math.Sqrt(n));
                }
            }
        }
    }

    [Fact]
    public void LanePathsGiveTheSameBitsOnOneThreadAndOnTwo()
    {
        foreach (bool complex in new[] { false, true })
        {
            var x = RandomStack(2, 256, 512, complex ? 3 : 4, complex);
            var a = Fft2D.Forward(x, threads: 1);
            var b = Fft2D.Forward(x, threads: 2);
            Assert.Equal(a.Data, b.Data);
            Assert.Equal(a.Imag, b.Imag);
            var ia = Fft2D.Inverse(x, threads: 1);
            var ib = Fft2D.Inverse(x, threads: 2);
            Assert.Equal(ia.Data, ib.Data);
            Assert.Equal(ia.Imag, ib.Imag);
        }
    }

    [Fact]
    public void PreallocatedDestinationGetsTheSameResultAndWrongShapesAreRefused()
    {
        var x = RandomStack(0, 64, 128, 9, complex: false);
        var dst = new ImageArray(64, 128, Enumerable.Repeat(float.NaN, 64 * 128).ToArray(), Enumerable.Repeat(float.NaN, 64 * 128).ToArray());
        Fft2D.Forward(x, dst, 1);
        var expected = Fft2D.Forward(x, 1);
        Assert.Equal(expected.Data, dst.Data);
        Assert.Equal(expected.Imag, dst.Imag);
        Fft2D.Inverse(expected, dst, 1);
        AssertClose(x.Data, dst.Data, "round trip into dst");
        Assert.Throws<ArgumentException>(() => Fft2D.Forward(x, new ImageArray(64, 128), 1));
        Assert.Throws<ArgumentException>(() => Fft2D.Forward(x, new ImageArray(64, 64, new float[64 * 64], new float[64 * 64]), 1));
    }

    [Fact]
    public void RoundTripOfTheFullSizeImageShapeRestoresIt()
    {
        var x = RandomStack(0, 1024, 1024, 1024, complex: false);
        var back = Fft2D.Inverse(Fft2D.Forward(x, 2), 2);
        AssertClose(x.Data, back.Data, "1024x1024 round trip", 1e-5);
        Assert.All(back.Imag!, v => Assert.True(Math.Abs(v) < 1e-5));
    }
}

public class InverseRealPartTests
{
    [Fact]
    public void RealPartOfIfft2MatchesTheDirectInverseDftAndTheFullInverse()
    {
        // The complex-to-real path (rows >= 16, cols >= 32, powers of two) and the fallback shapes.
        foreach (var (f, r, c) in new[] { (0, 16, 32), (0, 32, 64), (0, 64, 32), (0, 128, 256), (0, 256, 64), (3, 16, 64), (0, 8, 32), (0, 16, 16), (0, 12, 40) })
        {
            var rng = new Random((r * 1000) + c);
            int n = Math.Max(f, 1) * r * c;
            var re = Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
            var im = Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2) - 1)).ToArray();
            var x = f == 0 ? new ImageArray(r, c, re, im) : ImageArray.Stack(f, r, c, re, im);
            foreach (int threads in new[] { 1, 2 })
            {
                var got = Fft2D.InverseRealPart(x, threads);
                Assert.False(got.IsComplex);
                Assert.Equal(x.Shape, got.Shape);
                var full = Fft2D.Inverse(x, 1);
                AssertClose(full.Data, got.Data, $"Re ifft2 {f}x{r}x{c} t{threads} vs full inverse", 1e-6);
                for (int fr = 0; fr < Math.Max(f, 1); fr++)
                {
                    // Direct: Re sum X[u, v] exp(+2 pi i (u r / R + v c / C)) / (R C), in double.
                    int off = fr * r * c;
                    for (int y = 0; y < r; y += Math.Max(1, r / 7))
                    {
                        for (int z = 0; z < c; z += Math.Max(1, c / 9))
                        {
                            double sum = 0;
                            for (int u = 0; u < r; u++)
                            {
                                for (int v = 0; v < c; v++)
                                {
                                    double a = 2 * Math.PI * ((((long)u * y % r) / (double)r) + (((long)v * z % c) / (double)c));
                                    sum += (re[off + (u * c) + v] * Math.Cos(a)) - (im[off + (u * c) + v] * Math.Sin(a));
                                }
                            }

                            sum /= r * c;
                            Assert.True(Math.Abs(sum - got.Data[off + (y * c) + z]) < 2e-6, $"Re ifft2 {r}x{c} frame {fr} ({y}, {z}): expected {sum}, got {got.Data[off + (y * c) + z]}");
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void RealPartOfARealInputsInverseIsItsInverse()
    {
        var x = OpRunner.Random(32, 64, 77);
        var got = Fft2D.InverseRealPart(x, 1);
        AssertClose(Fft2D.Inverse(x, 1).Data, got.Data, "real input");
    }
}
