using System.Globalization;
using System.Runtime.CompilerServices;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Text;

namespace XRayFlow.Core.Ops.Intensity;

/// <summary>
/// Intensity mappings of skimage.exposure (scikit-image 0.19.3): histogram equalization, CLAHE, rescaling, gamma
/// and log curves. scikit-image treats integer and float images differently; each op takes the path of the dtype
/// scikit-image would see (<see cref="SkimageDtypes"/>): an 8- or 16-bit image gives what scikit-image gives for the
/// original uint8 / uint16 array, other values (after a filter) its float path. Results are float32. A stack is
/// processed frame by frame, each frame as its own image (its own histogram, min and max, percentiles).
/// </summary>
[OpFamily(OpFamily.Intensity)]
public static class IntensityOps
{
    /// <summary>Range words of rescale_intensity besides a [lo, hi] list: the image's min/max, its dtype's range, a dtype's range.</summary>
    private static readonly string[] RangeWords = ["image", "dtype", "uint8", "uint10", "uint12", "uint14", "uint16", "float"];

    /// <summary>equalize_hist: the cumulative distribution of the (masked) pixels, at every pixel (kernel <see cref="HistogramEqualization"/>).</summary>
    public static OpDefinition EqualizeHist { get; } = new()
    {
        Name = "equalize_hist",
        Summary = "Histogram equalization: each pixel becomes the fraction of counted pixels at or below it (integer images: one bin per value; float: nbins bins, interpolated); values 0..1.",
        Reference = "skimage.exposure.equalize_hist",
        Inputs = new InputSpec(1, 2, Doc: "the image, then optionally a mask of its shape (the pixels where it is nonzero are counted; the whole image is mapped)"),
        Params =
        [
            new ParamSpec("nbins", ParamType.Int, "Number of histogram bins for float images (integer images have one bin per value, as scikit-image)") { Default = 256, Min = 1, Max = 1 << 20 },
        ],
        Example = "{nbins: 256}",
        Execute = ctx =>
        {
            var src = ctx.Array();
            var mask = ctx.Inputs.Count > 1 ? ctx.Array(1) : null;
            var dtype = SkimageDtypes.Of(src, ctx.Threads);
            var dst = ImageArray.Rent(src);
            for (int f = 0; f < src.Frames; f++)
            {
                try
                {
                    HistogramEqualization.Apply(src.Frame(f), mask is null ? default : mask.Frame(f), dst.Frame(f), dtype, ctx.Int("nbins"), ctx.Threads);
                }
                catch (ArgumentException e)
                {
                    throw new OpRefusedException(ctx.StepId, FrameText(src, f) + ExceptionText.Message(e));
                }
            }

            return new ArrayValue(dst);
        },
    };

