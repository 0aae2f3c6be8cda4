using System.Text;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Core.Text;

namespace XRayFlow.Pipeline.Planning;

/// <summary>Prints a plan for people (text) or for drawing tools (Graphviz dot, Mermaid).</summary>
public static class PlanPrinter
{
    public static string Print(Plan plan, string format) => format switch
    {
        "dot" => Dot(plan),
        "mermaid" => Mermaid(plan),
        _ => Text(plan),
    };

    public static string Text(Plan plan)
    {
        var r = plan.Recipe;
        var sb = new StringBuilder();
        sb.Append("plan for '").Append(r.Name).Append("' (").Append(r.Path).Append(")\n");
        sb.Append("inputs:\n");
        var read = plan.Nodes.SelectMany(n => n.Sources).Concat(plan.OutputValues).ToHashSet(StringComparer.Ordinal);
        foreach (var input in r.Inputs)
        {
            sb.Append("  ").Append(input.Name).Append(" (").Append(input.Kind.ToString().ToLowerInvariant()).Append("): ")
                .Append(plan.ShapeOf(input.Name));
            if (!read.Contains(input.Name))
            {
                sb.Append("  (not used)");
            }

            sb.Append('\n');
        }

        sb.Append("steps (run in this order; steps of one level do not depend on each other and may run in parallel):\n");
        foreach (var node in plan.Nodes)
        {
            sb.Append("  ").Append(node.Index + 1).Append(". ").Append(node.Id).Append(" = ").Append(node.Step.Op.Name).Append('(')
                .Append(string.Join(", ", node.InputSources.Select((s, i) => node.Step.Inputs[i].VariableName is { } v ? $"{v}: {s}" : s))).Append(')');
            var shown = ShownParams(node);
            if (shown.Length > 0)
            {
                sb.Append(' ').Append(shown);
            }

            sb.Append(" -> ").Append(node.Shape);
            sb.Append("  level ").Append(node.Level);
            if (node.Chain >= 0)
            {
                sb.Append(plan.FusedChains[node.Chain].Banded ? "  [fused group " : "  [fused chain ").Append(node.Chain + 1).Append(']');
            }

            sb.Append('\n');
            if (node.MergedIds.Count > 0)
            {
                sb.Append("     also computes: ").Append(string.Join(", ", node.MergedIds)).Append(" (identical steps, computed once)\n");
            }
        }

        if (plan.FusedChains.Any(c => !c.Banded))
        {
            sb.Append("fused chains (one pass over the data, block by block; intermediates stay in cache):\n");
            for (int i = 0; i < plan.FusedChains.Count; i++)
            {
                if (!plan.FusedChains[i].Banded)
                {
                    sb.Append("  chain ").Append(i + 1).Append(": ").Append(string.Join(" -> ", plan.FusedChains[i].NodeIds)).Append('\n');
                }
            }
        }

        if (plan.FusedChains.Any(c => c.Banded))
        {
            sb.Append("fused groups (band of rows by band of rows; only the last step's value exists whole):\n");
            for (int i = 0; i < plan.FusedChains.Count; i++)
            {
                var g = plan.FusedChains[i];
                if (g.Banded)
                {
                    sb.Append("  group ").Append(i + 1).Append(": ").Append(string.Join(", ", g.NodeIds.Take(g.NodeIds.Count - 1)))
                        .Append(" -> ").Append(g.NodeIds[^1]).Append(" (halo: ").Append(g.HaloBefore).Append(g.HaloBefore == 1 ? " row" : " rows")
                        .Append(" above a band, ").Append(g.HaloAfter).Append(" below)");
                    foreach (var (magnitude, first, second) in PlanExecutor.OnePassPairs([.. g.NodeIds.Select(id => plan.Node(id)!)]))
                    {
                        sb.Append("; ").Append(first).Append(", ").Append(second).Append(" and ").Append(magnitude).Append(" in one pass");
                    }

                    sb.Append('\n');
                }
            }
        }

        if (plan.Skipped.Count > 0)
        {
            sb.Append("skipped (reach no output): ").Append(string.Join(", ", plan.Skipped)).Append('\n');
        }

        sb.Append("outputs:\n");
        foreach (var o in r.Outputs)
        {
            sb.Append("  ").Append(o.Name).Append(": ").Append(o.PathTemplate).Append(" <- ")
                .Append(string.Join(", ", Planner.OutputSources(o).Select(s => plan.Resolve(s) == s ? s : $"{s} (= {plan.Resolve(s)})")))
                .Append(" (").Append(o.Format.ToString().ToLowerInvariant()).Append(")\n");
        }

        return sb.ToString();
    }

