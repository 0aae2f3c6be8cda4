using System.ComponentModel;
using System.Globalization;
using System.Text;
using Spectre.Console.Cli;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

[Description("List ops.")]
public sealed class OpsCommand(CliHost host) : Command<OpsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[NAME]")]
        [Description("An op's name: show its parameters.")]
        public string? Name { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Name is null)
        {
            var ops = OpRegistry.All;
            int w = Math.Max(4, ops.Max(o => o.Name.Length));
            int c = Math.Max(8, ops.Max(o => o.Category.Length));
            host.Out.WriteLine($"{"name".PadRight(w)}  {"category".PadRight(c)}  summary");
            foreach (var op in ops)
            {
                host.Out.WriteLine($"{op.Name.PadRight(w)}  {op.Category.PadRight(c)}  {op.Summary}");
            }

            host.Out.WriteLine();
            host.Out.WriteLine("Run `xrayflow ops NAME` for an op's parameters.");
            return ExitCodes.Success;
        }

        if (!OpRegistry.TryGet(settings.Name, out var one))
        {
            string? near = XRayFlow.Pipeline.Binding.DidYouMean.Nearest(settings.Name, OpRegistry.All.Select(o => o.Name));
            string hint = near is not null ? $"; did you mean '{near}'?" : " (run `xrayflow ops` for the list)";
            host.Report(DiagnosticCodes.UnknownOpName.Create(null, settings.Name, hint));
            return ExitCodes.Invalid;
        }

        host.Out.Write(Describe(one));
        return ExitCodes.Success;
    }

    internal static string Describe(OpDefinition op)
    {
        var sb = new StringBuilder();
        sb.Append(op.Name).Append(": ").Append(op.Summary).Append('\n');
        if (op.Reference is { } r)
        {
            sb.Append("  reference: ").Append(r).Append('\n');
        }

        sb.Append("  category:  ").Append(op.Category).Append('\n');
        string inputs = op.Inputs.Doc.Length > 0 ? op.Inputs.Doc : $"{op.Inputs.Min}..{op.Inputs.Max} arrays";
        sb.Append("  inputs:    ").Append(inputs).Append(op.Inputs.RequiresStack ? " (a stack)" : string.Empty).Append('\n');
        sb.Append("  output:    ").Append(op.Output switch
        {
            OutputKind.Table => "a table (write it as .json)",
            OutputKind.Image => "one 2-D image",
            _ => "an array of the input's shape",
        }).Append(op.IsElementwise ? " (element-wise)" : string.Empty).Append('\n');
        if (op.Params.Count == 0)
        {
            sb.Append("  parameters: none\n");
            return sb.ToString();
        }

        var rows = op.Params.Select(p => new[]
        {
            p.Name,
            TypeName(p),
            Range(p),
            p.Allowed is { Count: > 0 } a ? string.Join(" | ", a) : string.Empty,
            p.Required ? "(required)" : Text(p.Default),
            p.Doc,
        }).ToList();
        string[] head = ["name", "type", "range", "allowed", "default", "doc"];
        var widths = Enumerable.Range(0, head.Length - 1).Select(i => Math.Max(head[i].Length, rows.Max(r => r[i].Length))).ToArray();
        sb.Append("  parameters:\n");
        void Row(string[] cells)
        {
            sb.Append("    ");
            for (int i = 0; i < cells.Length - 1; i++)
            {
                sb.Append(cells[i].PadRight(widths[i])).Append("  ");
            }

            sb.Append(cells[^1]).Append('\n');
        }

        Row(head);
        foreach (var row in rows)
        {
            Row(row);
        }

        return sb.ToString();
    }

    private static string TypeName(ParamSpec p) => p.Type switch
    {
        ParamType.Float => "float",
        ParamType.Int => "int",
        ParamType.Bool => "bool",
        ParamType.String => "string",
        ParamType.Enum => "enum",
        ParamType.FloatPerAxis => "float or [float per axis]",
        ParamType.IntPerAxis => "int or [int per axis]",
        ParamType.Expression => p.IsCondition ? "C# condition" : "C# expression or number",
        _ => p.Type.ToString(),
    };

    private static string Range(ParamSpec p)
    {
        string lo = p.Min is { } min ? (p.MinExclusive ? "> " : ">= ") + Text(min) : string.Empty;
        string hi = p.Max is { } max ? "<= " + Text(max) : string.Empty;
        return lo.Length > 0 && hi.Length > 0 ? $"{lo}, {hi}" : lo + hi;
    }

    private static string Text(object? v) => v switch
    {
        null => string.Empty,
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        double[] ds => "[" + string.Join(", ", ds.Select(d => d.ToString("R", CultureInfo.InvariantCulture))) + "]",
        int[] ins => "[" + string.Join(", ", ins) + "]",
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}

