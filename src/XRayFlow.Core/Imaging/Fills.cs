using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Imaging;

/// <summary>
/// dst[k] = value for every k: what <c>Span&lt;float&gt;.Fill</c> does, compiled optimized from its first call. The
/// runtime's generic <c>SpanHelpers.Fill&lt;float&gt;</c> is not precompiled, so a run of a few images calls its
/// unoptimized first-tier code, several times slower (seen in label's painting of runs); kernels that fill many
/// short runs call this instead.
/// </summary>
internal static class Fills
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Fill(Span<float> dst, float value)
    {
        int n = dst.Length, k = 0;
        ref float d = ref MemoryMarshal.GetReference(dst);
        if (Vector256.IsHardwareAccelerated && n >= 8)
        {
            var v = Vector256.Create(value);
            for (; k <= n - 8; k += 8)
            {
                v.StoreUnsafe(ref d, (nuint)k);
            }

            if (k < n)
            {
                v.StoreUnsafe(ref d, (nuint)(n - 8)); // the last 8, overlapping: same value
            }

            return;
        }

        for (; k < n; k++)
        {
            Unsafe.Add(ref d, k) = value;
        }
    }
}
