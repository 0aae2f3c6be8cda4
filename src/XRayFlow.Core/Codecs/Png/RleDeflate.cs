using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace XRayFlow.Core.Codecs.Png;

/// <summary>
/// The zlib stream that zlib-ng 2.2 (the runtime's System.IO.Compression) writes at level 1 with the run-length
/// strategy (Z_RLE, windowBits 15, memLevel 8): the same bytes, made without the library's per-position window
/// bookkeeping. Its meaning, from zlib-ng's deflate_rle.c and trees.c:
/// <list type="bullet">
/// <item>symbols: at position p (p &gt; 0, at least 3 bytes left), when data[p - 1] = data[p] = data[p + 1], a match
/// of distance 1 and length min(run of data[p - 1] from p, 258, bytes left); otherwise the literal data[p];</item>
/// <item>a block ends after 16,383 symbols (lit_bufsize - 1 for memLevel 8) and at the end of the data (the last
/// block, possibly empty);</item>
/// <item>each block is coded with zlib's Huffman construction (heap with depth tie-break, bit lengths limited by
/// the overflow fix-up, canonical codes), its bit-length tree and run-length coding of code lengths, and is sent
/// with the fixed codes when those are no longer (in bytes) than the dynamic ones;</item>
/// <item>the zlib header 78 01 and the Adler-32 of the data, big-endian, after the last block's byte alignment.</item>
/// </list>
/// zlib-ng sends a block stored when that is shorter and the block's bytes are still in its window, which depends
/// on how the input arrived; <see cref="TryCompress"/> returns -1 for such data (where storing would win) and
/// the caller uses zlib-ng itself. Tested byte for byte against <c>ZLibStream</c> (RleDeflateTests; the PNG digests pinned in PngEncodeFilterTests).
/// </summary>
internal static unsafe class RleDeflate
{
    private const int Literals = 256;
    private const int LCodes = Literals + 1 + 29;
    private const int DCodes = 30;
    private const int BlCodes = 19;
    private const int HeapSize = (2 * LCodes) + 1;
    private const int MaxBits = 15;
    private const int MaxBlBits = 7;
    private const int EndBlock = 256;
    private const int SymbolsPerBlock = (1 << (8 + 6)) - 1;
    private const int Rep3To6 = 16;
    private const int Repz3To10 = 17;
    private const int Repz11To138 = 18;

