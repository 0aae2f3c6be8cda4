using System.Globalization;
using System.IO.Compression;
using System.Reflection.PortableExecutable;
using XRayFlow.Cli;

namespace XRayFlow.Packaging.Tests;

/// <summary>
/// README "Install", tested as a user would follow it: the tool package is small, RID-specific and ReadyToRun;
/// the installed `xrayflow` prints its version and commit and computes exactly what the repository's build
/// computes; the self-contained archive runs with no .NET at all; the library packages serve samples/EmbedSample.
/// </summary>
public sealed class ToolAndLibraryPackageTests(PackagingFixture f) : IClassFixture<PackagingFixture>
{
    private const long MiB = 1024 * 1024;

    /// <summary>The shipped recipe the installed tool runs (a PNG in, .npy and colormapped PNGs out).</summary>
    private static readonly string ShippedRecipe = Repo.Path("pipelines", "sobel.yaml");

    [Fact]
    public void Tool_package_is_a_pointer_plus_one_small_package_per_rid()
    {
        f.ToolPack.Ok("dotnet pack src/XRayFlow.Cli");
        string pointer = Path.Combine(f.Feed, $"XRayFlow.{f.Version}.nupkg");
        string ridPackage = Path.Combine(f.Feed, $"XRayFlow.{f.Rid}.{f.Version}.nupkg");
        Assert.True(File.Exists(pointer), pointer);
        Assert.True(File.Exists(ridPackage), ridPackage);
        long size = new FileInfo(ridPackage).Length;
        Assert.True(size <= 40 * MiB, $"{ridPackage}: {size / (double)MiB:F1} MiB > 40 MiB");

        using var zip = ZipFile.OpenRead(ridPackage);
        var names = zip.Entries.Select(e => e.FullName).ToList();
        string dir = $"tools/net10.0/{f.Rid}/";
        Assert.Contains(dir + "xrayflow.dll", names);

        // Only this platform's natives, flat beside the assemblies (no runtimes/ tree of 17 platforms).
        Assert.DoesNotContain(names, n => n.Contains("/runtimes/", StringComparison.Ordinal));
        string[] foreignNatives = OperatingSystem.IsLinux() ? [".dylib", "libSkiaSharp.dll"] : OperatingSystem.IsMacOS() ? [".so", "libSkiaSharp.dll"] : [".so", ".dylib"];
        Assert.DoesNotContain(names, n => foreignNatives.Any(x => n.EndsWith(x, StringComparison.Ordinal)));
        Assert.Single(names, n => Path.GetFileName(n).StartsWith("libSkiaSharp", StringComparison.Ordinal));

        // Debug symbols only of our own assemblies: none of a dependency (SkiaSharp's Windows PDBs were 255 MB).
        var pdbs = names.Where(n => n.EndsWith(".pdb", StringComparison.OrdinalIgnoreCase)).Select(Path.GetFileName).ToList();
        Assert.All(pdbs, p => Assert.True(p == "xrayflow.pdb" || p!.StartsWith("XRayFlow.", StringComparison.Ordinal), $"dependency PDB in the package: {p}"));

        // Our own assemblies carry ReadyToRun code (start-up without JIT).
        foreach (var own in new[] { "xrayflow.dll", "XRayFlow.Core.dll", "XRayFlow.Pipeline.dll", "XRayFlow.Api.dll" })
        {
            Assert.True(IsReadyToRun(zip.GetEntry(dir + own)!), $"{own} is not ReadyToRun");
        }
    }

