using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using XRayFlow.Core.Expressions;

namespace XRayFlow.Scripting.Tests;

/// <summary>
/// Issue 18: the expression cache is untrusted storage. Each test is an attack on it: a planted entry (with a
/// correct SHA-256 header, or authenticated under someone else's key), an entry that is a symbolic link, a FIFO,
/// /dev/zero or a huge file, a cache folder others can write or that another user owns, and a key file others
/// can read or replace. The victim must never run planted code, never hang or exhaust memory, and still get
/// correct kernels (compiled in memory when the cache cannot be trusted).
/// These are Unix attacks (modes, owners, FIFOs, /dev/zero).
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ExpressionCacheAttackTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "xrf-cache-attack-" + Guid.NewGuid().ToString("N"));

    public ExpressionCacheAttackTests()
    {
        Directory.CreateDirectory(_root);
        VictimDir = Path.Combine(_root, "victim-cache");
        VictimKey = Path.Combine(_root, "victim-config", "cache.key");
        Canary = Path.Combine(_root, "planted-code-ran.txt");
    }

    private string VictimDir { get; }

    private string VictimKey { get; }

    /// <summary>A file that only planted code would write.</summary>
    private string Canary { get; }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            foreach (string d in Directory.GetDirectories(_root, "*", SearchOption.AllDirectories))
            {
                File.SetUnixFileMode(d, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            Directory.Delete(_root, recursive: true);
        }
    }

    private static RoslynExpressionCompiler Compiler(string dir, string keyFile) => new(dir, keyFile);

    private static float[] RunBright(ExpressionCompilation result)
    {
        var output = new float[3];
        result.Kernels["bright"].Run([[100f, 150f, 151f], [0f, 0f, 0f]], 0, output, 1, 3, [150, 1]);
        return output;
    }

    /// <summary>Compiles the victim's recipe once into the victim's cache and returns its one entry's path.</summary>
    private string VictimEntry()
    {
        RoslynExpressionCompiler compiler = Compiler(VictimDir, VictimKey);
        Assert.True(compiler.Compile(Recipes.ThreeExpressions, Recipes.Params).Succeeded);
        Assert.Equal("compiled", compiler.LastSource);
        return Assert.Single(Directory.GetFiles(VictimDir, "*.xrfx"));
    }

    /// <summary>The victim's next run: must compile afresh, give the right values, and run no planted code.</summary>
    private ExpressionCompilation AssertVictimCompilesAfresh()
    {
        RoslynExpressionCompiler compiler = Compiler(VictimDir, VictimKey);
        ExpressionCompilation result = compiler.Compile(Recipes.ThreeExpressions, Recipes.Params);
        Assert.True(result.Succeeded, string.Join('\n', result.Diagnostics));
        Assert.Equal("compiled", compiler.LastSource);
        Assert.Equal([0f, 0f, 151f], RunBright(result));
        Assert.False(File.Exists(Canary), "planted code ran");
        return result;
    }

    /// <summary>
    /// An assembly with the generated class's shape (S0, S1 with the step signature) whose methods write the
    /// canary and fill the output with 666: what an attacker who read the source would plant.
    /// </summary>
    private byte[] PlantedAssembly()
    {
        const string signature = "(float[][] __in, int __offset, float[] __out, int rows, int cols, double[] __p, int __r0, int __r1, int __c0, int __c1)";
        string body = "{ System.IO.File.WriteAllText(@\"" + Canary.Replace("\"", "\"\"", StringComparison.Ordinal)
            + "\", \"planted\"); for (int i = __r0; i < __r1; i++) for (int j = __c0; j < __c1; j++) __out[i * cols + j] = 666; }";
        string source = "namespace XRayFlow.Generated { public static class Expressions { public static void S0" + signature + body
            + " public static void S1" + signature + body + " } }";
        CSharpCompilation compilation = CSharpCompilation.Create(
            "planted",
            [CSharpSyntaxTree.ParseText(source)],
            [MetadataReference.CreateFromFile(typeof(object).Assembly.Location)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var pe = new MemoryStream();
        Assert.True(compilation.Emit(pe).Success);
        return pe.ToArray();
    }

    /// <summary>A recipe of the victim's shape (step ids, inputs) that computes other values.</summary>
    private static readonly IReadOnlyList<ExpressionStep> SameShapeOtherValues =
        [Recipes.Where("bright", "x > threshold", "x + 1000", 0), Recipes.Map("combined", "a - b", "a", "b")];

    [Fact]
    public void A_planted_entry_with_a_correct_sha256_header_is_not_run()
    {
        string entry = VictimEntry();
        byte[] image = PlantedAssembly();
        byte[] planted = [.. "XRFX1\n"u8, .. SHA256.HashData(image), .. image];
        File.WriteAllBytes(entry, planted);

        AssertVictimCompilesAfresh();

        Assert.NotEqual(planted, File.ReadAllBytes(entry));
    }

    [Fact]
    public void A_planted_entry_authenticated_with_another_key_is_not_run()
    {
        string entry = VictimEntry();
        string name = Path.GetFileNameWithoutExtension(entry);
        var attackerCache = new ExpressionCache(VictimDir, Path.Combine(_root, "attacker-config", "cache.key"));
        Assert.True(attackerCache.TryStore(name, PlantedAssembly()));

        AssertVictimCompilesAfresh();
    }

    [Fact]
    public void An_entry_copied_from_another_users_cache_is_not_trusted()
    {
        string entry = VictimEntry();

        // The attacker compiles an allowed expression of the same shape with their own xrayflow, then renames
        // their entry to the victim's entry name.
        string attackerDir = Path.Combine(_root, "attacker-cache");
        RoslynExpressionCompiler attacker = Compiler(attackerDir, Path.Combine(_root, "attacker-config", "cache.key"));
        Assert.True(attacker.Compile(SameShapeOtherValues, Recipes.Params).Succeeded);
        File.Copy(Assert.Single(Directory.GetFiles(attackerDir, "*.xrfx")), entry, overwrite: true);

        AssertVictimCompilesAfresh();
    }

    [Fact]
    public void An_entry_of_another_recipe_renamed_to_this_recipes_entry_is_not_trusted()
    {
        // Both entries are authenticated with the victim's own key: the MAC binds an entry to its name.
        string entry = VictimEntry();
        Assert.True(Compiler(VictimDir, VictimKey).Compile(SameShapeOtherValues, Recipes.Params).Succeeded);
        string other = Assert.Single(Directory.GetFiles(VictimDir, "*.xrfx"), f => f != entry);
        File.Copy(other, entry, overwrite: true);

        AssertVictimCompilesAfresh();
    }

    [Fact]
    public void A_symbolic_link_entry_is_not_followed()
    {
        string entry = VictimEntry();
        string elsewhere = Path.Combine(_root, "elsewhere.xrfx");
        File.Move(entry, elsewhere);
        File.CreateSymbolicLink(entry, elsewhere);

        AssertVictimCompilesAfresh();

        Assert.Null(new FileInfo(entry).LinkTarget);
    }

    /// <summary>
    /// Entries that would hang or exhaust memory: run in a child process with a 512 MiB heap limit and a time
    /// bound, so that a regression fails this test instead of taking the test host down.
    /// </summary>
    [Theory]
    [InlineData("symlink to /dev/zero")]
    [InlineData("FIFO")]
    [InlineData("1 GiB sparse file")]
    public void An_endless_or_huge_entry_is_refused_without_reading_it(string kind)
    {
        string entry = VictimEntry();
        File.Delete(entry);
        switch (kind)
        {
            case "symlink to /dev/zero":
                File.CreateSymbolicLink(entry, "/dev/zero");
                break;
            case "FIFO":
                Assert.Equal(0, Native.mkfifo(entry, 0b110_000_000));
                break;
            default:
                using (var f = new FileStream(entry, FileMode.CreateNew))
                {
                    f.Write("XRFX2\n"u8);
                    f.SetLength(1L << 30);
                }

                break;
        }

        (int exit, string output, string error) = ProbeChild(VictimDir, TimeSpan.FromMinutes(3));

        Assert.True(exit == 0, $"exit {exit}: {error}");
        Assert.StartsWith("source=compiled", output);
    }

    [Theory]
    [InlineData(0b111_111_111, "world-writable")]
    [InlineData(0b111_111_000, "group-writable")]
    [InlineData(0b1_111_111_111, "world-writable with the sticky bit, as /tmp")]
    public void A_cache_folder_others_can_write_is_not_used(int mode, string what)
    {
        _ = what;
        Directory.CreateDirectory(VictimDir);
        File.SetUnixFileMode(VictimDir, (UnixFileMode)mode);

        ExpressionCompilation first = AssertVictimCompilesAfresh();
        ExpressionCompilation second = AssertVictimCompilesAfresh();

        Assert.Empty(Directory.GetFileSystemEntries(VictimDir));
        AssertOneCacheNotice(first, VictimDir);
        AssertOneCacheNotice(second, VictimDir);
    }

    [Fact]
    public void With_errors_to_fix_the_cache_notice_waits()
    {
        Directory.CreateDirectory(VictimDir);
        File.SetUnixFileMode(VictimDir, (UnixFileMode)0b111_111_111);

        ExpressionCompilation result = Compiler(VictimDir, VictimKey).Compile([Recipes.Map("m", "x ** 2")], Recipes.Params);

        Assert.Equal("XRF3002", Assert.Single(result.Diagnostics).Code);
    }

    /// <summary>A real folder of another user (needs root to chown; elsewhere the injected-owner test below covers it).</summary>
    [Fact]
    public void A_cache_folder_owned_by_another_user_is_not_used()
    {
        if (Native.geteuid() != 0)
        {
            return;
        }

        Directory.CreateDirectory(VictimDir);
        File.SetUnixFileMode(VictimDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        Assert.Equal(0, Native.chown(VictimDir, 65534, 65534));

        ExpressionCompilation result = AssertVictimCompilesAfresh();
        AssertVictimCompilesAfresh();

        Assert.Empty(Directory.GetFileSystemEntries(VictimDir));
        AssertOneCacheNotice(result, VictimDir);
    }

    [Fact]
    public void A_cache_folder_owned_by_another_user_is_not_used_injected_owner()
    {
        Directory.CreateDirectory(VictimDir);
        long me = Native.geteuid();
        RoslynExpressionCompiler compiler = RoslynExpressionCompiler.Over(new ExpressionCache(VictimDir, VictimKey, user: me + 1));

        ExpressionCompilation result = compiler.Compile(Recipes.ThreeExpressions, Recipes.Params);

        Assert.True(result.Succeeded);
        Assert.Equal("compiled", compiler.LastSource);
        Assert.Equal([0f, 0f, 151f], RunBright(result));
        Assert.Empty(Directory.GetFileSystemEntries(VictimDir));
        AssertOneCacheNotice(result, $"belongs to another user (uid {me})");
        Assert.False(File.Exists(VictimKey), "no key is made for a cache that is not used");
    }

    [Fact]
    public void The_key_is_created_private_and_a_second_run_hits_the_cache()
    {
        VictimEntry();

        byte[] key = File.ReadAllBytes(VictimKey);
        Assert.Equal(ExpressionCache.KeyBytes, key.Length);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(VictimKey));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(VictimKey)!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(VictimDir));
        Assert.Single(Directory.GetFileSystemEntries(Path.GetDirectoryName(VictimKey)!));

        RoslynExpressionCompiler again = Compiler(VictimDir, VictimKey);
        ExpressionCompilation warm = again.Compile(Recipes.ThreeExpressions, Recipes.Params);
        Assert.Equal("cache", again.LastSource);
        Assert.Empty(warm.Diagnostics);
        Assert.Equal([0f, 0f, 151f], RunBright(warm));
        Assert.Equal(key, File.ReadAllBytes(VictimKey));
    }

    [Fact]
    public void Another_key_does_not_trust_the_entries_of_the_first()
    {
        VictimEntry();

        RoslynExpressionCompiler other = Compiler(VictimDir, Path.Combine(_root, "other-config", "cache.key"));
        ExpressionCompilation result = other.Compile(Recipes.ThreeExpressions, Recipes.Params);

        Assert.Equal("compiled", other.LastSource);
        Assert.Empty(result.Diagnostics);
        Assert.NotEqual(File.ReadAllBytes(VictimKey), File.ReadAllBytes(Path.Combine(_root, "other-config", "cache.key")));
    }

    [Fact]
    public void Runs_creating_the_key_at_once_agree_on_one_key()
    {
        Parallel.For(0, 6, new ParallelOptions { MaxDegreeOfParallelism = 6 }, _ =>
        {
            ExpressionCompilation result = Compiler(VictimDir, VictimKey).Compile(Recipes.ThreeExpressions, Recipes.Params);
            Assert.True(result.Succeeded);
            Assert.Empty(result.Diagnostics);
        });

        Assert.Equal([VictimKey], Directory.GetFileSystemEntries(Path.GetDirectoryName(VictimKey)!));
        RoslynExpressionCompiler after = Compiler(VictimDir, VictimKey);
        after.Compile(Recipes.ThreeExpressions, Recipes.Params);
        Assert.Equal("cache", after.LastSource);
    }

    /// <summary>A key file others can read (they could forge entries), a link, a short file, one inside the cache or in a folder others can write.</summary>
    [Theory]
    [InlineData("group-readable", "can be read or written by other users (mode 0640)")]
    [InlineData("world-readable", "can be read or written by other users (mode 0604)")]
    [InlineData("symbolic link", "is a symbolic link")]
    [InlineData("short", "holds 5 bytes, fewer than the 32")]
    [InlineData("one byte short", "holds 31 bytes, fewer than the 32")]
    [InlineData("inside the cache", "is inside the cache folder")]
    // A folder of the cache whose name begins with two dots is inside it: the test compared the relative path's
    // first two characters with "..", so `<cache>/..keys/cache.key` passed as outside.
    [InlineData("inside the cache, in a folder named ..keys", "is inside the cache folder")]
    [InlineData("folder others can write", "can be written by other users (mode 0777), who could replace the key")]
    [InlineData("a directory", "is a directory")]
    public void An_untrustworthy_key_file_is_refused(string kind, string expected)
    {
        string keyFile = VictimKey;
        string keyFolder = Path.GetDirectoryName(VictimKey)!;
        Directory.CreateDirectory(keyFolder);
        File.SetUnixFileMode(keyFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        void WriteKey(string path, UnixFileMode mode)
        {
            File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(32));
            File.SetUnixFileMode(path, mode);
        }

        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        switch (kind)
        {
            case "group-readable":
                WriteKey(keyFile, Private | UnixFileMode.GroupRead);
                break;
            case "world-readable":
                WriteKey(keyFile, Private | UnixFileMode.OtherRead);
                break;
            case "symbolic link":
                WriteKey(keyFile + ".real", Private);
                File.CreateSymbolicLink(keyFile, keyFile + ".real");
                break;
            case "short":
                File.WriteAllBytes(keyFile, [1, 2, 3, 4, 5]);
                File.SetUnixFileMode(keyFile, Private);
                break;
            case "one byte short":
                File.WriteAllBytes(keyFile, RandomNumberGenerator.GetBytes(31));
                File.SetUnixFileMode(keyFile, Private);
                break;
            case "inside the cache":
                keyFile = Path.Combine(VictimDir, "cache.key");
                break;
            case "inside the cache, in a folder named ..keys":
                keyFile = Path.Combine(VictimDir, "..keys", "cache.key");
                break;
            case "folder others can write":
                WriteKey(keyFile, Private);
                File.SetUnixFileMode(keyFolder, (UnixFileMode)0b111_111_111);
                break;
            default:
                Directory.CreateDirectory(keyFile);
                break;
        }

        byte[]? before = File.Exists(keyFile) ? File.ReadAllBytes(keyFile) : null;
        RoslynExpressionCompiler compiler = Compiler(VictimDir, keyFile);
        ExpressionCompilation first = compiler.Compile(Recipes.ThreeExpressions, Recipes.Params);
        ExpressionCompilation second = Compiler(VictimDir, keyFile).Compile(Recipes.ThreeExpressions, Recipes.Params);

        Assert.True(first.Succeeded);
        Assert.Equal("compiled", compiler.LastSource);
        Assert.Equal([0f, 0f, 151f], RunBright(second));
        AssertOneCacheNotice(first, expected);
        AssertOneCacheNotice(second, expected);
        Assert.Empty(Directory.GetFiles(VictimDir, "*.xrfx"));
        Assert.Equal(before, File.Exists(keyFile) ? File.ReadAllBytes(keyFile) : null);
    }

    /// <summary>A folder others can write but only an entry's owner can rename in (sticky, as /tmp) cannot have the key replaced: it is used.</summary>
    [Fact]
    public void A_key_in_a_sticky_folder_others_can_write_is_used()
    {
        string keyFolder = Path.GetDirectoryName(VictimKey)!;
        Directory.CreateDirectory(keyFolder);
        File.SetUnixFileMode(keyFolder, (UnixFileMode)0b1_111_111_111);

        VictimEntry();
        RoslynExpressionCompiler again = Compiler(VictimDir, VictimKey);
        ExpressionCompilation warm = again.Compile(Recipes.ThreeExpressions, Recipes.Params);

        Assert.Equal("cache", again.LastSource);
        Assert.Empty(warm.Diagnostics);
        Assert.Equal([0f, 0f, 151f], RunBright(warm));
    }

    /// <summary>A key of yours in a folder root owns (needs root to chown: the user is injected as 65534).</summary>
    [Fact]
    public void A_key_in_a_folder_root_owns_is_used()
    {
        if (Native.geteuid() != 0)
        {
            return;
        }

        string keyFolder = Path.GetDirectoryName(VictimKey)!;
        Directory.CreateDirectory(VictimDir);
        File.SetUnixFileMode(VictimDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal(0, Native.chown(VictimDir, 65534, 65534));
        Directory.CreateDirectory(keyFolder);
        File.SetUnixFileMode(keyFolder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        File.WriteAllBytes(VictimKey, RandomNumberGenerator.GetBytes(32));
        File.SetUnixFileMode(VictimKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(0, Native.chown(VictimKey, 65534, 65534));

        bool open = new ExpressionCache(VictimDir, VictimKey, user: 65534).TryOpen(out string? notice);

        Assert.Null(notice);
        Assert.True(open);
    }

    /// <summary>A key file of another user (needs root to chown).</summary>
    [Fact]
    public void A_key_file_owned_by_another_user_is_refused()
    {
        if (Native.geteuid() != 0)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(VictimKey)!);
        File.WriteAllBytes(VictimKey, RandomNumberGenerator.GetBytes(32));
        File.SetUnixFileMode(VictimKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(0, Native.chown(VictimKey, 65534, 65534));

        ExpressionCompilation result = AssertVictimCompilesAfresh();

        AssertOneCacheNotice(result, "belongs to another user (uid 65534)");
        Assert.Empty(Directory.GetFiles(VictimDir, "*.xrfx"));
    }

    private static void AssertOneCacheNotice(ExpressionCompilation result, string mentioning)
    {
        var notice = Assert.Single(result.Diagnostics);
        Assert.Equal("XRF3011", notice.Code);
        Assert.False(notice.IsError);
        Assert.Contains(mentioning, notice.Message, StringComparison.Ordinal);
    }

    private (int Exit, string Output, string Error) ProbeChild(string cacheDir, TimeSpan bound)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(Program).Assembly.Location);
        start.ArgumentList.Add("probe");
        start.ArgumentList.Add(cacheDir);
        start.Environment["XRAYFLOW_KEY_FILE"] = VictimKey;
        start.Environment["DOTNET_GCHeapHardLimit"] = "0x20000000"; // 512 MiB
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(bound))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, output.Result, "timed out (the cache read hung): " + error.Result);
        }

        return (process.ExitCode, output.Result.Trim(), error.Result);
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

        [DllImport("libc", SetLastError = true)]
        public static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

        [DllImport("libc")]
        public static extern uint geteuid();
    }
}