[Description("Print the JSON Schema.")]
public sealed class SchemaCommand(CliHost host) : Command
{
    public override int Execute(CommandContext context, CancellationToken cancellationToken)
    {
        if (LangBridge.Schema() is not { } schema)
        {
            host.Report(DiagnosticCodes.NotImplemented.Create(null, "schema"));
            return ExitCodes.Invalid;
        }

        host.Out.Write(schema.EndsWith('\n') ? schema : schema + "\n");
        return ExitCodes.Success;
    }
}

[Description("Describe an image.")]
public sealed class InfoCommand(CliHost host) : Command<InfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IMAGE>")]
        [Description("A PNG, JPEG, .npy or DICOM file.")]
        public string Image { get; init; } = string.Empty;
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // A regular file only: a FIFO would block, /dev/zero never ends (the codecs refuse them too).
        var facts = Core.IO.UntrustedFile.Stat(settings.Image);
        if (facts.Kind != Core.IO.FileKind.Regular)
        {
            string why = facts.Kind == Core.IO.FileKind.Missing
                ? "no such file"
                : $"it is {Core.IO.UntrustedFile.Describe(facts.Kind)}, not a regular file";
            host.Report(DiagnosticCodes.ImageUnreadable.Create(null, settings.Image, why));
            return ExitCodes.Invalid;
        }

        // What the file is, as the reader sniffs it; a DICOM file shows its header first: the header reads even
        // when the pixels cannot be decoded (a JPEG transfer syntax), so the user sees why.
        var description = ImageReader.Describe(settings.Image);
        string? dicom = DescribeDicom(settings.Image, description);
        Core.Imaging.ImageArray a;
        try
        {
            a = ImageIO.Read(settings.Image);
        }
        catch (ImageDecodeException ex)
        {
            if (dicom is not null)
            {
                host.Out.Write($"file:   {Core.Text.Printable.Escape(settings.Image)}\n{dicom}");
            }

            host.Report(DiagnosticCodes.ImageUnreadable.Create(null, settings.Image, ex.Reason));
            return ExitCodes.SomeFailed;
        }

        host.Out.Write(Describe(settings.Image, a, description?.StoredAs));
        if (dicom is not null)
        {
            host.Out.Write(dicom);
        }

        return ExitCodes.Success;
    }

    /// <summary>The DICOM header fields (`dicom:` block, values escaped), or null when the reader does not see DICOM or the header is unreadable.</summary>
    internal static string? DescribeDicom(string path, ImageFileDescription? description)
    {
        if (description?.Format != ImageFileFormat.Dicom)
        {
            return null;
        }

        try
        {
            var header = Core.Codecs.Dicom.DicomReader.ReadHeader(path, new Core.Codecs.Dicom.DicomReadOptions { AllowMissingPreamble = true });
            var fields = header.DisplayFields();
            int w = fields.Max(kv => kv.Key.Length) + 1;
            var sb = new StringBuilder("dicom:\n");
            foreach (var (key, value) in fields)
            {
                sb.Append("  ").Append((key + ":").PadRight(w + 1)).Append(Core.Text.Printable.Escape(value)).Append('\n');
            }

            return sb.ToString();
        }
        catch (ImageDecodeException)
        {
            return null;
        }
    }

    /// <summary>
    /// Shape, dtype, storage and the statistics of the `stats` op: the one implementation
    /// (<see cref="Core.Ops.Kernels.Statistics.Summarize"/>, numpy semantics: any NaN makes every statistic NaN),
    /// numbers printed as the stats op's JSON writes them (shortest round-trip), non-finite ones as nan / inf / -inf
    /// (JSON: null). A complex array gets no statistics, as the stats op refuses it.
    /// </summary>
    internal static string Describe(string path, Core.Imaging.ImageArray a, string? storedAs)
    {
        static string F(double d) => double.IsNaN(d) ? "nan"
            : double.IsPositiveInfinity(d) ? "inf"
            : double.IsNegativeInfinity(d) ? "-inf"
            : d.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("file:   ").Append(Core.Text.Printable.Escape(path)).Append('\n');
        sb.Append("shape:  ").Append(a.ShapeText).Append('\n');
        sb.Append("dtype:  ").Append(a.IsComplex ? "complex64" : "float32").Append(" (as loaded by xrayflow)\n");
        if (storedAs is not null)
        {
            sb.Append("stored: ").Append(storedAs).Append('\n');
        }

        if (a.IsComplex)
        {
            sb.Append("stats:  none: the array is complex (the stats op takes a real array: use abs, or ifft2 with part: real|imag|abs)\n");
            return sb.ToString();
        }

        var s = Core.Ops.Kernels.Statistics.Summarize(a.Data, Environment.ProcessorCount);
        sb.Append("count:  ").Append(s.Count.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("min:    ").Append(F(s.Min)).Append('\n');
        sb.Append("max:    ").Append(F(s.Max)).Append('\n');
        sb.Append("mean:   ").Append(F(s.Mean)).Append('\n');
        sb.Append("median: ").Append(F(s.Median)).Append('\n');
        sb.Append("std:    ").Append(F(s.Std)).Append('\n');
        if (double.IsNaN(s.Min))
        {
            sb.Append("note:   the array holds NaN, so every statistic is NaN (numpy semantics, as the stats op)\n");
        }

        return sb.ToString();
    }
}

