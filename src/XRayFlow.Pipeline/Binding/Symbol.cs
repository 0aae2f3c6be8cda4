using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Binding;

internal enum SymbolKind
{
    Input,
    Step,
}

/// <summary>A name a step or output can read: an input or a step, what it holds (null: unknown after an earlier error), and its op.</summary>
internal sealed record Symbol(string Name, SymbolKind Kind, ValueInfo? Info, int Line, OpDefinition? Op)
{
    public ValueKind? Value => Info?.Kind;

    /// <summary>A bound step's parameters (its named numbers may depend on them: stats' percentiles).</summary>
    public IReadOnlyDictionary<string, object?>? Params { get; init; }

    /// <summary>The named numbers this symbol's step computes (none for an input).</summary>
    public IReadOnlyList<string> Fields => Op?.FieldsFor(Params) ?? [];
}
