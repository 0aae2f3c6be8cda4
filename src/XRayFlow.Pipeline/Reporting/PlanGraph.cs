using System.Text;
using XRayFlow.Pipeline.Planning;

namespace XRayFlow.Pipeline.Reporting;

/// <summary>
/// The plan drawn as inline SVG, top to bottom: the inputs, then one band per parallel level (the nodes of a band
/// do not depend on each other), the outputs, and the skipped steps. Every recipe step is one node (a step merged
/// into an identical one sits next to it, dashed); the steps of a fused chain share a colour and a "fused n" tag,
/// joined by thick edges. Each node links to its section of the report (#input-NAME, #step-ID, #output-NAME).
/// </summary>
internal static class PlanGraph
{
    private const double RowHeight = 80;
    private const double NodeHeight = 42;
    private const double Gap = 22;
    private const double Left = 150;
    private const double Top = 12;

    private static readonly string[] ChainColours = ["#d9480f", "#5f3dc4", "#2b8a3e", "#c2255c", "#1864ab", "#e67700"];

    private sealed class GNode
    {
        public required string Key { get; init; }

        public required string Label { get; init; }

        public required string Sub { get; init; }

        public required string Href { get; init; }

        public required string Kind { get; init; } // input, step, merged, skipped, output

        public required int Row { get; init; }

        public string? StepId { get; init; }

        public int Chain { get; init; } = -1;

        public int Order { get; init; }

        public string Tip { get; init; } = string.Empty;

        public double X { get; set; }

        public double Y { get; set; }

        public double W { get; set; }
    }

    public static string Svg(Plan plan)
    {
        var nodes = new List<GNode>();
        var byKey = new Dictionary<string, GNode>(StringComparer.Ordinal);
        var edges = new List<(string From, string To, string Kind, int Chain)>();
        var inputs = plan.Recipe.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        string KeyOf(string canonical) => inputs.Contains(canonical) ? "in:" + canonical : canonical;

        void Add(GNode n)
        {
            nodes.Add(n);
            byKey[n.Key] = n;
        }

        int order = 0;
        foreach (var input in plan.Recipe.Inputs)
        {
            Add(new GNode
            {
                Key = "in:" + input.Name, Label = input.Name, Sub = "input (" + input.Kind.ToString().ToLowerInvariant() + ")",
                Href = "#" + Html.Id("input-", input.Name), Kind = "input", Row = 0, Order = order++, Tip = $"input {input.Name}: {plan.ShapeOf(input.Name)}",
            });
        }

        int maxLevel = plan.Nodes.Select(n => n.Level).DefaultIfEmpty(0).Max();
        foreach (var node in plan.Nodes)
        {
            Add(new GNode
            {
                Key = node.Id, Label = node.Id, Sub = node.Step.Op.Name, Href = "#" + Html.Id("step-", node.Id), Kind = "step",
                Row = node.Level, StepId = node.Id, Chain = node.Chain, Order = order++,
                Tip = $"{node.Id} = {node.Step.Op.Name} -> {node.Shape}, level {node.Level}" + (node.Chain >= 0 ? $", fused chain {node.Chain + 1}" : string.Empty),
            });
            foreach (var s in node.Sources.Distinct(StringComparer.Ordinal))
            {
                int chain = node.Chain >= 0 && plan.Node(s)?.Chain == node.Chain ? node.Chain : -1;
                edges.Add((KeyOf(s), node.Id, chain >= 0 ? "fused" : "data", chain));
            }

            foreach (var merged in node.MergedIds)
            {
                Add(new GNode
                {
                    Key = merged, Label = merged, Sub = "= " + node.Id, Href = "#" + Html.Id("step-", merged), Kind = "merged",
                    Row = node.Level, StepId = merged, Order = order++, Tip = $"{merged} is identical to {node.Id}: computed once",
                });
                edges.Add((node.Id, merged, "same", -1));
            }
        }

        int outputRow = maxLevel + 1;
        foreach (var o in plan.Recipe.Outputs)
        {
            Add(new GNode
            {
                Key = "out:" + o.Name, Label = o.Name, Sub = o.PathTemplate, Href = "#" + Html.Id("output-", o.Name), Kind = "output",
                Row = outputRow, Order = order++, Tip = $"output {o.Name}: {o.PathTemplate}",
            });
            foreach (var s in Planner.OutputSources(o).Select(plan.Resolve).Distinct(StringComparer.Ordinal))
            {
                edges.Add((KeyOf(s), "out:" + o.Name, "data", -1));
            }
        }

        foreach (var s in plan.Skipped)
        {
            var step = plan.Recipe.Steps.FirstOrDefault(x => x.Id == s);
            Add(new GNode
            {
                Key = s, Label = s, Sub = (step?.Op.Name ?? "step") + " (skipped)", Href = "#" + Html.Id("step-", s), Kind = "skipped",
                Row = outputRow + 1, StepId = s, Order = order++, Tip = $"{s} reaches no output: not computed",
            });
        }

        edges = edges.Where(e => byKey.ContainsKey(e.From) && byKey.ContainsKey(e.To)).Distinct().ToList();
        return Draw(nodes, byKey, edges, maxLevel, outputRow, plan);
    }

