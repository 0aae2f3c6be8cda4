using System.ComponentModel;
using System.Globalization;
using System.Text;
using Spectre.Console.Cli;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

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
    /// (<see cref="Core.Ops.Statistics.ArrayStatistics.Summarize"/>, numpy semantics: any NaN makes every statistic NaN),
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
