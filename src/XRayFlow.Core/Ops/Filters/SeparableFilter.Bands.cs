using System.Buffers;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Filters;

public static partial class SeparableFilter
{
    /// <summary>
    /// <see cref="Apply"/> as a row-band kernel (the same strip code with the same pass order, so any band equals the
    /// same rows of Apply bit for bit), or null where Apply does not run strips: box kernels (their own running-sum
    /// path), no kernel at all, and wrap mode (the first rows would read the last ones: no band is local).
    /// </summary>
    public static IRowBandKernel? Band(Kernel1D? axis0, Kernel1D? axis1, BoundaryMode mode, float cval, bool axis1First = false)
    {
        bool boxes = (axis0 is null || axis0.IsBox) && (axis1 is null || axis1.IsBox);
        if (mode == BoundaryMode.Wrap || boxes)
        {
            return null;
        }

        if (axis0 is not null && axis1 is not null && (mode != BoundaryMode.Constant || cval == 0f))
        {
            axis1First = true;
        }

        return axis0 is not null && axis1 is not null && axis1First
            ? new StreamingApplyBand(axis0, axis1, mode, cval)
            : new ApplyBand(axis0, axis1, mode, cval, axis1First);
    }

    /// <summary>
    /// <see cref="ApplyPair"/> as a row-band kernel (its strip code), or null where ApplyPair runs unfused: constant
    /// mode with cval != 0, and wrap mode.
    /// </summary>
    public static IRowBandKernel? PairBand(Kernel1D? a0, Kernel1D? a1, Kernel1D? b0, Kernel1D? b1, BoundaryMode mode, float cval, PairCombine combine)
        => mode == BoundaryMode.Wrap || (mode == BoundaryMode.Constant && cval != 0f) ? null : new PairBandKernel(a0, a1, b0, b1, mode, cval, combine);

    private unsafe class ApplyBand(Kernel1D? axis0, Kernel1D? axis1, BoundaryMode mode, float cval, bool axis1First) : IRowBandKernel
    {
        protected Kernel1D? Axis0 => axis0;

        protected Kernel1D? Axis1 => axis1;

        protected float Cval => cval;

        public int Before => axis0?.Before ?? 0;

        public int After => axis0?.After ?? 0;

        public BoundaryMode Mode => mode;

        public virtual int PreferredRows(int cols) => axis0 is not null && axis1 is not null && axis1First ? HaloStripRows(axis0.Length - 1, cols) : 0;

        /// <summary>Apply's condition for its strips: no kernel longer than its axis (those passes run whole, in double).</summary>
        public bool Supports(int rows, int cols) => !(axis0 is not null && rows < axis0.Length) && !(axis1 is not null && cols < axis1.Length);

        public void Rows(ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1)
            => new StripJob(inputs[0].Origin, output.Origin, rows, cols, axis0, axis1, mode, cval, axis1First, stripRows: 0).RunRows(r0, r1);
    }

