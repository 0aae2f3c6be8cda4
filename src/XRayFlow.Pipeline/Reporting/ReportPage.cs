using System.Globalization;
using System.Text;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Outputs.Rendering;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Pipeline.Reporting;

/// <summary>
/// One self-contained HTML page for a run: no script (unless a live preview adds its own), no network, every
/// picture an inline PNG, every chart inline SVG. Sections: the plan graph, the outputs of each input, the
/// failures, every input and step with a card per input (thumbnail, shape, dtype, min/max/mean, histogram, time),
/// the timing summary, the recipe with line numbers, and the manifest's hashes.
/// </summary>
internal static class ReportPage
{
    /// <summary>
    /// Rows of an input per table (failures, timing per input, hashes): a batch of 100,000 inputs listed in full
    /// made a page of hundreds of MB (1.3 KB per input for a four-output recipe) that no browser opens; manifest.json
    /// has every one.
    /// </summary>
    public const int MaxListedItems = 1000;

    /// <summary>The static page's content policy: inline styles and data: images only; no script, no fetch, no frame.</summary>
    public const string StaticPolicy = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

    /// <summary>The live page's: also its own script, and requests to its own origin (the watch server).</summary>
    public const string LivePolicy = "default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'";

    /// <summary>The pictures of the page being rendered on this thread: where each goes, encoded after the text (see <see cref="Render"/>).</summary>
    [ThreadStatic]
    private static List<(int At, ValueSummary Summary, Display Display, int Shrink)>? t_images;

