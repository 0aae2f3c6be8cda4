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
        if (!File.Exists(settings.Image))
        {
            host.Report(DiagnosticCodes.ImageUnreadable.Create(null, settings.Image, "no such file"));
            return ExitCodes.Invalid;
        }

        // A DICOM file shows its header first; the header reads even when the pixels cannot be decoded
        // (a JPEG transfer syntax), so the user sees why.
        string? dicom = DescribeDicom(settings.Image);
        Core.Imaging.ImageArray a;
        try
        {
            a = ImageIO.Read(settings.Image);
        }
        catch (ImageDecodeException ex)
        {
            if (dicom is not null)
            {
                host.Out.Write($"file:   {settings.Image}\n{dicom}");
            }

            host.Report(DiagnosticCodes.ImageUnreadable.Create(null, settings.Image, ex.Reason));
            return ExitCodes.SomeFailed;
        }

        host.Out.Write(Describe(settings.Image, a));
        if (dicom is not null)
        {
            host.Out.Write(dicom);
        }

        return ExitCodes.Success;
    }

    /// <summary>How the file stores its pixels, from its header: `PNG, 8-bit grey`, `JPEG, 8-bit`, `npy, <f8`; null otherwise.</summary>
    internal static string? StoredAs(string path)
    {
        try
        {
            using var fs = File.OpenRead(path);
            var head = new byte[512];
            int n = fs.Read(head);
            if (n >= 26 && head[0] == 0x89 && head[1] == (byte)'P' && head[2] == (byte)'N' && head[3] == (byte)'G')
            {
                string colour = head[25] switch { 0 => "grey", 2 => "RGB", 3 => "palette", 4 => "grey + alpha", 6 => "RGBA", _ => "colour type " + head[25] };
                return $"PNG, {head[24]}-bit {colour}";
            }

            if (n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF)
            {
                return "JPEG, 8-bit";
            }

            if (n >= 10 && head[0] == 0x93 && head[1] == (byte)'N')
            {
                string text = Encoding.ASCII.GetString(head, 10, n - 10);
                int i = text.IndexOf("'descr':", StringComparison.Ordinal);
                int q1 = i < 0 ? -1 : text.IndexOf('\'', i + 8);
                int q2 = q1 < 0 ? -1 : text.IndexOf('\'', q1 + 1);
                return q2 > q1 ? $"npy, {text[(q1 + 1)..q2]}" : "npy";
            }
        }
        catch (IOException)
        {
        }

        return null;
    }

    /// <summary>The DICOM header fields (`dicom:` block), or null when the file is not DICOM or its header is unreadable.</summary>
    internal static string? DescribeDicom(string path)
    {
        try
        {
            var head = new byte[132];
            int n;
            using (var f = File.OpenRead(path))
            {
                n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            }

            bool isDicom = Core.Codecs.Dicom.DicomReader.HasDicomPreamble(head.AsSpan(0, n))
                || Path.GetExtension(path).Equals(".dcm", StringComparison.OrdinalIgnoreCase);
            if (!isDicom)
            {
                return null;
            }

            var header = Core.Codecs.Dicom.DicomReader.ReadHeader(path, new Core.Codecs.Dicom.DicomReadOptions { AllowMissingPreamble = true });
            var fields = header.DisplayFields();
            int w = fields.Max(kv => kv.Key.Length) + 1;
            var sb = new StringBuilder("dicom:\n");
            foreach (var (key, value) in fields)
            {
                sb.Append("  ").Append((key + ":").PadRight(w + 1)).Append(value).Append('\n');
            }

            return sb.ToString();
        }
        catch (Exception ex) when (ex is ImageDecodeException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    internal static string Describe(string path, Core.Imaging.ImageArray a)
    {
        var data = a.Data;
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0;
        int finite = 0;
        foreach (var v in data)
        {
            if (float.IsNaN(v))
            {
                continue;
            }

            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
            finite++;
        }

        var sorted = data.Where(v => !float.IsNaN(v)).ToArray();
        Array.Sort(sorted);
        double median = sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + (double)sorted[sorted.Length / 2]) / 2;
        string F(double d) => d.ToString("G9", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append("file:   ").Append(path).Append('\n');
        sb.Append("shape:  ").Append(a.ShapeText).Append('\n');
        sb.Append("dtype:  ").Append(a.IsComplex ? "complex64" : "float32").Append(" (as loaded by xrayflow)\n");
        if (StoredAs(path) is { } stored)
        {
            sb.Append("stored: ").Append(stored).Append('\n');
        }

        sb.Append("min:    ").Append(F(min)).Append('\n');
        sb.Append("max:    ").Append(F(max)).Append('\n');
        sb.Append("mean:   ").Append(F(finite == 0 ? double.NaN : sum / finite)).Append('\n');
        sb.Append("median: ").Append(F(median)).Append('\n');
        return sb.ToString();
    }
}
