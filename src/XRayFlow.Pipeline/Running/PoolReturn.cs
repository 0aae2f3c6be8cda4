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
            if (a.DataIfPresent is { } d)
            {
                seen.Add(d);
            }

            if (a.Imag is { } im)
            {
                seen.Add(im);
            }
        }

        foreach (var v in values)
        {
            if (v is ArrayValue { Array: var a })
            {
                if (a.DataIfPresent is { } d && seen.Add(d))
                {
                    PixelPool.Shared.Return(d);
                }

                if (a.Imag is { } im && seen.Add(im))
                {
                    PixelPool.Shared.Return(im);
                }

                if (!exceptOf.Contains(a))
                {
                    a.ReleaseMask(); // a mask's bits (once only; an alias finds none)
                }
            }
        }
    }
}
