using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Core.Ops.Filters;

namespace XRayFlow.Core.Tests.Ops.Filters;

/// <summary>
/// Every op's row-band kernel (what fused groups run) against the op's own Execute on the whole frame: bit for bit,
/// for every frame height 1..40 and a few taller, several widths, every boundary mode, random band cuts, the kernel given only the
/// rows it says it reads (a window with NaN guard rows around it, so a read outside shows as NaN).
/// </summary>
public class RowBandTests
{
    public static IEnumerable<object[]> Cases()
    {
        foreach (var mode in new[] { "reflect", "mirror", "nearest", "constant", "wrap" })
        {
            yield return ["gaussian_filter", mode, new Dictionary<string, object?> { ["sigma"] = new[] { 1.3 } }];
            yield return ["gaussian_filter", mode, new Dictionary<string, object?> { ["sigma"] = new[] { 4.0 } }]; // 33 taps: four-row sweeps
            yield return ["gaussian_filter", mode, new Dictionary<string, object?> { ["sigma"] = new[] { 3.0, 0.8 }, ["order"] = new[] { 1, 0 } }];
            yield return ["gaussian_filter", mode, new Dictionary<string, object?> { ["sigma"] = new[] { 0.0, 2.0 } }]; // axis 0 skipped
            yield return ["sobel", mode, new Dictionary<string, object?> { ["axis"] = 0 }];
            yield return ["sobel", mode, new Dictionary<string, object?> { ["axis"] = 1 }];
            yield return ["prewitt", mode, new Dictionary<string, object?> { ["axis"] = -2 }];
            yield return ["laplace", mode, new Dictionary<string, object?>()];
            yield return ["gaussian_laplace", mode, new Dictionary<string, object?> { ["sigma"] = new[] { 1.5 } }];
            yield return ["gaussian_gradient_magnitude", mode, new Dictionary<string, object?> { ["sigma"] = new[] { 2.5 } }];
        }

        yield return ["sobel", "constant", new Dictionary<string, object?> { ["axis"] = 0, ["cval"] = 5.0 }];
        yield return ["gaussian_filter", "constant", new Dictionary<string, object?> { ["sigma"] = new[] { 2.0 }, ["cval"] = -3.0 }];
        yield return ["hypot", "reflect", new Dictionary<string, object?>()];
        yield return ["subtract", "reflect", new Dictionary<string, object?>()];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BandsEqualTheOpOnTheWholeFrame(string opName, string mode, Dictionary<string, object?> parameters)
    {
        var op = OpRegistry.Get(opName);
        if (op.Params.Any(p => p.Name == "mode"))
        {
            parameters["mode"] = mode;
        }

        var kernel = op.RowBand!(new ParamValues { StepId = "s", Params = parameters });
        if (mode == "wrap")
        {
            // Wrap reads the far edge: no band is local, so there is no kernel (the group runs step by step).
            Assert.Null(kernel);
            return;
        }

        Assert.NotNull(kernel);
        int inputs = opName is "hypot" or "subtract" ? 2 : 1;
        var random = new Random(opName.Length * 1000 + mode.Length);
        int checkedFrames = 0;
        foreach (int cols in new[] { 1, 7, 33, 70 })
        {
            foreach (int rows in Enumerable.Range(1, 40).Concat([57, 80, 101]))
            {
                var sources = Enumerable.Range(0, inputs).Select(_ => Random(rows, cols, random)).ToArray();
                if (!kernel.Supports(rows, cols))
                {
                    continue;
                }

                var whole = ((ArrayValue)op.Invoke(new OpContext { StepId = "s", Inputs = [.. sources.Select(s => new ArrayValue(s))], Params = parameters, Threads = 1 })).Array.Data;
                var banded = new float[rows * cols];
                int r0 = 0;
                while (r0 < rows)
                {
                    int r1 = Math.Min(rows, r0 + 1 + random.Next(Math.Max(1, rows / 2)));
                    Band(kernel, sources, banded, rows, cols, r0, r1);
                    r0 = r1;
                }

                AssertSameBits(whole, banded, $"{opName} {mode} {rows}x{cols} in bands", cols);
                if (kernel is IRowBandStream stream)
                {
                    // The same cuts as chunks of a fused group's thread run them: one state per chunk, bands in order
                    // (here two chunks, the second starting mid-frame, so its first band computes its halo afresh).
                    var streamed = new float[rows * cols];
                    var cuts = new List<(int, int)>();
                    for (int a = 0; a < rows; a = cuts[^1].Item2)
                    {
                        cuts.Add((a, Math.Min(rows, a + 1 + random.Next(Math.Max(1, rows / 3)))));
                    }

                    // The state sized for the tallest cut, as the executor sizes it: its ring then reuses slots.
                    int split = cuts.Count / 2;
                    int tallest = cuts.Max(c => c.Item2 - c.Item1);
                    foreach (var chunk in new[] { cuts.Take(split), cuts.Skip(split) })
                    {
                        using var state = stream.NewState(rows, cols, tallest);
                        foreach (var (a, b) in chunk)
                        {
                            Band(kernel, sources, streamed, rows, cols, a, b, state);
                        }
                    }

                    AssertSameBits(whole, streamed, $"{opName} {mode} {rows}x{cols} streamed", cols);
                }

                checkedFrames++;
            }
        }

        // A kernel longer than the frame has no bands (Supports is false: the op runs whole); the rest must be many.
        Assert.True(checkedFrames >= 20, $"only {checkedFrames} frame shapes were supported");
    }

    /// <summary>
    /// The fused gradient magnitude (what a group runs for sobel axis 0 and 1 read only by a hypot) against the three
    /// ops run whole: bit for bit, sobel and prewitt, both hypot input orders, every mode that has bands, frame heights
    /// 3..40 and taller, widths around the 8- and 16-value vectors, random band cuts, NaN / ±inf / ±0 among the values,
    /// through the 512-bit loops and through the Vector&lt;T&gt; ones with Hypot's code.
    /// </summary>
    [Theory]
    [InlineData("sobel", "reflect")]
    [InlineData("sobel", "mirror")]
    [InlineData("sobel", "nearest")]
    [InlineData("sobel", "constant")]
    [InlineData("prewitt", "reflect")]
    [InlineData("prewitt", "constant")]
    public void GradientMagnitudeBandsEqualHypotOfTheTwoGradients(string opName, string mode)
    {
        var op = OpRegistry.Get(opName);
        var hypot = OpRegistry.Get("hypot");
        var random = new Random(opName.Length + (10 * mode.Length));
        int checkedFrames = 0;
        foreach (var (axis0First, wide) in new[] { (true, true), (false, true), (true, false), (false, false) })
        {
            GradientBand.Wide = wide; // both paths give the same bits, so tests running at the same time are not disturbed
            var parameters = new[] { 0, 1 }.Select(axis => new Dictionary<string, object?> { ["axis"] = axis, ["mode"] = mode }).ToArray();
            var bands = parameters.Select(p => (GradientBand)op.RowBand!(new ParamValues { StepId = "g", Params = p })!).ToArray();
            var kernel = axis0First ? GradientBand.Magnitude(bands[0], bands[1]) : GradientBand.Magnitude(bands[1], bands[0]);
            Assert.NotNull(kernel);
            foreach (int cols in new[] { 3, 7, 15, 16, 17, 33, 70, 129 })
            {
                foreach (int rows in Enumerable.Range(3, 38).Concat([57, 101]))
                {
                    var src = Random(rows, cols, random);
                    for (int k = 0; k < src.Data.Length; k += 1 + random.Next(40))
                    {
                        src.Data[k] = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, 3e38f }[random.Next(6)];
                    }

                    var g = parameters.Select(p => (ArrayValue)op.Invoke(new OpContext { StepId = "g", Inputs = [new ArrayValue(src)], Params = p, Threads = 1 })).ToArray();
                    var pair = axis0First ? g : [g[1], g[0]];
                    var whole = ((ArrayValue)hypot.Invoke(new OpContext { StepId = "h", Inputs = [.. pair], Params = new Dictionary<string, object?>(), Threads = 1 })).Array.Data;
                    // Bands alone, and the same bands streamed as a chunk (the ring of S and P rows kept between them).
                    var banded = new float[rows * cols];
                    var streamed = new float[rows * cols];
                    var stream = Assert.IsAssignableFrom<IRowBandStream>(kernel);
                    using (var state = stream.NewState(rows, cols, rows))
                    {
                        int r0 = 0;
                        while (r0 < rows)
                        {
                            int r1 = Math.Min(rows, r0 + 1 + random.Next(Math.Max(1, rows / 2)));
                            Band(kernel!, [src], banded, rows, cols, r0, r1);
                            Band(kernel!, [src], streamed, rows, cols, r0, r1, state);
                            r0 = r1;
                        }
                    }

                    AssertSameBits(whole, banded, $"{opName} {mode} {rows}x{cols} (axis 0 first: {axis0First}) fused", cols);
                    AssertSameBits(whole, streamed, $"{opName} {mode} {rows}x{cols} (axis 0 first: {axis0First}) fused, streamed", cols);

                    checkedFrames++;
                }
            }
        }

        GradientBand.Wide = System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;
        Assert.Equal(4 * 8 * 40, checkedFrames);
    }

