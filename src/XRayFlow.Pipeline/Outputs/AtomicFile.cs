namespace XRayFlow.Pipeline.Outputs;

/// <summary>
/// Writes a file so that its final name only ever holds complete contents: the bytes go to a temporary
/// name in the same folder (`.name.random.tmp`), are flushed to disk, then renamed over the final name
/// (a rename within one folder is atomic). A crash or kill leaves at most a `.tmp` file, never a half file.
/// A name too long for that form within the 255-byte limit of a file name is shortened (<see cref="TempStem"/>).
/// </summary>
public static class AtomicFile
{
    public const string TempSuffix = ".tmp";

    /// <summary>The longest file name, in UTF-8 bytes, that Linux and macOS file systems take (NAME_MAX).</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Bytes the temporary name adds to its stem: the leading '.', '.', 32 hex digits and <see cref="TempSuffix"/>.</summary>
    private const int TempOverhead = 1 + 1 + 32 + 4;

    /// <summary>
    /// What stands for <paramref name="fileName"/> in its temporary name `.STEM.&lt;32 hex&gt;.tmp`: the name
    /// itself, or, when that would make the temporary name longer than <see cref="MaxNameBytes"/> (a final name
    /// of 218 to 255 bytes), the name's first bytes (whole characters) and '.' and 16 hex digits of the SHA-256
    /// of the whole name: still hidden, still `.*.&lt;32 hex&gt;.tmp` for the leftover cleanup, and told apart
    /// from the stem of every other name (the cleanup of a shard's own files compares stems).
    /// </summary>
    public static string TempStem(string fileName)
    {
        var utf8 = System.Text.Encoding.UTF8;
        if (utf8.GetByteCount(fileName) + TempOverhead <= MaxNameBytes)
        {
            return fileName;
        }

        string hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(utf8.GetBytes(fileName)))[..16];
        int budget = MaxNameBytes - TempOverhead - 1 - hash.Length;
        int used = 0, end = 0;
        foreach (var rune in fileName.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > budget)
            {
                break;
            }

            used += rune.Utf8SequenceLength;
            end += rune.Utf16SequenceLength;
        }

        return $"{fileName[..end]}.{hash}";
    }

    /// <summary>A fresh temporary path beside <paramref name="fullPath"/>: `.STEM.&lt;32 hex&gt;.tmp` in its folder.</summary>
    public static string TempPathFor(string fullPath)
        => Path.Combine(Path.GetDirectoryName(fullPath)!, $".{TempStem(Path.GetFileName(fullPath))}.{Guid.NewGuid():N}{TempSuffix}");

    /// <summary>
    /// Writes <paramref name="path"/> through a temporary file: flushed to disk, then renamed over the final name.
    /// Inside a <see cref="DeferredCommits"/> scope (a batch's item thread) the temporary file is only written and
    /// closed; the scope's owner commits it later (<see cref="Commit"/>).
    /// </summary>
    public static void Write(string path, Action<Stream> write)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string temp = TempPathFor(Path.GetFullPath(path));
        var deferred = DeferredCommits.Current;
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: deferred is null);
            }

            if (deferred is not null)
            {
                deferred.Add(temp, path);
                return;
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>The last two steps of <see cref="Write"/> for a file written in a deferred scope: its bytes to disk (fsync), then the rename.</summary>
    public static void Commit(string temp, string path)
    {
        using (var fs = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1))
        {
            fs.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    /// <summary>Deletes a temporary file, best effort: the temporary name never looks like a final output, and a next run removes leftovers.</summary>
    public static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left: `.name.<32 hex>.tmp`, removed by the next run in this folder.
        }
    }

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    public static void WriteAllBytes(string path, ReadOnlyMemory<byte> bytes) => Write(path, s => s.Write(bytes.Span));

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));
}
