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
    public static unsafe void ToLanes(ReadOnlySpan<float> src, int stride, int rows, int cols, Span<float> lanes)
    {
        int l = Vector<float>.Count;
        int j = 0;
        if (Avx.IsSupported && l == 8 && rows == 8)
        {
            fixed (float* s0 = src, d0 = lanes)
            {
                for (; j <= cols - 8; j += 8)
                {
                    Block8(s0 + j, stride, d0 + (j * 8), 8);
                }
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
    public static unsafe void FromLanes(ReadOnlySpan<float> lanes, int cols, Span<float> dst, int stride, int rows)
    {
        int l = Vector<float>.Count;
        int j = 0;
        if (Avx.IsSupported && l == 8 && rows == 8)
        {
            fixed (float* s0 = lanes, d0 = dst)
            {
                for (; j <= cols - 8; j += 8)
                {
                    Block8(s0 + (j * 8), 8, d0 + j, stride);
                }
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

    /// <summary>
    /// One frame (rows x cols) turned a quarter into dst (cols x rows), source rows [r0, r1) only (strips can run on
    /// threads): counter-clockwise (numpy.rot90, k = 1) dst[(cols − 1 − q) · rows + r] = src[r · cols + q], clockwise
    /// (k = 3) dst[q · rows + (rows − 1 − r)] = src[r · cols + q]. Pure data movement (exact). With AVX, 8 x 8 blocks go
    /// through registers (<see cref="Block8"/>), in tiles of <see cref="TileRows"/> x <see cref="TileCols"/> source
    /// values, down each tile's 8-column groups (destination rows filled 128 values at a time); the ragged edges (rows
    /// and columns past the last multiple of 8) move one value at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void QuarterTurn(float* src, int rows, int cols, float* dst, bool clockwise, int r0, int r1)
    {
        int r = r0;
        if (Avx.IsSupported)
        {
            int cols8 = cols & ~7;
            int rows8 = r0 + ((r1 - r0) & ~7);
            for (int rt = r0; rt < rows8; rt += TileRows)
            {
                int rtEnd = Math.Min(rows8, rt + TileRows);
                for (int qt = 0; qt < cols8; qt += TileCols)
                {
                    int qtEnd = Math.Min(cols8, qt + TileCols);
                    for (int q = qt; q < qtEnd; q += 8)
                    {
                        for (int rr = rt; rr < rtEnd; rr += 8)
                        {
                            BlockTurn(src, rows, cols, dst, clockwise, rr, q);
                        }
                    }
                }

                for (int q = cols8; q < cols; q++)
                {
                    Turn(src, rows, cols, dst, clockwise, rt, rtEnd, q);
                }
            }

            r = rows8;
        }

        for (int q = 0; q < cols; q++)
        {
            Turn(src, rows, cols, dst, clockwise, r, r1, q);
        }
    }

    /// <summary>
    /// Source rows of one <see cref="QuarterTurn"/> tile: a tile's destination rows get 128 contiguous values (8 cache
    /// lines) per 8-column group. 1024 x 1024 on one thread (`geometry 41 1 rot90`, 2026-12-03): strips of 16 rows
    /// across the whole width 1.11 ms, tiles of 32 x 32 1.02, 64 x 64 0.70, 128 x 16 0.54, 256 x 16 0.61, 1024 x 16 0.86.
    /// </summary>
    private const int TileRows = 128;

    /// <summary>Source columns of one tile (8 to 32 measured alike).</summary>
    private const int TileCols = 16;

    /// <summary>The 8 x 8 block of source rows r.., columns q.. turned (see <see cref="QuarterTurn"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void BlockTurn(float* src, int rows, int cols, float* dst, bool clockwise, int r, int q)
    {
        if (clockwise)
        {
            // Source rows read bottom-up, so each turned row runs left to right: dst[q + t, rows − 8 − r + u] = src[r + 7 − u, q + t].
            Block8(src + ((long)(r + 7) * cols) + q, -cols, dst + ((long)q * rows) + (rows - 8 - r), rows);
        }
        else
        {
            // dst[cols − 1 − q − t, r + u] = src[r + u, q + t]: destination rows written bottom-up.
            Block8(src + ((long)r * cols) + q, cols, dst + ((long)(cols - 1 - q) * rows) + r, -rows);
        }
    }

    /// <summary>Source column q of rows [r0, r1) turned, one value at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Turn(float* src, int rows, int cols, float* dst, bool clockwise, int r0, int r1, int q)
    {
        for (int r = r0; r < r1; r++)
        {
            long to = clockwise ? ((long)q * rows) + (rows - 1 - r) : ((long)(cols - 1 - q) * rows) + r;
            dst[to] = src[((long)r * cols) + q];
        }
    }

    /// <summary>Transposes the 8 x 8 block at s (rows srcStride apart, negative for bottom-up) into d (rows dstStride apart).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Block8(float* s, nint srcStride, float* d, nint dstStride)
    {
        InRegisters(
            Avx.LoadVector256(s), Avx.LoadVector256(s + srcStride), Avx.LoadVector256(s + (2 * srcStride)), Avx.LoadVector256(s + (3 * srcStride)),
            Avx.LoadVector256(s + (4 * srcStride)), Avx.LoadVector256(s + (5 * srcStride)), Avx.LoadVector256(s + (6 * srcStride)), Avx.LoadVector256(s + (7 * srcStride)),
            out var o0, out var o1, out var o2, out var o3, out var o4, out var o5, out var o6, out var o7);
        Avx.Store(d, o0);
        Avx.Store(d + dstStride, o1);
        Avx.Store(d + (2 * dstStride), o2);
        Avx.Store(d + (3 * dstStride), o3);
        Avx.Store(d + (4 * dstStride), o4);
        Avx.Store(d + (5 * dstStride), o5);
        Avx.Store(d + (6 * dstStride), o6);
        Avx.Store(d + (7 * dstStride), o7);
    }

    /// <summary>8 x 8 transpose in registers: output q holds element q of every input, lane l from input l.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void InRegisters(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3, Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3, out Vector256<float> o4, out Vector256<float> o5, out Vector256<float> o6, out Vector256<float> o7)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44);
        var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44);
        var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44);
        var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44);
        var s7 = Avx.Shuffle(t5, t7, 0xEE);
        o0 = Avx.Permute2x128(s0, s4, 0x20);
        o1 = Avx.Permute2x128(s1, s5, 0x20);
        o2 = Avx.Permute2x128(s2, s6, 0x20);
        o3 = Avx.Permute2x128(s3, s7, 0x20);
        o4 = Avx.Permute2x128(s0, s4, 0x31);
        o5 = Avx.Permute2x128(s1, s5, 0x31);
        o6 = Avx.Permute2x128(s2, s6, 0x31);
        o7 = Avx.Permute2x128(s3, s7, 0x31);
    }
}
