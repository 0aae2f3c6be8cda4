using XRayFlow.Core.Fourier;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops;

public static partial class OpCatalog
{
    /// <summary>fft2: 2-D DFT of each frame (numpy.fft.fft2, norm "backward"); complex output.</summary>
    public static OpDefinition Fft2 { get; } = new()
    {
        Name = "fft2",
        Summary = "2-D discrete Fourier transform over rows and columns (frame by frame on a stack); complex result, not scaled.",
        Reference = "numpy.fft.fft2",
        Inputs = InputSpec.One,
        Category = "fourier",
        Execute = ctx => new ArrayValue(Fft2D.Forward(ctx.Array(), ctx.Threads)),
    };

    /// <summary>ifft2: inverse 2-D DFT (numpy.fft.ifft2, scaled 1/(rows*cols)); returns one real part.</summary>
    public static OpDefinition Ifft2 { get; } = new()
    {
        Name = "ifft2",
        Summary = "Inverse 2-D discrete Fourier transform (scaled by 1/(rows*cols)); returns the real part, the imaginary part or the modulus.",
        Reference = "numpy.fft.ifft2",
        Inputs = InputSpec.One,
        Category = "fourier",
        Params =
        [
            new ParamSpec("part", ParamType.Enum, "Which real array to return: real (np.real), imag (np.imag) or abs (np.abs) of the complex result.")
            {
                Default = "real",
                Allowed = ["real", "imag", "abs"],
            },
        ],
        Execute = ctx =>
        {
            var c = Fft2D.Inverse(ctx.Array(), ctx.Threads);
            string part = ctx.Text("part");
            var result = part switch
            {
                "real" => RealOf(c, c.Data),
                "imag" => RealOf(c, c.Imag!),
                "abs" => Modulus(c),
                _ => throw new InvalidOperationException($"step '{ctx.StepId}': part '{part}' is not real, imag or abs"),
            };
            return new ArrayValue(result);
        },
    };

    /// <summary>fourier_gaussian: multiply by the Gaussian transfer function (scipy.ndimage.fourier_gaussian).</summary>
    public static OpDefinition FourierGaussian { get; } = new()
    {
        Name = "fourier_gaussian",
        Summary = "Multiplies a Fourier transform by the transfer function of a Gaussian of the given sigma (pixels): exp(-2 pi^2 sigma^2 f^2) per axis.",
        Reference = "scipy.ndimage.fourier_gaussian",
        Inputs = InputSpec.One,
        Category = "fourier",
        IsElementwise = false,
        Params =
        [
            new ParamSpec("sigma", ParamType.FloatPerAxis, "Standard deviation of the Gaussian in pixels: one number, or [rows, cols].")
            {
                Required = true,
                Min = 0,
            },
            new ParamSpec("n", ParamType.Int, "-1: the input is a full complex FFT; n >= 0: it is a real FFT (rfft) along `axis` of a signal of length n.")
            {
                Default = -1,
                Min = -1,
            },
            new ParamSpec("axis", ParamType.Int, "The axis of the real transform when n >= 0 (-1 or 1: columns, -2 or 0: rows).")
            {
                Default = -1,
                Min = -2,
                Max = 1,
            },
        ],
        Execute = ctx => new ArrayValue(FourierFilters.Gaussian(ctx.Array(), ctx.Get<double[]>("sigma"), ctx.Int("n"), ctx.Int("axis"), ctx.StepId, ctx.Threads)),
    };

    private static ImageArray RealOf(ImageArray c, float[] part)
    {
        var dst = ImageArray.Rent(c);
        part.CopyTo(dst.Data, 0);
        return dst;
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
