using XRayFlow.Core.Diagnostics;

namespace XRayFlow.Core.Ops;

/// <summary>
/// A rule of an op beyond each parameter's own type and range: a combination of parameters ("clip needs min or
/// max"), or what its inputs must be ("fourier_gaussian expects a Fourier transform"). Declared with the op;
/// checked by the binder (located, XRF1062 or the rule's own code) and again by the executor when a parameter
/// took a scalar step's value, so `validate` refuses what `run` would refuse.
/// </summary>
public sealed class OpRule
{
    /// <summary>One line for the docs: what the rule requires.</summary>
    public required string Description { get; init; }

    /// <summary>The problem in words (the diagnostic's text), or null when the step keeps the rule.</summary>
    public required Func<RuleContext, string?> Check { get; init; }

    /// <summary>The parameter the diagnostic points at (its value when written; else the step's `op`).</summary>
    public string? At { get; init; }

    /// <summary>Error (the default) or a warning (the step runs, the user is told).</summary>
    public Severity Severity { get; init; } = Severity.Error;

    /// <summary>A dedicated code; by default XRF1062 (errors) or XRF1063 (warnings).</summary>
    public DiagnosticDescriptor? Code { get; init; }

    /// <summary>
    /// The parameters of a step (a YAML flow map, e.g. `{low_threshold: 0.5, high_threshold: 0.2}`) that breaks the
    /// rule when the step reads one 64 x 64 image (or <see cref="ViolationInput"/>): the registry test binds it and
    /// expects the rule's diagnostic.
    /// </summary>
    public required string Violation { get; init; }

    /// <summary>How many 64 x 64 images the <see cref="Violation"/> example reads (default 1).</summary>
    public int ViolationInputs { get; init; } = 1;

    /// <summary>The <see cref="Violation"/> example's step reads a step's output (abs of the input), not the input itself.</summary>
    public bool ViolationReadsAStep { get; init; }
}

/// <summary>What a rule sees: the bound parameters and what is known about the inputs.</summary>
public sealed class RuleContext : ParamValues
{
    public required IReadOnlyList<ValueInfo> Inputs { get; init; }

    /// <summary>The names the step reads (inputs or earlier steps), in order, for messages.</summary>
    public IReadOnlyList<string> InputNames { get; init; } = [];

    /// <summary>
    /// Per input: true when it is one of the recipe's inputs (read from a file, with what its header says), false for
    /// a step's output; null where that is not known (a rule checked again at run time), so a rule that reads it
    /// belongs to validate time.
    /// </summary>
    public IReadOnlyList<bool>? FromInputs { get; init; }

    /// <summary>
    /// The parameters the step writes (not those it takes by default), as the binder read them; empty where a rule is
    /// checked again at run time, so a rule that reads it belongs to validate time (the binder refuses the step there).
    /// </summary>
    public IReadOnlySet<string> Written { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The step writes this parameter (rather than taking its default).</summary>
    public bool IsWritten(string name) => Written.Contains(name);

    /// <summary>The name of input <paramref name="index"/>, quoted, for messages ("'xray'"), or "its input".</summary>
    public string Name(int index = 0) => index < InputNames.Count ? $"'{InputNames[index]}'" : "its input";
}

/// <summary>What shape inference sees: the bound parameters and the inputs (shapes known or 0).</summary>
public sealed class InferContext : ParamValues
{
    private readonly List<(string Message, string? Param)> _problems = [];

    public required IReadOnlyList<ValueInfo> Inputs { get; init; }

    /// <summary>The first input (what most ops transform).</summary>
    public ValueInfo First => Inputs.Count > 0 ? Inputs[0] : ValueInfo.Image;

    /// <summary>
    /// The most pixels the step's output may have: the run's `--max-pixels` (default 1e8, the bound on every image
    /// read) where it is below <see cref="OpDefinition.MaxOutputPixels"/>.
    /// </summary>
    public long MaxPixels { get; init; } = OpDefinition.MaxOutputPixels;

    /// <summary>Problems found with known shapes (a crop box outside the image): errors at validate time, or that item fails.</summary>
    public IReadOnlyList<(string Message, string? Param)> Problems => _problems;

    /// <summary>Reports that these shapes cannot work, naming the parameter to point at.</summary>
    public void Problem(string message, string? param = null) => _problems.Add((message, param));
}
