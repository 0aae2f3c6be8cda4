using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// Moves a strip of L = Vector&lt;float&gt;.Count image rows to and from "lane" layout, where element j of the strip is
/// one vector holding column j of the L rows (lane r = row r). Horizontal line work (prefilter, resampling) then runs
/// as vertical SIMD work. Pure data movement (exact); 8 x 8 blocks use AVX shuffles when available.
/// </summary>
public static class Transpose
{
    /// <summary>lanes[(j) * L + r] = src[(r * stride) + j] for r &lt; rows (lanes of missing rows are 0), j &lt; cols.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToLanes(ReadOnlySpan<float> src, int stride, int rows, int cols, Span<float> lanes)
    {
        int l = Vector<float>.Count;
        int j = 0;
        if (Avx.IsSupported && l == 8 && rows == 8)
        {
            ref float s0 = ref MemoryMarshal.GetReference(src);
            ref float d0 = ref MemoryMarshal.GetReference(lanes);
            for (; j <= cols - 8; j += 8)
            {
                Block8(ref Unsafe.Add(ref s0, j), stride, ref Unsafe.Add(ref d0, j * 8), 8);
            }
        }

        for (; j < cols; j++)
        {
            int at = j * l;
            for (int r = 0; r < l; r++)
            {
                lanes[at + r] = r < rows ? src[(r * stride) + j] : 0f;
            }
        }
    }

    /// <summary>dst[(r * stride) + j] = lanes[j * L + r] for r &lt; rows, j &lt; cols.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FromLanes(ReadOnlySpan<float> lanes, int cols, Span<float> dst, int stride, int rows)
    {
        int l = Vector<float>.Count;
        int j = 0;
        if (Avx.IsSupported && l == 8 && rows == 8)
        {
            ref float s0 = ref MemoryMarshal.GetReference(lanes);
            ref float d0 = ref MemoryMarshal.GetReference(dst);
            for (; j <= cols - 8; j += 8)
            {
                Block8(ref Unsafe.Add(ref s0, j * 8), 8, ref Unsafe.Add(ref d0, j), stride);
            }
        }

        for (; j < cols; j++)
        {
            int at = j * l;
            for (int r = 0; r < rows; r++)
            {
                dst[(r * stride) + j] = lanes[at + r];
            }
        }
    }

    /// <summary>Transposes the 8 x 8 block at s (rows srcStride apart) into d (rows dstStride apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block8(ref float s, int srcStride, ref float d, int dstStride)
    {
        var r0 = Vector256.LoadUnsafe(ref s);
        var r1 = Vector256.LoadUnsafe(ref s, (nuint)srcStride);
        var r2 = Vector256.LoadUnsafe(ref s, (nuint)(2 * srcStride));
        var r3 = Vector256.LoadUnsafe(ref s, (nuint)(3 * srcStride));
        var r4 = Vector256.LoadUnsafe(ref s, (nuint)(4 * srcStride));
        var r5 = Vector256.LoadUnsafe(ref s, (nuint)(5 * srcStride));
        var r6 = Vector256.LoadUnsafe(ref s, (nuint)(6 * srcStride));
        var r7 = Vector256.LoadUnsafe(ref s, (nuint)(7 * srcStride));
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(u0, u4, 0x20).StoreUnsafe(ref d);
        Avx.Permute2x128(u1, u5, 0x20).StoreUnsafe(ref d, (nuint)dstStride);
        Avx.Permute2x128(u2, u6, 0x20).StoreUnsafe(ref d, (nuint)(2 * dstStride));
        Avx.Permute2x128(u3, u7, 0x20).StoreUnsafe(ref d, (nuint)(3 * dstStride));
        Avx.Permute2x128(u0, u4, 0x31).StoreUnsafe(ref d, (nuint)(4 * dstStride));
        Avx.Permute2x128(u1, u5, 0x31).StoreUnsafe(ref d, (nuint)(5 * dstStride));
        Avx.Permute2x128(u2, u6, 0x31).StoreUnsafe(ref d, (nuint)(6 * dstStride));
        Avx.Permute2x128(u3, u7, 0x31).StoreUnsafe(ref d, (nuint)(7 * dstStride));
    }
}
