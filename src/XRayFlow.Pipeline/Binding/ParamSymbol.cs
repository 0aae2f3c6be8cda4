using XRayFlow.Core.Diagnostics;
using XRayFlow.Pipeline.Syntax;

namespace XRayFlow.Pipeline.Binding;

/// <summary>A recipe param: its value (a number, bool or string; after `--set`), the scalar that declared it, and where its name is written.</summary>
internal sealed record ParamSymbol(string Name, object Value, YamlScalar Node, SourceLocation Location)
{
    /// <summary>True when `--set` gave the value (messages about it then say so).</summary>
    public bool FromSet { get; init; }
}