    private static string Draw(List<GNode> nodes, Dictionary<string, GNode> byKey, List<(string From, string To, string Kind, int Chain)> edges, int maxLevel, int outputRow, Plan plan)
    {
        // Rows in order; within a row, nodes sorted by the mean position of their parents (fewer crossings).
        var rows = nodes.GroupBy(n => n.Row).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
        var parents = edges.GroupBy(e => e.To).ToDictionary(g => g.Key, g => g.Select(e => e.From).ToList(), StringComparer.Ordinal);
        var slot = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            foreach (var n in row)
            {
                n.W = Math.Max(96, (Math.Max(n.Label.Length, Math.Min(n.Sub.Length, 28)) * 7.2) + 24);
            }

            var sorted = row.OrderBy(n => parents.TryGetValue(n.Key, out var ps) && ps.Any(slot.ContainsKey) ? ps.Where(slot.ContainsKey).Average(p => slot[p]) : n.Order)
                .ThenBy(n => n.Order).ToList();
            row.Clear();
            row.AddRange(sorted);
            for (int i = 0; i < row.Count; i++)
            {
                slot[row[i].Key] = i - ((row.Count - 1) / 2.0);
            }
        }

        double width = rows.Select(r => r.Sum(n => n.W) + (Gap * (r.Count - 1))).DefaultIfEmpty(0).Max();
        double totalWidth = Left + width + 20;
        for (int ri = 0; ri < rows.Count; ri++)
        {
            var row = rows[ri];
            double rowWidth = row.Sum(n => n.W) + (Gap * (row.Count - 1));
            double x = Left + ((width - rowWidth) / 2);
            foreach (var n in row)
            {
                n.X = x;
                n.Y = Top + (ri * RowHeight) + ((RowHeight - NodeHeight) / 2);
                x += n.W + Gap;
            }
        }

        double height = Top + (rows.Count * RowHeight) + 12;
        var sb = new StringBuilder();
        sb.Append("<svg class=\"plan-graph\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"plan of the recipe\" width=\"")
            .Append(Html.F(totalWidth)).Append("\" height=\"").Append(Html.F(height)).Append("\" viewBox=\"0 0 ")
            .Append(Html.F(totalWidth)).Append(' ').Append(Html.F(height)).Append("\">\n");
        sb.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#868e96\"/></marker></defs>\n");

        // Bands: inputs, each parallel level, outputs, skipped.
        for (int ri = 0; ri < rows.Count; ri++)
        {
            int r = rows[ri][0].Row;
            string label = r == 0 ? "inputs"
                : r <= maxLevel ? $"level {r}" + (rows[ri].Count(n => n.Kind == "step") > 1 ? $" · {rows[ri].Count(n => n.Kind == "step")} in parallel" : string.Empty)
                : r == outputRow ? "outputs" : "skipped";
            double y = Top + (ri * RowHeight);
            sb.Append("<g class=\"band\" data-row=\"").Append(r).Append("\"><rect x=\"0\" y=\"").Append(Html.F(y)).Append("\" width=\"").Append(Html.F(totalWidth))
                .Append("\" height=\"").Append(Html.F(RowHeight)).Append("\" class=\"").Append(ri % 2 == 0 ? "even" : "odd").Append("\"/>")
                .Append("<text x=\"8\" y=\"").Append(Html.F(y + (RowHeight / 2) + 4)).Append("\" class=\"band-label\">").Append(Html.E(label)).Append("</text></g>\n");
        }