    [Fact]
    public void GradientMagnitudeNeedsAPairWithTheRowPassFirst()
    {
        GradientBand Gradient(string op, int axis, string mode, double cval = 0)
            => (GradientBand)OpRegistry.Get(op).RowBand!(new ParamValues { StepId = "g", Params = new Dictionary<string, object?> { ["axis"] = axis, ["mode"] = mode, ["cval"] = cval } })!;

        Assert.NotNull(GradientBand.Magnitude(Gradient("sobel", 0, "reflect"), Gradient("sobel", 1, "reflect")));
        Assert.NotNull(GradientBand.Magnitude(Gradient("sobel", 1, "constant"), Gradient("sobel", 0, "constant")));
        Assert.Null(GradientBand.Magnitude(Gradient("sobel", 0, "reflect"), Gradient("sobel", 0, "reflect")));     // same axis
        Assert.Null(GradientBand.Magnitude(Gradient("sobel", 0, "reflect"), Gradient("prewitt", 1, "reflect")));   // other smoothing
        Assert.Null(GradientBand.Magnitude(Gradient("sobel", 0, "reflect"), Gradient("sobel", 1, "nearest")));     // other mode
        Assert.Null(GradientBand.Magnitude(Gradient("sobel", 0, "constant", 2), Gradient("sobel", 1, "constant", 2))); // axis 0 passes first
    }

