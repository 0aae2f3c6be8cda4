using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>
/// One op parameter's value, checked against its <see cref="ParamSpec"/>: a word (`structure: cross`), a number in
/// range, a per-axis value or list of the right length, a matrix, an expression, a string or enum, or a `${...}`
/// value. Null when an error was reported.
/// </summary>
internal sealed class ParamValueBinder(BindingContext context, ScalarReader reader)
{
    private readonly BindingContext _c = context;
    private readonly ScalarReader _reader = reader;

    /// <param name="laterIds">The ids of later steps (with their lines): given for a step's parameters, where `${step}` values are allowed.</param>
    public object? Bind(OpDefinition op, ParamSpec spec, YamlNode node, IReadOnlyDictionary<string, int>? laterIds = null)
    {
        if (AsWord(spec, node) is { } ws)
        {
            if (spec.Words!.Contains(ws.Value))
            {
                return ws.Value;
            }

            if (spec.Type is not (ParamType.String or ParamType.Enum))
            {
                string allowed = string.Join(", ", spec.Words!) + " or " + ParamText.Expected(spec with { Words = null });
                _c.Diagnostics.ReportParamNotAllowed(ws.Start, ws.Value, spec.Name, allowed, DidYouMean.Suffix(ws.Value, spec.Words!));
                return null;
            }
        }

        switch (spec.Type)
        {
            case ParamType.FloatPerAxis or ParamType.IntPerAxis or ParamType.FloatList or ParamType.IntList when node is YamlSequence seq:
                return BindList(op, spec, seq, laterIds);
            case ParamType.EnumList when node is YamlSequence words:
                return BindEnumList(op, spec, words);
            case ParamType.Matrix:
                return BindMatrix(op, spec, node);
            case ParamType.Expression when node is YamlScalar es && !es.IsNull:
                return BindExpression(op, spec, es);
        }

        if (node is not YamlScalar s)
        {
            ReportWrongType(op, spec, node, node.Describe());
            return null;
        }

        if (_reader.Read(s, spec.IsNumeric ? laterIds : null, (op, spec)) is not { } r)
        {
            return null;
        }

        return r.Value is ScalarRef sref ? sref : BindScalar(op, spec, s, r);
    }

    /// <summary>The scalar when it is a word instead of a value (`in_range: image`) and the parameter takes words.</summary>
    private static YamlScalar? AsWord(ParamSpec spec, YamlNode node)
        => spec.Words is { Count: > 0 } && node is YamlScalar ws && !ws.IsNull && !ws.TryGetNumber(out _) && !ws.TryGetBool(out _)
            && !ws.Value.StartsWith("${", StringComparison.Ordinal) && !(ws.IsPlain && ScalarText.IsYaml11Boolean(ws.Value))
            ? ws
            : null;

    private object? BindScalar(OpDefinition op, ParamSpec spec, YamlScalar s, RawScalar r)
    {
        switch (spec.Type)
        {
            case ParamType.Float:
                return BindFloat(op, spec, r);
            case ParamType.Int:
                return BindInt(op, spec, r);
            case ParamType.FloatPerAxis or ParamType.FloatList:
                return BindFloat(op, spec, r) is { } f ? CheckCount(op, spec, s, new[] { f }, 1) : null;
            case ParamType.IntPerAxis or ParamType.IntList:
                return BindInt(op, spec, r) is { } i ? CheckCount(op, spec, s, new[] { i }, 1) : null;
            case ParamType.Bool when r.Value is bool b:
                return b;
            case ParamType.String when r.Value is not null and not bool:
                return _reader.SubstituteInText(TextOf(s, r), s);
            case ParamType.Enum when r.Value is string or double:
                return BindEnum(spec, s, TextOf(s, r));
            case ParamType.EnumList when r.Value is string or double:
                return BindEnum(spec, s, TextOf(s, r)) is { } word ? CheckCount(op, spec, s, new[] { word }, 1) : null;
            case ParamType.Enum when r.Value is bool eb && (spec.Allowed ?? []).Contains(eb ? "true" : "false"):
                return eb ? "true" : "false"; // an enum such as window's invert: auto | true | false takes YAML's booleans
        }

        // An expression reaches here only as null (a scalar text is bound by BindExpression).
        ReportWrongType(op, spec, s, r.Describe());
        return null;
    }

    /// <summary>A string or enum value's text: a number as written (or formatted, when it came from a param).</summary>
    private static string TextOf(YamlScalar s, RawScalar r)
        => r.Value is double dn ? (r.FromParam ? ScalarText.FormatNumber(dn) : s.Value) : (string)r.Value!;

    private string? BindEnum(ParamSpec spec, YamlScalar s, string text)
    {
        var allowed = spec.Allowed ?? [];
        if (allowed.Contains(text))
        {
            return text;
        }

        if (spec.Aliases is { } aliases && aliases.TryGetValue(text, out string? canonical))
        {
            return canonical;
        }

        _c.Diagnostics.ReportParamNotAllowed(s.Start, text, spec.Name, string.Join(", ", allowed), DidYouMean.Suffix(text, allowed));
        return null;
    }

