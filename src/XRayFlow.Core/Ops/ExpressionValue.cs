using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Text;

namespace XRayFlow.Core.Ops;

/// <summary>An expression parameter's bound value: a C# text, or a plain number.</summary>
/// <param name="Text">The C# text, or null for a number.</param>
/// <param name="Number">The number, or null for a text.</param>
/// <param name="Location">Where the text's first character (or the number) stands in the recipe; null for a default.</param>
/// <param name="TextMap">Where each character of <paramref name="Text"/> stands (see <see cref="SourceMap"/>); null when it stands as written.</param>
public sealed record ExpressionValue(string? Text, double? Number, SourceLocation? Location, SourceMap? TextMap = null)
{
    public bool IsNumber => Number.HasValue;

    /// <summary>The recipe location of the character <paramref name="offset"/> characters into <see cref="Text"/>; null without a location (a default).</summary>
    public SourceLocation? Locate(int offset) => Location is { } start ? SourceMap.For(Text ?? string.Empty, start, TextMap).Locate(offset) : null;

    public override string ToString() => Text ?? Number!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// A numeric parameter (or one item of a list parameter) written `${step}` or `${step.field}`: the value of a
/// scalar step (e.g. threshold_otsu, percentile) or a scalar field of a step (e.g. stats' p99, label's count),
/// known only when that step has run, per item of a batch. The executor replaces it before the op runs.
/// </summary>
/// <param name="Step">The step id.</param>
/// <param name="Field">The field, or null for the step's own scalar value.</param>
/// <param name="Location">Where the `${...}` is written.</param>
public sealed record ScalarRef(string Step, string? Field, SourceLocation Location)
{
    public override string ToString() => Field is null ? $"${{{Step}}}" : $"${{{Step}.{Field}}}";
}

/// <summary>
/// One item of a list parameter written `pN` (a parameter with <see cref="ParamSpec.PercentileItems"/>, e.g.
/// rescale_intensity's `in_range: [p2, p98]`): the Nth percentile (0..100) of the op's input image, computed by the
/// op per image (numpy.percentile, linear).
/// </summary>
public sealed record Percentile(double Q)
{
    public override string ToString() => "p" + RoundTrip.Format(Q);
}
