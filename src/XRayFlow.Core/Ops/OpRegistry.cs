namespace XRayFlow.Core.Ops;

/// <summary>
/// The one registry of ops. Each op is declared once (in the files of Ops/Catalog/) and listed in
/// <see cref="OpCatalog.Declarations"/>; everything else (binding, schema, `xrayflow ops`, docs,
/// registry-wide tests) reads it from here.
/// </summary>
public static class OpRegistry
{
    private static readonly Lazy<IReadOnlyDictionary<string, OpDefinition>> ByName = new(() =>
    {
        var map = new Dictionary<string, OpDefinition>(StringComparer.Ordinal);
        foreach (var op in OpCatalog.Declarations())
        {
            if (!map.TryAdd(op.Name, op))
            {
                throw new InvalidOperationException($"op '{op.Name}' is declared twice");
            }
        }

        return map;
    });

    /// <summary>All ops, sorted by name.</summary>
    public static IReadOnlyList<OpDefinition> All => ByName.Value.Values.OrderBy(o => o.Name, StringComparer.Ordinal).ToList();

    public static bool TryGet(string name, out OpDefinition op) => ByName.Value.TryGetValue(name, out op!);

    public static OpDefinition Get(string name) => ByName.Value.TryGetValue(name, out var op)
        ? op
        : throw new KeyNotFoundException($"no op named '{name}'");
}