    private static readonly int[] ExtraLBits = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
    private static readonly int[] ExtraDBits = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
    private static readonly int[] ExtraBlBits = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 7];
    private static readonly byte[] BlOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
    private static readonly byte[] LengthCode = BuildLengthCodes(out BaseLength);
    private static readonly int[] BaseLength;
    private static readonly Tables Static = Tables.BuildStatic();

    /// <summary>
    /// Writes the zlib stream of <paramref name="data"/> into <paramref name="output"/> (at its position; at least
    /// <see cref="MaxOutput"/> bytes free) and returns the bytes written, or -1 when zlib-ng would store a block.
    /// </summary>
    public static int TryCompress(ReadOnlySpan<byte> data, Span<byte> output)
    {
        if (!BitConverter.IsLittleEndian)
        {
            return -1; // the bit writer stores its 64-bit buffer as little-endian bytes: elsewhere zlib-ng deflates
        }

        if (output.Length < MaxOutput(data.Length))
        {
            throw new ArgumentException($"the output has {output.Length} bytes; {MaxOutput(data.Length)} are needed", nameof(output));
        }

        fixed (byte* o = output)
        fixed (byte* d = data)
        {
            var state = new Encoder(o);
            state.Bits.Put(0x78, 8);
            state.Bits.Put(0x01, 8); // the zlib header: deflate, 32 KiB window, level flags 0 (as zlib-ng for Z_RLE)
            int n = data.Length;
            int p = 0;
            while (true)
            {
                int blockStart = p;
                p = state.Symbols(d, p, n);
                bool last = p == n && state.SymbolCount < SymbolsPerBlock;
                if (!state.FlushBlock(p - blockStart, last))
                {
                    return -1;
                }

                if (last)
                {
                    break;
                }
            }

            state.Bits.AlignToByte();
            int at = state.Bits.Flush();
            BinaryPrimitives.WriteUInt32BigEndian(output[at..], Adler32(data));
            return at + 4;
        }
    }

    /// <summary>An upper bound on <see cref="TryCompress"/>'s output for <paramref name="length"/> bytes of data (stored would be shorter past it).</summary>
    public static long MaxOutput(long length) => length + (length / 4) + (((length / SymbolsPerBlock) + 1) * 400) + 64; // + slack for the bit writer's 8-byte stores

    /// <summary>Adler-32 (RFC 1950): 32 bytes a step with AVX2 (byte sums by psadbw, weighted sums by pmaddubsw), reduced every 5,504 bytes; tested equal to the scalar definition.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static uint Adler32(ReadOnlySpan<byte> data)
    {
        ulong a = 1, b = 0;
        int i = 0;
        fixed (byte* d = data)
        {
            if (Avx2.IsSupported)
            {
                var zero = Vector256<byte>.Zero;
                var weights = Vector256.Create((sbyte)32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1);
                var ones = Vector256.Create((short)1);
                while (data.Length - i >= 32)
                {
                    int chunks = Math.Min((data.Length - i) / 32, 172); // 5,504 bytes: no lane and neither sum overflows
                    var sum = Vector256<uint>.Zero;      // bytes so far in this run
                    var prefix = Vector256<uint>.Zero;   // the sum before each chunk, summed
                    var weighted = Vector256<int>.Zero;
                    for (int k = 0; k < chunks; k++, i += 32)
                    {
                        var v = Vector256.Load(d + i);
                        prefix += sum;
                        sum += Avx2.SumAbsoluteDifferences(v, zero).AsUInt32();
                        weighted += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(v, weights), ones);
                    }

                    b += ((ulong)chunks * 32 * a) + (32 * (ulong)Vector256.Sum(prefix)) + (ulong)(uint)Vector256.Sum(weighted);
                    a += Vector256.Sum(sum);
                    a %= 65521;
                    b %= 65521;
                }
            }

            while (i < data.Length)
            {
                int end = Math.Min(data.Length, i + 5552);
                for (; i < end; i++)
                {
                    a += d[i];
                    b += a;
                }

                a %= 65521;
                b %= 65521;
            }
        }

        return (uint)((b << 16) | a);
    }

    private static byte[] BuildLengthCodes(out int[] baseLength)
    {
        var codes = new byte[256];
        baseLength = new int[29];
        int length = 0;
        int code;
        for (code = 0; code < 28; code++)
        {
            baseLength[code] = length;
            for (int k = 0; k < (1 << ExtraLBits[code]); k++)
            {
                codes[length++] = (byte)code;
            }
        }

        codes[length - 1] = (byte)code; // length 258 is code 285 (not 284 + 5 bits), as zlib writes it
        return codes;
    }

    private static ushort Reverse(int code, int len)
    {
        int r = 0;
        for (int k = 0; k < len; k++)
        {
            r = (r << 1) | (code & 1);
            code >>= 1;
        }

        return (ushort)r;
    }

    /// <summary>zlib's gen_codes: canonical codes (bit-reversed) from the lengths.</summary>
    private static void GenCodes(ushort[] code, ushort[] len, int maxCode, ushort[] blCount)
    {
        Span<int> next = stackalloc int[MaxBits + 1];
        int c = 0;
        for (int bits = 1; bits <= MaxBits; bits++)
        {
            c = (c + blCount[bits - 1]) << 1;
            next[bits] = c;
        }

        for (int n = 0; n <= maxCode; n++)
        {
            int l = len[n];
            if (l != 0)
            {
                code[n] = Reverse(next[l]++, l);
            }
        }
    }

    /// <summary>One tree's arrays (zlib's ct_data, its unions split: freq / code, dad / len).</summary>
    private sealed class Tree(int size)
    {
        public readonly ushort[] Freq = new ushort[size];
        public readonly ushort[] Code = new ushort[size];
        public readonly ushort[] Dad = new ushort[size];
        public readonly ushort[] Len = new ushort[size];
        public int MaxCode;
    }

    /// <summary>The fixed codes (static_ltree, static_dtree).</summary>
    private sealed class Tables
    {
        public readonly ushort[] LCode = new ushort[LCodes + 2];
        public readonly ushort[] LLen = new ushort[LCodes + 2];
        public readonly ushort[] DCode = new ushort[DCodes];
        public readonly ushort[] DLen = new ushort[DCodes];

        public static Tables BuildStatic()
        {
            var t = new Tables();
            var blCount = new ushort[MaxBits + 1];
            for (int n = 0; n <= LCodes + 1; n++)
            {
                t.LLen[n] = (ushort)(n <= 143 ? 8 : n <= 255 ? 9 : n <= 279 ? 7 : 8);
                blCount[t.LLen[n]]++;
            }

            GenCodes(t.LCode, t.LLen, LCodes + 1, blCount);
            for (int n = 0; n < DCodes; n++)
            {
                t.DLen[n] = 5;
                t.DCode[n] = Reverse(n, 5);
            }

            return t;
        }
    }

    /// <summary>A 64-bit bit buffer writing LSB first, as zlib's send_bits; 4 bytes at a time into memory the caller sized.</summary>
    private struct BitWriter(byte* output)
    {
        private readonly byte* output = output;
        private ulong buffer;
        private int valid;
        private int at;

        /// <summary>
        /// Appends <paramref name="length"/> bits (at most 56: the buffer holds under 8 before and under 64 after).
        /// Branch-free: the whole buffer is stored every time and the output advances by its whole bytes (a branch on
        /// "32 bits gathered" was taken at random, one symbol in four).
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Put(ulong value, int length)
        {
            buffer |= value << valid;
            valid += length;
            Unsafe.WriteUnaligned(output + at, buffer);
            int bytes = valid >> 3;
            at += bytes;
            buffer >>= bytes << 3;
            valid &= 7;
        }

        public void AlignToByte()
        {
            if (valid > 0)
            {
                output[at++] = (byte)buffer;
            }

            buffer = 0;
            valid = 0;
        }

        public readonly int Flush() => at;
    }

    private ref struct Encoder
    {
        public BitWriter Bits;
        public int SymbolCount;
        private readonly ushort[] symbols = new ushort[SymbolsPerBlock];
        private readonly Tree lTree = new(HeapSize);
        private readonly Tree dTree = new((2 * DCodes) + 1);
        private readonly Tree blTree = new((2 * BlCodes) + 1);
        private readonly int[] heap = new int[HeapSize];
        private readonly byte[] depth = new byte[HeapSize];
        private readonly int[] key = new int[HeapSize];
        private readonly ushort[] blCount = new ushort[MaxBits + 1];
        private int heapLen;
        private int heapMax;
        private ulong optLen;
        private ulong staticLen;

        public Encoder(byte* output)
        {
            Bits = new BitWriter(output);
            InitBlock();
        }

        /// <summary>Makes the block's symbols from position <paramref name="p"/> (up to the block's 16,383); returns the position after them.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public int Symbols(byte* d, int p, int n)
        {
            int count = SymbolCount;
            fixed (ushort* freq = lTree.Freq)
            fixed (ushort* dfreq = dTree.Freq)
            fixed (ushort* sym = symbols)
            fixed (byte* lengthCode = LengthCode)
            {
                if (p == 0 && n > 0 && count < SymbolsPerBlock)
                {
                    byte c0 = d[p++];
                    sym[count++] = c0;
                    freq[c0]++;
                }

                int safe = n - 3; // positions below it have the 3 bytes the run test reads
                while (count < SymbolsPerBlock && p < n)
                {
                    if (Avx2.IsSupported && p + 33 <= n && count + 32 <= SymbolsPerBlock)
                    {
                        // 32 positions at once: where none starts a run (data[q - 1] = data[q] = data[q + 1]), all
                        // are literals; else the literals before the first start, then that position as below.
                        var cur = Vector256.Load(d + p);
                        var starts = (Vector256.Equals(Vector256.Load(d + p - 1), cur) & Vector256.Equals(cur, Vector256.Load(d + p + 1))).ExtractMostSignificantBits();
                        int literals = starts == 0 ? 32 : System.Numerics.BitOperations.TrailingZeroCount(starts);
                        if (literals == 32)
                        {
                            var (lo, hi) = Vector256.Widen(cur);
                            lo.Store(sym + count);
                            hi.Store(sym + count + 16);
                        }
                        else
                        {
                            for (int k = 0; k < literals; k++)
                            {
                                sym[count + k] = d[p + k];
                            }
                        }

                        for (int k = 0; k < literals; k++)
                        {
                            freq[d[p + k]]++;
                        }

                        count += literals;
                        p += literals;
                        if (literals == 32)
                        {
                            continue;
                        }
                    }

                    if (p <= safe)
                    {
                        byte v = d[p - 1];
                        if (d[p] == v && d[p + 1] == v)
                        {
                            int limit = Math.Min(258, n - p);
                            int run = 2;
                            while (run < limit && d[p + run] == v)
                            {
                                run++;
                            }

                            if (run >= 3)
                            {
                                int lc = run - 3;
                                sym[count++] = (ushort)(Literals + lc);
                                freq[lengthCode[lc] + Literals + 1]++;
                                dfreq[0]++;
                                p += run;
                                continue;
                            }
                        }
                    }

                    byte c = d[p++];
                    sym[count++] = c;
                    freq[c]++;
                }
            }

            SymbolCount = count;
            return p;
        }

        /// <summary>zlib-ng's zng_tr_flush_block for a block of <paramref name="storedLen"/> bytes; false when it would store the block.</summary>
        public bool FlushBlock(int storedLen, bool last)
        {
            ulong optLenb, staticLenb;
            int maxBlIndex = 0;
            if (SymbolCount == 0)
            {
                optLenb = staticLenb = 0;
                staticLen = 7;
            }
            else
            {
                BuildTree(lTree, LCodes, Static.LLen, ExtraLBits, Literals + 1, MaxBits);
                BuildTree(dTree, DCodes, Static.DLen, ExtraDBits, 0, MaxBits);
                maxBlIndex = BuildBlTree();
                optLenb = (optLen + 3 + 7) >> 3;
                staticLenb = (staticLen + 3 + 7) >> 3;
                if (staticLenb <= optLenb)
                {
                    optLenb = staticLenb;
                }
            }

            if ((ulong)storedLen + 4 <= optLenb)
            {
                return false;
            }

            if (staticLenb == optLenb)
            {
                Bits.Put((ulong)((1 << 1) + (last ? 1 : 0)), 3);
                Compress(Static.LCode, Static.LLen, Static.DCode, Static.DLen);
            }
            else
            {
                Bits.Put((ulong)((2 << 1) + (last ? 1 : 0)), 3);
                SendAllTrees(lTree.MaxCode + 1, dTree.MaxCode + 1, maxBlIndex + 1);
                Compress(lTree.Code, lTree.Len, dTree.Code, dTree.Len);
            }

            InitBlock();
            return true;
        }

        private void InitBlock()
        {
            Array.Clear(lTree.Freq, 0, LCodes);
            Array.Clear(dTree.Freq, 0, DCodes);
            Array.Clear(blTree.Freq, 0, BlCodes);
            lTree.Freq[EndBlock] = 1;
            optLen = staticLen = 0;
            SymbolCount = 0;
        }

        private void Compress(ushort[] lCode, ushort[] lLen, ushort[] dCode, ushort[] dLen)
        {
            // The codes packed (code | length << 16) and the bit writer in locals: a field of this struct written
            // symbol after symbol went through memory at every symbol.
            uint* packed = stackalloc uint[LCodes];
            for (int c = 0; c < LCodes; c++)
            {
                packed[c] = lCode[c] | ((uint)lLen[c] << 16);
            }

            var bits = Bits;
            fixed (ushort* sym = symbols)
            fixed (byte* lengthCode = LengthCode)
            {
                int count = SymbolCount;
                ulong distBits = dCode[0];
                int distLen = dLen[0];
                for (int k = 0; k < count; k++)
                {
                    int s = sym[k];
                    if (s < Literals)
                    {
                        // Up to three literals in one append (15 bits each at most: 45 + the 7 held < 64), which halves
                        // the chain through the writer's state that every append waits on.
                        uint e = packed[s];
                        ulong value = e & 0xFFFF;
                        int len = (int)(e >> 16);
                        if (k + 2 < count && sym[k + 1] < Literals && sym[k + 2] < Literals)
                        {
                            uint e1 = packed[sym[k + 1]];
                            uint e2 = packed[sym[k + 2]];
                            value |= (ulong)(e1 & 0xFFFF) << len;
                            len += (int)(e1 >> 16);
                            value |= (ulong)(e2 & 0xFFFF) << len;
                            len += (int)(e2 >> 16);
                            k += 2;
                        }

                        bits.Put(value, len);
                    }
                    else
                    {
                        int lc = s - Literals;
                        int code = lengthCode[lc];
                        uint e = packed[code + Literals + 1];
                        ulong value = e & 0xFFFF;
                        int len = (int)(e >> 16);
                        int extra = ExtraLBits[code];
                        if (extra != 0)
                        {
                            value |= (ulong)(lc - BaseLength[code]) << len;
                            len += extra;
                        }

                        bits.Put(value, len); // at most 20 bits, then the distance's at most 15: the buffer never passes 64
                        bits.Put(distBits, distLen);
                    }
                }
            }

            bits.Put(lCode[EndBlock], lLen[EndBlock]);
            Bits = bits;
        }

        /// <summary>zlib's smaller(): less frequent, or as frequent and no deeper; as one key, frequency * 256 + depth.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private readonly bool Smaller(int n, int m) => key[n] <= key[m];

        private readonly void DownHeap(int k)
        {
            int v = heap[k];
            int j = k << 1;
            while (j <= heapLen)
            {
                if (j < heapLen && Smaller(heap[j + 1], heap[j]))
                {
                    j++;
                }

                if (Smaller(v, heap[j]))
                {
                    break;
                }

                heap[k] = heap[j];
                k = j;
                j <<= 1;
            }

            heap[k] = v;
        }

        private void BuildTree(Tree tree, int elems, ushort[]? staticLens, int[] extra, int extraBase, int maxLength)
        {
            var freq = tree.Freq;
            int maxCode = -1;
            heapLen = 0;
            heapMax = HeapSize;
            for (int n = 0; n < elems; n++)
            {
                if (freq[n] != 0)
                {
                    heap[++heapLen] = maxCode = n;
                    depth[n] = 0;
                    key[n] = freq[n] << 8;
                }
                else
                {
                    tree.Len[n] = 0;
                }
            }

            while (heapLen < 2)
            {
                int node0 = heap[++heapLen] = maxCode < 2 ? ++maxCode : 0;
                freq[node0] = 1;
                depth[node0] = 0;
                key[node0] = 1 << 8;
                optLen--;
                if (staticLens is not null)
                {
                    staticLen -= staticLens[node0];
                }
            }

            tree.MaxCode = maxCode;
            for (int n = heapLen / 2; n >= 1; n--)
            {
                DownHeap(n);
            }

            int node = elems;
            do
            {
                int n = heap[1];
                heap[1] = heap[heapLen--];
                DownHeap(1);
                int m = heap[1];
                heap[--heapMax] = n;
                heap[--heapMax] = m;
                freq[node] = (ushort)(freq[n] + freq[m]);
                depth[node] = (byte)((depth[n] >= depth[m] ? depth[n] : depth[m]) + 1);
                key[node] = (freq[node] << 8) | depth[node];
                tree.Dad[n] = tree.Dad[m] = (ushort)node;
                heap[1] = node++;
                DownHeap(1);
            }
            while (heapLen >= 2);

            heap[--heapMax] = heap[1];
            GenBitLen(tree, staticLens, extra, extraBase, maxLength);
            GenCodes(tree.Code, tree.Len, maxCode, blCount);
        }

        private void GenBitLen(Tree tree, ushort[]? staticLens, int[] extra, int extraBase, int maxLength)
        {
            var freq = tree.Freq;
            var len = tree.Len;
            int maxCode = tree.MaxCode;
            int overflow = 0;
            Array.Clear(blCount);
            len[heap[heapMax]] = 0;
            int h;
            for (h = heapMax + 1; h < HeapSize; h++)
            {
                int n = heap[h];
                int bits = len[tree.Dad[n]] + 1;
                if (bits > maxLength)
                {
                    bits = maxLength;
                    overflow++;
                }

                len[n] = (ushort)bits;
                if (n > maxCode)
                {
                    continue;
                }

                blCount[bits]++;
                int xbits = n >= extraBase ? extra[n - extraBase] : 0;
                ulong f = freq[n];
                optLen += f * (ulong)(bits + xbits);
                if (staticLens is not null)
                {
                    staticLen += f * (ulong)(staticLens[n] + xbits);
                }
            }

            if (overflow == 0)
            {
                return;
            }

            do
            {
                int bits = maxLength - 1;
                while (blCount[bits] == 0)
                {
                    bits--;
                }

                blCount[bits]--;
                blCount[bits + 1] += 2;
                blCount[maxLength]--;
                overflow -= 2;
            }
            while (overflow > 0);

            for (int bits = maxLength; bits != 0; bits--)
            {
                int n = blCount[bits];
                while (n != 0)
                {
                    int m = heap[--h];
                    if (m > maxCode)
                    {
                        continue;
                    }

                    if (len[m] != bits)
                    {
                        optLen += (ulong)((long)bits * freq[m]);
                        optLen -= (ulong)((long)len[m] * freq[m]);
                        len[m] = (ushort)bits;
                    }

                    n--;
                }
            }
        }

        /// <summary>
        /// zlib's scan_tree (<paramref name="send"/> false: counts the bit-length codes a tree's code lengths need,
        /// in the bit-length tree's frequencies) and send_tree (true: sends them): runs of a length as REP_3_6, runs of
        /// zeros as REPZ_3_10 / REPZ_11_138, shorter runs one by one.
        /// </summary>
        private void CodeLengths(Tree tree, int maxCode, bool send)
        {
            var len = tree.Len;
            var bl = blTree.Freq;
            int prevlen = -1;
            int nextlen = len[0];
            int count = 0;
            int maxCount = 7, minCount = 4;
            if (nextlen == 0)
            {
                maxCount = 138;
                minCount = 3;
            }

            if (!send)
            {
                len[maxCode + 1] = 0xffff; // guard (zlib sets it while scanning; sending reads it)
            }

            for (int n = 0; n <= maxCode; n++)
            {
                int curlen = nextlen;
                nextlen = len[n + 1];
                if (++count < maxCount && curlen == nextlen)
                {
                    continue;
                }
                else if (count < minCount)
                {
                    if (send)
                    {
                        do
                        {
                            SendLength(curlen);
                        }
                        while (--count != 0);
                    }
                    else
                    {
                        bl[curlen] += (ushort)count;
                    }
                }
                else if (curlen != 0)
                {
                    if (curlen != prevlen)
                    {
                        if (send)
                        {
                            SendLength(curlen);
                            count--;
                        }
                        else
                        {
                            bl[curlen]++;
                        }
                    }

                    Repeat(send, Rep3To6, count - 3, 2);
                }
                else if (count <= 10)
                {
                    Repeat(send, Repz3To10, count - 3, 3);
                }
                else
                {
                    Repeat(send, Repz11To138, count - 11, 7);
                }

                count = 0;
                prevlen = curlen;
                if (nextlen == 0)
                {
                    maxCount = 138;
                    minCount = 3;
                }
                else if (curlen == nextlen)
                {
                    maxCount = 6;
                    minCount = 3;
                }
                else
                {
                    maxCount = 7;
                    minCount = 4;
                }
            }
        }

        /// <summary>A repeat code and its extra bits: sent, or counted.</summary>
        private void Repeat(bool send, int code, int extra, int extraBits)
        {
            if (send)
            {
                SendLength(code);
                Bits.Put((ulong)extra, extraBits);
            }
            else
            {
                blTree.Freq[code]++;
            }
        }

        private void SendLength(int code) => Bits.Put(blTree.Code[code], blTree.Len[code]);

        private int BuildBlTree()
        {
            CodeLengths(lTree, lTree.MaxCode, send: false);
            CodeLengths(dTree, dTree.MaxCode, send: false);
            BuildTree(blTree, BlCodes, null, ExtraBlBits, 0, MaxBlBits);
            int maxBlIndex;
            for (maxBlIndex = BlCodes - 1; maxBlIndex >= 3; maxBlIndex--)
            {
                if (blTree.Len[BlOrder[maxBlIndex]] != 0)
                {
                    break;
                }
            }

            optLen += (3 * ((ulong)maxBlIndex + 1)) + 5 + 5 + 4;
            return maxBlIndex;
        }

        private void SendAllTrees(int lcodes, int dcodes, int blcodes)
        {
            Bits.Put((ulong)(lcodes - 257), 5);
            Bits.Put((ulong)(dcodes - 1), 5);
            Bits.Put((ulong)(blcodes - 4), 4);
            for (int rank = 0; rank < blcodes; rank++)
            {
                Bits.Put(blTree.Len[BlOrder[rank]], 3);
            }

            CodeLengths(lTree, lcodes - 1, send: true);
            CodeLengths(dTree, dcodes - 1, send: true);
        }
    }
}
