using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Codecs.Png;

/// <summary>
/// The PNG scanline filters, undone in place (PNG spec section 9). Scalar meaning, with x the byte index in
/// the row, bpp the bytes per complete pixel (1 for depths below 8), a = cur[x - bpp] (0 for x &lt; bpp),
/// b = up[x], c = up[x - bpp] (0 for x &lt; bpp), all arithmetic modulo 256:
/// 0 None: cur[x]; 1 Sub: cur[x] + a; 2 Up: cur[x] + b; 3 Average: cur[x] + floor((a + b) / 2);
/// 4 Paeth: cur[x] + the one of a, b, c closest to p = a + b - c (ties: a, then b, then c).
/// <see cref="UnfilterScalar"/> is that meaning written plainly; <see cref="Unfilter"/> is the fast version
/// (SIMD Up and Sub, register-carried Average and Paeth for bpp 1), tested equal for every length 1..64.
/// </summary>
internal static class PngFilters
{
    /// <summary>Undo filter <paramref name="filter"/> on <paramref name="cur"/>; false for an unknown filter type.</summary>
    public static bool Unfilter(byte filter, Span<byte> cur, ReadOnlySpan<byte> up, int bpp)
    {
        switch (filter)
        {
            case 0:
                return true;
            case 1:
                Sub(cur, bpp);
                return true;
            case 2:
                Up(cur, up);
                return true;
            case 3:
                if (bpp == 1)
                {
                    Average1(cur, up);
                }
                else
                {
                    AverageN(cur, up, bpp);
                }

                return true;
            case 4:
                if (bpp == 1)
                {
                    Paeth1(cur, up);
                }
                else
                {
                    PaethN(cur, up, bpp);
                }

                return true;
            default:
                return false;
        }
    }

