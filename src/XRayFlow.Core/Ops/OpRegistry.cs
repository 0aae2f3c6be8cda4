using System.Reflection;

namespace XRayFlow.Core.Ops;

/// <summary>
/// The one registry of ops: every public static <see cref="OpDefinition"/> property of a class marked
/// <see cref="OpFamilyAttribute"/> in this assembly. Adding an op is declaring it in its family's file; binding,
/// planning, the JSON Schema, `xrayflow ops`, docs/ops.md and the registry-wide tests all read it from here.
/// </summary>
public static class OpRegistry
{
    private static readonly Lazy<IReadOnlyDictionary<string, OpDefinition>> ByName = new(Discover);

    /// <summary>All ops, sorted by name.</summary>
    public static IReadOnlyList<OpDefinition> All { get; } = new LazyList(() => ByName.Value.Values.OrderBy(o => o.Name, StringComparer.Ordinal).ToList());

    /// <summary>The ops by name.</summary>
    public static IReadOnlyDictionary<string, OpDefinition> ByNameMap => ByName.Value;

    public static bool TryGet(string name, out OpDefinition op) => ByName.Value.TryGetValue(name, out op!);

    public static OpDefinition Get(string name) => ByName.Value.TryGetValue(name, out var op)
        ? op
        : throw new KeyNotFoundException($"no op named '{name}'");

    private static IReadOnlyDictionary<string, OpDefinition> Discover()
    {
        var map = new Dictionary<string, OpDefinition>(StringComparer.Ordinal);
        foreach (var type in typeof(OpRegistry).Assembly.GetTypes())
        {
            if (type.GetCustomAttribute<OpFamilyAttribute>() is not { } family)
            {
                continue;
            }

            foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Static))
            {
                if (prop.PropertyType != typeof(OpDefinition) || prop.GetValue(null) is not OpDefinition op)
                {
                    continue;
                }

                op.Family = family.Family;
                op.DeclaringType = type;
                if (!map.TryAdd(op.Name, op))
                {
                    throw new InvalidOperationException($"op '{op.Name}' is declared twice ({map[op.Name].DeclaringType?.Name} and {type.Name})");
                }
            }
        }

        return map;
    }

    private sealed class LazyList(Func<IReadOnlyList<OpDefinition>> make) : IReadOnlyList<OpDefinition>
    {
        private readonly Lazy<IReadOnlyList<OpDefinition>> _list = new(make);

        public int Count => _list.Value.Count;

        public OpDefinition this[int index] => _list.Value[index];

        public IEnumerator<OpDefinition> GetEnumerator() => _list.Value.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
