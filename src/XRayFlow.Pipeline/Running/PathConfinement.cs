namespace XRayFlow.Pipeline.Running;

/// <summary>
/// Where a path really leads, and whether that is inside a folder: symbolic links are followed component
/// by component (as the kernel does, so `link/..` is the parent of the link's target), then the result is
/// compared with the folder's own real path.
/// </summary>
public static class PathConfinement
{
    private const int MaxLinks = 40; // as Linux's MAXSYMLINKS

    /// <summary>
    /// The absolute path <paramref name="path"/> names with every symbolic link resolved; components that do
    /// not exist are kept as written. Relative paths are taken from the working folder.
    /// </summary>
    /// <exception cref="IOException">More than 40 links on the way (a loop).</exception>
    public static string RealPath(string path)
    {
        string full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
        {
            return full; // links are rare there; the lexical path is what is checked
        }

        string abs = Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path);
        var pending = new Stack<string>(abs.Split('/').Reverse());
        string current = "/";
        int links = 0;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            string next = current == "/" ? "/" + part : current + "/" + part;
            string? target = LinkTarget(next);
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new IOException($"'{path}': too many symbolic links (a loop?)");
            }

            foreach (var p in target.Split('/').Reverse())
            {
                pending.Push(p);
            }

            if (target.StartsWith('/'))
            {
                current = "/";
            }
        }

        return current;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or below it (both real, absolute paths).</summary>
    public static bool IsInside(string folder, string path)
    {
        string f = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        return path == folder || path.StartsWith(f, StringComparison.Ordinal);
    }

    /// <summary>True when the real path of <paramref name="path"/> is inside the real path of <paramref name="folder"/>.</summary>
    public static bool Confined(string folder, string path) => IsInside(RealPath(folder), RealPath(path));

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
