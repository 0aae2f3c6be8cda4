using System.Collections;
using System.Globalization;
using System.Text;
using XRayFlow.Core.Ops;
using XRayFlow.Core.Text;

namespace XRayFlow.Pipeline.Outputs;

/// <summary>
/// A table as CSV (RFC 4180: comma-separated, "\n" line ends, a field quoted when it holds a comma, quote or line end).
/// The first column is `input`, the item's name as in the manifest (a glob's file: its file name; a single named file:
/// its stem), so per-item files concatenate into one batch table. A table whose fields are all lists of one length (a
/// region table: regionprops) gives one row per item of the
/// lists, as pandas.DataFrame(regionprops_table(...)).to_csv(index=False) does; any other table (stats, histogram) gives
/// one row, a list field spreading over columns `name-0`, `name-1`, ... (skimage's separator). Numbers are written
/// round-trip (shortest text that reads back the same double), whole numbers without a decimal point, NaN as an empty
/// field (pandas' default), infinities as inf / -inf.
/// </summary>
public static class TableCsv
{
    /// <summary>The first column's name.</summary>
    public const string ItemColumn = "input";

    public static string Write(TableValue table, string item)
    {
        var header = new List<string> { ItemColumn };
        var rows = new List<List<string>>();
        var lists = table.Fields.Select(f => f.Value is IEnumerable and not string ? ((IEnumerable)f.Value).Cast<object>().ToList() : null).ToList();
        if (lists.Count > 0 && lists.All(l => l is not null) && lists.Select(l => l!.Count).Distinct().Count() == 1)
        {
            header.AddRange(table.Fields.Select(f => f.Key));
            for (int r = 0; r < lists[0]!.Count; r++)
            {
                var row = new List<string> { item };
                row.AddRange(lists.Select(l => Text(l![r])));
                rows.Add(row);
            }
        }
        else
        {
            var row = new List<string> { item };
            for (int i = 0; i < table.Fields.Count; i++)
            {
                if (lists[i] is { } list)
                {
                    for (int k = 0; k < list.Count; k++)
                    {
                        header.Add($"{table.Fields[i].Key}-{k}");
                        row.Add(Text(list[k]));
                    }
                }
                else
                {
                    header.Add(table.Fields[i].Key);
                    row.Add(Text(table.Fields[i].Value));
                }
            }

            rows.Add(row);
        }

        var sb = new StringBuilder();
        AppendLine(sb, header);
        foreach (var row in rows)
        {
            AppendLine(sb, row);
        }

        return sb.ToString();
    }

    /// <summary>One line of fields, quoted where needed, ending in "\n".</summary>
    public static void AppendLine(StringBuilder sb, IReadOnlyList<string> fields)
    {
        for (int i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            string f = fields[i];
            if (f.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                sb.Append('"').Append(f.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                sb.Append(f);
            }
        }

        sb.Append('\n');
    }

    /// <summary>
    /// The fields of every line of a CSV text written by <see cref="AppendLine"/> (RFC 4180 quoting), or null when
    /// the text is not such CSV (an unterminated quote, text after a closing quote).
    /// </summary>
    public static List<List<string>>? Parse(string text)
    {
        var lines = new List<List<string>>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int i = 0;
        while (i < text.Length)
        {
            char ch = text[i];
            if (ch == '"' && field.Length == 0)
            {
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        return null;
                    }

                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }

                        i++;
                        break;
                    }

                    field.Append(text[i++]);
                }

                if (i < text.Length && text[i] is not (',' or '\n'))
                {
                    return null;
                }

                continue;
            }

            i++;
            if (ch == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (ch == '\n')
            {
                fields.Add(field.ToString());
                field.Clear();
                lines.Add(fields);
                fields = [];
            }
            else
            {
                field.Append(ch);
            }
        }

        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            lines.Add(fields);
        }

        return lines;
    }

    private static string Text(object? v) => v switch
    {
        null => string.Empty,
        double d => Number(d),
        float f => Number(f),
        long l => l.ToString(CultureInfo.InvariantCulture),
        int n => n.ToString(CultureInfo.InvariantCulture),
        bool b => b ? "True" : "False",
        string s => s,
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static string Number(double d) => double.IsNaN(d) ? string.Empty
        : double.IsPositiveInfinity(d) ? "inf"
        : double.IsNegativeInfinity(d) ? "-inf"
        : RoundTrip.Format(d);
}
