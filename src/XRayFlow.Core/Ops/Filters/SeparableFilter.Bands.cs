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

        return new ApplyBand(axis0, axis1, mode, cval, axis1First);
    }

    /// <summary>
    /// <see cref="ApplyPair"/> as a row-band kernel (its strip code), or null where ApplyPair runs unfused: constant
    /// mode with cval != 0, and wrap mode.
    /// </summary>
    public static IRowBandKernel? PairBand(Kernel1D? a0, Kernel1D? a1, Kernel1D? b0, Kernel1D? b1, BoundaryMode mode, float cval, PairCombine combine)
        => mode == BoundaryMode.Wrap || (mode == BoundaryMode.Constant && cval != 0f) ? null : new PairBandKernel(a0, a1, b0, b1, mode, cval, combine);

    private sealed unsafe class ApplyBand(Kernel1D? axis0, Kernel1D? axis1, BoundaryMode mode, float cval, bool axis1First) : IRowBandKernel
    {
        public int Before => axis0?.Before ?? 0;

        public int After => axis0?.After ?? 0;

        public BoundaryMode Mode => mode;

        public int PreferredRows(int cols) => axis0 is not null && axis1 is not null && axis1First ? HaloStripRows(axis0.Length - 1, cols) : 0;

        /// <summary>Apply's condition for its strips: no kernel longer than its axis (those passes run whole, in double).</summary>
        public bool Supports(int rows, int cols) => !(axis0 is not null && rows < axis0.Length) && !(axis1 is not null && cols < axis1.Length);

        public void Rows(ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1)
            => new StripJob(inputs[0].Origin, output.Origin, rows, cols, axis0, axis1, mode, cval, axis1First, stripRows: 0).RunRows(r0, r1);
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
