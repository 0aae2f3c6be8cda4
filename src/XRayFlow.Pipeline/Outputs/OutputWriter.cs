using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using XRayFlow.Core.IO;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Core.Text;

namespace XRayFlow.Pipeline.Outputs;

/// <summary>An output could not be produced from its value (wrong kind for the format, bad option...).</summary>
public sealed class OutputException(string output, string reason) : Exception($"output '{output}': {reason}")
{
    public string Output { get; } = output;

    public string Reason { get; } = reason;
}

/// <summary>Output paths: `{stem}` substitution and the check that a path stays inside --out.</summary>
public static class OutputPaths
{
    /// <summary>The template with `{stem}` replaced (no folder check).</summary>
    public static string Expand(string template, string stem) => Expand(template, stem, stem);

    /// <summary><paramref name="template"/> with `{stem}` and `{relstem}` (the stem with the sub-folders below a glob's base) replaced.</summary>
    public static string Expand(string template, string stem, string relStem)
        => template.Replace("{stem}", stem, StringComparison.Ordinal).Replace("{relstem}", relStem, StringComparison.Ordinal);

    /// <summary>The placeholders an output path may hold, by name: `stem`, `relstem`.</summary>
    public static bool IsPlaceholder(string name) => name is "stem" or "relstem";

    /// <summary>The path holds one of the item's placeholders (`{stem}`, `{relstem}`).</summary>
    public static bool HasItemPlaceholder(string template)
        => template.Contains("{stem}", StringComparison.Ordinal) || template.Contains("{relstem}", StringComparison.Ordinal);

    /// <summary>
    /// The full path of an output under <paramref name="outDir"/>, or null when the template is absolute or the
    /// expanded path leaves the folder (`..`, a stem with separators...).
    /// </summary>
    public static string? Resolve(string outDir, string template, string stem)
    {
        string rel = Expand(template, stem);
        if (rel.Length == 0 || Path.IsPathRooted(template) || Path.IsPathRooted(rel))
        {
            return null;
        }

        string root = Path.GetFullPath(outDir);
        string rootWithSep = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return ResolveUnder(root, rootWithSep, template, rel);
    }

    /// <summary>
    /// <see cref="Resolve"/> with the folder already full (<paramref name="root"/>, and it with a trailing separator)
    /// and the template already expanded (<paramref name="rel"/>): what a batch calls once per item.
    /// </summary>
    internal static string? ResolveUnder(string root, string rootWithSep, string template, string rel)
    {
        if (rel.Length == 0 || Path.IsPathRooted(template) || Path.IsPathRooted(rel))
        {
            return null;
        }

        string full = Path.GetFullPath(Path.Combine(root, rel));
        return full.StartsWith(rootWithSep, StringComparison.Ordinal) ? full : null;
    }

    /// <summary>
    /// Why the folders between <paramref name="root"/> and the file <paramref name="full"/> (below it) could
    /// lead elsewhere: the first one that exists and is a symbolic link (followed, it would put the file
    /// outside the root), or null. Folders that do not exist yet are fine; so is the root itself.
    /// </summary>
    public static string? LinkedFolder(string root, string full)
    {
        foreach (var folder in FoldersBelow(root, full))
        {
            if (UntrustedFile.Stat(folder, followLinks: false).Kind == FileKind.SymbolicLink)
            {
                return Path.GetRelativePath(root, folder);
            }
        }

        return null;
    }

    /// <summary>
    /// Creates the folders between <paramref name="root"/> and <paramref name="full"/> one at a time, refusing
    /// to go through a symbolic link, so a link planted under --out cannot send an output elsewhere.
    /// </summary>
    /// <exception cref="IOException">A folder on the way is a symbolic link or not a folder, or cannot be created.</exception>
    public static void CreateFolders(string root, string full)
    {
        foreach (var folder in FoldersBelow(root, full))
        {
            var kind = UntrustedFile.Stat(folder, followLinks: false).Kind;
            if (kind == FileKind.Missing)
            {
                Directory.CreateDirectory(folder);
                kind = UntrustedFile.Stat(folder, followLinks: false).Kind;
            }

            if (kind != FileKind.Directory)
            {
                throw new IOException($"'{Path.GetRelativePath(root, folder)}' is {UntrustedFile.Describe(kind)}, not a folder (outputs never follow links under --out)");
            }
        }
    }

