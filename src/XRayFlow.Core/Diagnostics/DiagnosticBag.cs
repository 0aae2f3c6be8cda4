namespace XRayFlow.Core.Diagnostics;

/// <summary>
/// Collects diagnostics in one pass; never throws. Recipe problems (XRF1xxx) are reported through one typed
/// method per code (DiagnosticBag.Recipe.cs), so a wrong argument is a compile error.
/// </summary>
public sealed partial class DiagnosticBag : IEnumerable<Diagnostic>
{
    private readonly List<Diagnostic> _items = [];

    public bool HasErrors => _items.Any(d => d.IsError);

    public int Count => _items.Count;

    public void Add(Diagnostic diagnostic) => _items.Add(diagnostic);

    public void Report(DiagnosticDescriptor descriptor, SourceLocation? location, params object?[] args)
        => _items.Add(descriptor.Create(location, args));

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);

    /// <summary>Sorted by file, line, column, then code: the order users read them in.</summary>
    public IReadOnlyList<Diagnostic> ToSortedList()
        => _items
            .OrderBy(d => d.Location?.File ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(d => d.Location?.Line ?? 0)
            .ThenBy(d => d.Location?.Column ?? 0)
            .ThenBy(d => d.Code, StringComparer.Ordinal)
            .ToList();

    public IEnumerator<Diagnostic> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
