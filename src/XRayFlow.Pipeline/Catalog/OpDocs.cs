using System.Globalization;
using System.Text;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Core.Text;

namespace XRayFlow.Pipeline.Catalog;

/// <summary>
/// The op catalogue as text, from the registry's declarations only: the `xrayflow ops` table and page, docs/ops.md
/// and the README's op list (a test regenerates both docs and fails when the committed ones differ).
/// </summary>
public static class OpDocs
{
    /// <summary>The README section between these markers is <see cref="ReadmeList"/>.</summary>
    public const string ReadmeBegin = "<!-- ops:begin -->";

    public const string ReadmeEnd = "<!-- ops:end -->";

    /// <summary>One line per op: name, family, summary, wrapped to <paramref name="width"/> columns without breaking words.</summary>
    public static string Table(int width = 100)
    {
        var ops = OpRegistry.All;
        int w = Math.Max(4, ops.Max(o => o.Name.Length));
        int c = Math.Max(6, ops.Max(o => Family(o).Length));
        var sb = new StringBuilder();
        sb.Append("name".PadRight(w)).Append("  ").Append("family".PadRight(c)).Append("  summary\n");
        int indent = w + c + 4;
        foreach (var op in ops)
        {
            sb.Append(op.Name.PadRight(w)).Append("  ").Append(Family(op).PadRight(c)).Append("  ");
            AppendWrapped(sb, op.Summary, indent, Math.Max(indent + 20, width));
        }

        return sb.ToString();
    }

    /// <summary>One op's page: summary, reference, family, inputs, output, parameters, rules (100 columns).</summary>
    public static string Describe(OpDefinition op) => Describe(op, 100);

    /// <summary>
    /// One op's page wrapped to <paramref name="width"/> columns between words (a word longer than the line stays whole):
    /// the parameters as a table when its fixed columns leave 30 columns for the doc, else one block per parameter.
    /// </summary>
    public static string Describe(OpDefinition op, int width)
    {
        var sb = new StringBuilder();
        sb.Append(op.Name).Append(": ");
        AppendWrapped(sb, op.Summary, op.Name.Length + 2, width, hanging: 2);
        void Field(string label, string text)
        {
            sb.Append("  ").Append(label);
            AppendWrapped(sb, text, 2 + label.Length, width);
        }

        if (op.Reference is { } r)
        {
            Field("reference: ", r);
        }

        Field("family:    ", Family(op));
        Field("inputs:    ", Inputs(op));
        Field("output:    ", Output(op));
        if (op.Fields.Count > 0)
        {
            Field("numbers:   ", string.Join(", ", op.Fields.Select(f => $"${{step.{f}}}")));
        }

        if (op.Params.Count == 0)
        {
            sb.Append("  parameters: none\n");
        }
        else
        {
            var rows = op.Params.Select(p => new[] { p.Name, TypeName(p), Range(p), Allowed(p), p.Required ? "(required)" : Text(p.Default), p.Doc }).ToList();
            string[] head = ["name", "type", "range", "allowed", "default", "doc"];
            var widths = Enumerable.Range(0, head.Length - 1).Select(i => Math.Max(head[i].Length, rows.Max(row => row[i].Length))).ToArray();
            int docIndent = 4 + widths.Sum() + (2 * widths.Length);
            sb.Append("  parameters:\n");
            if (docIndent + 30 <= width)
            {
                void Row(string[] cells)
                {
                    sb.Append("    ");
                    for (int i = 0; i < cells.Length - 1; i++)
                    {
                        sb.Append(cells[i].PadRight(widths[i])).Append("  ");
                    }

                    AppendWrapped(sb, cells[^1], docIndent, width);
                }

                Row(head);
                foreach (var row in rows)
                {
                    Row(row);
                }
            }
            else
            {
                // Too narrow for a table: each parameter's facts on one wrapped line, its doc indented below.
                foreach (var row in rows)
                {
                    var facts = new List<string> { row[1] };
                    if (row[2].Length > 0)
                    {
                        facts.Add("range " + row[2]);
                    }

                    if (row[3].Length > 0)
                    {
                        facts.Add("one of " + row[3]);
                    }

                    facts.Add(row[4] == "(required)" ? "required" : row[4].Length > 0 ? "default " + row[4] : "no default");
                    sb.Append("    ").Append(row[0]).Append(": ");
                    AppendWrapped(sb, string.Join("; ", facts), 6 + row[0].Length, width, hanging: 8);
                    if (row[5].Length > 0)
                    {
                        sb.Append(' ', 8);
                        AppendWrapped(sb, row[5], 8, width);
                    }
                }
            }
        }

        if (op.Rules.Count > 0)
        {
            sb.Append("  rules:\n");
            foreach (var rule in op.Rules)
            {
                sb.Append("    - ");
                AppendWrapped(sb, rule.Description + (rule.Severity == Core.Diagnostics.Severity.Warning ? " (warning)" : string.Empty), 6, width);
            }
        }

        return sb.ToString();
    }

