using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Spectre.Console.Cli;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Text;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

/// <summary>
/// `xrayflow arrays`: runs a recipe in memory through the library API (<see cref="XRayFlow.Recipe"/>) and writes each
/// output's VALUE (not its file format) for a calling program: arrays as .npy (float32 or complex64), tables as .json,
/// and `result.json` with the outputs and every diagnostic as data. The Python module (python/xrayflow) calls this.
/// </summary>
[Description("Run a recipe and write each output's value (arrays as .npy, tables as .json) and result.json with diagnostics, for programs.")]
public sealed class ArraysCommand(CliHost host) : Command<ArraysCommand.Settings>
{
    /// <summary>The file beside the values that lists them and the diagnostics.</summary>
    public const string ResultFile = "result.json";

    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RECIPE>")]
        [Description("The recipe file (YAML, `xrayflow: 1`).")]
        public string Recipe { get; init; } = string.Empty;

        [CommandOption("-i|--input <NAME=PATH>")]
        [Description("Bind an input to a file (repeatable); a glob only for a `stack` input. Inputs left out read their `default:` path.")]
        public string[] Inputs { get; init; } = [];

        [CommandOption("--set <NAME=VALUE>")]
        [Description("Override a recipe param (repeatable), checked like the recipe: --set threshold=120.")]
        public string[] Set { get; init; } = [];

        [CommandOption("-o|--out <DIR>")]
        [Description("Folder for the values and result.json (created; files are named by output position: 0.npy, 1.json, 2_0.npy for a figure's first panel).")]
        [DefaultValue("out")]
        public string Out { get; init; } = "out";

        [CommandOption("-j|--threads <N>")]
        [Description("Thread budget (default: the number of processors).")]
        public int? Threads { get; init; }

        [CommandOption("--max-pixels <N>")]
        [Description("Fail an input file with more pixels than N (protects memory).")]
        public long? MaxPixels { get; init; }

        [CommandOption("--dicom-without-preamble")]
        [Description("Read .dcm inputs that lack the 128-byte DICOM preamble and 'DICM' (refused by default).")]
        public bool DicomWithoutPreamble { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var bag = new DiagnosticBag();
        var set = CommandHelpers.Pairs(settings.Set, "--set", bag).ToDictionary(kv => kv.Key, kv => (object)kv.Value, StringComparer.Ordinal);
        var inputs = CommandHelpers.Pairs(settings.Inputs, "--input", bag).ToDictionary(kv => kv.Key, kv => RecipeInput.FromFile(kv.Value), StringComparer.Ordinal);
        Directory.CreateDirectory(settings.Out);
        if (bag.HasErrors)
        {
            return Finish(settings.Out, [], [.. AsData(bag)], ExitCodes.Invalid);
        }

        var recipe = Recipe.Load(settings.Recipe, set);
        var result = recipe.Run(inputs, new RunOptions
        {
            Threads = settings.Threads ?? Environment.ProcessorCount,
            MaxPixels = settings.MaxPixels,
            DicomWithoutPreamble = settings.DicomWithoutPreamble,
            Cancellation = host.Cancellation,
        });

        var written = new List<(string Name, RecipeValue Value, string[] Files)>();
        int index = 0;
        foreach (var (name, value) in result.Outputs)
        {
            written.Add((name, value, Write(settings.Out, index.ToString(CultureInfo.InvariantCulture), value)));
            index++;
        }

        // Exit 1: the recipe and its inputs were fine but reading an image or a step failed; 2: nothing could run.
        bool runFailed = result.Diagnostics.Where(d => d.IsError).All(d => d.Code is "XRF2012" or "XRF2022");
        int exit = result.Succeeded ? ExitCodes.Success : runFailed ? ExitCodes.SomeFailed : ExitCodes.Invalid;
        return Finish(settings.Out, written, result.Diagnostics, exit);
    }

