namespace XRayFlow.Core.Ops;

/// <summary>The list of every op declaration. Adding an op: declare it in a Catalog file, list it here.</summary>
public static partial class OpCatalog
{
    public static IEnumerable<OpDefinition> Declarations()
    {
        yield return Abs;
        yield return GaussianFilter;
        yield return GaussianLaplace;
        yield return GaussianGradientMagnitude;
        yield return Sobel;
        yield return Prewitt;
        yield return Laplace;
        yield return UniformFilter;
        yield return MedianFilter;
        yield return MontageOp;
        yield return CannyOp;

        // engine ops (fourier, arithmetic, expression, statistics)
        yield return Fft2;
        yield return Ifft2;
        yield return FourierGaussian;
        yield return Hypot;
        yield return Normalize;
        yield return Clip;
        yield return Add;
        yield return Subtract;
        yield return Multiply;
        yield return Where;
        yield return Map;
        yield return Histogram;
        yield return Stats;
        yield return Window;
        yield return DownsampleOp;
    }
}
