using Spectre.Console;
using Spectre.Console.Cli;
using XRayFlow.Core.Diagnostics;

namespace XRayFlow.Cli.Commands;

/// <summary>
/// Settings that check their own values once the parser has bound them (Spectre.Console.Cli calls
/// <see cref="Validate"/> before the command runs): each problem is a diagnostic (XRF2021 for a value out
/// of range, XRF2004 for a pair without '='), reported by <see cref="CliApp"/> with exit 2.
/// </summary>
public abstract class CheckedSettings : CommandSettings
{
    /// <summary>Every problem with the values given; empty when they can be used.</summary>
    public virtual IEnumerable<Diagnostic> Problems() => [];

    /// <summary>
    /// What stdout gets when these settings are refused (exit 2) and --json asked for one document
    /// (docs/cli-json.md); null when --json was not asked for, or the command has no such document.
    /// </summary>
    public virtual string? RefusalJson(IReadOnlyList<Diagnostic> problems) => null;

    public sealed override ValidationResult Validate()
    {
        if (MissingValueCheck.Find(this) is string missing)
        {
            throw MissingValueCheck.Refusal(missing, null, this);
        }

        var problems = Problems().ToList();
        return problems.Count == 0 ? ValidationResult.Success() : throw new InvalidSettingsException(problems) { Settings = this };
    }

    /// <summary>XRF2021 when a thread budget was given and is below 1.</summary>
    protected static IEnumerable<Diagnostic> ThreadsProblem(int? threads)
        => threads is < 1 ? [DiagnosticCodes.BadOptionValue.Create(null, "--threads", "must be 1 or more")] : [];
}

/// <summary>Settings whose values cannot be used; carries the diagnostics to report (exit 2).</summary>
public sealed class InvalidSettingsException(IReadOnlyList<Diagnostic> problems) : Exception(string.Join("; ", problems.Select(p => p.Message)))
{
    public IReadOnlyList<Diagnostic> Problems { get; } = problems;

    /// <summary>The settings refused, when known (for their --json document, <see cref="CheckedSettings.RefusalJson"/>).</summary>
    public CheckedSettings? Settings { get; init; }
}