    /// <summary>
    /// A long Gaussian's column pass sweeps four rows at a time; the rows left over at a strip's end must have the
    /// same sums, or the result depends on the thread count (which cuts the strips): 202 rows split into strips of
    /// 101 (2 threads), 128 (1 thread) or 68 (3 threads) once gave different bits in row 100.
    /// </summary>
    [Fact]
    public void ALongGaussianGivesTheSameBitsOnAnyThreadCount()
    {
        var src = Random(202, 300, new Random(5));
        var one = NdFilters.GaussianFilter(src, [4.0], threads: 1).Data;
        foreach (int threads in new[] { 2, 3, 5, 8 })
        {
            Assert.Equal(one, NdFilters.GaussianFilter(src, [4.0], threads: threads).Data);
        }
    }

    [Fact]
    public void TallerStripsOnNarrowRowsGiveTheSameBitsAsShortBands()
    {
        // 8 x halo rows where 9 x halo rows of the image's width fit in 1.25 MiB, else 4 x halo.
        Assert.Equal(256, SeparableFilter.HaloStripRows(32, 1024));
        Assert.Equal(128, SeparableFilter.HaloStripRows(32, 1138));
        Assert.Equal(128, SeparableFilter.HaloStripRows(16, 2048));
        Assert.Equal(0, SeparableFilter.HaloStripRows(0, 1024));

        // sigma 4 (33 taps) on 1024-wide rows: the op runs 256-row strips; the same rows computed by its band kernel in
        // bands of 128 and of 77 rows (other row-pass windows) give the same bits, and so do bands of 8, 32 and 77 rows
        // streamed (the row-passed halo kept between bands: such a kernel wants no taller bands).
        var src = Random(600, 1024, new Random(9));
        var parameters = new Dictionary<string, object?> { ["sigma"] = new[] { 4.0 }, ["mode"] = "reflect" };
        var op = OpRegistry.Get("gaussian_filter");
        var kernel = op.RowBand!(new ParamValues { StepId = "s", Params = parameters })!;
        var stream = Assert.IsAssignableFrom<IRowBandStream>(kernel);
        Assert.Equal(0, kernel.PreferredRows(1024));
        foreach (int threads in new[] { 1, 2 })
        {
            var whole = NdFilters.GaussianFilter(src, [4.0], threads: threads).Data;
            foreach (int band in new[] { 128, 77 })
            {
                var banded = new float[whole.Length];
                for (int r0 = 0; r0 < 600; r0 += band)
                {
                    Band(kernel, [src], banded, 600, 1024, r0, Math.Min(600, r0 + band));
                }

                Assert.Equal(whole, banded);
            }

            foreach (int band in new[] { 8, 32, 77 })
            {
                var streamed = new float[whole.Length];

                using var state = stream.NewState(600, 1024, band);
                for (int r0 = 0; r0 < 600; r0 += band)
                {
                    Band(kernel, [src], streamed, 600, 1024, r0, Math.Min(600, r0 + band), state);
                }

                Assert.Equal(whole, streamed);
            }
        }
    }

