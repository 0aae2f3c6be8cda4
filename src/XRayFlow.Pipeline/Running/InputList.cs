using System.Text;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.IO;

namespace XRayFlow.Pipeline.Running;

/// <summary>
/// `--input NAME=@list.txt`: a text file naming one input file per line, for batches too large or too
/// scattered for a glob. UTF-8, '\n' or "\r\n" line ends, blank lines skipped, no other syntax (no comments,
/// no quoting, no wildcards: a line is a path, exactly). Relative paths are relative to the list's own folder,
/// so a list travels with its data. The files are sorted by their path relative to that folder (ordinal),
/// which is also each batch item's name: the order (and so every shard's share) does not depend on how the
/// list was written. The list is untrusted input: a regular file of at most <see cref="MaxBytes"/>, lines of
/// at most <see cref="MaxLineBytes"/> bytes, no NUL, valid UTF-8, no file named twice (XRF2031 with the line).
/// </summary>
public static class InputList
{
    /// <summary>The largest list read: 64 MiB, about 600,000 paths of 100 characters.</summary>
    public const long MaxBytes = 64L << 20;

    /// <summary>The longest line: PATH_MAX (4096 bytes) on Linux.</summary>
    public const int MaxLineBytes = 4096;

    /// <summary>True when an --input value names a list ("@list.txt"); a file whose name starts with '@' is given as "./@name".</summary>
    public static bool IsList(string value) => value.Length > 1 && value[0] == '@';

    /// <summary>One listed file: its full path and its name (its path relative to the list's folder, '/' between folders).</summary>
    public readonly record struct Entry(string FullPath, string Name);

    /// <summary>
    /// The files a list names, sorted by name (ordinal); null (with diagnostics) when the list cannot be used.
    /// XRF2005 when the list does not exist, XRF2023 when it is not a regular file, XRF2031 for everything else.
    /// </summary>
    /// <param name="inputName">The recipe input the list is given to (for messages).</param>
    /// <param name="value">The --input value, "@path".</param>
    /// <param name="diagnostics">Where problems go.</param>
    public static IReadOnlyList<Entry>? Read(string inputName, string value, DiagnosticBag diagnostics)
    {
        string listPath = value[1..];
        byte[] bytes;
        var facts = UntrustedFile.Stat(listPath);
        if (facts.Kind == FileKind.Missing)
        {
            diagnostics.Report(DiagnosticCodes.InputFileMissing, null, inputName, listPath);
            return null;
        }

        if (facts.Kind != FileKind.Regular)
        {
            diagnostics.Report(DiagnosticCodes.InputNotRegularFile, null, $"input '{inputName}'", listPath, UntrustedFile.Describe(facts.Kind));
            return null;
        }

        try
        {
            bytes = UntrustedFile.ReadAllBytes(listPath, MaxBytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            diagnostics.Report(DiagnosticCodes.InputListProblem, null, inputName, listPath, e.Message);
            return null;
        }

        string listDir = Path.GetDirectoryName(Path.GetFullPath(listPath))!;
        var entries = new List<Entry>();
        var lineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        int problems = 0;
        int line = 0;
        int pos = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        while (pos < bytes.Length && problems < 20)
        {
            line++;
            int end = Array.IndexOf(bytes, (byte)'\n', pos);
            if (end < 0)
            {
                end = bytes.Length;
            }

            int stop = end > pos && bytes[end - 1] == (byte)'\r' ? end - 1 : end;
            var span = bytes.AsSpan(pos, stop - pos);
            pos = end + 1;
            if (span.IsEmpty)
            {
                continue;
            }

            string? why = null;
            string text = string.Empty;
            if (span.Length > MaxLineBytes)
            {
                why = $"the line is {span.Length} bytes long, more than a path can be ({MaxLineBytes})";
            }
            else if (span.Contains((byte)0))
            {
                why = "the line holds a NUL character, which no path can hold";
            }
            else
            {
                try
                {
                    text = utf8.GetString(span);
                }
                catch (DecoderFallbackException)
                {
                    why = "the line is not valid UTF-8";
                }
            }

            if (why is null)
            {
                string full = Path.GetFullPath(text, listDir);
                if (lineOf.TryGetValue(full, out int first))
                {
                    why = $"'{text}' is listed twice (first on line {first}); each file is one batch item";
                }
                else
                {
                    lineOf[full] = line;
                    string name = Path.GetRelativePath(listDir, full);
                    entries.Add(new Entry(full, Path.DirectorySeparatorChar == '/' ? name : name.Replace(Path.DirectorySeparatorChar, '/')));
                }
            }

            if (why is not null)
            {
                diagnostics.Report(DiagnosticCodes.InputListProblem, new SourceLocation(listPath, line, 1), inputName, listPath, why);
                problems++;
            }
        }

        if (problems > 0)
        {
            return null;
        }

        if (entries.Count == 0)
        {
            diagnostics.Report(DiagnosticCodes.InputListProblem, null, inputName, listPath, "names no file (one path per line)");
            return null;
        }

        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return entries;
    }
}