    /// <summary>A list of words: each one of the allowed values, kept once in the order first written (as a Python dict's keys).</summary>
    private string[]? BindEnumList(OpDefinition op, ParamSpec spec, YamlSequence seq)
    {
        if (seq.Items.Count == 0)
        {
            ReportWrongType(op, spec, seq, "an empty list");
            return null;
        }

        var words = new List<string>();
        bool ok = true;
        foreach (var item in seq.Items)
        {
            if (item is not YamlScalar si || si.IsNull)
            {
                ReportWrongType(op, spec, item, item.Describe());
                ok = false;
                continue;
            }

            if (_reader.Read(si) is not { } raw)
            {
                ok = false;
                continue;
            }

            if (raw.Value is not (string or double))
            {
                ReportWrongType(op, spec, si, raw.Describe());
                ok = false;
                continue;
            }

            if (BindEnum(spec, si, TextOf(si, raw)) is not { } word)
            {
                ok = false;
                continue;
            }

            if (!words.Contains(word))
            {
                words.Add(word);
            }
        }

        return ok && CheckCount(op, spec, seq, words.ToArray(), words.Count) is string[] list ? list : null;
    }

    /// <summary>A list parameter: numbers (or `${step}` values, which make the list an object?[] resolved per item).</summary>
    private object? BindList(OpDefinition op, ParamSpec spec, YamlSequence seq, IReadOnlyDictionary<string, int>? laterIds)
    {
        if (seq.Items.Count == 0)
        {
            ReportWrongType(op, spec, seq, "an empty list");
            return null;
        }

        bool perAxis = spec.Type is ParamType.FloatPerAxis or ParamType.IntPerAxis;
        if (perAxis && seq.Items.Count > RecipeBinder.MaxAxes)
        {
            _c.Diagnostics.ReportPerAxisCount(seq.Start, spec.Name, op.Name, seq.Items.Count);
            return null;
        }

        var items = new List<object?>();
        bool ok = true;
        foreach (var item in seq.Items)
        {
            object? v = BindListItem(op, spec, item, laterIds);
            ok &= v is not null;
            items.Add(v);
        }

        if (!ok || (!perAxis && CheckCount(op, spec, seq, items, items.Count) is null))
        {
            return null;
        }

        if (items.Any(i => i is ScalarRef or Percentile))
        {
            return items.ToArray();
        }

        return spec.IsWhole ? items.Select(i => (int)i!).ToArray() : items.Select(i => (double)i!).ToArray();
    }

    private object? BindListItem(OpDefinition op, ParamSpec spec, YamlNode item, IReadOnlyDictionary<string, int>? laterIds)
    {
        if (item is not YamlScalar si)
        {
            ReportWrongType(op, spec, item, item.Describe());
            return null;
        }

        if (spec.PercentileItems && AsPercentile(si) is { } q)
        {
            if (q is >= 0 and <= 100)
            {
                return new Percentile(q);
            }

            _c.Diagnostics.ReportParamOutOfRange(si.Start, spec.Name, op.Name, "a percentile from p0 to p100", si.Value);
            return null;
        }

        if (_reader.Read(si, laterIds) is not { } raw)
        {
            return null;
        }

        if (raw.Value is ScalarRef r)
        {
            return r;
        }

        // Not one conditional expression: its type would be double?, turning a whole-number item into a double.
        if (spec.IsWhole)
        {
            return BindInt(op, spec, raw);
        }

        return BindFloat(op, spec, raw);
    }

    /// <summary>N of an item written `pN` (p2, p99.5), or null when the item is something else.</summary>
    private static double? AsPercentile(YamlScalar s)
        => !s.IsNull && s.Value.Length > 1 && s.Value[0] == 'p' && char.IsAsciiDigit(s.Value[1])
            && double.TryParse(s.Value.AsSpan(1), System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out double q)
            ? q
            : null;

    /// <summary>The value, when the list length is within the spec's MinCount..MaxCount (else a located error and null).</summary>
    private object? CheckCount(OpDefinition op, ParamSpec spec, YamlNode node, object value, int count)
    {
        if (spec.Type is ParamType.FloatPerAxis or ParamType.IntPerAxis || (count >= spec.MinCount && count <= spec.MaxCount))
        {
            return value;
        }

        _c.Diagnostics.ReportListCount(node.Start, spec.Name, op.Name, ParamText.Count(spec), count == 1 ? "1 value" : $"{count} values");
        return null;
    }