    public static string Dot(Plan plan)
    {
        var sb = new StringBuilder();
        sb.Append("digraph \"").Append(Esc(plan.Recipe.Name)).Append("\" {\n");
        sb.Append("  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n");
        foreach (var input in plan.Recipe.Inputs)
        {
            sb.Append("  \"").Append(Esc(input.Name)).Append("\" [shape=box, style=rounded, label=\"").Append(Esc(input.Name)).Append("\\n")
                .Append(input.Kind.ToString().ToLowerInvariant()).Append("\"];\n");
        }

        for (int c = 0; c < plan.FusedChains.Count; c++)
        {
            sb.Append("  subgraph \"cluster_fused_").Append(c + 1).Append("\" {\n    label=\"fused ").Append(c + 1).Append("\"; style=dashed;\n");
            foreach (var id in plan.FusedChains[c].NodeIds)
            {
                sb.Append("    \"").Append(Esc(id)).Append("\";\n");
            }

            sb.Append("  }\n");
        }

        foreach (var node in plan.Nodes)
        {
            string label = $"{node.Id}\\n{node.Step.Op.Name}";
            if (node.MergedIds.Count > 0)
            {
                label += $"\\n(also {string.Join(", ", node.MergedIds)})";
            }

            sb.Append("  \"").Append(Esc(node.Id)).Append("\" [shape=ellipse, label=\"").Append(Esc(label, keepNewlines: true)).Append("\"];\n");
            foreach (var s in node.Sources)
            {
                sb.Append("  \"").Append(Esc(s)).Append("\" -> \"").Append(Esc(node.Id)).Append("\" [label=\"").Append(Esc(plan.ShapeOf(s).ToString())).Append("\"];\n");
            }
        }

        foreach (var o in plan.Recipe.Outputs)
        {
            string oid = "out:" + o.Name;
            sb.Append("  \"").Append(Esc(oid)).Append("\" [shape=note, label=\"").Append(Esc(o.PathTemplate)).Append("\"];\n");
            foreach (var s in Planner.OutputSources(o))
            {
                string c = plan.Resolve(s);
                sb.Append("  \"").Append(Esc(c)).Append("\" -> \"").Append(Esc(oid)).Append("\" [label=\"").Append(Esc(plan.ShapeOf(c).ToString())).Append("\"];\n");
            }
        }

        foreach (var s in plan.Skipped)
        {
            sb.Append("  \"").Append(Esc(s)).Append("\" [shape=ellipse, style=dotted, label=\"").Append(Esc(s)).Append("\\n(skipped)\"];\n");
        }

        sb.Append("}\n");
        return sb.ToString();
    }

