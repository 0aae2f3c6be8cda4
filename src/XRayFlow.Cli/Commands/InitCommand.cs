using System.ComponentModel;
using System.Text.RegularExpressions;
using Spectre.Console.Cli;
using XRayFlow.Cli.Output;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Imaging;
using XRayFlow.Pipeline.Running;

namespace XRayFlow.Cli.Commands;

/// <summary>
/// `xrayflow init NAME`: a starter recipe NAME.yaml (the schema modeline, one input, two steps, two outputs and a
/// `tests:` section), a small synthetic test image beside it (tests/NAME.png) so the test runs at once, and the
/// editor schema when no `schema/xrayflow.schema.json` is found above the folder. It never replaces a file.
/// The test's digest starts as a placeholder: `xrayflow test --update NAME.yaml` writes the real one.
/// </summary>
[Description("Start a recipe.")]
public sealed partial class InitCommand(CliHost host) : Command<InitCommand.Settings>
{
    /// <summary>The digest a new test starts with: valid syntax, never a real SHA-256 of an output.</summary>
    public const string PlaceholderDigest = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

    public sealed class Settings : CheckedSettings
    {
        [CommandArgument(0, "<NAME>")]
        [Description("The recipe's name: letters, digits, '_' and '-' (the file is NAME.yaml).")]
        public string Name { get; init; } = string.Empty;

        [CommandOption("--dir <DIR>")]
        [Description("The folder to write into (default: the current folder; created when missing).")]
        public string? Dir { get; init; }

        public override IEnumerable<Diagnostic> Problems()
        {
            string name = Name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) ? Name[..^5] : Name;
            return ValidName().IsMatch(name) ? [] : [DiagnosticCodes.BadOptionValue.Create(null, "NAME", $"'{Core.Text.Printable.Escape(Name)}' is not a recipe name (letters, digits, '_' and '-', starting with a letter)")];
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ValidName();

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string name = settings.Name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) ? settings.Name[..^5] : settings.Name;
        string dir = Path.GetFullPath(settings.Dir ?? ".");
        string recipePath = Path.Combine(dir, name + ".yaml");
        string imagePath = Path.Combine(dir, "tests", name + ".png");
        string? schemaFound = FindSchema(dir);
        string schemaPath = schemaFound ?? Path.Combine(dir, "xrayflow.schema.json");

        // Refuse before writing anything: nothing is replaced, nothing is half-done.
        var exists = new[] { recipePath, imagePath }.Where(p => File.Exists(p) || Directory.Exists(p)).ToList();
        if (exists.Count > 0)
        {
            foreach (var p in exists)
            {
                host.Report(DiagnosticCodes.InitWouldOverwrite.Create(null, Path.GetRelativePath(Environment.CurrentDirectory, p)));
            }

            return ExitCodes.Invalid;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(imagePath)!);
        WriteNew(imagePath, stream => Pipeline.Execution.ImageIO.WritePng(stream, TestImage(), 8));
        if (schemaFound is null && !File.Exists(schemaPath))
        {
            WriteNew(schemaPath, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(LangBridge.Schema() ?? "{}\n")));
        }

        string schemaRef = Path.GetRelativePath(dir, schemaPath).Replace(Path.DirectorySeparatorChar, '/');
        WriteNew(recipePath, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(Template(name, schemaRef))));
        string shown = Path.GetRelativePath(Environment.CurrentDirectory, recipePath);
        host.Out.WriteLine($"wrote {shown} and its test image {Path.GetRelativePath(Environment.CurrentDirectory, imagePath)}{(schemaFound is null ? $" and {Path.GetRelativePath(Environment.CurrentDirectory, schemaPath)} (for editors)" : string.Empty)}");
        host.Out.WriteLine("next:");
        host.Out.WriteLine($"  xrayflow test --update {ShellWord.Quote(shown)}   # record the test's digest (it starts as a placeholder)");
        host.Out.WriteLine($"  xrayflow run {ShellWord.Quote(shown)} --input 'xray=images/*.png'");
        return ExitCodes.Success;
    }

    /// <summary>The starter recipe: valid, runnable on its test image, every line commented for a first reader.</summary>
    internal static string Template(string name, string schemaRef) => $$"""
        # yaml-language-server: $schema={{schemaRef}}
        # A starter recipe: `xrayflow validate`, `xrayflow plan` and `xrayflow run` read it; docs/recipe-language.md tells the rest.
        xrayflow: 1
        name: {{name}}
        description: Smooth an X-ray, then find its edges (Sobel along both axes).
        inputs:
          xray: {kind: image, default: tests/{{name}}.png}   # --input 'xray=images/*.png' runs it on a batch
        params:
          sigma: 2.0                                          # --set sigma=3 overrides it
        steps:
          - id: smooth
            op: gaussian_filter                              # `xrayflow ops gaussian_filter` lists its parameters
            in: xray
            sigma: ${sigma}
          - id: gx
            op: sobel
            in: smooth
            axis: 0
          - id: gy
            op: sobel
            in: smooth
            axis: 1
          - id: edges
            op: hypot
            in: [gx, gy]
        outputs:
          edges: "{stem}_edges.npy"                            # float32 values, for NumPy
          edges_png: {from: edges, path: "{stem}_edges.png"}  # scaled to 0..255 for viewing
        tests:
          - name: small
            inputs: {xray: tests/{{name}}.png}
            expect:
              # A placeholder: `xrayflow test --update {{name}}.yaml` writes the digest of what the run produces.
              edges: "{{PlaceholderDigest}}"

        """;

    /// <summary>A 48 x 64 test image: a bright disc on a ramp, enough structure for edges (deterministic).</summary>
    internal static ImageArray TestImage()
    {
        const int rows = 48, cols = 64;
        var a = new ImageArray(rows, cols);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                double d = Math.Sqrt(((r - 24.0) * (r - 24.0)) + ((c - 30.0) * (c - 30.0)));
                a.Data[(r * cols) + c] = (float)Math.Round((c * 2.0) + (d < 14 ? 120 : 0));
            }
        }

        return a;
    }

    /// <summary>`schema/xrayflow.schema.json` in <paramref name="dir"/> or up to 4 folders above it (a checkout of xrayflow), else null.</summary>
    private static string? FindSchema(string dir)
    {
        var d = new DirectoryInfo(dir);
        for (int k = 0; k < 5 && d is not null; k++, d = d.Parent)
        {
            string candidate = Path.Combine(d.FullName, "schema", "xrayflow.schema.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Creates <paramref name="path"/> (CreateNew: a file that appeared meanwhile is not replaced).</summary>
    private static void WriteNew(string path, Action<Stream> write)
    {
        using var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        write(fs);
    }
}
