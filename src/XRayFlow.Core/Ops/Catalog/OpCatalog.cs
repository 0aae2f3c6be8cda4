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
        yield return DownsampleOp;
    }
}
