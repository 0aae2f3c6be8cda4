using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text;
using XRayFlow.Core.IO;

namespace XRayFlow.Scripting;

/// <summary>
/// On-disk cache of compiled expression assemblies. Never references Roslyn: a warm run goes through here only.
/// The folder is untrusted storage: an entry is loaded only when it carries a MAC made with this user's secret key.
/// <list type="bullet">
/// <item>Folder: <c>$XRAYFLOW_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/xrayflow/expr</c>, else <c>~/.cache/xrayflow/expr</c>
/// (the local application data folder on Windows). Created 0700. A folder another user owns, or that the group or
/// others may write, is not used at all (expressions are compiled in memory, with one notice).</item>
/// <item>Secret key: <c>$XRAYFLOW_KEY_FILE</c>, else <c>$XDG_CONFIG_HOME/xrayflow/cache.key</c>, else
/// <c>~/.config/xrayflow/cache.key</c> (the roaming application data folder on Windows): 32 random bytes, created
/// 0600 in a 0700 folder, atomically (two runs creating it at once agree on one key). A key file that is a symbolic
/// link, not a regular file, another user's, readable or writable by others, in a folder others can write, inside the
/// cache folder or shorter than 32 bytes is refused (the cache is not used, one notice).</item>
/// <item>Entry name: SHA-256 of the generated source, the generator/allow-list version, the Roslyn version and the
/// runtime version.</item>
/// <item>Entry <c>NAME.xrfx</c>: a magic line, HMAC-SHA256(key, magic + name + assembly bytes), then the bytes.
/// Read without following symbolic links, only when it is a regular file of at most <see cref="MaxEntryBytes"/>.
/// Written to a temporary file (0600) and renamed into place, so concurrent runs see either nothing or a whole
/// entry. An entry that is short, unauthenticated, not a regular file or that does not load is treated as absent
/// (recompiled and overwritten).</item>
/// </list>
/// </summary>
internal sealed class ExpressionCache
{
    public const string EnvironmentVariable = "XRAYFLOW_CACHE_DIR";
    public const string KeyFileVariable = "XRAYFLOW_KEY_FILE";

    /// <summary>The largest entry read or written (a recipe's expressions compile to tens of KiB).</summary>
    public const long MaxEntryBytes = 16L << 20;

    /// <summary>The length of a new secret key, and the least a key file may hold.</summary>
    public const int KeyBytes = 32;

    private const long MaxKeyFileBytes = 4096;
    private const int MacBytes = 32;
    private const int StickyBit = 0x200;
    private const int GroupOrOtherAccess = 0b000_111_111;
    private static readonly byte[] Magic = "XRFX2\n"u8.ToArray();

    private readonly long _user;
    private readonly object _gate = new();
    private bool _opened;
    private byte[]? _secret;
    private string? _notice;

    /// <param name="directory">The cache folder.</param>
    /// <param name="keyFile">The secret key's file (created when missing).</param>
    /// <param name="user">The uid the folder and key must belong to: this process's (tests inject another).</param>
    public ExpressionCache(string directory, string keyFile, long? user = null)
    {
        Directory = Path.GetFullPath(directory);
        KeyFile = Path.GetFullPath(keyFile);
        _user = user ?? UntrustedFile.CurrentUser();
    }

    public string Directory { get; }

    public string KeyFile { get; }

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