[Description("Verify a run's manifest.")]
public sealed class VerifyCommand(CliHost host) : Command<VerifyCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MANIFEST>")]
        [Description("A manifest.json written by `xrayflow run`.")]
        public string Manifest { get; init; } = string.Empty;

        [CommandOption("-j|--threads <N>")]
        [Description("Thread budget for the re-run (default: the number of processors).")]
        public int? Threads { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var result = ManifestVerifier.Verify(
            settings.Manifest,
            (path, sets) => host.LoadRecipe(path, sets),
            host.CompilerFactory,
            settings.Threads ?? Environment.ProcessorCount,
            host.Cancellation);
        host.Report(result.Diagnostics);
        if (result.ExitCode == ExitCodes.Success)
        {
            host.Out.WriteLine($"{settings.Manifest}: same ({result.Checked} output(s) re-computed and identical)");
        }
        else if (result.ExitCode == ExitCodes.SomeFailed)
        {
            host.Out.WriteLine($"{settings.Manifest}: differs ({result.Differences} difference(s))");
        }

        return result.ExitCode;
    }
}

[Description("Run recipe tests.")]
public sealed class TestCommand(CliHost host) : Command<TestCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RECIPE>")]
        [Description("Recipe files whose `tests:` sections to run.")]
        public string[] Recipes { get; init; } = [];

        [CommandOption("-j|--threads <N>")]
        [Description("Thread budget (default: the number of processors).")]
        public int? Threads { get; init; }
    }

    /// <summary>
    /// Runs each recipe's `tests:` (see <see cref="XRayFlow.Pipeline.Testing.RecipeSelfTest"/>), printing one line per
    /// case (`PASS recipe/test (n outputs)` or `FAIL recipe/test: why`; `SKIP recipe` for one without tests) and a
    /// summary. Exit 0 when every case passed, 1 when some failed, 2 when a recipe is missing or invalid, a test
    /// cannot run, or none of the recipes has tests.
    /// </summary>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        bool invalid = false;
        int passed = 0, failed = 0;
        var untested = new List<XRayFlow.Pipeline.Binding.BoundRecipe>();
        foreach (string path in settings.Recipes)
        {
            if (!File.Exists(path))
            {
                host.Report(DiagnosticCodes.RecipeFileMissing.Create(null, path));
                invalid = true;
                continue;
            }

            var (recipe, diagnostics) = host.LoadRecipe(path, new Dictionary<string, string>());
            host.Report(diagnostics.Where(d => d.IsError));
            if (recipe is null)
            {
                invalid = true;
                continue;
            }

            if (recipe.Tests.Count == 0)
            {
                // Several recipes (a glob): one without tests is skipped; if nothing at all had tests, exit 2 below.
                host.Out.WriteLine($"SKIP {recipe.Name} (no `tests:` section)");
                untested.Add(recipe);
                continue;
            }

            var result = XRayFlow.Pipeline.Testing.RecipeSelfTest.Run(recipe, host.CompilerFactory, settings.Threads ?? 0, host.Cancellation);
            host.Report(result.Diagnostics);
            invalid |= result.ExitCode == ExitCodes.Invalid;
            foreach (var c in result.Cases)
            {
                host.Out.WriteLine(c.ToString());
                if (c.Passed)
                {
                    passed++;
                }
                else
                {
                    failed++;
                }
            }
        }

        if (passed + failed == 0 && untested.Count > 0)
        {
            foreach (var r in untested)
            {
                host.Report(DiagnosticCodes.RecipeHasNoTests.Create(new SourceLocation(r.Path, 1, 1), r.Name));
            }

            invalid = true;
        }

        host.Out.WriteLine($"{passed} passed, {failed} failed{(untested.Count > 0 ? $", {untested.Count} skipped (no tests)" : string.Empty)}");
        return invalid ? ExitCodes.Invalid : failed > 0 ? ExitCodes.SomeFailed : ExitCodes.Success;
    }
}
