using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>The `inputs:` section: `name: kind` or `name: {kind, default}`; each input becomes a symbol steps can read.</summary>
internal sealed class InputsBinder(BindingContext context)
{
    private static readonly IReadOnlyList<string> InputKeys = ["kind", "default"];

    private readonly BindingContext _c = context;

    public List<BoundInput> Bind(YamlEntry? entry)
    {
        var inputs = new List<BoundInput>();
        if (entry is null || entry.Value is YamlScalar { IsNull: true } || entry.Value is YamlMapping { Entries.Count: 0 })
        {
            _c.Diagnostics.ReportNoInputs(entry?.Key.Start ?? _c.FileStart);
            return inputs;
        }

        if (entry.Value is not YamlMapping map)
        {
            _c.Diagnostics.ReportWrongNodeType(entry.Value.Start, "'inputs'", "a map of name: kind", entry.Value.Describe());
            return inputs;
        }

        string folder = _c.Folder;
        foreach (var e in map.Entries)
        {
            string name = e.Key.Value;
            _c.CheckIdentifier(e.Key, "input name");
            var (kind, defaultText) = BindDeclaration(name, e.Value);
            string? resolved = defaultText is { Length: > 0 } ? Path.GetFullPath(Path.Combine(folder, defaultText)) : null;
            inputs.Add(new BoundInput(name, kind ?? InputKind.Image, resolved, e.Key.Start) { DefaultPathText = defaultText });
            if (!_c.Symbols.ContainsKey(name))
            {
                var info = kind switch
                {
                    InputKind.Stack => ValueInfo.Stack,
                    InputKind.Image => ValueInfo.Image,
                    _ => null, // unknown after an error
                };
                _c.Symbols[name] = new Symbol(name, SymbolKind.Input, info, e.Key.Start.Line, null);
            }
        }

        return inputs;
    }

    /// <summary>The input's kind (null after an error) and its `default:` text.</summary>
    private (InputKind? Kind, string? DefaultText) BindDeclaration(string name, YamlNode node)
    {
        switch (node)
        {
            case YamlScalar s when !s.IsNull:
                return (ParseKind(s), null);
            case YamlMapping m:
                return BindInputMap(name, m);
            default:
                _c.Diagnostics.ReportWrongNodeType(node.Start, $"input '{name}'", "a kind (image or stack) or a map {kind, default}", node.Describe());
                return (null, null);
        }
    }

    private (InputKind? Kind, string? DefaultText) BindInputMap(string name, YamlMapping m)
    {
        InputKind? kind = null;
        string? defaultText = null;
        foreach (var k in m.Entries)
        {
            switch (k.Key.Value)
            {
                case "kind":
                    if (k.Value is YamlScalar ks && !ks.IsNull)
                    {
                        kind = ParseKind(ks);
                    }
                    else
                    {
                        _c.Diagnostics.ReportWrongNodeType(k.Value.Start, $"the kind of input '{name}'", "image or stack", k.Value.Describe());
                    }

                    break;
                case "default":
                    defaultText = _c.ReadPath(k.Value, $"the default of input '{name}'");
                    if (defaultText is { Length: 0 })
                    {
                        _c.Diagnostics.ReportEmptyName(k.Value.Start, $"the default of input '{name}'");
                    }

                    break;
                default:
                    _c.Diagnostics.ReportUnknownKey(k.Key.Start, k.Key.Value, $"input '{name}'", DidYouMean.Suffix(k.Key.Value, InputKeys));
                    break;
            }
        }

        if (m.Find("kind") is null)
        {
            _c.Diagnostics.ReportMissingKey(m.Start, $"input '{name}'", "kind");
        }

        return (kind, defaultText);
    }

    private InputKind? ParseKind(YamlScalar s)
    {
        switch (s.Value)
        {
            case "image":
                return InputKind.Image;
            case "stack":
                return InputKind.Stack;
            default:
                if (!(s.IsPlain && ScalarText.IsYaml11Boolean(s.Value)))
                {
                    _c.Diagnostics.ReportUnknownInputKind(s.Start, s.Value, DidYouMean.Suffix(s.Value, ["image", "stack"]));
                }

                return null;
        }
    }
}