    /// <summary>equalize_adapthist: CLAHE (kernel <see cref="Clahe"/>).</summary>
    public static OpDefinition EqualizeAdapthist { get; } = new()
    {
        Name = "equalize_adapthist",
        Summary = "Contrast Limited Adaptive Histogram Equalization (CLAHE) on 14-bit levels, as scikit-image; values 0..1.",
        Reference = "skimage.exposure.equalize_adapthist",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("kernel_size", ParamType.IntPerAxis, "Size of the contextual regions, one value or [rows, cols]; default 1/8 of the image's height and width (at least 1)") { Min = 1, Max = CommonParams.MaxSize },
            new ParamSpec("clip_limit", ParamType.Float, "Clipping limit, normalized between 0 and 1 (higher values give more contrast; 0 = no clipping, plain AHE)") { Default = 0.01, Min = 0.0 },
            new ParamSpec("nbins", ParamType.Int, "Number of grey bins of the histograms") { Default = 256, Min = 1, Max = 1 << 16 },
        ],
        Example = "{clip_limit: 0.02}",
        Execute = ctx =>
        {
            var src = ctx.Array();
            var dtype = SkimageDtypes.Of(src, ctx.Threads);
            int[]? k = ctx.Ints("kernel_size");
            int k0 = k is null ? Clahe.DefaultKernel(src.Rows) : k[0];
            int k1 = k is null ? Clahe.DefaultKernel(src.Cols) : k[^1];
            var dst = ImageArray.Rent(src);
            for (int f = 0; f < src.Frames; f++)
            {
                try
                {
                    Clahe.Apply(src.Frame(f), src.Rows, src.Cols, dst.Frame(f), dtype, k0, k1, ctx.Float("clip_limit"), ctx.Int("nbins"), ctx.Threads);
                }
                catch (ArgumentException e)
                {
                    throw new OpRefusedException(ctx.StepId, FrameText(src, f) + ExceptionText.Message(e));
                }
            }

            return new ArrayValue(dst);
        },
    };

    /// <summary>rescale_intensity: a linear map of in_range onto out_range, clipped (kernel <see cref="IntensityRescale"/>).</summary>
    public static OpDefinition RescaleIntensity { get; } = new()
    {
        Name = "rescale_intensity",
        Summary = "Stretches in_range linearly onto out_range (values outside in_range are clipped); integer images keep their dtype's range and truncation by default, as scikit-image.",
        Reference = "skimage.exposure.rescale_intensity",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("in_range", ParamType.FloatList, "Input range: image (its min and max), dtype (0..255 for 8-bit, 0..65535 for 16-bit, -1..1 for float images), a dtype name (uint8, uint10, uint12, uint14, uint16, float), [lo, hi], or percentiles of each image [p2, p98] (numpy.percentile, linear)")
            {
                Default = "image",
                Words = RangeWords,
                MinCount = 2,
                MaxCount = 2,
                PercentileItems = true,
            },
            new ParamSpec("out_range", ParamType.FloatList, "Output range: dtype (the image's: 0..255 / 0..65535 truncated to integers, or 0..1 for float images with no negative input bound, else -1..1), image, a dtype name (uint8 / uint10..uint16 truncate to integers), or [lo, hi] (float)")
            {
                Default = "dtype",
                Words = RangeWords,
                MinCount = 2,
                MaxCount = 2,
            },
        ],
        Rules =
        [
            new OpRule
            {
                Description = "in_range [lo, hi] has lo <= hi (numbers, or percentiles pA <= pB)",
                At = "in_range",
                Check = c => LowAboveHigh(c) is { } text ? $"rescale_intensity's in_range {text}: its low end is above its high end (out_range may be reversed, in_range may not)" : null,
                Violation = "{in_range: [200, 100]}",
            },
        ],
        Example = "{in_range: [p2, p98], out_range: [0, 1]}",
        Execute = ctx =>
        {
            var src = ctx.Array();
            var dtype = SkimageDtypes.Of(src, ctx.Threads);
            var inRange = RangeOf(ctx, "in_range");
            var outRange = RangeOf(ctx, "out_range");
            var type = IntensityRescale.OutputType(outRange.Word, dtype);
            var dst = ImageArray.Rent(src);
            for (int f = 0; f < src.Frames; f++)
            {
                var frame = src.Data.AsMemory(f * src.FrameLength, src.FrameLength);
                var extremes = new FrameExtremes(frame, ctx.Threads);
                var (imin, imax) = Resolve(inRange, frame.Span, dtype, clipNegative: false, ctx.Threads, extremes);
                if (imin > imax)
                {
                    throw new OpRefusedException(ctx.StepId, FrameText(src, f) + string.Create(CultureInfo.InvariantCulture, $"rescale_intensity's in_range resolves to [{imin}, {imax}] here: its low end is above its high end"));
                }

                var (omin, omax) = Resolve(outRange, frame.Span, dtype, clipNegative: imin >= 0, ctx.Threads, extremes);
                IntensityRescale.Apply(frame, dst.Data.AsMemory(f * dst.FrameLength, dst.FrameLength), dtype, imin, imax, omin, omax, type, ctx.Threads, extremes.TableLength(dtype));
            }

            return new ArrayValue(dst);
        },
    };

    /// <summary>adjust_gamma: out = in^gamma * gain on scikit-image's scale (kernel <see cref="ExposureCurves"/>).</summary>
    public static OpDefinition AdjustGamma { get; } = new()
    {
        Name = "adjust_gamma",
        Summary = "Gamma correction: (x / scale)^gamma * scale * gain, scale = 255 / 65535 for 8 / 16-bit images (truncated to integers; a result beyond the type, gain > 1, saturates at 255 / 65535 where scikit-image's cast wraps it around, and a negative gain gives 0) and 1 for float images; negative values are refused.",
        Reference = "skimage.exposure.adjust_gamma",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("gamma", ParamType.Float, "Exponent, non-negative (above 1 darkens, below 1 brightens)") { Default = 1.0, Min = 0.0 },
            new ParamSpec("gain", ParamType.Float, "Constant multiplier") { Default = 1.0 },
        ],
        Example = "{gamma: 0.5}",
        Execute = ctx => Curve(
            ctx,
            (dtype, length) => ExposureCurves.GammaTable(dtype, ctx.Float("gamma"), ctx.Float("gain"), length, ctx.Threads),
            (src, dst) => ExposureCurves.GammaFloat(src, dst, ctx.Float("gamma"), ctx.Float("gain"))),
    };

    /// <summary>adjust_log: out = log2(1 + in / scale) * scale * gain, or the inverse curve (kernel <see cref="ExposureCurves"/>).</summary>
    public static OpDefinition AdjustLog { get; } = new()
    {
        Name = "adjust_log",
        Summary = "Logarithmic correction: log2(1 + x / scale) * scale * gain, or with inv (2^(x / scale) - 1) * scale * gain; scale, truncation and saturation as adjust_gamma; negative values are refused.",
        Reference = "skimage.exposure.adjust_log",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("gain", ParamType.Float, "Constant multiplier") { Default = 1.0 },
            new ParamSpec("inv", ParamType.Bool, "The inverse logarithmic correction") { Default = false },
        ],
        Example = "{gain: 1}",
        Execute = ctx => Curve(
            ctx,
            (dtype, length) => ExposureCurves.LogTable(dtype, ctx.Float("gain"), ctx.Bool("inv"), length, ctx.Threads),
            (src, dst) => ExposureCurves.LogFloat(src, dst, ctx.Float("gain"), ctx.Bool("inv"))),
    };

    /// <summary>adjust_sigmoid: out = 1 / (1 + exp(gain (cutoff - in / scale))) * scale, or 1 minus it (kernel <see cref="ExposureCurves"/>).</summary>
    public static OpDefinition AdjustSigmoid { get; } = new()
    {
        Name = "adjust_sigmoid",
        Summary = "Sigmoid contrast correction: 1 / (1 + exp(gain (cutoff - x / scale))) * scale, or with inv (1 - 1 / (1 + exp(...))) * scale; scale 255 / 65535 for 8 / 16-bit images (truncated to integers) and 1 for float images, whose values are used as they are; negative values are refused.",
        Reference = "skimage.exposure.adjust_sigmoid",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("cutoff", ParamType.Float, "Where the curve is at half height, on the 0..1 scale (a float image's own values)") { Default = 0.5 },
            new ParamSpec("gain", ParamType.Float, "Steepness: the slope at the cutoff is gain / 4 (negative flips the curve)") { Default = 10.0 },
            new ParamSpec("inv", ParamType.Bool, "The negative sigmoid: 1 minus the curve") { Default = false },
        ],
        Example = "{cutoff: 0.4, gain: 8}",
        Execute = ctx => Curve(
            ctx,
            (dtype, length) => ExposureCurves.SigmoidTable(dtype, ctx.Float("cutoff"), ctx.Float("gain"), ctx.Bool("inv"), length, ctx.Threads),
            (src, dst) => ExposureCurves.SigmoidFloat(src, dst, ctx.Float("cutoff"), ctx.Float("gain"), ctx.Bool("inv"))),
    };

    /// <summary>is_low_contrast: skimage.exposure.is_low_contrast, as a number (1 or 0) per image.</summary>
    public static OpDefinition IsLowContrast { get; } = new()
    {
        Name = "is_low_contrast",
        Summary = "1 when the image is low contrast, else 0: (p_upper - p_lower) / (the dtype's range) < fraction_threshold, the percentiles numpy.percentile's of all values (a stack: all frames together), the range 255 / 65535 for 8 / 16-bit images and 2 for float images (scikit-image's -1..1); NaN anywhere gives 0.",
        Reference = "skimage.exposure.is_low_contrast",
        Inputs = InputSpec.One,
        Output = OutputKind.Scalar,
        Params =
        [
            new ParamSpec("fraction_threshold", ParamType.Float, "Low contrast below this fraction of the dtype's range") { Default = 0.05 },
            new ParamSpec("lower_percentile", ParamType.Float, "The lower end of the spread, a percentile 0 to 100") { Default = 1.0, Min = 0, Max = 100 },
            new ParamSpec("upper_percentile", ParamType.Float, "The upper end of the spread, a percentile 0 to 100") { Default = 99.0, Min = 0, Max = 100 },
            new ParamSpec("method", ParamType.Enum, "The contrast rule: linear, the only one scikit-image has") { Default = "linear", Allowed = ["linear"] },
        ],
        Example = "{fraction_threshold: 0.1}",
        Execute = ctx =>
        {
            var src = ctx.Array();
            int bits = IntegerSource.BitsOf(src, ctx.Threads); // scikit-image's dtype: 8, 16, or 0 for float
            var p = Statistics.Quantiles.Percentiles(src.Data.AsSpan(0, src.Length), [ctx.Float("lower_percentile"), ctx.Float("upper_percentile")], bits, threads: ctx.Threads);
            double range = bits == 0 ? 2 : (1 << bits) - 1; // dtype_limits(clip_negative=False): -1..1, 0..255, 0..65535
            return new ScalarValue((p[1] - p[0]) / range < ctx.Float("fraction_threshold") ? 1 : 0);
        },
    };

    /// <summary>match_histograms: skimage.exposure.match_histograms (kernel <see cref="HistogramMatching"/>).</summary>
    public static OpDefinition MatchHistograms { get; } = new()
    {
        Name = "match_histograms",
        Summary = "Gives the image the histogram of a reference image (of any size): each distinct value becomes the reference's value at its quantile, interpolated (numpy.interp of the cumulative counts), so that X-rays from different scanners or exposures share one grey-level distribution. On a stack each frame is matched to the reference, or to the reference's frame of the same number when the reference is a stack of as many frames.",
        Reference = "skimage.exposure.match_histograms",
        Inputs = new InputSpec(2, 2, Doc: "the image (or stack), then the reference image (any size; or a stack of as many frames, frame for frame)", SameShape: false, MixesKinds: true),
        Params = [],
        Shape = c =>
        {
            if (c.Inputs.Count > 1 && ReferenceProblem(c.Inputs[0], c.Inputs[1]) is { } problem)
            {
                c.Problem(problem);
            }

            return c.First;
        },
        Example = "{}",
        Execute = ctx =>
        {
            var src = ctx.Array();
            var reference = ctx.Array(1); // one image, or a stack of src's frames: the shape rule refused the others before Execute
            int sourceBins = HistogramMatching.BinsOf(SkimageDtypes.Of(src, ctx.Threads));
            int referenceBins = HistogramMatching.BinsOf(SkimageDtypes.Of(reference, ctx.Threads));
            var dst = ImageArray.Rent(src);
            int n = src.FrameLength, rn = reference.FrameLength;
            for (int f = 0; f < src.Frames; f++)
            {
                int r = reference.IsStack ? f : 0;
                HistogramMatching.Apply(src.Data, f * n, n, sourceBins, reference.Data, r * rn, rn, referenceBins, dst.Data, ctx.Threads);
            }

            return new ArrayValue(dst);
        },
    };

    /// <summary>Why match_histograms cannot pair these: a stack as the reference of an image, or of a stack of other frames (null: it can).</summary>
    private static string? ReferenceProblem(ValueInfo image, ValueInfo reference)
    {
        if (!reference.IsStack)
        {
            return null;
        }

        if (!image.IsStack)
        {
            return "match_histograms' reference (its second input) is a stack and the image is not: give one reference image (scikit-image would pool every frame of a 3-D reference)";
        }

        return image.IsKnown && reference.IsKnown && image.Frames != reference.Frames
            ? $"match_histograms' reference stack has {reference.Frames} frames and the image stack {image.Frames}: a stack is matched frame for frame to a stack of as many frames, or to one reference image"
            : null;
    }

    private delegate void FloatCurve(ReadOnlySpan<float> src, Span<float> dst);

    /// <summary>A curve: through its table for integer images, pixel by pixel for float ones (refused when negative).</summary>
    private static ArrayValue Curve(OpContext ctx, Func<SkimageDtype, int, float[]> table, FloatCurve floatCurve)
    {
        var src = ctx.Array();
        var dtype = SkimageDtypes.Of(src, ctx.Threads);
        float[]? lut = dtype != SkimageDtype.Float32 ? table(dtype, ExposureCurves.TableLength(src.Data.AsSpan(0, src.Length), dtype, ctx.Threads)) : null;
        var dst = ImageArray.Rent(src);
        const int Chunk = 1 << 16;
        int chunks = (src.Length + Chunk - 1) / Chunk;
        var minima = new float[chunks];
        Parallel.For(0, chunks, ctx.Parallel, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (c) =>
        {
            int start = c * Chunk, length = Math.Min(Chunk, src.Length - start);
            var from = src.Data.AsSpan(start, length);
            var to = dst.Data.AsSpan(start, length);
            if (lut is not null)
            {
                ExposureCurves.Map(from, to, lut);
            }
            else
            {
                // A float image's smallest value, checked below: the chunk is read once from memory, then from cache.
                minima[c] = ExposureCurves.Minimum(from);
                floatCurve(from, to);
            }
        });
        if (lut is null && chunks > 0 && minima.Min() is var min && min < 0)
        {
            PixelPool.Shared.Return(dst);
            throw new OpRefusedException(ctx.StepId, string.Create(CultureInfo.InvariantCulture,
                $"the image has negative values (smallest {min}); as scikit-image, gamma, log and sigmoid corrections need values >= 0 (rescale_intensity first)"));
        }

        return new ArrayValue(dst);
    }

    /// <summary>A range parameter: a word, or two items (numbers or percentiles).</summary>
    private sealed record RangeSpec(string? Word, object?[]? Items);

    /// <summary>
    /// A frame's (min, max) by <see cref="Extremes.MinMax(ReadOnlySpan{float}, int)"/>, found at most once: by the first
    /// range that reads the image, or not at all. <see cref="TableLength"/> is the integer table's length when it was
    /// found (<see cref="ExposureCurves.TableLength(SkimageDtype, float)"/> of its max, which the table would find with a pass of its own), else null.
    /// </summary>
    private sealed class FrameExtremes(ReadOnlyMemory<float> frame, int threads)
    {
        private (float Min, float Max)? found;

        public (float Min, float Max) Get() => found ??= Extremes.MinMax(frame.Span, threads);

        public int? TableLength(SkimageDtype dtype) => found is { } f && !frame.IsEmpty ? ExposureCurves.TableLength(dtype, f.Max) : null;
    }

    private static RangeSpec RangeOf(ParamValues p, string name)
    {
        if (p.Word(name) is { } word)
        {
            return new RangeSpec(word, null);
        }

        if (p.Params[name] is object?[] items)
        {
            return new RangeSpec(null, items);
        }

        var numbers = p.Doubles(name) ?? throw new InvalidOperationException($"step '{p.StepId}': parameter '{name}' is not bound");
        return new RangeSpec(null, [numbers[0], numbers[1]]);
    }

    /// <summary>
    /// skimage.exposure.rescale_intensity(frame) with its defaults (in_range 'image', out_range 'dtype'), into
    /// <paramref name="dst"/>: skimage.util.montage's rescale_intensity, which keeps the frame's dtype.
    /// </summary>
    internal static void RescaleWithDefaults(Memory<float> frame, Memory<float> dst, SkimageDtype dtype, int threads)
    {
        var extremes = new FrameExtremes(frame, threads);
        var (imin, imax) = Resolve(new RangeSpec("image", null), frame.Span, dtype, clipNegative: false, threads, extremes);
        var (omin, omax) = Resolve(new RangeSpec("dtype", null), frame.Span, dtype, clipNegative: imin >= 0, threads, extremes);
        IntensityRescale.Apply(frame, dst, dtype, imin, imax, omin, omax, IntensityRescale.OutputType("dtype", dtype), threads, extremes.TableLength(dtype));
    }

    /// <summary>scikit-image's intensity_range for one frame.</summary>
    private static (double Lo, double Hi) Resolve(RangeSpec r, ReadOnlySpan<float> frame, SkimageDtype dtype, bool clipNegative, int threads, FrameExtremes? extremes = null)
    {
        if (r.Word is "image")
        {
            // One SIMD pass, in parts on the threads (made once a frame: in_range, out_range and the table share it);
            // NaN anywhere gives NaN, and -0 < +0, as numpy's min/max (and TensorPrimitives.Min/Max) do.
            var (mn, mx) = extremes?.Get() ?? Extremes.MinMax(frame, threads);
            return float.IsNaN(mn) || float.IsNaN(mx) ? (double.NaN, double.NaN) : (mn, mx);
        }

        if (r.Word is { } word)
        {
            var (lo, hi) = word == "dtype" ? IntensityRescale.DtypeRange(dtype) : IntensityRescale.DtypeRange(word);
            return (clipNegative ? 0 : lo, hi);
        }

        var items = r.Items!;
        var qs = items.OfType<Percentile>().Select(q => q.Q).ToList();
        var values = qs.Count > 0 ? NumpyPercentile.Of(frame, dtype, qs, threads) : [];
        int next = 0;
        double Item(object? item) => item is Percentile ? values[next++] : Convert.ToDouble(item, CultureInfo.InvariantCulture);
        double a = Item(items[0]);
        double b = Item(items[1]);
        return (a, b);
    }

    /// <summary>The in_range list as written when its low end is above its high end (both numbers, or both percentiles), else null.</summary>
    private static string? LowAboveHigh(ParamValues p)
    {
        if (p.IsDeferred("in_range") || p.Word("in_range") is not null || !p.Has("in_range"))
        {
            return null;
        }

        object?[] items = p.Params["in_range"] is object?[] o ? o : (p.Doubles("in_range") ?? []).Cast<object?>().ToArray();
        if (items.Length != 2)
        {
            return null;
        }

        bool bad = (items[0], items[1]) switch
        {
            (Percentile a, Percentile b) => a.Q > b.Q,
            (double a, double b) => a > b,
            _ => false,
        };
        return bad ? "[" + string.Join(", ", items.Select(i => Convert.ToString(i, CultureInfo.InvariantCulture))) + "]" : null;
    }

    private static string FrameText(ImageArray src, int frame) => src.IsStack ? $"frame {frame}: " : string.Empty;
}
