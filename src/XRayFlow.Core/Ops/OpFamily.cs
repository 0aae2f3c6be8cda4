namespace XRayFlow.Core.Ops;

/// <summary>
/// The families of ops. Each has a folder `Ops/&lt;Family&gt;/` (namespace XRayFlow.Core.Ops.&lt;Family&gt;) holding its
/// declarations (a static class marked <see cref="OpFamilyAttribute"/>) next to its kernels.
/// </summary>
public enum OpFamily
{
    /// <summary>scipy.ndimage filters: Gaussian, derivatives, box, median, rank, Canny.</summary>
    Filters,

    /// <summary>Pixel by pixel: arithmetic, clip, hypot, normalize, expressions.</summary>
    Elementwise,

    /// <summary>Transforms and Fourier-domain filters.</summary>
    Fourier,

    /// <summary>Numbers about an image: statistics, histograms, thresholds, percentiles.</summary>
    Statistics,

    /// <summary>For looking at: DICOM windows, montages, downsampling.</summary>
    Display,

    /// <summary>Where pixels go: zoom, resize, rotate, shift, crop, pad, flip.</summary>
    Geometry,

    /// <summary>Intensity mappings: histogram equalization, CLAHE, rescaling, gamma.</summary>
    Intensity,

    /// <summary>Grey and binary morphology, structuring elements.</summary>
    Morphology,

    /// <summary>Labelling, region tables, distance transforms.</summary>
    Measure,
}

/// <summary>Marks a static class whose public static <see cref="OpDefinition"/> properties are the ops of a family.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class OpFamilyAttribute(OpFamily family) : Attribute
{
    public OpFamily Family { get; } = family;
}
