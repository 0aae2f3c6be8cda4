using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text;

namespace XRayFlow.Scripting;

/// <summary>
/// On-disk cache of compiled expression assemblies. Never references Roslyn: a warm run goes through here only.
/// <list type="bullet">
/// <item>Folder: <c>$XRAYFLOW_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/xrayflow/expr</c>, else <c>~/.cache/xrayflow/expr</c>
/// (the local application data folder on Windows).</item>
/// <item>Key: SHA-256 of the generated source, the generator/allow-list version, the Roslyn version and the runtime version.</item>
/// <item>Entry <c>KEY.xrfx</c>: a magic line, the SHA-256 of the assembly bytes, then the bytes. Written to a temporary
/// file and renamed into place, so concurrent runs see either nothing or a whole entry. An entry that is short,
/// whose hash does not match or that does not load is treated as absent (recompiled and overwritten).</item>
/// </list>
/// </summary>
internal sealed class ExpressionCache(string directory)
{
    public const string EnvironmentVariable = "XRAYFLOW_CACHE_DIR";
    private static readonly byte[] Magic = "XRFX1\n"u8.ToArray();

    public string Directory { get; } = directory;

    public static ExpressionCache Default() => new(DefaultDirectory());

    public static string DefaultDirectory()
    {
        string? overridden = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            return Path.GetFullPath(overridden);
        }

        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "xrayflow", "expr");
        }

        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string root = !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(root, "xrayflow", "expr");
    }

    /// <summary>The Roslyn version the build referenced, read from this assembly's metadata (does not load Roslyn).</summary>
    public static string CompilerVersion { get; } =
        typeof(ExpressionCache).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "XRayFlow.RoslynVersion")?.Value ?? "unknown";

    public static string Key(string source)
    {
        string material = string.Join(
            "\n",
            GeneratedSource.Version,
            "roslyn " + CompilerVersion,
            "runtime " + RuntimeInformation.FrameworkDescription + " " + Environment.Version + " " + RuntimeInformation.ProcessArchitecture,
            source);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(material)));
    }

    public string PathFor(string key) => Path.Combine(Directory, key + ".xrfx");

    /// <summary>The cached assembly for <paramref name="key"/>, or null when absent or unusable.</summary>
    public Assembly? TryLoad(string key)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(PathFor(key));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        int headerLength = Magic.Length + 32;
        if (bytes.Length <= headerLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }

        ReadOnlySpan<byte> image = bytes.AsSpan(headerLength);
        if (!SHA256.HashData(image).AsSpan().SequenceEqual(bytes.AsSpan(Magic.Length, 32)))
        {
            return null;
        }

        return Load(image.ToArray(), key);
    }

    /// <summary>Loads an assembly image into its own load context (its only dependency is the core library).</summary>
    public static Assembly? Load(byte[] image, string key)
    {
        try
        {
            var context = new AssemblyLoadContext("xrayflow-expr-" + key[..16], isCollectible: false);
            using var stream = new MemoryStream(image, writable: false);
            return context.LoadFromStream(stream);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or IOException)
        {
            return null;
        }
    }

    /// <summary>Stores an entry atomically; a cache that cannot be written is not an error (the run goes on).</summary>
    public bool TryStore(string key, byte[] image)
    {
        string? temp = null;
        try
        {
            System.IO.Directory.CreateDirectory(Directory);
            temp = Path.Combine(Directory, $"{key}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
            using (var f = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                f.Write(Magic);
                f.Write(SHA256.HashData(image));
                f.Write(image);
                f.Flush(flushToDisk: true);
            }

            File.Move(temp, PathFor(key), overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            try
            {
                if (temp is not null)
                {
                    File.Delete(temp);
                }
            }
            catch (Exception e2) when (e2 is IOException or UnauthorizedAccessException)
            {
            }

            return false;
        }
    }
}
