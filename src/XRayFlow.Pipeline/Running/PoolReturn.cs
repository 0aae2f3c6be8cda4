using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Running;

/// <summary>Gives an item's arrays back to the shared pixel pool once nothing reads them any more.</summary>
internal static class PoolReturn
{
    /// <summary>Returns every distinct array of <paramref name="values"/> to the shared pool, except those of <paramref name="exceptOf"/>.</summary>
    public static void Return(IEnumerable<Value> values, IEnumerable<ImageArray> exceptOf)
    {
        var seen = new HashSet<float[]>(ReferenceEqualityComparer.Instance);
        foreach (var a in exceptOf)
        {
            seen.Add(a.Data);
            if (a.Imag is { } im)
            {
                seen.Add(im);
            }
        }

        foreach (var v in values)
        {
            if (v is ArrayValue { Array: var a })
            {
                if (seen.Add(a.Data))
                {
                    PixelPool.Shared.Return(a.Data);
                }

                if (a.Imag is { } im && seen.Add(im))
                {
                    PixelPool.Shared.Return(im);
                }
            }
        }
    }
}
