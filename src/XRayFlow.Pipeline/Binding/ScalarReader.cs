using System.Text.RegularExpressions;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// Reads a scalar's typed value and resolves `${...}`: a whole-value `${param}` is the param's value; in an op
/// parameter, `${step}` or `${step.field}` of an earlier step that computes a number is a <see cref="ScalarRef"/>;
/// `${param}` inside a longer string parameter is replaced by the param's text.
/// </summary>
internal sealed partial class ScalarReader(BindingContext context)
{
    private readonly BindingContext _c = context;

    // Spaces and tabs inside the braces are allowed (`${ p1 }`, `${ stats.p99 }`), as in GitHub Actions and Jinja
    // templates; not inside the name.
    [GeneratedRegex(WholeRefPattern, RegexOptions.CultureInvariant)]
    private static partial Regex WholeParamRef();

    /// <summary>A whole value that is a reference: `${name}` or `${step.field}`, blanks allowed inside the braces (also the editor schema's pattern).</summary>
    internal const string WholeRefPattern = @"^\$\{[ \t]*([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?[ \t]*\}$";

    /// <summary>Any `${...}`; group 1 is the text inside the braces (see <see cref="Inside"/>).</summary>
    [GeneratedRegex(@"\$\{([^{}]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex AnyParamRef();

    /// <summary>
    /// The scalar's value, or null when an error was reported. <paramref name="laterIds"/> (op parameters: the ids of
    /// later steps, with their lines) allows `${step}` values; <paramref name="target"/> names the parameter a
    /// `${step}` is refused for when it is not allowed.
    /// </summary>
    public RawScalar? Read(YamlScalar s, IReadOnlyDictionary<string, int>? laterIds = null, (OpDefinition Op, ParamSpec Spec)? target = null)
    {
        if (s.IsPlain && (ScalarText.IsYaml11Boolean(s.Value) || ScalarText.IsAmbiguousNumber(s.Value)))
        {
            return null; // reported by the reader
        }

        var whole = WholeParamRef().Match(s.Value);
        if (whole.Success && s.Style != ScalarStyle.Block)
        {
            string? field = whole.Groups[2].Success ? whole.Groups[2].Value : null;
            return ReadReference(s, whole.Groups[1].Value, field, laterIds, target);
        }

        if (s.IsNull)
        {
            return new RawScalar(null, s, false);
        }

        if (s.TryGetNumber(out double d))
        {
            return new RawScalar(d, s, false);
        }

        return s.TryGetBool(out bool b) ? new RawScalar(b, s, false) : new RawScalar(s.Value, s, false);
    }

    /// <summary>The name inside a `${...}` match, without the spaces and tabs around it.</summary>
    private static string Inside(Match m) => m.Groups[1].Value.Trim(' ', '\t');

    /// <summary>
    /// True for a block scalar (`|` or `&gt;`) that holds only a reference: a block is text (its line break is part of
    /// the value), so `${name}` there is replaced textually and never read as the param's number.
    /// </summary>
    public static bool IsBlockHoldingReference(YamlScalar s)
        => s.Style == ScalarStyle.Block && WholeParamRef().IsMatch(s.Value.TrimEnd('\n'));

    /// <summary>The param a whole-value `${name}` scalar names, or null.</summary>
    public ParamSymbol? WholeParam(YamlScalar s)
        => WholeParamRef().Match(s.Value) is { Success: true } m && _c.Params.TryGetValue(m.Groups[1].Value, out var p) ? p : null;

    /// <summary>True when <paramref name="text"/> holds no `${...}`; else reports the first one (here the whole value must be the reference).</summary>
    public bool CheckNoPartialRef(YamlScalar s, string text)
    {
        var partial = AnyParamRef().Match(text);
        if (!partial.Success)
        {
            return true;
        }

        if (!ReportStepInExpression(s.Locate(partial.Index), Inside(partial)))
        {
            _c.Diagnostics.ReportPartialParamRef(s.Locate(partial.Index), Inside(partial));
        }

        return false;
    }

    /// <summary>
    /// True (reported, XRF1076) when an expression parameter's whole value is `${step}` or `${step.field}` of an
    /// earlier step: an expression's text is fixed before the run, so it reads a step through its `in` map.
    /// </summary>
    public bool IsStepRefInExpression(YamlScalar s)
        => s.Style != ScalarStyle.Block && WholeParamRef().Match(s.Value) is { Success: true } m
           && ReportStepInExpression(s.ContentStart, m.Groups[2].Success ? $"{m.Groups[1].Value}.{m.Groups[2].Value}" : m.Groups[1].Value);

    /// <summary>Reports XRF1076 when <paramref name="reference"/> (`name` or `name.field`) names an earlier step rather than a param.</summary>
    private bool ReportStepInExpression(SourceLocation at, string reference)
    {
        int dot = reference.IndexOf('.', StringComparison.Ordinal);
        string name = dot < 0 ? reference : reference[..dot];
        if ((dot < 0 && _c.Params.ContainsKey(name)) || !_c.Symbols.TryGetValue(name, out var sym) || sym.Kind != SymbolKind.Step)
        {
            return false;
        }

        string hint = dot < 0
            ? $"; list it in this step's `in` map under a variable name (in: {{x: ..., {name}: {name}}}) and write {name}"
            : "; an `in` map names whole steps, not fields: compute the number with a step of its own (percentile, threshold_otsu ...) and list that step in this step's `in` map";
        _c.Diagnostics.ReportStepRefInExpression(at, reference, name, hint);
        return true;
    }

    /// <summary>`${name}` inside a longer string parameter, replaced by the param's value (null after an unknown name).</summary>
    public string? SubstituteInText(string text, YamlScalar s)
    {
        bool ok = true;
        string result = AnyParamRef().Replace(text, m =>
        {
            string name = Inside(m);
            if (_c.Params.TryGetValue(name, out var p))
            {
                return p.Value switch
                {
                    double d => ScalarText.FormatNumber(d),
                    bool b => b ? "true" : "false",
                    _ => p.Value.ToString() ?? string.Empty,
                };
            }

            if (!_c.RefusedParams.Contains(name))
            {
                _c.Diagnostics.ReportUnknownParamRef(s.Locate(m.Index), name, DidYouMean.Suffix(name, _c.Params.Keys));
            }

            ok = false;
            return m.Value;
        });
        return ok ? result : null;
    }

    private RawScalar? ReadReference(YamlScalar s, string name, string? field, IReadOnlyDictionary<string, int>? laterIds, (OpDefinition Op, ParamSpec Spec)? target)
    {
        if (field is null && _c.Params.TryGetValue(name, out var p))
        {
            return new RawScalar(p.Value, s, true);
        }

        if (laterIds is not null && ResolveScalarRef(s, name, field, laterIds) is { } r)
        {
            return new RawScalar(r, s, true);
        }

        if (laterIds is not null && (_c.Symbols.ContainsKey(name) || laterIds.ContainsKey(name)))
        {
            return null; // reported by ResolveScalarRef
        }

        if (field is null && _c.RefusedParams.Contains(name) && !_c.Symbols.ContainsKey(name))
        {
            return null; // its declaration is already reported
        }

        string shown = field is null ? name : $"{name}.{field}";
        if (laterIds is null && target is { } t && _c.Symbols.ContainsKey(name))
        {
            _c.Diagnostics.ReportScalarNotAllowedHere(s.ContentStart, t.Spec.Name, t.Op.Name, ParamText.Expected(t.Spec), shown);
            return null;
        }

        var names = laterIds is null ? _c.Params.Keys : _c.Params.Keys.Concat(ScalarNames());
        _c.Diagnostics.ReportUnknownParamRef(s.ContentStart, shown, name == _c.CurrentStep && !_c.Params.ContainsKey(name)
            ? $" (or a number an earlier step computes); '{name}' is this step itself, whose value does not exist yet"
            : DidYouMean.Suffix(name, names));
        return null;
    }

    /// <summary>`${step}` or `${step.field}` as a value computed per image, or null (with a located error) when it is not one.</summary>
    private ScalarRef? ResolveScalarRef(YamlScalar s, string name, string? field, IReadOnlyDictionary<string, int> laterIds)
    {
        if (!_c.Symbols.TryGetValue(name, out var sym))
        {
            if (laterIds.TryGetValue(name, out int line))
            {
                _c.Diagnostics.ReportForwardReference(s.ContentStart, name, line);
            }

            return null;
        }

        if (field is null)
        {
            if (sym.Info is { IsScalar: true })
            {
                return new ScalarRef(name, null, s.ContentStart);
            }

            string fields = sym.Fields is { Count: > 0 } fs ? $"; its numbers are {string.Join(", ", fs.Select(f => $"${{{name}.{f}}}"))}" : string.Empty;
            if (sym.Info is not null)
            {
                _c.Diagnostics.ReportNotAScalar(s.ContentStart, name, (sym.Kind == SymbolKind.Input ? "an input, " : string.Empty) + sym.Info.Article, fields);
            }

            return null;
        }

        if (sym.Fields.Contains(field))
        {
            return new ScalarRef(name, field, s.ContentStart);
        }

        string known = sym.Fields is { Count: > 0 } known2 ? $"; '{name}' has {string.Join(", ", known2)}{DidYouMean.Suffix(field, known2)}" : $"; '{name}' has no named numbers";
        _c.Diagnostics.ReportNotAScalar(s.ContentStart, $"{name}.{field}", "not a number a step computes", known);
        return null;
    }

    /// <summary>The steps so far whose value is a number, and the numeric fields steps declare (`stats.p99`).</summary>
    private IEnumerable<string> ScalarNames()
    {
        foreach (var sym in _c.Symbols.Values)
        {
            if (sym.Info is { IsScalar: true })
            {
                yield return sym.Name;
            }

            foreach (var f in sym.Fields)
            {
                yield return $"{sym.Name}.{f}";
            }
        }
    }
}
