using System.ComponentModel;
using System.Globalization;
using System.Text;
using Spectre.Console.Cli;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Running;
using XRayFlow.Core.Text;

namespace XRayFlow.Cli.Commands;

[Description("Describe an image.")]
public sealed class InfoCommand(CliHost host) : Command<InfoCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IMAGE>")]
        [Description("One or more PNG, JPEG, .npy or DICOM files.")]
        public string[] Images { get; init; } = [];

        [CommandOption("--json")]
        [Description("Print one JSON document on stdout: per file its shape, dtype, storage, statistics and DICOM header (docs/cli-json.md).")]
        public bool Json { get; init; }

        [CommandOption("--dicom-without-preamble")]
        [Description("Read .dcm files that lack the 128-byte DICOM preamble and 'DICM' (refused by default, as `run` does).")]
        public bool DicomWithoutPreamble { get; init; }
    }

    /// <summary>What one file is: its array (null when unreadable), how it is stored, its DICOM fields, or why it cannot be read.</summary>
    private sealed record FileInfoResult(string File, int Exit, Core.Imaging.ImageArray? Array, string? StoredAs, IReadOnlyList<KeyValuePair<string, string>>? Dicom, string? Error);

    /// <summary>Describes each file (all of them, even after a bad one): exit 0, 1 when some image could not be decoded, 2 when some path is not a regular file.</summary>
    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var results = new List<FileInfoResult>();
        foreach (string path in settings.Images)
        {
            var r = Inspect(path, settings.DicomWithoutPreamble);
            results.Add(r);
            if (r.Error is not null)
            {
                host.Report(DiagnosticCodes.ImageUnreadable.Create(null, path, r.Error));
            }

            if (settings.Json)
            {
                continue;
            }

            if (results.Count > 1)
            {
                host.Out.WriteLine();
            }

            if (r.Array is not null)
            {
                host.Out.Write(Describe(path, r.Array, r.StoredAs));
            }
            else if (r.Dicom is not null)
            {
                host.Out.Write($"file:   {Core.Text.Printable.Escape(path)}\n");
            }

            if (r.Dicom is not null)
            {
                host.Out.Write(DicomText(r.Dicom));
            }
        }

        if (settings.Json)
        {
            host.Out.Write(Output.CliJson.Document(w =>
            {
                w.WriteStartArray("files");
                foreach (var r in results)
                {
                    WriteJson(w, r);
                }

                w.WriteEndArray();
            }));
        }

        return results.Count == 0 ? ExitCodes.Success : results.Max(r => r.Exit);
    }

    private static FileInfoResult Inspect(string path, bool dicomWithoutPreamble)
    {
        // A regular file only: a FIFO would block, /dev/zero never ends (the codecs refuse them too).
        var facts = Core.IO.UntrustedFile.Stat(path);
        if (facts.Kind != Core.IO.FileKind.Regular)
        {
            string why = facts.Kind == Core.IO.FileKind.Missing
                ? "no such file"
                : $"it is {Core.IO.UntrustedFile.Describe(facts.Kind)}, not a regular file";
            return new FileInfoResult(path, ExitCodes.Invalid, null, null, null, why);
        }

        // What the file is, as the reader sniffs it; a DICOM file shows its header first: the header reads even
        // when the pixels cannot be decoded (a JPEG transfer syntax), so the user sees why.
        var description = ImageReader.Describe(path);
        var dicom = DicomFields(path, description);
        try
        {
            return new FileInfoResult(path, ExitCodes.Success, ImageIO.Read(path, dicomWithoutPreamble: dicomWithoutPreamble), description?.StoredAs, dicom, null);
        }
        catch (ImageDecodeException ex)
        {
            return new FileInfoResult(path, ExitCodes.SomeFailed, null, description?.StoredAs, dicom, ex.Reason);
        }
    }

    private static void WriteJson(System.Text.Json.Utf8JsonWriter w, FileInfoResult r)
    {
        w.WriteStartObject();
        w.WriteString("file", r.File);
        Output.CliJson.StringOrNull(w, "error", r.Error);
        if (r.Array is { } a)
        {
            w.WriteStartArray("shape");
            foreach (int n in a.Shape)
            {
                w.WriteNumberValue(n);
            }

            w.WriteEndArray();
            w.WriteString("dtype", a.IsComplex ? "complex64" : "float32");
        }
        else
        {
            w.WriteNull("shape");
            w.WriteNull("dtype");
        }

        Output.CliJson.StringOrNull(w, "stored", r.StoredAs);
        if (r.Array is { IsComplex: false } real)
        {
            var s = Core.Ops.Statistics.ArrayStatistics.Summarize(real.Data, Environment.ProcessorCount);
            w.WriteStartObject("statistics");
            w.WriteNumber("count", s.Count);
            Output.CliJson.Number(w, "min", s.Min);
            Output.CliJson.Number(w, "max", s.Max);
            Output.CliJson.Number(w, "mean", s.Mean);
            Output.CliJson.Number(w, "median", s.Median);
            Output.CliJson.Number(w, "std", s.Std);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("statistics");
        }

        if (r.Dicom is { } fields)
        {
            w.WriteStartObject("dicom");
            foreach (var (k, v) in fields)
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("dicom");
        }

        w.WriteEndObject();
    }

    /// <summary>The DICOM header fields (`dicom:` block, values escaped), or null when the reader does not see DICOM or the header is unreadable.</summary>
    internal static string? DescribeDicom(string path, ImageFileDescription? description)
        => DicomFields(path, description) is { } fields ? DicomText(fields) : null;

    private static string DicomText(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        int w = fields.Max(kv => kv.Key.Length) + 1;
        var sb = new StringBuilder("dicom:\n");
        foreach (var (key, value) in fields)
        {
            sb.Append("  ").Append((key + ":").PadRight(w + 1)).Append(Core.Text.Printable.Escape(value)).Append('\n');
        }

        return sb.ToString();
    }

    private static IReadOnlyList<KeyValuePair<string, string>>? DicomFields(string path, ImageFileDescription? description)
    {
        if (description?.Format != ImageFileFormat.Dicom)
        {
            return null;
        }

        try
        {
            var header = Core.Codecs.Dicom.DicomReader.ReadHeader(path, new Core.Codecs.Dicom.DicomReadOptions { AllowMissingPreamble = true });
            var fields = header.DisplayFields();
            return fields.Count == 0 ? null : fields;
        }
        catch (ImageDecodeException)
        {
            return null;
        }
    }

    /// <summary>
    /// Shape, dtype, storage and the statistics of the `stats` op: the one implementation
    /// (<see cref="Core.Ops.Statistics.ArrayStatistics.Summarize"/>, numpy semantics: any NaN makes every statistic NaN),
    /// numbers printed as the stats op's JSON writes them (shortest round-trip), non-finite ones as nan / inf / -inf
    /// (JSON: null). A complex array gets no statistics, as the stats op refuses it.
    /// </summary>
    internal static string Describe(string path, Core.Imaging.ImageArray a, string? storedAs)
    {
        static string F(double d) => double.IsNaN(d) ? "nan"
            : double.IsPositiveInfinity(d) ? "inf"
            : double.IsNegativeInfinity(d) ? "-inf"
            : RoundTrip.Format(d);
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

        var s = Core.Ops.Statistics.ArrayStatistics.Summarize(a.Data, Environment.ProcessorCount);
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