    [Fact]
    public unsafe void ScratchWindowsStartOnA64ByteBoundaryWithinTheirSlack()
    {
        var a = new float[64];
        fixed (float* p = a)
        {
            for (int k = 0; k < 32; k++)
            {
                float* q = SeparableFilter.Align64(p + k);
                Assert.Equal(0, (long)q % 64);
                Assert.True(q >= p + k && q < p + k + 16, $"offset {k}"); // at most 15 floats on: 16 floats of slack suffice
            }
        }
    }

    [Fact]
    public void AGaussianOfSomeRowsGivesThoseRowsTheBitsOfEveryRowInTheSameOrder()
    {
        // Both passes skip the rows not needed (axis 0 first, SciPy's order): each needed row has the bits it has
        // when every row is needed, and is within float32 rounding of the whole filter (which runs the row pass
        // first where it may).
        var rng = new Random(23);
        foreach (double sigma in new[] { 0.8, 1.8, 4.0 })
        {
            foreach (var (mode, cval) in new[] { (BoundaryMode.Reflect, 0f), (BoundaryMode.Constant, 0f), (BoundaryMode.Constant, 2f), (BoundaryMode.Nearest, 0f), (BoundaryMode.Mirror, 0f), (BoundaryMode.Wrap, 0f) })
            {
                foreach (int threads in new[] { 1, 2 })
                {
                    int rows = 150 + rng.Next(40), cols = 40 + rng.Next(40);
                    var src = Random(rows, cols, rng);
                    var need = Enumerable.Range(0, rows).Select(r => r % 37 < 5 || rng.Next(4) == 0).ToArray();
                    var every = NdFilters.GaussianFilterRows(src, [sigma, sigma], mode, cval, Enumerable.Repeat(true, rows).ToArray(), threads).Data;
                    var whole = NdFilters.GaussianFilter(src, [sigma], mode: mode, cval: cval, threads: threads).Data;
                    var some = NdFilters.GaussianFilterRows(src, [sigma, sigma], mode, cval, need, threads).Data;
                    for (int r = 0; r < rows; r++)
                    {
                        if (need[r])
                        {
                            Assert.True(every.AsSpan(r * cols, cols).SequenceEqual(some.AsSpan(r * cols, cols)), $"sigma {sigma}, {mode}, cval {cval}, {threads} threads: row {r} of {rows} x {cols}");
                            for (int c = 0; c < cols; c++)
                            {
                                float a = some[(r * cols) + c], b = whole[(r * cols) + c];
                                Assert.True(Math.Abs(a - b) <= 1e-5 * Math.Max(1, Math.Abs(b)), $"sigma {sigma}, {mode}: ({r}, {c}) {a} vs the whole filter's {b}");
                            }
                        }
                    }
                }
            }
        }
    }

