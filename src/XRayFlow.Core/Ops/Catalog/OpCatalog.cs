namespace XRayFlow.Core.Ops;

/// <summary>The list of every op declaration. Adding an op: declare it in a Catalog file, list it here.</summary>
public static partial class OpCatalog
{
    public static IEnumerable<OpDefinition> Declarations()
    {
        yield return Abs;
        yield return Window;
    }
}