    /// <summary>
    /// The page. Its text is written first with the pictures' places recorded; then the pictures (colormap, PNG,
    /// base64: most of the report's cost) are encoded on the run's threads, each distinct one once, and put in.
    /// </summary>
    public static string Render(ReportData d)
    {
        var images = new List<(int At, ValueSummary Summary, Display Display, int Shrink)>();
        t_images = images;
        StringBuilder sb;
        try
        {
            sb = Text(d);
        }
        finally
        {
            t_images = null;
        }

        var distinct = new Dictionary<(ValueSummary, Display, int), int>();
        var keys = new List<(ValueSummary Summary, Display Display, int Shrink)>();
        var index = new int[images.Count];
        for (int i = 0; i < images.Count; i++)
        {
            var key = (images[i].Summary, images[i].Display, images[i].Shrink);
            if (!distinct.TryGetValue(key, out int k))
            {
                k = keys.Count;
                distinct[key] = k;
                keys.Add(key);
            }

            index[i] = k;
        }

        var uris = new string[keys.Count];
        Parallel.For(0, keys.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, d.Threads) }, k => uris[k] = Thumbnails.DataUri(keys[k].Summary, keys[k].Display, keys[k].Shrink));
        var page = new StringBuilder(sb.Length + images.Select((_, i) => uris[index[i]].Length).Sum());
        int from = 0;
        for (int i = 0; i < images.Count; i++)
        {
            page.Append(sb, from, images[i].At - from).Append(uris[index[i]]);
            from = images[i].At;
        }

        page.Append(sb, from, sb.Length - from);
        return page.ToString();
    }

    private static StringBuilder Text(ReportData d)
    {
        var sb = new StringBuilder(1 << 20);
        var plan = d.Plan;
        var m = d.Manifest;
        int failed = m.Items.Count(i => !i.Succeeded);
        string title = $"{m.RecipeName}: xrayflow report";
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(d.Options.LiveScript is null ? StaticPolicy : LivePolicy).Append("\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"xrayflow ").Append(Html.E(m.Version)).Append("\">\n")
            .Append("<title>").Append(Html.E(title)).Append("</title>\n<style>").Append(ReportStyle.Css).Append("</style></head>\n<body>\n");
        sb.Append("<div id=\"xrf-live\" hidden></div>\n");
        sb.Append("<main id=\"xrf-main\" data-recipe-sha256=\"").Append(Html.E(m.RecipeSha256)).Append("\">\n");
        Header(sb, d, failed);
        Warnings(sb, d.Diagnostics);
        PlanSection(sb, plan);
        OutputsSection(sb, d);
        FailuresSection(sb, d);
        StepsSection(sb, d);
        TimingSection(sb, d);
        RecipeSection(sb, d);
        HashesSection(sb, d);
        sb.Append("</main>\n");
        if (d.Options.LiveScript is { } script)
        {
            sb.Append("<script>").Append(script).Append("</script>\n");
        }

        sb.Append("</body></html>\n");
        return sb;
    }

    private static void Header(StringBuilder sb, ReportData d, int failed)
    {
        var m = d.Manifest;
        int n = m.Items.Count + d.NotRun;
        sb.Append("<header>\n<h1>").Append(Html.E(m.RecipeName)).Append("</h1>\n");
        if (d.Plan.Recipe.Description is { Length: > 0 } description)
        {
            sb.Append("<p class=\"lede\">").Append(Html.E(description)).Append("</p>\n");
        }

        sb.Append("<p class=\"facts\"><span class=\"").Append(failed > 0 ? "bad" : "good").Append("\">")
            .Append(n - failed - d.NotRun).Append(" of ").Append(n).Append(n == 1 ? " input" : " inputs").Append(" done");
        if (failed > 0)
        {
            sb.Append(", <a href=\"#failures\">").Append(failed).Append(" failed</a>");
        }

        if (d.NotRun > 0)
        {
            sb.Append(", ").Append(d.NotRun).Append(" not run (the run stopped after ").Append(failed).Append(failed == 1 ? " failure" : " failures")
                .Append(": <code>--max-failures ").Append(d.MaxFailures).Append("</code>; <code>--resume</code> runs the others)");
        }

        if (m.Shard is { } shard)
        {
            // One shard's page: its inputs are one block of the batch, not the batch.
            long start = Running.Sharding.Shard.Start(shard.Index, shard.Count, shard.Total);
            sb.Append("</span> · <span class=\"shard\">shard ").Append(shard.Index).Append(" of ").Append(shard.Count).Append(": ")
                .Append(n == 0 ? "no input" : n == 1 ? "input " + Html.I(start + 1) : $"inputs {Html.I(start + 1)}–{Html.I(start + n)}")
                .Append(" of the batch's ").Append(Html.I(shard.Total)).Append(" (<code>xrayflow merge</code> joins the shards)");
        }

        sb.Append("</span> · run ").Append(Html.Ms(d.Elapsed.TotalMilliseconds)).Append(" on ").Append(d.Threads).Append(d.Threads == 1 ? " thread" : " threads")
            .Append(" · recipe <a href=\"#recipe\"><code>").Append(Html.E(m.RecipePath)).Append("</code></a> · xrayflow ").Append(Html.E(m.Version)).Append("</p>\n");
        sb.Append("<nav><a href=\"#plan\">Plan</a><a href=\"#outputs\">Outputs</a><a href=\"#failures\">Failures")
            .Append(failed > 0 ? $" ({failed})" : string.Empty).Append("</a><a href=\"#steps\">Steps</a><a href=\"#timing\">Timing</a><a href=\"#recipe\">Recipe</a><a href=\"#hashes\">Hashes</a></nav>\n</header>\n");
    }

    private static void Warnings(StringBuilder sb, IReadOnlyList<Diagnostic> diagnostics)
    {
        if (diagnostics.Count == 0)
        {
            return;
        }

        sb.Append("<section id=\"warnings\"><h2>Warnings</h2><ul class=\"diagnostics\">\n");
        foreach (var diag in diagnostics)
        {
            sb.Append("<li>");
            if (diag.Location is { } loc)
            {
                sb.Append("<a href=\"#L").Append(loc.Line).Append("\">").Append(Html.E(loc.ToString())).Append("</a> ");
            }

            sb.Append("<code>").Append(Html.E(diag.Code)).Append("</code> ").Append(Html.E(diag.Message)).Append("</li>\n");
        }

        sb.Append("</ul></section>\n");
    }

    private static void PlanSection(StringBuilder sb, Plan plan)
    {
        sb.Append("<section id=\"plan\"><h2>Plan</h2>\n<div class=\"graph\">").Append(PlanGraph.Svg(plan)).Append("</div>\n");
        sb.Append("<p class=\"note\">Top to bottom: the inputs, one band per level (the steps of a band do not depend on each other and run in parallel), the outputs");
        if (plan.Skipped.Count > 0)
        {
            sb.Append(", and the skipped steps (they reach no output)");
        }

        sb.Append(". ");
        if (plan.FusedChains.Count > 0)
        {
            sb.Append("Steps with a coloured border and a \"fused\" tag run as one pass over the data, block by block (their time is the chain's). ");
        }

        if (plan.Nodes.Any(n => n.MergedIds.Count > 0))
        {
            sb.Append("A dashed step is identical to its neighbour and computed once. ");
        }

        sb.Append("Click a node to see its pictures.</p></section>\n");
    }

    // ---------------------------------------------------------------- outputs

    private static void OutputsSection(StringBuilder sb, ReportData d)
    {
        var outputs = d.Plan.Recipe.Outputs;
        sb.Append("<section id=\"outputs\"><h2>Outputs</h2>\n");
        if (outputs.Count == 0)
        {
            sb.Append("<p>The recipe has no outputs.</p></section>\n");
            return;
        }

        sb.Append("<div class=\"scroll\"><table class=\"grid\"><thead><tr><th>input</th>");
        foreach (var o in outputs)
        {
            sb.Append("<th id=\"").Append(Html.Id("output-", o.Name)).Append("\">").Append(Html.E(o.Name)).Append("<br><code>").Append(Html.E(o.PathTemplate)).Append("</code></th>");
        }

        sb.Append("</tr></thead><tbody>\n");
        int shown = 0;
        foreach (var item in d.Manifest.Items)
        {
            var obs = d.Collector.Of(item.Name);
            if (obs is null)
            {
                continue; // not among the pictured inputs (a failed one is in the failures table)
            }

            shown++;
            sb.Append("<tr data-item=\"").Append(Html.E(item.Name)).Append("\"><th>").Append(Html.E(item.Name)).Append("</th>");
            if (!item.Succeeded)
            {
                sb.Append("<td colspan=\"").Append(outputs.Count).Append("\" class=\"failed\">failed: ").Append(Html.E(item.Error)).Append("</td></tr>\n");
                continue;
            }

            foreach (var o in outputs)
            {
                var record = item.Outputs.FirstOrDefault(r => r.Output == o.Name);
                sb.Append("<td>");
                if (record is not null)
                {
                    sb.Append("<a class=\"file\" href=\"").Append(Html.Href(record.Path)).Append("\" title=\"").Append(Html.E(record.Path)).Append("\">");
                }

                if (item.Status == "resumed" || obs is null || obs.Values.Count == 0)
                {
                    sb.Append("<span class=\"muted\">").Append(Html.E(record?.Path ?? o.PathTemplate)).Append(item.Status == "resumed" ? " (kept from an earlier run)" : string.Empty).Append("</span>");
                }
                else
                {
                    OutputPicture(sb, d, o, obs);
                }

                if (record is not null)
                {
                    sb.Append("</a>");
                }

                sb.Append("</td>");
            }

            sb.Append("</tr>\n");
        }

        sb.Append("</tbody></table></div>\n");
        int hidden = d.Manifest.Items.Count(i => i.Succeeded) - d.Manifest.Items.Count(i => i.Succeeded && d.Collector.Of(i.Name) is not null);
        if (hidden > 0)
        {
            sb.Append("<p class=\"note\">Pictures of the first ").Append(ReportCollector.MaxDetailedItems).Append(" inputs; ").Append(hidden)
                .Append(" more are listed in the timing and hash tables and in manifest.json.</p>\n");
        }

        sb.Append("</section>\n");
    }

    /// <summary>An output as its file looks: a figure's panels, a picture through its colormap (a plain grey PNG as stored: 0..255), a table's values.</summary>
    private static void OutputPicture(StringBuilder sb, ReportData d, BoundOutput o, ItemObservations obs)
    {
        ValueSummary? Of(string from) => obs.Values.TryGetValue(d.Plan.Resolve(from), out var s) ? s : null;
        if (o.Panels is { Count: > 0 } panels)
        {
            int columns = o.Options.TryGetValue("columns", out var col) && col is not null ? Math.Max(1, Convert.ToInt32(col, CultureInfo.InvariantCulture)) : panels.Count;
            sb.Append("<div class=\"figure\" style=\"grid-template-columns: repeat(").Append(columns).Append(", auto)\">");
            foreach (var p in panels)
            {
                var s = Of(p.From);
                sb.Append("<figure class=\"panel\">");
                if (s is { Kind: SummaryKind.Array })
                {
                    var display = DisplayOf(p.Options) ?? Display.Grey;
                    Img(sb, s, display, 2, $"{p.Title ?? p.From}", "panel");
                }

                sb.Append("<figcaption>").Append(Html.E(p.Title ?? p.From)).Append("</figcaption></figure>");
            }

            sb.Append("</div>");
            return;
        }

        var v = Of(o.From);
        if (v is null)
        {
            return;
        }

        switch (v.Kind)
        {
            case SummaryKind.Table:
                TableValue(sb, v, chart: o.Format == OutputFormat.Png);
                break;
            case SummaryKind.Scalar:
                sb.Append("<span class=\"scalar\">").Append(Html.N(v.Scalar)).Append("</span>");
                break;
            default:
                var display = o.Format switch
                {
                    OutputFormat.Png or OutputFormat.Gif when DisplayOf(o.Options) is { } shown => shown,
                    OutputFormat.Png when Option(o.Options, "bits") is 16.0 => new Display(Colormaps.Gray, 0, 65535),
                    OutputFormat.Png or OutputFormat.Gif => new Display(Colormaps.Gray, 0, 255),
                    _ => Display.Grey,
                };
                Img(sb, v, display, 1, o.Name, "thumb");
                break;
        }
    }

    // ---------------------------------------------------------------- failures

    private static void FailuresSection(StringBuilder sb, ReportData d)
    {
        var failed = d.Manifest.Items.Where(i => !i.Succeeded).ToList();
        sb.Append("<section id=\"failures\"><h2>Failures</h2>\n");
        if (failed.Count == 0)
        {
            sb.Append("<p class=\"good\">None: every input was processed.</p></section>\n");
            return;
        }

        sb.Append("<table class=\"failures\"><thead><tr><th>input</th><th>file</th><th>reason</th></tr></thead><tbody>\n");
        foreach (var f in failed.Take(MaxListedItems))
        {
            sb.Append("<tr><td>").Append(Html.E(f.Name)).Append("</td><td><code>").Append(Html.E(string.Join(", ", f.Inputs.Select(i => i.Path)))).Append("</code></td><td>")
                .Append(Html.E(f.Error)).Append("</td></tr>\n");
        }

        sb.Append("</tbody></table>\n");
        MoreInManifest(sb, failed.Count, "failed inputs");
        sb.Append("</section>\n");
    }

    // ---------------------------------------------------------------- steps

    private static void StepsSection(StringBuilder sb, ReportData d)
    {
        var plan = d.Plan;
        var recipe = plan.Recipe;
        sb.Append("<section id=\"steps\"><h2>Inputs and steps</h2>\n");
        sb.Append("<p class=\"note\">One card per input image: a thumbnail of the value (grey, or the colormap an output shows it with; complex values as their magnitude), its shape and dtype, the min, max and mean of its finite values, a histogram between min and max, and the step's time.</p>\n");
        foreach (var input in recipe.Inputs)
        {
            sb.Append("<section class=\"value\" id=\"").Append(Html.Id("input-", input.Name)).Append("\"><h3>input <code>").Append(Html.E(input.Name)).Append("</code> <span class=\"muted\">")
                .Append(input.Kind.ToString().ToLowerInvariant()).Append("</span></h3>\n");
            sb.Append("<p class=\"meta\"><a href=\"#L").Append(input.Location.Line).Append("\">recipe line ").Append(input.Location.Line).Append("</a></p>\n");
            Cards(sb, d, input.Name, null);
            sb.Append("</section>\n");
        }

        var merged = plan.Nodes.SelectMany(n => n.MergedIds.Select(id => (id, n))).ToDictionary(x => x.id, x => x.n, StringComparer.Ordinal);
        foreach (var step in recipe.Steps)
        {
            sb.Append("<section class=\"value\" id=\"").Append(Html.Id("step-", step.Id)).Append("\"><h3><code>").Append(Html.E(step.Id)).Append("</code> = ")
                .Append(Html.E(step.Op.Name)).Append('(').Append(Html.E(string.Join(", ", step.Inputs.Select(i => i.VariableName is { } v ? $"{v}: {i.Source}" : i.Source)))).Append(')');
            var node = plan.Node(step.Id);
            if (node is not null && PlanPrinter.ShownParams(node) is { Length: > 0 } shown)
            {
                sb.Append(" <span class=\"params\">").Append(Html.E(shown)).Append("</span>");
            }

            sb.Append("</h3>\n<p class=\"meta\"><a href=\"#L").Append(step.Location.Line).Append("\">recipe line ").Append(step.Location.Line).Append("</a>");
            if (node is not null)
            {
                sb.Append(" · level ").Append(node.Level);
                if (node.Chain >= 0)
                {
                    sb.Append(" · fused chain ").Append(node.Chain + 1).Append(": ").Append(Html.E(string.Join(" → ", plan.FusedChains[node.Chain].NodeIds)))
                        .Append(" (one pass; the time is the chain's)");
                }

                if (node.MergedIds.Count > 0)
                {
                    sb.Append(" · also computes ").Append(Html.E(string.Join(", ", node.MergedIds))).Append(" (identical steps)");
                }

                double[] times = StepTimes(d, step.Id);
                if (times.Length > 0)
                {
                    sb.Append(" · ").Append(Html.Ms(times.Average())).Append(times.Length > 1 ? " mean" : string.Empty);
                }

                sb.Append("</p>\n");
                Cards(sb, d, step.Id, step.Id);
            }
            else if (merged.TryGetValue(step.Id, out var same))
            {
                sb.Append(" · identical to <a href=\"#").Append(Html.Id("step-", same.Id)).Append("\"><code>").Append(Html.E(same.Id)).Append("</code></a>: computed once, there</p>\n");
            }
            else
            {
                sb.Append(" · skipped: it reaches no output, so it is not computed</p>\n");
            }

            sb.Append("</section>\n");
        }

        sb.Append("</section>\n");
    }

    private static double[] StepTimes(ReportData d, string id)
        => d.Manifest.Items.Where(i => i.Status == "ok").SelectMany(i => i.Steps.Where(s => s.Id == id && s.SameAs is null).Select(s => s.Ms)).ToArray();

    /// <summary>One card per pictured input of the run: the value's thumbnail and numbers (or why there is none).</summary>
    private static void Cards(StringBuilder sb, ReportData d, string name, string? stepId)
    {
        var display = DisplayFor(d.Plan, name);
        sb.Append("<div class=\"cards\">\n");
        foreach (var item in d.Manifest.Items)
        {
            var obs = d.Collector.Of(item.Name);
            if (obs is null)
            {
                continue;
            }

            sb.Append("<figure class=\"card\" data-item=\"").Append(Html.E(item.Name)).Append("\">");
            var s = obs is not null && obs.Values.TryGetValue(d.Plan.Resolve(name), out var found) ? found : null;
            if (s is null)
            {
                string why = item.Status == "resumed" ? "kept from an earlier run (--resume): not computed here"
                    : !item.Succeeded ? "failed before this value: " + item.Error
                    : "not computed";
                sb.Append("<div class=\"missing\">").Append(Html.E(why)).Append("</div><figcaption><div class=\"item\">").Append(Html.E(item.Name)).Append("</div></figcaption></figure>\n");
                continue;
            }

            switch (s.Kind)
            {
                case SummaryKind.Array:
                    Img(sb, s, display, 1, $"{name}, {item.Name}", "thumb");
                    break;
                case SummaryKind.Scalar:
                    sb.Append("<div class=\"scalar\">").Append(Html.N(s.Scalar)).Append("</div>");
                    break;
                default:
                    TableValue(sb, s, chart: true);
                    break;
            }

            sb.Append("<figcaption><div class=\"item\">").Append(Html.E(item.Name)).Append("</div>");
            string time = stepId is null ? string.Empty
                : item.Steps.FirstOrDefault(t => t.Id == stepId) is { } t ? " · " + Html.Ms(t.Ms) + (t.Chain > 0 ? " (chain " + t.Chain.ToString(CultureInfo.InvariantCulture) + ")" : string.Empty) : string.Empty;
            if (s.Kind == SummaryKind.Array)
            {
                sb.Append("<div class=\"meta\">").Append(string.Join("×", s.Shape)).Append(' ').Append(s.Dtype).Append(Html.E(time)).Append("</div>");
                sb.Append("<div class=\"stats\">min <b>").Append(Html.N(s.Min)).Append("</b> max <b>").Append(Html.N(s.Max)).Append("</b> mean <b>").Append(Html.N(s.Mean)).Append("</b>");
                if (s.IsComplex)
                {
                    sb.Append(" <span class=\"muted\">of |z|</span>");
                }

                sb.Append("</div>");
                if (s.NaNs > 0 || s.Infinities > 0)
                {
                    sb.Append("<div class=\"warn\">").Append(s.NaNs).Append(" NaN, ").Append(s.Infinities).Append(" infinite</div>");
                }

                foreach (var (k, v) in s.Attributes)
                {
                    sb.Append("<div class=\"meta\">").Append(Html.E(k)).Append(" = <b>").Append(Html.N(v)).Append("</b></div>");
                }

                Histogram(sb, s);
                sb.Append("<div class=\"muted small\">").Append(Html.E(display.Describe(s))).Append(s.IsStack ? ", frame 1 of " + s.Shape[0] : string.Empty).Append("</div>");
            }
            else
            {
                sb.Append("<div class=\"meta\">").Append(s.Dtype).Append(Html.E(time)).Append("</div>");
            }

            sb.Append("</figcaption></figure>\n");
        }

        sb.Append("</div>\n");
    }

    private static void Img(StringBuilder sb, ValueSummary s, Display display, int shrink, string alt, string cls)
    {
        int w = (s.ThumbCols + shrink - 1) / shrink, h = (s.ThumbRows + shrink - 1) / shrink;
        sb.Append("<img class=\"").Append(cls).Append("\" width=\"").Append(w).Append("\" height=\"").Append(h).Append("\" alt=\"").Append(Html.E(alt))
            .Append("\" title=\"").Append(Html.E(display.Describe(s))).Append("\" src=\"");
        if (t_images is { } pending)
        {
            pending.Add((sb.Length, s, display, shrink)); // encoded after the text, in parallel
        }
        else
        {
            sb.Append(Thumbnails.DataUri(s, display, shrink));
        }

        sb.Append("\">");
    }

    /// <summary>A small bar chart of the value's histogram (SVG), labelled with its range.</summary>
    private static void Histogram(StringBuilder sb, ValueSummary s)
    {
        if (s.Histogram.Length == 0 || s.HistogramCount == 0)
        {
            return;
        }

        long peak = Math.Max(1, s.Histogram.Max());
        const double H = 40;
        string tip = s.SampleStride == 1
            ? $"histogram of all {s.HistogramCount:N0} finite values, {s.Histogram.Length} bins from {Html.N(s.Min)} to {Html.N(s.Max)}"
            : $"histogram of {s.HistogramCount:N0} finite values (every {s.SampleStride}th row and column), {s.Histogram.Length} bins from {Html.N(s.Min)} to {Html.N(s.Max)}";
        sb.Append("<svg class=\"hist\" viewBox=\"0 0 ").Append(s.Histogram.Length).Append(' ').Append(Html.F(H)).Append("\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"histogram\"><title>")
            .Append(Html.E(tip)).Append("</title><path d=\"M0,").Append(Html.F(H));
        for (int i = 0; i < s.Histogram.Length; i++)
        {
            double y = H - (H * s.Histogram[i] / peak);
            if (s.Histogram[i] > 0)
            {
                y = Math.Min(y, H - 0.8); // a bin with a few values stays visible
            }

            sb.Append(" L").Append(i).Append(',').Append(Html.F(y)).Append(" L").Append(i + 1).Append(',').Append(Html.F(y));
        }

        sb.Append(" L").Append(s.Histogram.Length).Append(',').Append(Html.F(H)).Append(" Z\"/></svg>");
        sb.Append("<div class=\"axis\"><span>").Append(Html.N(s.Min)).Append("</span><span>").Append(Html.N(s.Max)).Append("</span></div>");
    }

    /// <summary>A table's fields: numbers as text; a `counts` list (a histogram) also as bars when <paramref name="chart"/>.</summary>
    private static void TableValue(StringBuilder sb, ValueSummary s, bool chart)
    {
        if (chart && s.Table.FirstOrDefault(f => f.Key == "counts").Value is { } counts)
        {
            double[] c = counts switch
            {
                long[] l => l.Select(x => (double)x).ToArray(),
                double[] x => x,
                _ => [],
            };
            if (c.Length > 0)
            {
                double peak = Math.Max(1e-300, c.Max());
                sb.Append("<svg class=\"hist table-hist\" viewBox=\"0 0 ").Append(c.Length).Append(" 40\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"counts\"><path d=\"M0,40");
                for (int i = 0; i < c.Length; i++)
                {
                    double y = 40 - (40 * c[i] / peak);
                    sb.Append(" L").Append(i).Append(',').Append(Html.F(y)).Append(" L").Append(i + 1).Append(',').Append(Html.F(y));
                }

                sb.Append(" L").Append(c.Length).Append(",40 Z\"/></svg>");
            }
        }

        sb.Append("<table class=\"kv\">");
        foreach (var (k, v) in s.Table)
        {
            sb.Append("<tr><th>").Append(Html.E(k)).Append("</th><td>").Append(Html.E(FieldText(v))).Append("</td></tr>");
        }

        sb.Append("</table>");
    }

    private static string FieldText(object v) => v switch
    {
        double x => Html.N(x),
        float x => Html.N(x),
        long x => Html.I(x),
        int x => Html.I(x),
        string x => x,
        double[] xs => xs.Length <= 8 ? "[" + string.Join(", ", xs.Select(Html.N)) + "]" : $"{xs.Length} values: [{string.Join(", ", xs.Take(4).Select(Html.N))}, …, {Html.N(xs[^1])}]",
        long[] xs => xs.Length <= 8 ? "[" + string.Join(", ", xs.Select(Html.I)) + "]" : $"{xs.Length} values: [{string.Join(", ", xs.Take(4).Select(Html.I))}, …, {Html.I(xs[^1])}]",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    /// <summary>How the outputs show a value: the first output or panel reading it with a colormap, else grey over its own range.</summary>
    internal static Display DisplayFor(Plan plan, string name)
    {
        string canonical = plan.Resolve(name);
        foreach (var o in plan.Recipe.Outputs)
        {
            if (o.Panels is { Count: > 0 } panels)
            {
                foreach (var p in panels.Where(p => plan.Resolve(p.From) == canonical))
                {
                    if (DisplayOf(p.Options) is { } d)
                    {
                        return d;
                    }
                }
            }
            else if (plan.Resolve(o.From) == canonical && o.Format is OutputFormat.Png or OutputFormat.Gif && DisplayOf(o.Options) is { } d)
            {
                return d;
            }
        }

        return Display.Grey;
    }

    /// <summary>The display of a `colormap` option (with its vmin/vmax), or null when there is none or it names no colormap.</summary>
    private static Display? DisplayOf(IReadOnlyDictionary<string, object?> options)
        => options.TryGetValue("colormap", out var c) && c is string name && Colormaps.TryGet(name, out var cmap)
            ? new Display(cmap, Option(options, "vmin"), Option(options, "vmax"))
            : null;

    private static double? Option(IReadOnlyDictionary<string, object?> options, string key)
        => options.TryGetValue(key, out var v) && v is not null ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : null;

    // ---------------------------------------------------------------- timing

    private static void TimingSection(StringBuilder sb, ReportData d)
    {
        var m = d.Manifest;
        var ran = m.Items.Where(i => i.Status == "ok").ToList();
        sb.Append("<section id=\"timing\"><h2>Timing</h2>\n");
        sb.Append("<p>Total: <b>").Append(Html.Ms(d.Elapsed.TotalMilliseconds)).Append("</b> for ").Append(m.Items.Count).Append(m.Items.Count == 1 ? " input" : " inputs")
            .Append(" on ").Append(d.Threads).Append(d.Threads == 1 ? " thread" : " threads").Append(" (decoding, steps, writing; items run in parallel). Step times are wall times of the last run of each step.</p>\n");

        // Per step: mean over the inputs that ran; a fused chain's time once, on its first step.
        var rows = new List<(string Label, string Href, double Mean, double Min, double Max, double Sum, string Note)>();
        foreach (var node in d.Plan.Nodes)
        {
            if (node.Chain >= 0 && d.Plan.FusedChains[node.Chain].NodeIds[0] != node.Id)
            {
                continue;
            }

            var t = StepTimes(d, node.Id);
            if (t.Length == 0)
            {
                continue;
            }

            string label = node.Chain >= 0 ? string.Join(" → ", d.Plan.FusedChains[node.Chain].NodeIds) : node.Id;
            rows.Add((label, "#" + Html.Id("step-", node.Id), t.Average(), t.Min(), t.Max(), t.Sum(), node.Chain >= 0 ? $"fused chain {node.Chain + 1}" : node.Step.Op.Name));
        }

        if (rows.Count > 0)
        {
            double peak = Math.Max(1e-9, rows.Max(r => r.Mean));
            sb.Append("<h3>Per step</h3><table class=\"timing\"><thead><tr><th>step</th><th>op</th><th>mean</th><th>min</th><th>max</th><th>total</th><th></th></tr></thead><tbody>\n");
            foreach (var r in rows)
            {
                sb.Append("<tr><td><a href=\"").Append(r.Href).Append("\"><code>").Append(Html.E(r.Label)).Append("</code></a></td><td>").Append(Html.E(r.Note)).Append("</td><td>")
                    .Append(Html.Ms(r.Mean)).Append("</td><td>").Append(Html.Ms(r.Min)).Append("</td><td>").Append(Html.Ms(r.Max)).Append("</td><td>").Append(Html.Ms(r.Sum))
                    .Append("</td><td class=\"bar\"><span style=\"width:").Append(Html.F(100 * r.Mean / peak)).Append("%\"></span></td></tr>\n");
            }

            sb.Append("</tbody></table>\n");
        }

        sb.Append("<h3>Per input</h3><table class=\"timing\"><thead><tr><th>input</th><th>status</th><th>wall</th><th>steps</th><th></th></tr></thead><tbody>\n");
        var items = m.Items.Select(i => (Item: i, Wall: d.Collector.Of(i.Name)?.WallTime?.TotalMilliseconds, Steps: StepsTotal(i))).ToList();
        double top = Math.Max(1e-9, items.Select(x => x.Wall ?? x.Steps).DefaultIfEmpty(0).Max());
        foreach (var (item, wall, steps) in items.Take(MaxListedItems))
        {
            sb.Append("<tr").Append(item.Succeeded ? string.Empty : " class=\"failed\"").Append("><td>").Append(Html.E(item.Name)).Append("</td><td>").Append(Html.E(item.Status)).Append("</td><td>")
                .Append(wall is { } w ? Html.Ms(w) : "–").Append("</td><td>").Append(item.Steps.Count > 0 ? Html.Ms(steps) : "–")
                .Append("</td><td class=\"bar\"><span style=\"width:").Append(Html.F(100 * (wall ?? steps) / top)).Append("%\"></span></td></tr>\n");
        }

        sb.Append("</tbody></table>\n");
        MoreInManifest(sb, items.Count, "inputs");
        if (ran.Count > 0)
        {
            sb.Append("<p class=\"note\">Wall: from the start of the input (decoding included) to its manifest entry; steps: the sum of its step times (a fused chain once). Parallel steps overlap, so the sum can exceed the wall time.</p>\n");
        }

        sb.Append("</section>\n");
    }

    private static double StepsTotal(ManifestItem item)
    {
        double total = 0;
        var chains = new HashSet<int>();
        foreach (var s in item.Steps.Where(s => s.SameAs is null))
        {
            if (s.Chain > 0 && !chains.Add(s.Chain))
            {
                continue; // a fused chain's time is on each of its steps: counted once
            }

            total += s.Ms;
        }

        return total;
    }

    // ---------------------------------------------------------------- recipe, hashes

    private static void RecipeSection(StringBuilder sb, ReportData d)
    {
        sb.Append("<section id=\"recipe\"><h2>Recipe</h2>\n<p class=\"meta\"><code>").Append(Html.E(d.Manifest.RecipeAbsolutePath)).Append("</code></p>\n");
        if (d.RecipeText is null)
        {
            sb.Append("<p class=\"warn\">The recipe file could not be read again after the run.</p></section>\n");
            return;
        }

        var stepLines = d.Plan.Recipe.Steps.Select(s => s.Location.Line).ToHashSet();
        sb.Append("<pre class=\"recipe\"><code>");
        var lines = d.RecipeText.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        int count = lines.Length > 0 && lines[^1].Length == 0 ? lines.Length - 1 : lines.Length;
        for (int i = 0; i < count; i++)
        {
            int n = i + 1;
            sb.Append("<span id=\"L").Append(n).Append('"').Append(stepLines.Contains(n) ? " class=\"step-line\"" : string.Empty).Append("><a class=\"ln\" href=\"#L").Append(n).Append("\">")
                .Append(n).Append("</a>").Append(Html.E(lines[i])).Append("</span>");
        }

        sb.Append("</code></pre></section>\n");
    }

    private static void HashesSection(StringBuilder sb, ReportData d)
    {
        var m = d.Manifest;
        sb.Append("<section id=\"hashes\"><h2>Hashes</h2>\n<p class=\"note\">SHA-256, as manifest.json records them (<code>xrayflow verify manifest.json</code> checks a run against them).</p>\n");
        sb.Append("<table class=\"hashes\"><tbody>\n<tr><th>recipe file</th><td><code>").Append(Html.E(m.RecipePath)).Append("</code></td><td><code>").Append(Html.E(m.RecipeFileSha256)).Append("</code></td></tr>\n");
        sb.Append("<tr><th>recipe meaning</th><td>canonical text after --set</td><td><code>").Append(Html.E(m.RecipeSha256)).Append("</code></td></tr>\n");
        foreach (var (k, v) in m.Params)
        {
            sb.Append("<tr><th>param</th><td><code>").Append(Html.E(k)).Append("</code></td><td><code>").Append(Html.E(v)).Append("</code></td></tr>\n");
        }

        sb.Append("</tbody></table>\n<table class=\"hashes\"><thead><tr><th>input</th><th>kind</th><th>file</th><th>sha256</th></tr></thead><tbody>\n");
        foreach (var item in m.Items.Take(MaxListedItems))
        {
            foreach (var f in item.Inputs)
            {
                sb.Append("<tr><td>").Append(Html.E(item.Name)).Append("</td><td>read ").Append(Html.E(f.Input)).Append("</td><td><code>").Append(Html.E(f.Path)).Append("</code></td><td><code>")
                    .Append(Html.E(f.Sha256)).Append("</code></td></tr>\n");
            }

            foreach (var o in item.Outputs)
            {
                sb.Append("<tr><td>").Append(Html.E(item.Name)).Append("</td><td>wrote ").Append(Html.E(o.Output)).Append("</td><td><a href=\"").Append(Html.Href(o.Path)).Append("\"><code>")
                    .Append(Html.E(o.Path)).Append("</code></a></td><td><code>").Append(Html.E(o.Sha256)).Append("</code></td></tr>\n");
            }
        }

        sb.Append("</tbody></table>\n");
        MoreInManifest(sb, m.Items.Count, "inputs");
        sb.Append("</section>\n");
    }

    /// <summary>The note under a table cut at <see cref="MaxListedItems"/> rows of <paramref name="total"/>.</summary>
    private static void MoreInManifest(StringBuilder sb, int total, string what)
    {
        if (total > MaxListedItems)
        {
            sb.Append("<p class=\"note\">The first ").Append(MaxListedItems).Append(' ').Append(what).Append(" of ").Append(total)
                .Append("; manifest.json lists all ").Append(total).Append(".</p>\n");
        }
    }
}