    [Fact]
    public void Installed_tool_prints_its_version_and_commit()
    {
        f.ToolInstall.Ok("dotnet tool install --tool-path");
        var r = Proc.Run(f.ToolCommand, ["--version"]).Ok("xrayflow --version");
        string expected = f.Commit is null ? $"xrayflow {f.Version} (commit " : $"xrayflow {f.Version} (commit {f.Commit})";
        Assert.StartsWith(expected, r.Out.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Installed_tool_runs_a_shipped_recipe_exactly_as_the_repository_build()
    {
        f.ToolInstall.Ok("dotnet tool install --tool-path");
        string outTool = Path.Combine(f.Temp, "out-tool");
        Proc.Run(f.ToolCommand, ["run", ShippedRecipe, "--out", outTool]).Ok("installed xrayflow run");
        AssertSameOutputs(RunInRepo(ShippedRecipe, "out-repo-tool"), Outputs(outTool));
    }

    [Fact]
    public void Self_contained_archive_is_small_and_runs_without_dotnet()
    {
        f.Publish.Ok("dotnet publish --self-contained");
        Assert.NotNull(f.Archive);
        f.Archive!.Ok("tar -czf");
        long size = new FileInfo(f.ArchivePath).Length;
        Assert.True(size <= 60 * MiB, $"{f.ArchivePath}: {size / (double)MiB:F1} MiB > 60 MiB");

        // No dotnet anywhere: an empty PATH, DOTNET_ROOT pointing nowhere, a fresh HOME.
        string emptyBin = Directory.CreateDirectory(Path.Combine(f.Temp, "empty-bin")).FullName;
        string home = Directory.CreateDirectory(Path.Combine(f.Temp, "home")).FullName;
        var env = new Dictionary<string, string?>
        {
            ["PATH"] = emptyBin,
            ["DOTNET_ROOT"] = Path.Combine(f.Temp, "no-dotnet-here"),
            ["HOME"] = home,
            ["CI"] = "true",
        };
        string exe = Path.Combine(f.SelfContainedDir, OperatingSystem.IsWindows() ? "xrayflow.exe" : "xrayflow");
        var version = Proc.Run(exe, ["--version"], env: env, cleanEnv: true).Ok("self-contained xrayflow --version");
        Assert.StartsWith($"xrayflow {f.Version} ", version.Out.Trim(), StringComparison.Ordinal);

        string outSc = Path.Combine(f.Temp, "out-self-contained");
        Proc.Run(exe, ["run", ShippedRecipe, "--out", outSc], env: env, cleanEnv: true).Ok("self-contained xrayflow run");
        AssertSameOutputs(RunInRepo(ShippedRecipe, "out-repo-sc"), Outputs(outSc));
    }

    [Fact]
    public void Library_packages_build_and_run_the_embedding_sample()
    {
        f.LibraryPack.Ok("dotnet pack src/XRayFlow.Api");
        foreach (var id in new[] { "XRayFlow.Api", "XRayFlow.Core", "XRayFlow.Pipeline", "XRayFlow.Scripting" })
        {
            Assert.True(File.Exists(Path.Combine(f.Feed, $"{id}.{f.Version}.nupkg")), $"{id}.{f.Version}.nupkg not in {f.Feed}");
        }

        // The sample as a user has it: its own folder, a PackageReference to XRayFlow.Api, packages from the feed.
        string sample = Path.Combine(f.Temp, "sample");
        Directory.CreateDirectory(sample);
        foreach (var file in new[] { "EmbedSample.csproj", "Program.cs" })
        {
            File.Copy(Repo.Path("samples", "EmbedSample", file), Path.Combine(sample, file));
        }

        string userPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(sample, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{Path.Combine(f.Temp, "packages")}" /></config>
              <packageSources><add key="xrayflow-test-feed" value="{f.Feed}" /></packageSources>
              <fallbackPackageFolders><add key="user-packages" value="{userPackages}" /></fallbackPackageFolders>
            </configuration>
            """);
        Proc.Run("dotnet", ["build", sample, "-c", "Release", "-p:XRayFlowVersion=" + f.Version, "--disable-build-servers", "-nologo"],
            env: new Dictionary<string, string?> { ["NUGET_PACKAGES"] = null }, timeoutSeconds: 600).Ok("dotnet build samples/EmbedSample");
        string dll = Path.Combine(sample, "bin", "Release", "net10.0", "EmbedSample.dll");

        // An array output: the same numbers as the library computes here.
        var sobel = Proc.Run("dotnet", [dll, Repo.Path("tests", "bench", "sobel.yaml"), "64", "80"]).Ok("EmbedSample sobel.yaml");
        Assert.StartsWith($"XRayFlow {f.Version} (commit ", sobel.Out, StringComparison.Ordinal);
        var expected = Recipe.Load(Repo.Path("tests", "bench", "sobel.yaml")).Run(new() { ["xray"] = RecipeInput.FromPixels(SamplePixels(64, 80), 64, 80) });
        Assert.True(expected.Succeeded);
        var m = expected["magnitude"];
        double sum = m.Data.Sum(v => (double)v);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"output magnitude array [64, 80] sum={sum:R} max={m.Data.Max():R}"), sobel.Out, StringComparison.Ordinal);

        // A table output comes back as values.
        var stats = Proc.Run("dotnet", [dll, Repo.Path("pipelines", "inspect.yaml"), "64", "80"]).Ok("EmbedSample inspect.yaml");
        Assert.Contains("output stats table ", stats.Out, StringComparison.Ordinal);
        Assert.Contains(" max=255 ", stats.Out + " ", StringComparison.Ordinal);

        // An invalid recipe: nothing runs, the diagnostics arrive as data (code, place).
        string bad = Path.Combine(f.Temp, "bad.yaml");
        File.WriteAllText(bad, "xrayflow: 1\ninputs:\n  xray: image\nsteps:\n  - op: gausian_filter\n    sigma: 1\noutputs:\n  o: {from: gausian_filter, path: o.npy}\n");
        var invalid = Proc.Run("dotnet", [dll, bad]);
        Assert.Equal(2, invalid.ExitCode);
        Assert.Contains($"diagnostic XRF1003 Error {bad}:5:9 ", invalid.Out, StringComparison.Ordinal);
    }

    /// <summary>samples/EmbedSample's test image.</summary>
    private static float[] SamplePixels(int rows, int cols)
    {
        var pixels = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                pixels[(r * cols) + c] = ((r * 7) + (c * 3) + ((r * c) % 11)) % 256;
            }
        }

        return pixels;
    }

    private Dictionary<string, byte[]> RunInRepo(string recipe, string name)
    {
        string outDir = Path.Combine(f.Temp, name);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = CliApp.Run(["run", recipe, "--out", outDir], new CliHost { Out = stdout, Err = stderr, Interactive = false });
        Assert.True(exit == 0, $"in-repo run: exit {exit}\n{stdout}\n{stderr}");
        return Outputs(outDir);
    }

    /// <summary>Every output file (not the manifest, which records times and paths) by name.</summary>
    private static Dictionary<string, byte[]> Outputs(string dir)
        => Directory.EnumerateFiles(dir).Where(p => Path.GetFileName(p) != "manifest.json").ToDictionary(p => Path.GetFileName(p)!, File.ReadAllBytes);

    private static void AssertSameOutputs(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual)
    {
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), actual.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, bytes) in expected)
        {
            Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{name} differs from the repository build's");
        }
    }

    private static bool IsReadyToRun(ZipArchiveEntry entry)
    {
        using var ms = new MemoryStream();
        using (var s = entry.Open())
        {
            s.CopyTo(ms);
        }

        ms.Position = 0;
        using var pe = new PEReader(ms);
        return pe.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }
}
