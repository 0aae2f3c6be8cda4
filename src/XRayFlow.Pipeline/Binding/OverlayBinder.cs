using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Outputs.Rendering;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// A .png output's `overlay: {from: mask, color: red}`: the outlines of a mask's or label image's regions drawn over the
/// picture (<see cref="Outline"/>). <paramref name="From"/> is a step or input holding an image of the picture's shape;
/// <paramref name="Color"/> a colour name, `#rrggbb`, or `labels` (each label's colour from the `labels` colormap).
/// Its text (the record's) enters the recipe's canonical form, so a changed overlay changes the recipe hash.
/// </summary>
public sealed record OverlayOption(string From, string Color)
{
    /// <summary>The keys an overlay map takes.</summary>
    public static IReadOnlyList<string> Keys { get; } = ["from", "color"];

    /// <summary>The default colour.</summary>
    public const string DefaultColor = "red";
}

/// <summary>Binds `overlay`; problems are reported with the output section's existing diagnostics (node type, unknown or missing key, unknown source, kind mismatch, bad option).</summary>
internal sealed class OverlayBinder(BindingContext context)
{
    private readonly BindingContext _c = context;

    /// <summary>The overlay, or null when an error was reported.</summary>
    public OverlayOption? Bind(string output, YamlEntry entry)
    {
        if (entry.Value is not YamlMapping m)
        {
            _c.Diagnostics.ReportWrongNodeType(entry.Value.Start, $"'overlay' of output '{output}'", "a map {from: mask, color: red}", entry.Value.Describe());
            return null;
        }

        bool ok = true;
        YamlScalar? from = null;
        string color = OverlayOption.DefaultColor;
        foreach (var k in m.Entries)
        {
            switch (k.Key.Value)
            {
                case "from" when k.Value is YamlScalar { IsNull: false } s:
                    from = s;
                    break;
                case "from":
                    _c.Diagnostics.ReportWrongNodeType(k.Value.Start, $"'from' of the overlay of output '{output}'", "the name of a step or an input", k.Value.Describe());
                    ok = false;
                    break;
                case "color" when k.Value is YamlScalar { IsNull: false } s && (s.Value == LabelColors.Name || Outline.Parse(s.Value) is not null):
                    color = s.Value;
                    break;
                case "color":
                    string expected = $"a colour ({string.Join(", ", Outline.Named.Keys)}, #rrggbb) or labels";
                    _c.Diagnostics.ReportBadOutputOption(k.Value.Start, "color", expected, k.Value is YamlScalar v ? $"'{v.Value}'" : k.Value.Describe());
                    ok = false;
                    break;
                default:
                    _c.Diagnostics.ReportUnknownKey(k.Key.Start, k.Key.Value, $"the overlay of output '{output}'", DidYouMean.Suffix(k.Key.Value, OverlayOption.Keys));
                    ok = false;
                    break;
            }
        }

        if (from is null)
        {
            if (ok)
            {
                _c.Diagnostics.ReportMissingKey(m.Start, $"the overlay of output '{output}'", "from");
            }

            return null;
        }

        if (!_c.Symbols.TryGetValue(from.Value, out var sym))
        {
            _c.Diagnostics.ReportUnknownOutputSource(from.Start, output, from.Value, DidYouMean.Suffix(from.Value, _c.Symbols.Keys));
            return null;
        }

        if (sym.Info is { IsComplex: true })
        {
            _c.Diagnostics.ReportOutputKindMismatch(from.Start, output, $"a complex array ('{sym.Name}')", "an overlay", "an overlay outlines the regions of a real image (a mask or a label image): take 'abs' of it first");
            return null;
        }

        if (sym.Value is { } kind && kind != ValueKind.Image)
        {
            _c.Diagnostics.ReportOutputKindMismatch(from.Start, output, new ValueInfo(kind).Article + $" ('{sym.Name}')", "an overlay",
                "an overlay outlines the regions of one image (a mask or a label image) of the picture's shape");
            return null;
        }

        return ok ? new OverlayOption(from.Value, color) : null;
    }
}