    private static void AssertSameBits(float[] whole, float[] other, string what, int cols)
    {
        for (int k = 0; k < whole.Length; k++)
        {
            if (BitConverter.SingleToInt32Bits(whole[k]) != BitConverter.SingleToInt32Bits(other[k]))
            {
                Assert.Fail($"{what}: pixel ({k / cols}, {k % cols}) is {other[k]:R}, {whole[k]:R} whole");
            }
        }
    }

    private static unsafe void Band(IRowBandKernel kernel, ImageArray[] sources, float[] result, int rows, int cols, int r0, int r1, IDisposable? state = null)
    {
        // The rows the kernel says it reads, mapped at the edges; the window holds exactly their span.
        int lo = r0, hi = r1;
        for (long t = (long)r0 - kernel.Before; t < (long)r1 + kernel.After; t++)
        {
            int m = Boundary.Map(t, rows, kernel.Mode);
            if (m >= 0)
            {
                lo = Math.Min(lo, m);
                hi = Math.Max(hi, m + 1);
            }
        }

        const int Guard = 40;
        var windows = sources.Select(s =>
        {
            var w = new float[(hi - lo + (2 * Guard)) * cols];
            Array.Fill(w, float.NaN);
            Array.Copy(s.Data, lo * cols, w, Guard * cols, (hi - lo) * cols);
            return w;
        }).ToArray();
        var output = new float[(r1 - r0 + (2 * Guard)) * cols];
        Array.Fill(output, float.NaN);
        var handles = windows.Append(output).Select(a => System.Runtime.InteropServices.GCHandle.Alloc(a, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            var views = windows.Select((_, i) => new RowWindow((float*)handles[i].AddrOfPinnedObject() + (Guard * cols), lo, hi - lo, cols)).ToArray();
            var outView = new RowWindow((float*)handles[^1].AddrOfPinnedObject() + (Guard * cols), r0, r1 - r0, cols);
            if (state is not null)
            {
                ((IRowBandStream)kernel).Rows(state, views, outView, rows, cols, r0, r1);
            }
            else
            {
                kernel.Rows(views, outView, rows, cols, r0, r1);
            }
        }
        finally
        {
            foreach (var h in handles)
            {
                h.Free();
            }
        }

        Assert.All(output.Take(Guard * cols).Concat(output.Skip((Guard + r1 - r0) * cols)), v => Assert.True(float.IsNaN(v), "the kernel wrote outside its rows"));
        Array.Copy(output, Guard * cols, result, r0 * cols, (r1 - r0) * cols);
    }

    private static ImageArray Random(int rows, int cols, Random random)
    {
        var a = new ImageArray(rows, cols);
        for (int k = 0; k < a.Data.Length; k++)
        {
            a.Data[k] = (float)((random.NextDouble() * 200) - 50);
        }

        return a;
    }
}
