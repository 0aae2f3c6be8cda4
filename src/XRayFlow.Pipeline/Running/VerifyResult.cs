using XRayFlow.Core.Diagnostics;

namespace XRayFlow.Pipeline.Running;

/// <summary>The outcome of `xrayflow verify`.</summary>
/// <param name="ExitCode">0 same, 1 differs, 2 the manifest or its recipe cannot be used.</param>
/// <param name="Diagnostics">Each difference or problem, one per line.</param>
/// <param name="Checked">Outputs recomputed and compared.</param>
/// <param name="Differences">Differences found.</param>
public sealed record VerifyResult(int ExitCode, IReadOnlyList<Diagnostic> Diagnostics, int Checked, int Differences)
{
    /// <summary>Set when the recipe file's bytes changed since the run but its canonical form did not (information, not a difference).</summary>
    public string? RecipeFileNote { get; init; }
}
