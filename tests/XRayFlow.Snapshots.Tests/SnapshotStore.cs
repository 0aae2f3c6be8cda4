namespace XRayFlow.Snapshots.Tests;

/// <summary>
/// The verified files of one recipe: Snapshots/&lt;recipe&gt;/&lt;name&gt;.verified.&lt;ext&gt; (Verify's naming). A mismatch
/// writes &lt;name&gt;.received.&lt;ext&gt; beside the verified file; with XRAYFLOW_ACCEPT=1 the received output
/// replaces the verified one instead where that is missing or differs beyond its tolerance (a verified file the output
/// still matches is kept byte for byte), and verified files no output produces any more are deleted.
/// </summary>
public sealed class SnapshotStore(string recipe)
{
    public const string AcceptVariable = "XRAYFLOW_ACCEPT";

    public static bool Accepting => Environment.GetEnvironmentVariable(AcceptVariable) == "1";

    public string Recipe { get; } = recipe;

    public string Folder { get; } = Path.Combine(SnapshotPaths.Snapshots, recipe);

    public bool Exists => Directory.Exists(Folder);

    public static string VerifiedName(string relative) => WithMarker(relative, "verified");

    public static string ReceivedName(string relative) => WithMarker(relative, "received");

    public string HowToAccept => $"If the change is intended, look at the .received files in tests/XRayFlow.Snapshots.Tests/Snapshots/{Recipe}/ and accept them deliberately:\n"
        + $"  {AcceptVariable}=1 dotnet test tests/XRayFlow.Snapshots.Tests --filter \"DisplayName~{Recipe}\"\n"
        + "then commit the changed .verified files.";

    /// <summary>Compare each received file (relative name -> path of the file the run wrote); returns the problems.</summary>
    public List<string> Check(IReadOnlyDictionary<string, string> received)
    {
        var problems = new List<string>();
        bool accept = Accepting;
        if (!Exists && !accept)
        {
            problems.Add($"recipe '{Recipe}' has no verified snapshots (tests/XRayFlow.Snapshots.Tests/Snapshots/{Recipe}/ is missing): a recipe cannot be added without them");
        }

        Directory.CreateDirectory(Folder);
        foreach (var (relative, path) in received.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            string verified = Path.Combine(Folder, VerifiedName(relative));
            string receivedCopy = Path.Combine(Folder, ReceivedName(relative));
            Directory.CreateDirectory(Path.GetDirectoryName(verified)!);
            if (accept)
            {
                // Only what is missing or differs beyond its tolerance: a verified file the output still matches is
                // left as it is (re-encoding it would churn every golden of every recipe the filter happens to run).
                if (!File.Exists(verified) || SnapshotComparers.Compare(verified, path) is not null)
                {
                    File.Copy(path, verified, overwrite: true);
                }

                Delete(receivedCopy);
                continue;
            }

            string? why = File.Exists(verified) ? SnapshotComparers.Compare(verified, path) : "no verified file";
            if (why is null)
            {
                Delete(receivedCopy);
            }
            else
            {
                File.Copy(path, receivedCopy, overwrite: true);
                problems.Add($"{Recipe}/{VerifiedName(relative)}: {why}\n    received: {Path.GetRelativePath(SnapshotPaths.RepoRoot, receivedCopy)}");
            }
        }

        // Verified files that no output matches any more (an output was removed or renamed).
        var expected = received.Keys.Select(VerifiedName).Select(n => Path.GetFullPath(Path.Combine(Folder, n))).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in Directory.EnumerateFiles(Folder, "*.verified.*", SearchOption.AllDirectories))
        {
            if (expected.Contains(Path.GetFullPath(stale)))
            {
                continue;
            }

            if (accept)
            {
                File.Delete(stale);
            }
            else
            {
                problems.Add($"{Recipe}/{Path.GetRelativePath(Folder, stale)}: verified, but the recipe no longer writes it");
            }
        }

        return problems;
    }

    private static string WithMarker(string relative, string marker)
    {
        string dir = Path.GetDirectoryName(relative) ?? string.Empty;
        string name = Path.GetFileNameWithoutExtension(relative) + "." + marker + Path.GetExtension(relative);
        return dir.Length == 0 ? name : Path.Combine(dir, name);
    }

    private static void Delete(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }
    }
}