        foreach (var (from, to, kind, chain) in edges)
        {
            var a = byKey[from];
            var b = byKey[to];
            string stroke = chain >= 0 ? $" style=\"stroke:{ChainColours[chain % ChainColours.Length]}\"" : string.Empty;
            if (kind == "same")
            {
                bool right = b.X > a.X;
                double y = a.Y + (NodeHeight / 2);
                sb.Append("<path class=\"edge same\" d=\"M").Append(Html.F(right ? a.X + a.W : a.X)).Append(',').Append(Html.F(y)).Append(" L")
                    .Append(Html.F(right ? b.X : b.X + b.W)).Append(',').Append(Html.F(y)).Append("\"/>\n");
                continue;
            }

            double x1 = a.X + (a.W / 2), y1 = a.Y + NodeHeight, x2 = b.X + (b.W / 2), y2 = b.Y;
            double bend = Math.Max(18, (y2 - y1) / 2);
            sb.Append("<path class=\"edge ").Append(kind).Append('"').Append(stroke).Append(" marker-end=\"url(#arrow)\" d=\"M").Append(Html.F(x1)).Append(',').Append(Html.F(y1))
                .Append(" C").Append(Html.F(x1)).Append(',').Append(Html.F(y1 + bend)).Append(' ').Append(Html.F(x2)).Append(',').Append(Html.F(y2 - bend))
                .Append(' ').Append(Html.F(x2)).Append(',').Append(Html.F(y2 - 2)).Append("\"><title>").Append(Html.E($"{a.Label} -> {b.Label}: {plan.ShapeOf(a.Kind == "input" ? a.Label : a.Key)}")).Append("</title></path>\n");
        }

        foreach (var n in nodes)
        {
            sb.Append("<a href=\"").Append(Html.E(n.Href)).Append("\"><g class=\"node ").Append(n.Kind).Append('"');
            if (n.StepId is not null)
            {
                sb.Append(" data-step=\"").Append(Html.E(n.StepId)).Append('"');
            }

            if (n.Kind == "input")
            {
                sb.Append(" data-input=\"").Append(Html.E(n.Label)).Append('"');
            }

            if (n.Kind == "output")
            {
                sb.Append(" data-output=\"").Append(Html.E(n.Label)).Append('"');
            }

            if (n.Chain >= 0)
            {
                sb.Append(" data-chain=\"").Append(n.Chain + 1).Append('"');
            }

            sb.Append("><title>").Append(Html.E(n.Tip)).Append("</title>");
            string colour = n.Chain >= 0 ? $" style=\"stroke:{ChainColours[n.Chain % ChainColours.Length]};stroke-width:2.5\"" : string.Empty;
            sb.Append("<rect x=\"").Append(Html.F(n.X)).Append("\" y=\"").Append(Html.F(n.Y)).Append("\" width=\"").Append(Html.F(n.W)).Append("\" height=\"").Append(Html.F(NodeHeight))
                .Append("\" rx=\"").Append(n.Kind == "output" ? "2" : "9").Append('"').Append(colour).Append("/>");
            sb.Append("<text x=\"").Append(Html.F(n.X + (n.W / 2))).Append("\" y=\"").Append(Html.F(n.Y + 17)).Append("\" class=\"label\">").Append(Html.E(n.Label)).Append("</text>");
            string sub = n.Sub.Length > 30 ? n.Sub[..29] + "…" : n.Sub;
            sb.Append("<text x=\"").Append(Html.F(n.X + (n.W / 2))).Append("\" y=\"").Append(Html.F(n.Y + 33)).Append("\" class=\"sub\">").Append(Html.E(sub)).Append("</text>");
            if (n.Chain >= 0)
            {
                sb.Append("<text x=\"").Append(Html.F(n.X + n.W - 4)).Append("\" y=\"").Append(Html.F(n.Y - 3)).Append("\" class=\"tag\" style=\"fill:")
                    .Append(ChainColours[n.Chain % ChainColours.Length]).Append("\">fused ").Append(n.Chain + 1).Append("</text>");
            }

            sb.Append("</g></a>\n");
        }

        sb.Append("</svg>");
        return sb.ToString();
    }
}
