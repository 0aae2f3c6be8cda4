namespace XRayFlow.Pipeline.Outputs;

/// <summary>
/// Writes a file so that its final name only ever holds complete contents: the bytes go to a temporary
/// name in the same folder (`.name.random.tmp`), are flushed to disk, then renamed over the final name
/// (a rename within one folder is atomic). A crash or kill leaves at most a `.tmp` file, never a half file.
/// </summary>
public static class AtomicFile
{
    public const string TempSuffix = ".tmp";

    public static void Write(string path, Action<Stream> write)
    {
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}{TempSuffix}");
        try
        {
            using (var fs = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // Best effort: the temporary name never looks like a final output.
            }

            throw;
        }
    }

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes));

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));
}