    /// <summary>
    /// A two-pass band (row pass first) that keeps its row-passed rows between the bands of a chunk: a ring of
    /// <c>maxRows + taps − 1</c> row-passed rows (padded stride, as the strips' window), each tagged with its image
    /// row; a band row-passes only the rows its column pass reads that the ring does not hold, then runs the strips'
    /// column pass over pointers into the ring. The same RowPass and ColumnPass calls on the same rows as
    /// <see cref="StripJob.RunRows"/>, so the same bits; a chunk of B bands row-passes each of its rows once where
    /// bands alone row-pass every band's taps − 1 halo rows again.
    /// </summary>
    private sealed unsafe class StreamingApplyBand(Kernel1D axis0, Kernel1D axis1, BoundaryMode mode, float cval)
        : ApplyBand(axis0, axis1, mode, cval, axis1First: true), IRowBandStream
    {
        private Kernel1D ColumnKernel => Axis0!;

        private Kernel1D RowKernel => Axis1!;

        /// <summary>Bands cost no extra row passes here: any height does.</summary>
        public override int PreferredRows(int cols) => 0;

        public IDisposable NewState(int rows, int cols, int maxRows) => new Ring(checked(maxRows + ColumnKernel.Length - 1), cols, RowKernel.Length, Cval);

        public void Rows(IDisposable state, ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1)
        {
            var ring = (Ring)state;
            int extRows = (r1 - r0) + ColumnKernel.Length - 1;
            if (extRows > ring.Capacity)
            {
                throw new ArgumentException($"a band of {r1 - r0} rows needs {extRows} row-passed rows; the ring holds {ring.Capacity}", nameof(r1));
            }

            var input = inputs[0];
            fixed (nint* pp = ring.Pointers)
            {
                float* sp = ring.Base;
                float* line = sp;
                float* rows0 = Align64(sp + ring.LineLength);
                float* cvalRow = rows0 + ((long)ring.Capacity * ring.Stride);
                float** rowPtr = (float**)pp;
                float** taps = rowPtr + ring.Capacity;
                int first = r0 - ColumnKernel.Before;
                for (int t = 0; t < extRows; t++)
                {
                    int m = Boundary.Map(first + t, rows, Mode);
                    if (m < 0)
                    {
                        rowPtr[t] = cvalRow;
                        continue;
                    }

                    int slot = m % ring.Capacity;
                    float* passed = rows0 + ((long)slot * ring.Stride);
                    if (ring.Held[slot] != m)
                    {
                        RowPass(input.Row(m), passed, cols, RowKernel, Mode, Cval, line, taps);
                        ring.Held[slot] = m;
                    }

                    rowPtr[t] = passed;
                }

                ColumnPass(rowPtr, 0, output.Row(r0), r1 - r0, cols, ColumnKernel);
            }
        }

        /// <summary>One chunk's ring of row-passed rows (pooled arrays, returned on Dispose).</summary>
        private sealed class Ring : IDisposable
        {
            public Ring(int capacity, int cols, int rowTaps, float cval)
            {
                Capacity = capacity;
                Stride = cols + TempPad;
                LineLength = cols + rowTaps;
                _floats = new PinnedFloats(checked(LineLength + AlignSlack + (capacity * Stride) + cols));
                Pointers = ArrayPool<nint>.Shared.Rent(capacity + rowTaps);
                Held = ArrayPool<int>.Shared.Rent(capacity);
                Held.AsSpan(0, capacity).Fill(int.MinValue);

                new Span<float>(Align64(Base + LineLength) + ((long)capacity * Stride), cols).Fill(cval);
            }

            // Pinned while the state lives: the ring starts at a 64-byte boundary found from its address, which must
            // not move between bands (a moved array put every held row at another offset: wrong pixels, now and then).
            private readonly PinnedFloats _floats;

            /// <summary>The line, the ring's rows and the cval row (pinned).</summary>
            public float* Base => _floats.Base;

            public int Capacity { get; }

            public int Stride { get; }

            public int LineLength { get; }

            public nint[] Pointers { get; }

            /// <summary>The image row each ring slot holds row-passed (int.MinValue: none).</summary>
            public int[] Held { get; }

            public void Dispose()
            {
                _floats.Dispose();
                ArrayPool<nint>.Shared.Return(Pointers);
                ArrayPool<int>.Shared.Return(Held);
            }
        }
    }

    private sealed unsafe class PairBandKernel(Kernel1D? a0, Kernel1D? a1, Kernel1D? b0, Kernel1D? b1, BoundaryMode mode, float cval, PairCombine combine) : IRowBandKernel
    {
        public int Before => Math.Max(a0?.Before ?? 0, b0?.Before ?? 0);

        public int After => Math.Max(a0?.After ?? 0, b0?.After ?? 0);

        public BoundaryMode Mode => mode;

        public int PreferredRows(int cols) => a1 is not null || b1 is not null ? HaloStripRows(Math.Max(a0?.Length ?? 0, b0?.Length ?? 0) - 1, cols) : 0;

        /// <summary>ApplyPair's condition for its strips: no kernel longer than its axis.</summary>
        public bool Supports(int rows, int cols)
            => !((a0 is not null && rows < a0.Length) || (b0 is not null && rows < b0.Length)
                 || (a1 is not null && cols < a1.Length) || (b1 is not null && cols < b1.Length));

        public void Rows(ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1)
            => new PairJob(inputs[0].Origin, output.Origin, rows, cols, a0, a1, b0, b1, mode, cval, combine, stripRows: 0).RunRows(r0, r1);
    }
}
