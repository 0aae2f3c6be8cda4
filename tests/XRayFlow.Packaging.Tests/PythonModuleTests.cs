namespace XRayFlow.Packaging.Tests;

/// <summary>
/// The Python module (python/xrayflow) with Debian's numpy: its own unittest suite (NumPy and scipy.ndimage references,
/// invalid recipes as data) against this build's xrayflow, and an offline `pip install ./python`.
/// </summary>
public sealed class PythonModuleTests
{
    private static readonly string Python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";

    /// <summary>This build's CLI, copied beside the tests by the project reference.</summary>
    private static readonly string Cli = "dotnet " + Path.Combine(AppContext.BaseDirectory, "xrayflow.dll");

    [Fact]
    public void Unit_tests_of_the_python_module_pass()
    {
        var r = Proc.Run(Python, ["-m", "unittest", "discover", "-s", Repo.Path("python", "tests"), "-v"], env: new Dictionary<string, string?> { ["XRAYFLOW"] = Cli });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Matches(@"Ran (1\d|[2-9]\d) tests", r.Err);
        Assert.Contains("\nOK", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Pip_installs_the_module_offline()
    {
        string temp = Directory.CreateTempSubdirectory("xrayflow-pip-").FullName;
        try
        {
            string venv = Path.Combine(temp, "venv");
            Proc.Run(Python, ["-m", "venv", "--system-site-packages", venv]).Ok("python3 -m venv");
            string py = Path.Combine(venv, "bin", "python");
            Proc.Run(py, ["-m", "pip", "install", "--no-index", "--disable-pip-version-check", Repo.Path("python")], env: new Dictionary<string, string?> { ["PIP_NO_INDEX"] = "1" })
                .Ok("pip install --no-index ./python");

            // Imported from the venv (not from the repository), and it runs a recipe.
            string script = "import xrayflow, numpy as np; print(xrayflow.__file__); "
                + $"out = xrayflow.run({Quote(Repo.Path("tests", "bench", "sobel.yaml"))}, xray=np.eye(16, dtype=np.float32) * 100); "
                + "print(out['magnitude'].shape, out['magnitude'].dtype)";
            var r = Proc.Run(py, ["-c", script], cwd: temp, env: new Dictionary<string, string?> { ["XRAYFLOW"] = Cli }).Ok("import the installed module");
            Assert.StartsWith(venv, r.Out, StringComparison.Ordinal);
            Assert.Contains("(16, 16) float32", r.Out, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private static string Quote(string s) => "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
}