    /// <summary>The filters exactly as the PNG spec writes them, one byte at a time (the test reference).</summary>
    public static bool UnfilterScalar(byte filter, Span<byte> cur, ReadOnlySpan<byte> up, int bpp)
    {
        if (filter > 4)
        {
            return false;
        }

        for (int x = 0; x < cur.Length; x++)
        {
            int a = x >= bpp ? cur[x - bpp] : 0;
            int b = up[x];
            int c = x >= bpp ? up[x - bpp] : 0;
            int pred = filter switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) >> 1,
                _ => PaethPredictor(a, b, c),
            };
            cur[x] = (byte)(cur[x] + pred);
        }

        return true;
    }

    /// <summary>The Paeth predictor of the PNG spec.</summary>
    public static int PaethPredictor(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a);
        int pb = Math.Abs(p - b);
        int pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
        {
            return a;
        }

        return pb <= pc ? b : c;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Up(Span<byte> cur, ReadOnlySpan<byte> up)
    {
        int n = cur.Length;
        ref byte d = ref MemoryMarshal.GetReference(cur);
        ref byte u = ref MemoryMarshal.GetReference(up);
        int x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; x <= n - 32; x += 32)
            {
                (Vector256.LoadUnsafe(ref d, (nuint)x) + Vector256.LoadUnsafe(ref u, (nuint)x)).StoreUnsafe(ref d, (nuint)x);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; x <= n - 16; x += 16)
            {
                (Vector128.LoadUnsafe(ref d, (nuint)x) + Vector128.LoadUnsafe(ref u, (nuint)x)).StoreUnsafe(ref d, (nuint)x);
            }
        }

        for (; x < n; x++)
        {
            Unsafe.Add(ref d, x) += Unsafe.Add(ref u, x);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sub(Span<byte> cur, int bpp)
    {
        int n = cur.Length;
        ref byte d = ref MemoryMarshal.GetReference(cur);
        if (bpp == 1)
        {
            int x = 0;
            if (Vector128.IsHardwareAccelerated)
            {
                // Prefix sum of 16 bytes in 4 shift-and-add steps, plus the running last byte.
                var carry = Vector128<byte>.Zero;
                for (; x <= n - 16; x += 16)
                {
                    var v = Vector128.LoadUnsafe(ref d, (nuint)x);
                    v += ShiftBytesUp(v, 1);
                    v += ShiftBytesUp(v, 2);
                    v += ShiftBytesUp(v, 4);
                    v += ShiftBytesUp(v, 8);
                    v += carry;
                    v.StoreUnsafe(ref d, (nuint)x);
                    carry = Vector128.Shuffle(v, Vector128.Create((byte)15));
                }
            }

            byte left = x > 0 ? Unsafe.Add(ref d, x - 1) : (byte)0;
            for (; x < n; x++)
            {
                left = (byte)(Unsafe.Add(ref d, x) + left);
                Unsafe.Add(ref d, x) = left;
            }

            return;
        }

        for (int x = bpp; x < n; x++)
        {
            Unsafe.Add(ref d, x) += Unsafe.Add(ref d, x - bpp);
        }
    }

    /// <summary>v moved <paramref name="k"/> bytes towards the higher lanes, zeros shifted in.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> ShiftBytesUp(Vector128<byte> v, [ConstantExpected(Min = 1, Max = 15)] byte k)
        => Sse2.IsSupported
            ? Sse2.ShiftLeftLogical128BitLane(v, k)
            : Vector128.Shuffle(v, Vector128.Create((byte)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15) - Vector128.Create(k));

    /// <summary>Average, 1 byte per pixel: a = ((a + b) &gt;&gt; 1 + raw) &amp; 255 carried in a register.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Average1(Span<byte> cur, ReadOnlySpan<byte> up)
    {
        int n = cur.Length;
        ref byte d = ref MemoryMarshal.GetReference(cur);
        ref byte u = ref MemoryMarshal.GetReference(up);
        int a = 0;
        for (int x = 0; x < n; x++)
        {
            // (a + b) >> 1 + raw == (a + (b + 2 raw)) >> 1: one add, one shift, one mask on the carried chain.
            int w = Unsafe.Add(ref u, x) + (2 * Unsafe.Add(ref d, x));
            a = ((a + w) >> 1) & 0xFF;
            Unsafe.Add(ref d, x) = (byte)a;
        }
    }

    /// <summary>
    /// Average on two consecutive rows with 1 byte per pixel (<paramref name="cur1"/> right below
    /// <paramref name="cur0"/>): the same as <see cref="Unfilter"/> on one then the other, with both carried
    /// chains in one loop so the processor runs them side by side (row 1's pixel x needs row 0's pixel x only).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Average1Pair(Span<byte> cur0, Span<byte> cur1, ReadOnlySpan<byte> up)
    {
        int n = cur0.Length;
        if (cur1.Length != n || up.Length < n)
        {
            throw new ArgumentException("the two rows and the row above must have one length");
        }

        ref byte d0 = ref MemoryMarshal.GetReference(cur0);
        ref byte d1 = ref MemoryMarshal.GetReference(cur1);
        ref byte u = ref MemoryMarshal.GetReference(up);
        int a0 = 0;
        int a1 = 0;
        for (int x = 0; x < n; x++)
        {
            int w0 = Unsafe.Add(ref u, x) + (2 * Unsafe.Add(ref d0, x));
            int r1 = 2 * Unsafe.Add(ref d1, x);
            a0 = ((a0 + w0) >> 1) & 0xFF;
            Unsafe.Add(ref d0, x) = (byte)a0;
            a1 = ((a1 + (a0 + r1)) >> 1) & 0xFF;
            Unsafe.Add(ref d1, x) = (byte)a1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AverageN(Span<byte> cur, ReadOnlySpan<byte> up, int bpp)
    {
        int n = cur.Length;
        ref byte d = ref MemoryMarshal.GetReference(cur);
        ref byte u = ref MemoryMarshal.GetReference(up);
        for (int x = 0; x < bpp && x < n; x++)
        {
            Unsafe.Add(ref d, x) += (byte)(Unsafe.Add(ref u, x) >> 1);
        }

        for (int x = bpp; x < n; x++)
        {
            Unsafe.Add(ref d, x) += (byte)((Unsafe.Add(ref d, x - bpp) + Unsafe.Add(ref u, x)) >> 1);
        }
    }

    /// <summary>Pixels per chunk of <see cref="Paeth1"/>: its bounds live on the stack at constant offsets.</summary>
    private const int PaethChunk = 256;

    /// <summary>Shorts per section of the <see cref="Paeth1"/> stack buffer (a chunk, plus room for the 16-byte loads at its end).</summary>
    private const int PaethSection = PaethChunk + 8;

    /// <summary>
    /// Paeth, 1 byte per pixel. With d = b - c and e = a - c (so pa = |d|, pb = |e|, pc = |e + d|) the choice
    /// depends on the carried left pixel a only through three comparisons with bounds that come from b and c:
    /// a is chosen unless L &lt; a &lt; H (L, H = c + min(d, -2d), c + max(d, -2d)); otherwise the result is
    /// on a's side of the midpoint c - d/2: b's side gives b, the other c (ties go to b), i.e. the high
    /// candidate when a &gt; T. The bounds and both candidate results (raw + b, raw + c) are computed 8 pixels
    /// at a time for a chunk of 256 pixels; the serial chain then keeps a in lane 0 of a vector: three compares
    /// and two blends per pixel, no branches.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Paeth1(Span<byte> cur, ReadOnlySpan<byte> up)
    {
        int n = cur.Length;
        if (!Vector128.IsHardwareAccelerated)
        {
            Paeth1Scalar(cur, up);
            return;
        }

        // Sections: raw, L, H, T, low candidate, high candidate, result.
        short* buf = stackalloc short[7 * PaethSection];
        fixed (byte* curP = cur)
        fixed (byte* upP = up)
        {
            short left = 0; // a carried from chunk to chunk (as a scalar: a vector live across the tail's calls would be spilled inside the chain)
            for (int x0 = 0; x0 < n; x0 += PaethChunk)
            {
                int m = Math.Min(PaethChunk, n - x0);
                byte* d = curP + x0;
                byte* u = upP + x0;
                int i = 0;
                if (x0 == 0)
                {
                    PaethBounds(u[0], 0, d[0], buf, 0); // pixel 0 has c = 0
                    i = 1;
                }

                if (Vector256.IsHardwareAccelerated)
                {
                    for (; i <= m - 16; i += 16)
                    {
                        var b = Widen16(u + i);
                        var c = Widen16(u + i - 1);
                        var raw = Widen16(d + i);
                        var dd = b - c;
                        var m2d = Vector256<short>.Zero - (dd + dd);
                        var pos = Vector256.GreaterThan(dd, Vector256<short>.Zero);
                        var t = Select(pos, Vector256<short>.Zero - Vector256.ShiftRightArithmetic(dd, 1), Vector256.ShiftRightArithmetic(Vector256<short>.Zero - dd, 1) + Vector256<short>.One);
                        var byteMask = Vector256.Create((short)0xFF);
                        var rb = (raw + b) & byteMask;
                        var rc = (raw + c) & byteMask;
                        raw.Store(buf + i);
                        (c + Vector256.Min(dd, m2d)).Store(buf + PaethSection + i);
                        (c + Vector256.Max(dd, m2d)).Store(buf + (2 * PaethSection) + i);
                        (c + t - Vector256<short>.One).Store(buf + (3 * PaethSection) + i);
                        Select(pos, rc, rb).Store(buf + (4 * PaethSection) + i);
                        Select(pos, rb, rc).Store(buf + (5 * PaethSection) + i);
                    }
                }

                for (; i <= m - 8; i += 8)
                {
                    var b = Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)(u + i)).AsByte()).AsInt16();
                    var c = Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)(u + i - 1)).AsByte()).AsInt16();
                    var raw = Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)(d + i)).AsByte()).AsInt16();
                    var dd = b - c;
                    var m2d = Vector128<short>.Zero - (dd + dd);
                    var pos = Vector128.GreaterThan(dd, Vector128<short>.Zero);
                    var t = Select(pos, Vector128<short>.Zero - Vector128.ShiftRightArithmetic(dd, 1), Vector128.ShiftRightArithmetic(Vector128<short>.Zero - dd, 1) + Vector128<short>.One);
                    var byteMask = Vector128.Create((short)0xFF);
                    var rb = (raw + b) & byteMask;
                    var rc = (raw + c) & byteMask;
                    raw.Store(buf + i);
                    (c + Vector128.Min(dd, m2d)).Store(buf + PaethSection + i);
                    (c + Vector128.Max(dd, m2d)).Store(buf + (2 * PaethSection) + i);
                    (c + t - Vector128<short>.One).Store(buf + (3 * PaethSection) + i);
                    Select(pos, rc, rb).Store(buf + (4 * PaethSection) + i);
                    Select(pos, rb, rc).Store(buf + (5 * PaethSection) + i);
                }

                for (; i < m; i++)
                {
                    PaethBounds(u[i], u[i - 1], d[i], buf, i);
                }

                // The serial chain: lane 0 of each vector is pixel i (the other lanes are never used).
                var a = Vector128.CreateScalar(left);
                short* p = buf;
                for (i = 0; i < m; i++, p++)
                {
                    var ra = (a.AsByte() + Vector128.Load(p).AsByte()).AsInt16(); // (raw + a) & 255: bytes wrap, the high byte stays 0
                    var notA = Vector128.GreaterThan(a, Vector128.Load(p + PaethSection)) & Vector128.GreaterThan(Vector128.Load(p + (2 * PaethSection)), a);
                    var bc = Select(Vector128.GreaterThan(a, Vector128.Load(p + (3 * PaethSection))), Vector128.Load(p + (5 * PaethSection)), Vector128.Load(p + (4 * PaethSection)));
                    a = Select(notA, bc, ra);
                    a.Store(p + (6 * PaethSection));
                }

                left = a.ToScalar();

                short* o = buf + (6 * PaethSection);
                i = 0;
                for (; i <= m - 16; i += 16)
                {
                    Vector128.Narrow(Vector128.Load(o + i).AsUInt16(), Vector128.Load(o + i + 8).AsUInt16()).Store(d + i);
                }

                for (; i < m; i++)
                {
                    d[i] = (byte)o[i];
                }
            }
        }
    }

    /// <summary>The bounds of <see cref="Paeth1"/> for one pixel (scalar, for the first pixel and a chunk's tail).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PaethBounds(int b, int c, int raw, short* buf, int i)
    {
        int dd = b - c;
        int t = dd > 0 ? -(dd >> 1) : ((-dd) >> 1) + 1;
        short rb = (short)((raw + b) & 0xFF);
        short rc = (short)((raw + c) & 0xFF);
        buf[i] = (short)raw;
        buf[PaethSection + i] = (short)(c + Math.Min(dd, -2 * dd));
        buf[(2 * PaethSection) + i] = (short)(c + Math.Max(dd, -2 * dd));
        buf[(3 * PaethSection) + i] = (short)(c + t - 1);
        buf[(4 * PaethSection) + i] = dd > 0 ? rc : rb;
        buf[(5 * PaethSection) + i] = dd > 0 ? rb : rc;
    }

    /// <summary>16 bytes at <paramref name="p"/> widened to 16 shorts.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe Vector256<short> Widen16(byte* p)
        => Avx2.IsSupported ? Avx2.ConvertToVector256Int16(p) : Vector256.WidenLower(Vector256.Create(Vector128.Load(p), Vector128<byte>.Zero)).AsInt16();

    /// <summary>mask ? t : f per lane, mask lanes all ones or all zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<short> Select(Vector256<short> mask, Vector256<short> t, Vector256<short> f)
        => Avx2.IsSupported ? Avx2.BlendVariable(f, t, mask) : Vector256.ConditionalSelect(mask, t, f);

    /// <summary>mask ? t : f per lane, mask lanes all ones or all zeros.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> Select(Vector128<short> mask, Vector128<short> t, Vector128<short> f)
        => Sse41.IsSupported ? Sse41.BlendVariable(f, t, mask) : Vector128.ConditionalSelect(mask, t, f);

    /// <summary>Paeth, 1 byte per pixel, without SIMD (the same derivation as <see cref="Paeth1"/>).</summary>
    private static void Paeth1Scalar(Span<byte> cur, ReadOnlySpan<byte> up)
    {
        int n = cur.Length;
        ref byte d = ref MemoryMarshal.GetReference(cur);
        ref byte u = ref MemoryMarshal.GetReference(up);
        int a = 0;
        int c = 0;
        for (int x = 0; x < n; x++)
        {
            int b = Unsafe.Add(ref u, x);
            a = (byte)(Unsafe.Add(ref d, x) + PaethPredictor(a, b, c));
            Unsafe.Add(ref d, x) = (byte)a;
            c = b;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PaethN(Span<byte> cur, ReadOnlySpan<byte> up, int bpp)
    {
        int n = cur.Length;
        ref byte d = ref MemoryMarshal.GetReference(cur);
        ref byte u = ref MemoryMarshal.GetReference(up);
        for (int x = 0; x < bpp && x < n; x++)
        {
            Unsafe.Add(ref d, x) += Unsafe.Add(ref u, x); // a = c = 0: the predictor is b
        }

        for (int x = bpp; x < n; x++)
        {
            int a = Unsafe.Add(ref d, x - bpp);
            int b = Unsafe.Add(ref u, x);
            int c = Unsafe.Add(ref u, x - bpp);
            int pa = Math.Abs(b - c);
            int pb = Math.Abs(a - c);
            int pc = Math.Abs(a + b - c - c);
            int pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
            Unsafe.Add(ref d, x) += (byte)pred;
        }
    }
}
