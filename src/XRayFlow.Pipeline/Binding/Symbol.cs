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
}
