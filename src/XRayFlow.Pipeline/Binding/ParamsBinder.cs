using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>The `params:` section: named constants (number, true/false or string), then the `--set` overrides.</summary>
internal sealed class ParamsBinder(BindingContext context)
{
    private readonly BindingContext _c = context;

    /// <summary>Fills <see cref="BindingContext.Params"/>; returns the params in declaration order.</summary>
    public List<BoundParam> Bind(YamlEntry? entry, IReadOnlyDictionary<string, string> overrides)
    {
        if (entry is not null && entry.Value is not YamlScalar { IsNull: true })
        {
            BindDeclarations(entry);
        }

        foreach (var (key, text) in overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            ApplyOverride(key, text);
        }

        return _c.Params.Values.OrderBy(p => p.Location.Line).Select(p => new BoundParam(p.Name, p.Value, p.Location)).ToList();
    }

    /// <summary>i, j, rows and cols are built-ins of every expression: a param of that name would never be seen (XRF1070).</summary>
    private void CheckReservedName(YamlScalar key)
    {
        string? builtIn = PixelBuiltIns.Describe(key.Value);
        if (builtIn is not null)
        {
            _c.Diagnostics.ReportReservedParamName(key.Start, key.Value, builtIn);
        }
    }

    private void BindDeclarations(YamlEntry entry)
    {
        if (entry.Value is not YamlMapping map)
        {
            _c.Diagnostics.ReportWrongNodeType(entry.Value.Start, "'params'", "a map of name: value", entry.Value.Describe());
            return;
        }

        foreach (var e in map.Entries)
        {
            string name = e.Key.Value;
            _c.CheckIdentifier(e.Key, "param name");
            CheckReservedName(e.Key);
            if (e.Value is not YamlScalar s || s.IsNull)
            {
                _c.Diagnostics.ReportBadParamDeclaration(e.Value.Start, name, e.Value.Describe());
                _c.RefusedParams.Add(name);
                continue;
            }

            object value = s.TryGetNumber(out double num) ? num : s.TryGetBool(out bool b) ? b : s.Value;
            if (value is string && s.IsPlain && (ScalarText.IsAmbiguousNumber(s.Value) || ScalarText.IsYaml11Boolean(s.Value)))
            {
                _c.RefusedParams.Add(name);
                continue; // already reported by the reader
            }

            _c.Params[name] = new ParamSymbol(name, value, s, e.Key.Start);
        }
    }

    /// <summary>`--set key=text`: the text parsed by the declared param's type.</summary>
    private void ApplyOverride(string key, string text)
    {
        if (!_c.Params.TryGetValue(key, out var p) && _c.RefusedParams.Contains(key))
        {
            return; // the declaration's error says what is wrong with it
        }

        if (p is null)
        {
            _c.Diagnostics.ReportUnknownSetParam(key, DidYouMean.Suffix(key, _c.Params.Keys));
            return;
        }

        object? parsed = p.Value switch
        {
            double => ScalarText.TryParseNumber(text.Trim(), out double dv) ? dv : null,
            bool => text.Trim() switch
            {
                "true" or "True" or "TRUE" => true,
                "false" or "False" or "FALSE" => false,
                _ => null,
            },
            _ => text,
        };
        if (parsed is null)
        {
            _c.Diagnostics.ReportBadSetValue(p.Location, key, text, p.Value is double ? "a number" : "true or false");
            return;
        }

        _c.Params[key] = p with { Value = parsed, FromSet = true };
    }
}