    /// <summary>root/a, root/a/b, ... for full = root/a/b/file (nothing when the file is directly in root).</summary>
    private static IEnumerable<string> FoldersBelow(string root, string full)
    {
        string rel = Path.GetRelativePath(root, Path.GetDirectoryName(full)!);
        if (rel == ".")
        {
            yield break;
        }

        string current = root;
        foreach (var part in rel.Split(Path.DirectorySeparatorChar))
        {
            current = Path.Combine(current, part);
            yield return current;
        }
    }
}

/// <summary>Writes one output (npy, png, gif, json, csv), atomically.</summary>
public static class OutputWriter
{
    /// <summary>
    /// Write <paramref name="output"/> to <paramref name="fullPath"/>; <paramref name="valueOf"/> gives a source's value;
    /// <paramref name="item"/> is the item's name (a .csv table's first column, a .json table's first field).
    /// Returns the SHA-256 (lower-case hex) of the bytes written when they were in memory (png, gif, figures), so the
    /// runner need not read the file back; null when the file was streamed (npy, json, csv).
    /// </summary>
    /// <exception cref="OutputException">The value cannot be written in this format.</exception>
    public static string? Write(BoundOutput output, Func<string, Value> valueOf, string fullPath, string? item = null)
    {
        if (output.Panels is { Count: > 0 })
        {
            return WriteHashed(fullPath, PictureOutputs.Figure(output, valueOf));
        }

        var value = valueOf(output.From);
        switch (output.Format)
        {
            case OutputFormat.Npy:
                AtomicFile.Write(fullPath, s => ImageIO.WriteNpy(s, ArrayOf(output, value, "a .npy output")));
                return null;
            case OutputFormat.Png:
                if (value is TableValue)
                {
                    return WriteHashed(fullPath, Png(output, value, valueOf));
                }

                using (var png = PngFile(output, value, valueOf))
                {
                    return WriteHashed(fullPath, png.Memory);
                }

            case OutputFormat.Gif:
                return WriteHashed(fullPath, Gif(output, RealArrayOf(output, value, "a .gif output")));
            case OutputFormat.Json:
                AtomicFile.WriteAllText(fullPath, Json(value is ArrayValue
                    ? throw new OutputException(output.Name, $"a .json output needs a table or a scalar, but '{output.From}' is {ValueInfo.Of(value).Article}; write it as .npy")
                    : value, item));
                return null;
            case OutputFormat.Csv:
                AtomicFile.WriteAllText(fullPath, TableCsv.Write(value as TableValue
                    ?? throw new OutputException(output.Name, $"a .csv output needs a table, but '{output.From}' is {ValueInfo.Of(value).Article}"), item ?? string.Empty));
                return null;
            default:
                throw new OutputException(output.Name, $"unsupported format {output.Format}");
        }
    }