    /// <summary>A matrix: a list of rows of numbers, all rows one length (a flat list is one row, a number 1 x 1).</summary>
    private double[][]? BindMatrix(OpDefinition op, ParamSpec spec, YamlNode node)
    {
        var rows = new List<double[]>();
        IEnumerable<YamlNode> rowNodes = node is YamlSequence seq && seq.Items.Count > 0 && seq.Items[0] is YamlSequence ? seq.Items : [node];
        bool ok = true;
        foreach (var rowNode in rowNodes)
        {
            if (BindRow(op, spec, rowNode, ref ok) is not { } row)
            {
                return null;
            }

            rows.Add(row);
        }

        if (!ok)
        {
            return null;
        }

        if (rows.Any(r => r.Length != rows[0].Length))
        {
            ReportWrongType(op, spec, node, "rows of different lengths");
            return null;
        }

        if (rows.Count > spec.MaxCount || rows[0].Length > spec.MaxCount)
        {
            _c.Diagnostics.ReportListCount(node.Start, spec.Name, op.Name, $"at most {spec.MaxCount} rows and columns", $"{rows.Count} x {rows[0].Length}");
            return null;
        }

        return [.. rows];
    }

    /// <summary>One matrix row; null (reported) when the row has no cells; a bad cell clears <paramref name="ok"/>.</summary>
    private double[]? BindRow(OpDefinition op, ParamSpec spec, YamlNode rowNode, ref bool ok)
    {
        IReadOnlyList<YamlNode> cells = rowNode switch
        {
            YamlSequence rs => rs.Items,
            YamlScalar sc when !sc.IsNull => [sc],
            _ => [],
        };
        if (cells.Count == 0)
        {
            ReportWrongType(op, spec, rowNode, rowNode.Describe());
            return null;
        }

        var row = new double[cells.Count];
        for (int k = 0; k < cells.Count; k++)
        {
            if (cells[k] is not YamlScalar cs)
            {
                ReportWrongType(op, spec, cells[k], cells[k].Describe());
                ok = false;
            }
            else if (_reader.Read(cs, target: (op, spec)) is { } raw && BindFloat(op, spec, raw) is { } v)
            {
                row[k] = v;
            }
            else
            {
                ok = false;
            }
        }

        return row;
    }

    private ExpressionValue? BindExpression(OpDefinition op, ParamSpec spec, YamlScalar s)
    {
        if (_reader.IsStepRefInExpression(s) || _reader.Read(s) is not { } r)
        {
            return null;
        }

        switch (r.Value)
        {
            case double d:
                return new ExpressionValue(null, d, s.ContentStart);
            case string text when r.FromParam:
                var node = _reader.WholeParam(s)!.Node;
                return new ExpressionValue(text, null, node.ContentStart, node.Map);
            case string text when text.Trim().Length == 0:
                ReportWrongType(op, spec, s, "an empty string");
                return null;
            case string text:
                return _reader.CheckNoPartialRef(s, text) ? new ExpressionValue(text, null, s.ContentStart, s.Map) : null;
            default:
                ReportWrongType(op, spec, s, r.Describe());
                return null;
        }
    }

    private double? BindFloat(OpDefinition op, ParamSpec spec, RawScalar r)
    {
        if (r.Value is not double d)
        {
            ReportWrongType(op, spec, r.Node, r.Describe());
            return null;
        }

        return CheckRange(op, spec, r, d) ? d : null;
    }

    private int? BindInt(OpDefinition op, ParamSpec spec, RawScalar r)
    {
        if (r.Value is not double d || d != Math.Floor(d) || Math.Abs(d) > int.MaxValue
            || (!r.FromParam && !r.Node.TryGetInteger(out _)))
        {
            ReportWrongType(op, spec, r.Node, r.Describe());
            return null;
        }

        return CheckRange(op, spec, r, d) ? (int)d : null;
    }

    private bool CheckRange(OpDefinition op, ParamSpec spec, RawScalar r, double d)
    {
        bool below = spec.Min is { } min && (spec.MinExclusive ? d <= min : d < min);
        bool above = spec.Max is { } max && d > max;
        if (below || above)
        {
            string found = ScalarText.FormatNumber(d);
            if (r.FromParam && _reader.WholeParam(r.Node) is { } param)
            {
                // The number is not written here: say where it came from (the recipe's params, or --set).
                found += param.FromSet ? $" (from {r.Node.Value}, given by --set {param.Name}={found})" : $" (from {r.Node.Value})";
            }

            _c.Diagnostics.ReportParamOutOfRange(r.Node.Start, spec.Name, op.Name, ParamText.Range(spec), found);
            return false;
        }

        return true;
    }

    private void ReportWrongType(OpDefinition op, ParamSpec spec, YamlNode at, string found)
    {
        if (at is YamlScalar block && ScalarReader.IsBlockHoldingReference(block))
        {
            found += $" (a | or > block is text; write the reference as the whole plain value: {spec.Name}: {block.Value.TrimEnd('\n')})";
        }

        _c.Diagnostics.ReportParamWrongType(at.Start, spec.Name, op.Name, ParamText.Expected(spec), found);
    }
}
