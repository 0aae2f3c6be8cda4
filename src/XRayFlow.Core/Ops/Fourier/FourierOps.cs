using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Fourier;

/// <summary>2-D transforms (numpy.fft) and Fourier-domain filters (scipy.ndimage.fourier_*).</summary>
[OpFamily(OpFamily.Fourier)]
public static class FourierOps
{
    /// <summary>numpy.fft's norm parameter (fft2 and ifft2).</summary>
    private static readonly ParamSpec Norm = new("norm", ParamType.Enum, "numpy's normalisation: backward (default: fft2 unscaled, ifft2 by 1/(rows*cols)), ortho (both by 1/sqrt(rows*cols)) or forward (fft2 by 1/(rows*cols), ifft2 unscaled)")
    {
        Default = "backward",
        Allowed = ["backward", "ortho", "forward"],
    };

    private static string NormOf(OpContext ctx) => ctx.Has("norm") ? ctx.Text("norm") : "backward";

    /// <summary>fft2: 2-D DFT of each frame (numpy.fft.fft2, norm "backward"); complex output.</summary>
    public static OpDefinition Fft2 { get; } = new()
    {
        Name = "fft2",
        Summary = "2-D discrete Fourier transform over rows and columns (frame by frame on a stack); complex result, scaled by numpy's norm (default backward: not scaled).",
        Reference = "numpy.fft.fft2",
        Inputs = InputSpec.One with { AcceptsComplex = true },
        Params = [Norm],
        Shape = c => c.First with { IsComplex = true, IsFrequency = true },
        Execute = ctx =>
        {
            var src = ctx.Array();
            return new ArrayValue(Fft2D.Forward(src, ctx.Threads, Fft2D.NormScale(NormOf(ctx), src.FrameLength, inverse: false)));
        },
    };

    /// <summary>ifft2: inverse 2-D DFT (numpy.fft.ifft2, scaled 1/(rows*cols)); returns one real part.</summary>
    public static OpDefinition Ifft2 { get; } = new()
    {
        Name = "ifft2",
        Summary = "Inverse 2-D discrete Fourier transform (scaled by numpy's norm: default backward, 1/(rows*cols)); returns the real part, the imaginary part or the modulus.",
        Reference = "numpy.fft.ifft2",
        Inputs = InputSpec.One with { AcceptsComplex = true },
        Shape = c => c.First with { IsComplex = false, IsFrequency = false },
        Params =
        [
            new ParamSpec("part", ParamType.Enum, "Which real array to return: real (np.real), imag (np.imag) or abs (np.abs) of the complex result.")
            {
                Default = "real",
                Allowed = ["real", "imag", "abs"],
            },
            Norm,
        ],
        Execute = ctx =>
        {
            string part = ctx.Text("part");
            if (part == "real")
            {
                // Re(ifft2(x)) by a complex-to-real transform of the Hermitian part: half the work.
                var x = ctx.Array();
                return new ArrayValue(Fft2D.InverseRealPart(x, ctx.Threads, Fft2D.NormScale(NormOf(ctx), x.FrameLength, inverse: true)));
            }

            var src = ctx.Array();
            var c = Fft2D.Inverse(src, ctx.Threads, Fft2D.NormScale(NormOf(ctx), src.FrameLength, inverse: true));
            // The imaginary part becomes the result as it is (no copy); the other pooled part goes back.
            var result = part switch
            {
                "imag" => Part(c, c.Imag!, c.Data),
                "abs" => Modulus(c),
                _ => throw new InvalidOperationException($"step '{ctx.StepId}': part '{part}' is not real, imag or abs"),
            };
            if (part == "abs")
            {
                PixelPool.Shared.Return(c);
            }

            return new ArrayValue(result);
        },
    };

    /// <summary>fourier_gaussian: multiply by the Gaussian transfer function (scipy.ndimage.fourier_gaussian).</summary>
    public static OpDefinition FourierGaussian { get; } = new()
    {
        Name = "fourier_gaussian",
        Summary = "Multiplies a Fourier transform by the transfer function of a Gaussian of the given sigma (pixels): exp(-2 pi^2 sigma^2 f^2) per axis.",
        Reference = "scipy.ndimage.fourier_gaussian",
        Inputs = InputSpec.One with { AcceptsComplex = true },
        KeepsDomain = true,
        Params =
        [
            new ParamSpec("sigma", ParamType.FloatPerAxis, "Standard deviation of the Gaussian in pixels: one number, or [rows, cols].")
            {
                Required = true,
                Min = 0,
                Max = 1e6,
            },
            new ParamSpec("n", ParamType.Int, "-1: the input is a full complex FFT; n >= 0: it is a real FFT (rfft) along `axis` of a signal of length n.")
            {
                Default = -1,
                Min = -1,
                Max = 1 << 20,
            },
            new ParamSpec("axis", ParamType.Int, "The axis of the real transform when n >= 0 (-1 or 1: columns, -2 or 0: rows).")
            {
                Default = -1,
                Min = -2,
                Max = 1,
            },
        ],
        Rules =
        [
            new OpRule
            {
                Description = "expects a Fourier transform (a warning: the tutorial applies it to an image on purpose)",
                Severity = Diagnostics.Severity.Warning,
                Code = Diagnostics.DiagnosticCodes.FourierGaussianOnSpatial,
                Check = c => c.Inputs.Count > 0 && !c.Inputs[0].IsFrequency
                    ? $"fourier_gaussian multiplies its input by a Gaussian's transfer function, so it expects a Fourier transform, but {c.Name()} is not the output of fft2; to smooth an image use fft2 -> fourier_gaussian -> ifft2, or gaussian_filter"
                    : null,
                Violation = "{sigma: 1}",
            },
            new OpRule
            {
                Description = "n is -1 or a signal length of at least 1",
                At = "n",
                Check = c => c.Int("n") == 0
                    ? "n = 0 is not a signal length (SciPy divides by it: NaN and zeros); use -1 for a full complex FFT, or the length of the signal before rfft"
                    : null,
                Violation = "{sigma: 1, n: 0}",
            },
        ],
        Execute = ctx => new ArrayValue(FourierFilters.Gaussian(ctx.Array(), ctx.Get<double[]>("sigma"), ctx.Int("n"), ctx.Int("axis"), ctx.StepId, ctx.Threads)),
    };

    private static ImageArray Part(ImageArray c, float[] keep, float[] giveBack)
    {
        PixelPool.Shared.Return(giveBack);
        return c.IsStack ? ImageArray.Stack(c.Frames, c.Rows, c.Cols, keep) : new ImageArray(c.Rows, c.Cols, keep);
    }

    private static ImageArray Modulus(ImageArray c)
    {
        var dst = ImageArray.Rent(c);
        var re = c.Data;
        var im = c.Imag!;
        for (int k = 0; k < re.Length; k++)
        {
            dst.Data[k] = (float)Math.Sqrt(((double)re[k] * re[k]) + ((double)im[k] * im[k]));
        }

        return dst;
    }
}