    private static string WriteHashed(string fullPath, ReadOnlyMemory<byte> bytes)
    {
        AtomicFile.WriteAllBytes(fullPath, bytes);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes.Span));
    }

    /// <summary>A .png: a histogram plot, grey levels, a colormap's colours, and an overlay's outlines (its source from <paramref name="valueOf"/>).</summary>
    public static byte[] Png(BoundOutput output, Value value, Func<string, Value>? valueOf = null)
    {
        if (value is TableValue table)
        {
            return PictureOutputs.HistogramPlot(output, table);
        }

        using var file = PngFile(output, value, valueOf);
        return file.ToArray();
    }

    /// <summary>A .png of an image (grey levels, a colormap's colours, an overlay's outlines) as the whole file in a pooled buffer (dispose it when written).</summary>
    private static PooledBuffer PngFile(BoundOutput output, Value value, Func<string, Value>? valueOf)
    {
        var array = RealArrayOf(output, value, "a .png output");
        if (array.IsStack && array.Frames != 1)
        {
            throw new OutputException(output.Name, $"a .png holds one 2-D image, but '{output.From}' is a stack {array.ShapeText}; write it as .gif or .npy");
        }

        var frame = array.IsStack ? array.FrameImage(0) : array;
        int compression = Option(output, "compression") is { } c ? Convert.ToInt32(c, CultureInfo.InvariantCulture) : XRayFlow.Core.Codecs.Png.PngWriter.DefaultCompression;
        if (Option(output, "overlay") is OverlayOption overlay)
        {
            return XRayFlow.Core.Codecs.Png.PngWriter.EncodeRgb(PictureOutputs.Overlay(output, frame, overlay, valueOf), frame.Cols, frame.Rows, compression);
        }

        if (Option(output, "colormap") is string cmap)
        {
            var (vmin, vmax) = Limits(output, frame.Data);
            return XRayFlow.Core.Codecs.Png.PngWriter.EncodeRgb(PictureOutputs.Colorize(cmap, frame.Data, vmin, vmax), frame.Cols, frame.Rows, compression);
        }

        int bits = Option(output, "bits") is { } b ? Convert.ToInt32(b, CultureInfo.InvariantCulture) : 8;
        if (bits != 8 && bits != 16)
        {
            throw new OutputException(output.Name, $"bits must be 8 or 16, not {bits}");
        }

        // With vmin / vmax, the grey levels are imshow's with the gray colormap (the same levels as `colormap:
        // gray`, one channel; 16-bit: 65536 levels). Without, the writer rounds half to even and clips to the
        // depth itself, exactly as RoundClip: no copy needed.
        if (HasLimits(output))
        {
            var (vmin, vmax) = Limits(output, frame.Data);
            frame = GreyLevels(output.Name, frame, vmin, vmax, bits == 16 ? 65536 : 256);
        }

        return XRayFlow.Core.Codecs.Png.PngWriter.Encode(frame, bits, compression);
    }

    /// <summary>Each value rounded to the nearest integer (halves to even, as numpy.rint) and clipped to 0..max; NaN becomes 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ImageArray RoundClip(ImageArray a, float max)
    {
        var r = new ImageArray(a.Rows, a.Cols);
        var src = a.Data;
        var dst = r.Data;
        for (int k = 0; k < src.Length; k++)
        {
            float v = src[k];
            dst[k] = float.IsNaN(v) ? 0f : Math.Clamp(MathF.Round(v, MidpointRounding.ToEven), 0f, max);
        }

        return r;
    }

    public static byte[] Gif(BoundOutput output, ImageArray stack)
    {
        int duration = Option(output, "duration_ms") is { } d ? Convert.ToInt32(d, CultureInfo.InvariantCulture) : 1000;
        int loop = Option(output, "loop") is { } l ? Convert.ToInt32(l, CultureInfo.InvariantCulture) : 0;
        return PictureOutputs.Gif(output, stack, duration, loop);
    }

    /// <summary>Whether the output gives vmin or vmax.</summary>
    public static bool HasLimits(BoundOutput output) => Option(output, "vmin") is not null || Option(output, "vmax") is not null;

    /// <summary>
    /// A grey picture's levels as imshow with the gray colormap maps them (<see cref="Rendering.Colormap.LevelOf"/>): 0..levels - 1,
    /// NaN and the infinities 0 (black: imshow masks them as invalid).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ImageArray GreyLevels(string outputName, ImageArray frame, double vmin, double vmax, int levels)
    {
        if (!(vmin <= vmax))
        {
            throw new OutputException(outputName, $"vmin ({vmin.ToString(CultureInfo.InvariantCulture)}) is above vmax ({vmax.ToString(CultureInfo.InvariantCulture)})");
        }

        var r = new ImageArray(frame.Rows, frame.Cols);
        var src = frame.Data;
        var dst = r.Data;
        for (int k = 0; k < src.Length; k++)
        {
            dst[k] = Math.Max(0, Rendering.Colormap.LevelOf(src[k], vmin, vmax, levels));
        }

        return r;
    }

    /// <summary>vmin / vmax from the options, each defaulting to the data's finite min / max (as imshow).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (double Vmin, double Vmax) Limits(BoundOutput output, float[] data)
    {
        if (Option(output, "vmin") is { } given0 && Option(output, "vmax") is { } given1)
        {
            return (Convert.ToDouble(given0, CultureInfo.InvariantCulture), Convert.ToDouble(given1, CultureInfo.InvariantCulture)); // no pass over the data
        }

        var (lo, hi) = Rendering.Colormap.AutoRange(data); // the finite min / max; 0 / 1 without a finite value
        double vmin = Option(output, "vmin") is { } a ? Convert.ToDouble(a, CultureInfo.InvariantCulture) : lo;
        double vmax = Option(output, "vmax") is { } b ? Convert.ToDouble(b, CultureInfo.InvariantCulture) : hi;
        return (vmin, vmax);
    }

    /// <summary>
    /// A table as one JSON object (keys in the table's order; with <paramref name="item"/>, first a field
    /// <see cref="TableCsv.ItemColumn"/> naming the item, the manifest's item name, the table was measured on), a
    /// scalar as <c>{"value": x}</c> (NaN and infinities as null). Arrays are refused before (XRF1050: `.npy` holds them).
    /// </summary>
    public static string Json(Value value, string? item = null)
    {
        var sb = new StringBuilder();
        if (value is ScalarValue scalar)
        {
            return "{\"value\": " + JsonText.Number(scalar.Number) + "}\n";
        }

        if (value is TableValue t)
        {
            sb.Append("{\n");
            if (item is not null)
            {
                sb.Append("  ").Append(JsonText.Quote(TableCsv.ItemColumn)).Append(": ").Append(JsonText.Quote(item)).Append(t.Fields.Count > 0 ? ",\n" : "\n");
            }

            for (int i = 0; i < t.Fields.Count; i++)
            {
                var (k, v) = t.Fields[i];
                sb.Append("  ").Append(JsonText.Quote(k)).Append(": ");
                JsonText.AppendValue(sb, v);
                sb.Append(i + 1 < t.Fields.Count ? ",\n" : "\n");
            }

            sb.Append("}\n");
        }
        else
        {
            // The binder refuses an image or stack as .json (XRF1050: write it as .npy), so no array reaches here.
            throw new ArgumentException($"a .json output holds a table or a scalar, not {value.GetType().Name}", nameof(value));
        }

        return sb.ToString();
    }

    private static ImageArray ArrayOf(BoundOutput output, Value value, string what) => value is ArrayValue a
        ? a.Array
        : throw new OutputException(output.Name, $"{what} needs an array, but '{output.From}' is a table; write it as .json or .csv");

    /// <summary>
    /// The array a picture shows: real values only (a colormap would otherwise show the real part alone, as no reader
    /// would expect; matplotlib refuses complex images too). The binder refuses what it knows is complex (XRF1050).
    /// </summary>
    private static ImageArray RealArrayOf(BoundOutput output, Value value, string what)
    {
        var array = ArrayOf(output, value, what);
        return array.IsComplex
            ? throw new OutputException(output.Name, $"{what} shows real values, but '{output.From}' is complex; take 'abs' of it (or 'ifft2' with part: real) first, or write it as .npy")
            : array;
    }

    private static object? Option(BoundOutput output, string key) => output.Options.TryGetValue(key, out var v) ? v : null;
}