        return Path.Combine(XdgRoot("XDG_CACHE_HOME", ".cache"), "xrayflow", "expr");
    }

    public static string DefaultKeyFile()
    {
        string? overridden = Environment.GetEnvironmentVariable(KeyFileVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            return Path.GetFullPath(overridden);
        }

        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "xrayflow", "cache.key");
        }

        return Path.Combine(XdgRoot("XDG_CONFIG_HOME", ".config"), "xrayflow", "cache.key");
    }

    private static string XdgRoot(string variable, string fallback)
    {
        string? xdg = Environment.GetEnvironmentVariable(variable);
        return !string.IsNullOrWhiteSpace(xdg) && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), fallback);
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

    /// <summary>
    /// Checks the folder and loads (or creates) the secret key, once. True when the cache may be used. Otherwise
    /// <paramref name="notice"/> says why when it is a matter of trust (null when the folder or key simply cannot
    /// be created, e.g. a read-only home: no caching, no noise).
    /// </summary>
    public bool TryOpen(out string? notice)
    {
        lock (_gate)
        {
            if (!_opened)
            {
                _notice = Open(out _secret);
                _opened = true;
            }

            notice = _notice;
            return _secret is not null;
        }
    }

    private string? Open(out byte[]? secret)
    {
        secret = null;
        FileFacts folder = UntrustedFile.Stat(Directory);
        if (folder.Kind == FileKind.Missing)
        {
            if (!TryCreatePrivateDirectory(Directory))
            {
                return null;
            }

            folder = UntrustedFile.Stat(Directory);
        }

        if (folder.Kind != FileKind.Directory)
        {
            return null;
        }

        if (NotMine(folder))
        {
            return $"the cache folder '{Directory}' belongs to another user (uid {folder.Owner})";
        }

        if (folder.IsGroupOrWorldWritable)
        {
            return $"the cache folder '{Directory}' can be written by other users (mode {Octal(folder.Mode)}): chmod 700 it, or choose another folder with {EnvironmentVariable}";
        }

        // Outside means a relative path that climbs out (`..` as its whole first name: `..keys` is a folder inside) or
        // another root.
        string relative = Path.GetRelativePath(Directory, KeyFile);
        bool outside = Path.IsPathRooted(relative) || relative == ".."
            || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        if (!outside)
        {
            return $"the key file '{KeyFile}' is inside the cache folder; keep it elsewhere ({KeyFileVariable})";
        }

        return LoadOrCreateKey(out secret);
    }

    private bool NotMine(FileFacts facts) => _user >= 0 && facts.Owner >= 0 && facts.Owner != _user;

    private static string Octal(int mode) => "0" + Convert.ToString(mode & 0xFFF, 8);

    private string? LoadOrCreateKey(out byte[]? secret)
    {
        secret = null;
        string? parent = Path.GetDirectoryName(KeyFile);
        if (parent is null)
        {
            return null;
        }

        for (int attempt = 0; attempt < 2; attempt++)
        {
            FileFacts facts = UntrustedFile.Stat(KeyFile, followLinks: false);
            if (facts.Kind == FileKind.Missing)
            {
                if (!TryCreatePrivateDirectory(parent))
                {
                    return null;
                }

                if (CheckKeyFolder(parent) is { } folderProblem)
                {
                    return folderProblem;
                }

                if (!TryCreateKey(parent))
                {
                    return null;
                }

                continue; // read back what is there now: ours, or the key a concurrent run created first
            }

            if (facts.Kind != FileKind.Regular)
            {
                return $"the key file '{KeyFile}' is {UntrustedFile.Describe(facts.Kind)}; it must be a regular file of yours";
            }

            if (NotMine(facts))
            {
                return $"the key file '{KeyFile}' belongs to another user (uid {facts.Owner})";
            }

            if (facts.Mode >= 0 && (facts.Mode & GroupOrOtherAccess) != 0)
            {
                return $"the key file '{KeyFile}' can be read or written by other users (mode {Octal(facts.Mode)}): delete it (a new one is made) or chmod 600 it";
            }

            if (CheckKeyFolder(parent) is { } problem)
            {
                return problem;
            }

            byte[] bytes;
            try
            {
                bytes = UntrustedFile.ReadAllBytes(KeyFile, MaxKeyFileBytes, followLinks: false);
            }
            catch (UntrustedFileException e)
            {
                return $"the key file is unusable: {e.Message}";
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }

            if (bytes.Length < KeyBytes)
            {
                return $"the key file '{KeyFile}' holds {bytes.Length} bytes, fewer than the {KeyBytes} of a key: delete it (a new one is made)";
            }

            secret = bytes;
            return null;
        }

        return null;
    }

    /// <summary>Whoever can write the key's folder can swap the key: it must be yours or root's, and not writable by others unless sticky.</summary>
    private string? CheckKeyFolder(string folder)
    {
        FileFacts facts = UntrustedFile.Stat(folder);
        if (facts.Kind != FileKind.Directory)
        {
            return $"the key file's folder '{folder}' is not a folder";
        }

        if (NotMine(facts) && facts.Owner != 0)
        {
            return $"the key file's folder '{folder}' belongs to another user (uid {facts.Owner})";
        }

        if (facts.IsGroupOrWorldWritable && (facts.Mode & StickyBit) == 0)
        {
            return $"the key file's folder '{folder}' can be written by other users (mode {Octal(facts.Mode)}), who could replace the key";
        }

        return null;
    }

    private static bool TryCreatePrivateDirectory(string path)
    {
        try
        {
            if (OperatingSystem.IsWindows())
            {
                System.IO.Directory.CreateDirectory(path);
            }
            else
            {
                System.IO.Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Writes a fresh key to a private temporary file and links it into place without replacing one that appeared meanwhile.</summary>
    private bool TryCreateKey(string folder)
    {
        string temp = Path.Combine(folder, $".cache.key.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (FileStream f = CreatePrivate(temp))
            {
                f.Write(RandomNumberGenerator.GetBytes(KeyBytes));
                f.Flush(flushToDisk: true);
            }

            // False when another run created the key first: the caller reads back theirs. (File.Move(overwrite:
            // false) let two runs both "create" it, the second replacing the key the first had already read.)
            _ = UntrustedFile.PublishNew(temp, KeyFile);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            TryDelete(temp);
        }
    }

    private static FileStream CreatePrivate(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static byte[] Mac(byte[] secret, string key, ReadOnlySpan<byte> image)
    {
        // One-shot HMAC over magic + name + '\n' + image (cheaper to start than an incremental one on a warm run).
        byte[] name = Encoding.UTF8.GetBytes(key + "\n");
        byte[] material = new byte[Magic.Length + name.Length + image.Length];
        Magic.CopyTo(material, 0);
        name.CopyTo(material, Magic.Length);
        image.CopyTo(material.AsSpan(Magic.Length + name.Length));
        return HMACSHA256.HashData(secret, material);
    }

    /// <summary>The cached assembly for <paramref name="key"/>, or null when absent, unauthenticated or unusable (or the cache is not open).</summary>
    public Assembly? TryLoad(string key)
    {
        if (!TryOpen(out _))
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = UntrustedFile.ReadAllBytes(PathFor(key), MaxEntryBytes, followLinks: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        int headerLength = Magic.Length + MacBytes;
        if (bytes.Length <= headerLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            return null;
        }

        ReadOnlySpan<byte> image = bytes.AsSpan(headerLength);
        if (!CryptographicOperations.FixedTimeEquals(Mac(_secret!, key, image), bytes.AsSpan(Magic.Length, MacBytes)))
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

    /// <summary>Stores an entry atomically; a cache that cannot be written (or is not open) is not an error (the run goes on).</summary>
    public bool TryStore(string key, byte[] image)
    {
        if (!TryOpen(out _) || image.Length + Magic.Length + MacBytes > MaxEntryBytes)
        {
            return false;
        }

        string temp = Path.Combine(Directory, $"{key}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (FileStream f = CreatePrivate(temp))
            {
                f.Write(Magic);
                f.Write(Mac(_secret!, key, image));
                f.Write(image);
                f.Flush(flushToDisk: true);
            }

            File.Move(temp, PathFor(key), overwrite: true);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temp);
            return false;
        }
    }
}
