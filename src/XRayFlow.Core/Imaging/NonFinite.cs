using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace XRayFlow.Core.Imaging;

/// <summary>
/// Whether spans hold NaN or infinities, for the kernels that give SciPy's NaN and infinities by another path once they
/// meet one (AffineResampler, uniform_filter). Called on rows in cache, thousands of times an image: plain vector loops
/// (x - x is +0 for a finite x and NaN otherwise), where TensorPrimitives.IsFiniteAll on rows of 256 values made
/// rotate 30 order 1 at 1024 x 1024 1.98-2.30 ms against 1.35-1.42.
/// </summary>
public static class NonFinite
{
    /// <summary>True when every value is finite (true for none): float or double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool AllFinite<T>(ReadOnlySpan<T> x)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        ref T x0 = ref MemoryMarshal.GetReference(x);
        int n = x.Length, k = 0;
        var bad = Vector256<T>.Zero;
        for (; k <= n - Vector256<T>.Count; k += Vector256<T>.Count)
        {
            var v = Vector256.LoadUnsafe(ref x0, (nuint)k);
            bad |= v - v;
        }

        T tail = T.Zero;
        for (; k < n; k++)
        {
            T v = Unsafe.Add(ref x0, k);
            tail += v - v;
        }

        return bad == Vector256<T>.Zero && tail == T.Zero;
    }

    /// <summary>True when some value is +inf or -inf.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool AnyInfinity(ReadOnlySpan<float> x)
    {
        ref float x0 = ref MemoryMarshal.GetReference(x);
        int n = x.Length, k = 0;
        var inf = Vector256.Create(float.PositiveInfinity);
        var any = Vector256<float>.Zero;
        for (; k <= n - 8; k += 8)
        {
            any |= Vector256.Equals(Vector256.Abs(Vector256.LoadUnsafe(ref x0, (nuint)k)), inf);
        }

        bool found = any != Vector256<float>.Zero;
        for (; k < n && !found; k++)
        {
            found = float.IsInfinity(Unsafe.Add(ref x0, k));
        }

        return found;
    }
}