    /// <summary>docs/ops.md: every op by family, with its parameters and rules.</summary>
    public static string Markdown()
    {
        var sb = new StringBuilder();
        sb.Append("# Ops\n\n");
        sb.Append("Generated from the op registry (`src/XRayFlow.Core/Ops/<Family>/`); `xrayflow ops NAME` prints the same. ");
        sb.Append("Do not edit by hand: a test compares this file with the registry (regenerate with `XRAYFLOW_REGENERATE_DOCS=1 dotnet test tests/XRayFlow.Pipeline.Tests`).\n\n");
        foreach (var group in OpRegistry.All.GroupBy(o => o.Family).OrderBy(g => g.Key))
        {
            sb.Append("## ").Append(group.Key).Append("\n\n");
            foreach (var op in group.OrderBy(o => o.Name, StringComparer.Ordinal))
            {
                sb.Append("### `").Append(op.Name).Append("`\n\n").Append(op.Summary).Append("\n\n");
                if (op.Reference is { } r)
                {
                    sb.Append("- reference: ").Append(r).Append('\n');
                }

                sb.Append("- inputs: ").Append(Inputs(op)).Append('\n');
                sb.Append("- output: ").Append(Output(op)).Append('\n');
                if (op.Fields.Count > 0)
                {
                    sb.Append("- numbers later steps read: ").Append(string.Join(", ", op.Fields.Select(f => $"`${{{op.Name}.{f}}}`"))).Append('\n');
                }

                foreach (var rule in op.Rules)
                {
                    sb.Append("- rule: ").Append(rule.Description).Append(rule.Severity == Core.Diagnostics.Severity.Warning ? " (warning)" : string.Empty).Append('\n');
                }

                sb.Append('\n');
                if (op.Params.Count > 0)
                {
                    sb.Append("| parameter | type | range | default | meaning |\n|---|---|---|---|---|\n");
                    foreach (var p in op.Params)
                    {
                        string allowed = Allowed(p);
                        sb.Append("| `").Append(p.Name).Append("` | ").Append(Cell(TypeName(p) + (allowed.Length > 0 ? ": " + allowed : string.Empty)))
                            .Append(" | ").Append(Cell(Range(p))).Append(" | ").Append(Cell(p.Required ? "required" : Text(p.Default)))
                            .Append(" | ").Append(Cell(p.Doc)).Append(" |\n");
                    }

                    sb.Append('\n');
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>The README's op list: one line per family with its ops.</summary>
    public static string ReadmeList()
    {
        var sb = new StringBuilder();
        sb.Append(ReadmeBegin).Append('\n');
        sb.Append("| family | ops |\n|---|---|\n");
        foreach (var group in OpRegistry.All.GroupBy(o => o.Family).OrderBy(g => g.Key))
        {
            sb.Append("| ").Append(group.Key).Append(" | ").Append(string.Join(", ", group.OrderBy(o => o.Name, StringComparer.Ordinal).Select(o => $"`{o.Name}`"))).Append(" |\n");
        }

        sb.Append(ReadmeEnd);
        return sb.ToString();
    }

    public static string Family(OpDefinition op) => op.Family.ToString().ToLowerInvariant();

    public static string Inputs(OpDefinition op)
    {
        string text = op.Inputs.Doc.Length > 0 ? op.Inputs.Doc : op.Inputs.Arity;
        return text + (op.Inputs.RequiresStack && !text.Contains("stack", StringComparison.Ordinal) ? " (a stack)" : string.Empty)
            + (op.Inputs.AcceptsComplex ? "; complex arrays accepted" : string.Empty);
    }

    public static string Output(OpDefinition op) => op.Output switch
    {
        OutputKind.Table => op.Plot == TablePlot.Histogram ? "a table (write it as .json or .csv, or .png as a plot)" : "a table (write it as .json or .csv)",
        OutputKind.Scalar => "a number per image (use it as ${step} in a parameter or an expression's `in` map; write it as .json)",
        OutputKind.Image => "one 2-D image",
        _ => op.Shape is null ? "an array of the input's shape" : "an array (its shape from the inputs and parameters)",
    } + (op.IsElementwise ? " (element-wise)" : string.Empty) + (op.Pointwise is not null ? ", fusable" : string.Empty);

    public static string TypeName(ParamSpec p) => p.Type switch
    {
        ParamType.Float => "float",
        ParamType.Int => "int",
        ParamType.Bool => "bool",
        ParamType.String => "string",
        ParamType.Enum => "enum",
        ParamType.FloatPerAxis => "float or [float per axis]",
        ParamType.IntPerAxis => "int or [int per axis]",
        ParamType.FloatList => p.PercentileItems ? $"[float or pN percentile] ({Count(p)})" : $"[float] ({Count(p)})",
        ParamType.IntList => $"[int] ({Count(p)})",
        ParamType.EnumList => $"[word] ({Count(p).Replace("values", "words", StringComparison.Ordinal)})",
        ParamType.Matrix => "matrix [[...], ...]",
        ParamType.Expression => p.IsCondition ? "C# condition" : "C# expression or number",
        _ => p.Type.ToString(),
    } + (p.Words is { Count: > 0 } w ? " or " + string.Join(" | ", w) : string.Empty);

    public static string Range(ParamSpec p)
    {
        string lo = p.Min is { } min ? (p.MinExclusive ? "> " : ">= ") + Text(min) : string.Empty;
        string hi = p.Max is { } max ? "<= " + Text(max) : string.Empty;
        return lo.Length > 0 && hi.Length > 0 ? $"{lo}, {hi}" : lo + hi;
    }

    public static string Allowed(ParamSpec p) => p.Allowed is { Count: > 0 } a ? string.Join(" | ", a) : string.Empty;

    private static string Count(ParamSpec p) => p.MinCount == p.MaxCount ? $"{p.MinCount} values"
        : p.MaxCount == int.MaxValue ? $"{p.MinCount}+ values" : $"{p.MinCount}-{p.MaxCount} values";

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    public static string Text(object? v) => v switch
    {
        null => string.Empty,
        double d => RoundTrip.Format(d),
        bool b => b ? "true" : "false",
        double[] ds => "[" + string.Join(", ", ds.Select(d => RoundTrip.Format(d))) + "]",
        int[] ins => "[" + string.Join(", ", ins) + "]",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    /// <summary>
    /// Appends <paramref name="text"/> (the cursor at column <paramref name="indent"/>), breaking only between words
    /// before column <paramref name="width"/>; continuation lines start at <paramref name="hanging"/> (default: the indent).
    /// </summary>
    private static void AppendWrapped(StringBuilder sb, string text, int indent, int width, int hanging = -1)
    {
        int col = indent;
        if (hanging >= 0)
        {
            indent = hanging;
        }

        bool firstWord = true;
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!firstWord && col + 1 + word.Length > width)
            {
                sb.Append('\n').Append(' ', indent);
                col = indent;
                firstWord = true;
            }

            if (!firstWord)
            {
                sb.Append(' ');
                col++;
            }

            sb.Append(word);
            col += word.Length;
            firstWord = false;
        }

        sb.Append('\n');
    }
}