    public static string Mermaid(Plan plan)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        string Id(string name)
        {
            if (!ids.TryGetValue(name, out var id))
            {
                ids[name] = id = "n" + ids.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return id;
        }

        var sb = new StringBuilder();
        sb.Append("flowchart TD\n");
        foreach (var input in plan.Recipe.Inputs)
        {
            sb.Append("  ").Append(Id(input.Name)).Append("[/\"").Append(MEsc(input.Name)).Append("<br/>").Append(input.Kind.ToString().ToLowerInvariant()).Append("\"/]\n");
        }

        foreach (var node in plan.Nodes)
        {
            string label = $"{node.Id}<br/>{node.Step.Op.Name}";
            if (node.MergedIds.Count > 0)
            {
                label += $"<br/>(also {string.Join(", ", node.MergedIds)})";
            }

            sb.Append("  ").Append(Id(node.Id)).Append("(\"").Append(MEsc(label)).Append("\")\n");
        }

        for (int c = 0; c < plan.FusedChains.Count; c++)
        {
            sb.Append("  subgraph fused").Append(c + 1).Append(" [\"fused ").Append(c + 1).Append("\"]\n");
            foreach (var id in plan.FusedChains[c].NodeIds)
            {
                sb.Append("    ").Append(Id(id)).Append('\n');
            }

            sb.Append("  end\n");
        }

        foreach (var node in plan.Nodes)
        {
            foreach (var s in node.Sources)
            {
                sb.Append("  ").Append(Id(s)).Append(" -->|\"").Append(MEsc(plan.ShapeOf(s).ToString())).Append("\"| ").Append(Id(node.Id)).Append('\n');
            }
        }

        foreach (var o in plan.Recipe.Outputs)
        {
            string oid = Id("out:" + o.Name);
            sb.Append("  ").Append(oid).Append("[[\"").Append(MEsc(o.PathTemplate)).Append("\"]]\n");
            foreach (var s in Planner.OutputSources(o))
            {
                string c = plan.Resolve(s);
                sb.Append("  ").Append(Id(c)).Append(" -->|\"").Append(MEsc(plan.ShapeOf(c).ToString())).Append("\"| ").Append(oid).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// True when <paramref name="v"/> is the declared default: the same text, or for a per-axis parameter whose
    /// default is one number, a list of that number (the binder gives `order` as [0] where the recipe wrote nothing).
    /// </summary>
    private static bool IsDefault(object def, object v)
    {
        if (Planner.ParamText(def) == Planner.ParamText(v))
        {
            return true;
        }

        if (def is int or double && Convert.ToDouble(def, System.Globalization.CultureInfo.InvariantCulture) is var d)
        {
            return v switch
            {
                int[] ins => ins.Length > 0 && ins.All(x => x == d),
                double[] ds => ds.Length > 0 && ds.All(x => x == d),
                _ => false,
            };
        }

        return false;
    }

    internal static string ShownParams(PlanNode node)
    {
        var parts = new List<string>();
        foreach (var spec in node.Step.Op.Params)
        {
            if (!node.Step.Params.TryGetValue(spec.Name, out var v) || v is null)
            {
                continue;
            }

            if (spec.Default is not null && IsDefault(spec.Default, v))
            {
                continue;
            }

            string text = v switch
            {
                ExpressionValue e => e.Text is { } t ? $"\"{t}\"" : e.ToString(),
                string s => s,
                double d => RoundTrip.Format(d),
                double[] ds => "[" + string.Join(", ", ds.Select(d => RoundTrip.Format(d))) + "]",
                int[] ins => "[" + string.Join(", ", ins) + "]",
                object?[] items => "[" + string.Join(", ", items.Select(Item)) + "]", // a list with `${step}` items
                bool b => b ? "true" : "false",
                _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
            };
            parts.Add($"{spec.Name}={text}");
        }

        return string.Join(" ", parts);
    }

    /// <summary>One item of a list parameter holding `${step}` references (`in_range: [${p1}, 250]`).</summary>
    private static string Item(object? item) => item switch
    {
        double d => RoundTrip.Format(d),
        _ => Convert.ToString(item, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static string Esc(string s, bool keepNewlines = false)
    {
        var e = s.Replace("\\", keepNewlines ? "\\" : "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        return e;
    }

    private static string MEsc(string s) => s.Replace("\"", "#quot;", StringComparison.Ordinal);
}
