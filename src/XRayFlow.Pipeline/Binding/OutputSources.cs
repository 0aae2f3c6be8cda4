using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>What an output (or a figure panel) reads: a step or an input whose value the output's format can write.</summary>
internal sealed class OutputSources(BindingContext context)
{
    private readonly BindingContext _c = context;

    /// <summary>True when <paramref name="source"/> names a step or input that a <paramref name="format"/> file can hold; a kind mismatch is reported at <paramref name="kindAt"/>.</summary>
    public bool Check(string output, YamlScalar source, OutputFormat? format, SourceLocation kindAt)
    {
        if (!_c.Symbols.TryGetValue(source.Value, out var sym))
        {
            _c.Diagnostics.ReportUnknownOutputSource(source.Start, output, source.Value, DidYouMean.Suffix(source.Value, _c.Symbols.Keys));
            return false;
        }

        return format is not { } f || CheckKind(output, sym, f, kindAt);
    }

    /// <summary>.npy: an array; .gif: a real stack; .json and .csv: a table; .png: a real image, or a histogram table (rendered as a plot).</summary>
    private bool CheckKind(string output, Symbol sym, OutputFormat format, SourceLocation location)
    {
        if (sym.Value is not { } kind)
        {
            return true; // unknown (an earlier error); nothing more to say
        }

        string? hint = (format, kind) switch
        {
            (OutputFormat.Npy, ValueKind.Table) => "write a table as .json or .csv",
            (OutputFormat.Gif, ValueKind.Image) => "a .gif animates a stack; write an image as .png or .npy",
            (OutputFormat.Gif, ValueKind.Table) => "write a table as .json or .csv",
            (OutputFormat.Csv, ValueKind.Image or ValueKind.Stack) => "a .csv output holds a table (regionprops, stats, histogram); write the array as .npy",
            (OutputFormat.Csv, ValueKind.Scalar) => "write a scalar as .json",
            (OutputFormat.Json, ValueKind.Image or ValueKind.Stack) => "a .json output holds statistics or a histogram: add a 'stats' or 'histogram' step, or write the array as .npy",
            (OutputFormat.Npy or OutputFormat.Gif or OutputFormat.Png, ValueKind.Scalar) => "write a scalar as .json",
            (OutputFormat.Png, ValueKind.Stack) => "tile its frames into one image with the 'montage' op, or write it as .gif",
            (OutputFormat.Png, ValueKind.Table) when sym.Op?.Plot is null or TablePlot.None => "only a histogram renders as a .png plot; write the table as .json or .csv",
            (OutputFormat.Png or OutputFormat.Gif, ValueKind.Image or ValueKind.Stack) when sym.Info is { IsComplex: true }
                => "a picture shows real values: take 'abs' of it (or 'ifft2' with part: real) first, or write it as .npy (complex64)",
            _ => null,
        };
        if (hint is null)
        {
            return true;
        }

        string value = (sym.Info is { IsComplex: true } ? "a complex array" : new ValueInfo(kind).Article) + $" ('{sym.Name}')";
        _c.Diagnostics.ReportOutputKindMismatch(location, output, value, "." + format.ToString().ToLowerInvariant(), hint);
        return false;
    }
}