    private int Finish(string outDir, List<(string Name, RecipeValue Value, string[] Files)> outputs, IReadOnlyList<RecipeDiagnostic> diagnostics, int exit)
    {
        foreach (var d in diagnostics)
        {
            host.Err.WriteLine(d.ToString());
        }

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("xrayflow_version", Recipe.Version);
            w.WriteNumber("exit_code", exit);
            w.WriteStartArray("outputs");
            foreach (var (name, value, files) in outputs)
            {
                w.WriteStartObject();
                w.WriteString("name", name);
                w.WriteString("from", value.From);
                WriteValueFields(w, value, files, 0);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("diagnostics");
            foreach (var d in diagnostics)
            {
                w.WriteStartObject();
                w.WriteString("code", d.Code);
                w.WriteString("severity", d.Severity.ToString().ToLowerInvariant());
                if (d.File is null)
                {
                    w.WriteNull("file");
                }
                else
                {
                    w.WriteString("file", d.File);
                }

                w.WriteNumber("line", d.Line);
                w.WriteNumber("column", d.Column);
                w.WriteString("message", d.Message);
                w.WriteString("text", d.ToString());
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        File.WriteAllBytes(Path.Combine(outDir, ResultFile), stream.ToArray());
        return exit;
    }

    private static void WriteValueFields(Utf8JsonWriter w, RecipeValue value, string[] files, int first)
    {
        w.WriteString("kind", value.Kind.ToString().ToLowerInvariant());
        switch (value.Kind)
        {
            case RecipeValueKind.Array:
                w.WriteString("file", files[first]);
                w.WriteStartArray("shape");
                foreach (var n in value.Shape)
                {
                    w.WriteNumberValue(n);
                }

                w.WriteEndArray();
                w.WriteString("dtype", value.Imag is null ? "float32" : "complex64");
                break;
            case RecipeValueKind.Table:
                w.WriteString("file", files[first]);
                break;
            default:
                w.WriteStartArray("panels");
                for (int p = 0; p < value.Panels.Count; p++)
                {
                    w.WriteStartObject();
                    w.WriteString("from", value.Panels[p].From);
                    WriteValueFields(w, value.Panels[p], files, first + p);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                break;
        }
    }

    /// <summary>Writes one value; returns the file names (one, or one per figure panel).</summary>
    private static string[] Write(string outDir, string stem, RecipeValue value)
    {
        switch (value.Kind)
        {
            case RecipeValueKind.Array:
                Core.Codecs.Npy.NpyWriter.Write(Path.Combine(outDir, stem + ".npy"), value.Array!);
                return [stem + ".npy"];
            case RecipeValueKind.Table:
                File.WriteAllBytes(Path.Combine(outDir, stem + ".json"), TableJson(value.Table!));
                return [stem + ".json"];
            default:
                return value.Panels.SelectMany((p, i) => Write(outDir, $"{stem}_{i}", p)).ToArray();
        }
    }

    /// <summary>A table as one JSON object in the op's key order; NaN and infinities become null (JSON has no such numbers).</summary>
    private static byte[] TableJson(IReadOnlyDictionary<string, object> table)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (var (key, v) in table)
            {
                w.WritePropertyName(key);
                WriteJsonValue(w, v);
            }

            w.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void WriteJsonValue(Utf8JsonWriter w, object? v)
    {
        switch (v)
        {
            case null:
                w.WriteNullValue();
                break;
            case string s:
                w.WriteStringValue(s);
                break;
            case bool b:
                w.WriteBooleanValue(b);
                break;
            case long or int:
                w.WriteNumberValue(Convert.ToInt64(v, CultureInfo.InvariantCulture));
                break;
            case double or float:
                double d = Convert.ToDouble(v, CultureInfo.InvariantCulture);
                if (double.IsFinite(d))
                {
                    RoundTrip.WriteNumberValue(w, d);
                }
                else
                {
                    w.WriteNullValue();
                }

                break;
            case System.Collections.IEnumerable list:
                w.WriteStartArray();
                foreach (var item in list)
                {
                    WriteJsonValue(w, item);
                }

                w.WriteEndArray();
                break;
            default:
                w.WriteStringValue(Convert.ToString(v, CultureInfo.InvariantCulture));
                break;
        }
    }

    private static IEnumerable<RecipeDiagnostic> AsData(DiagnosticBag bag)
        => bag.ToSortedList().Select(d => new RecipeDiagnostic(d.Code, DiagnosticSeverity.Error, d.Location?.File, d.Location?.Line ?? 0, d.Location?.Column ?? 0, d.Message));
}