/// <summary>Small JSON helpers with invariant numbers (NaN and infinities become null: JSON has no such numbers).</summary>
public static class JsonText
{
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        foreach (char ch in s)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (ch < 0x20)
                    {
                        sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(ch);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    public static string Number(double d) => double.IsFinite(d) ? RoundTrip.Format(d) : "null";

    public static void AppendValue(StringBuilder sb, object? v)
    {
        switch (v)
        {
            case null: sb.Append("null"); break;
            case double d: sb.Append(Number(d)); break;
            case float f: sb.Append(Number(f)); break;
            case long l: sb.Append(l.ToString(CultureInfo.InvariantCulture)); break;
            case int i: sb.Append(i.ToString(CultureInfo.InvariantCulture)); break;
            case bool b: sb.Append(b ? "true" : "false"); break;
            case string s: sb.Append(Quote(s)); break;
            case double[] ds: sb.Append('[').Append(string.Join(", ", ds.Select(Number))).Append(']'); break;
            case float[] fs: sb.Append('[').Append(string.Join(", ", fs.Select(f => Number(f)))).Append(']'); break;
            case long[] ls: sb.Append('[').Append(string.Join(", ", ls.Select(l => l.ToString(CultureInfo.InvariantCulture)))).Append(']'); break;
            case int[] ins: sb.Append('[').Append(string.Join(", ", ins.Select(l => l.ToString(CultureInfo.InvariantCulture)))).Append(']'); break;
            case System.Collections.IEnumerable seq:
                sb.Append('[');
                bool first = true;
                foreach (var item in seq)
                {
                    if (!first)
                    {
                        sb.Append(", ");
                    }

                    first = false;
                    AppendValue(sb, item);
                }

                sb.Append(']');
                break;
            default: sb.Append(Quote(Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty)); break;
        }
    }
}
