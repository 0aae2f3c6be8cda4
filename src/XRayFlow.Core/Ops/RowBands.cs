using System.Buffers;
using System.Diagnostics;
using System.Runtime.InteropServices;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops.Elementwise;

namespace XRayFlow.Core.Ops;

/// <summary>
/// Some consecutive rows of one 2-D frame (rows x cols, C order) held in memory: image row m (First ≤ m &lt; First +
/// Count) starts at <c>Data + (m − First) · Cols</c>. A whole frame is the window (0, rows). Pointers stay valid for
/// the duration of one <see cref="IRowBandKernel.Rows"/> call only.
/// </summary>
public readonly unsafe struct RowWindow(float* data, int first, int count, int cols)
{
    public float* Data { get; } = data;

    /// <summary>The image row held at <see cref="Data"/>.</summary>
    public int First { get; } = first;

    public int Count { get; } = count;

    public int Cols { get; } = cols;

    /// <summary>
    /// Where image row 0 would start (<see cref="Data"/> − First · Cols): the kernels index rows by image row from
    /// here and touch only the rows the window holds. Not itself a valid address unless First is 0.
    /// </summary>
    public float* Origin => Data - ((long)First * Cols);

    /// <summary>Image row <paramref name="m"/>, which the window must hold.</summary>
    public float* Row(int m)
    {
        Debug.Assert(m >= First && m < First + Count, $"row {m} is outside the window [{First}, {First + Count})");
        return Data + ((long)(m - First) * Cols);
    }

    /// <summary>Image rows [r0, r1) as one span (they are contiguous).</summary>
    public Span<float> Rows(int r0, int r1) => new(Row(r0), checked((r1 - r0) * Cols));
}

/// <summary>
/// A step that computes any band of its output rows from a window of its inputs' rows: what the planner's row-band
/// fusion runs (docs/runner.md "Fused groups"). Output row r depends only on input rows r − <see cref="Before"/> ..
/// r + <see cref="After"/>, each mapped into the frame by <see cref="Mode"/> (constant mode reads no row outside).
/// The result of any band must equal, bit for bit, the same rows of the op's own Execute on the whole frame.
/// </summary>
public interface IRowBandKernel
{
    /// <summary>How many rows above an output row the kernel reads (before the boundary mapping).</summary>
    int Before { get; }

    /// <summary>How many rows below an output row the kernel reads.</summary>
    int After { get; }

    /// <summary>How rows beyond the frame's edges map into it (for the window the executor must provide).</summary>
    BoundaryMode Mode { get; }

    /// <summary>Band height below which the kernel's own overhead grows (a long column kernel row-passing its halo) for rows of <paramref name="cols"/> values: 0 for any.</summary>
    int PreferredRows(int cols);

    /// <summary>Whether bands of a rows x cols frame give the op's result (a kernel longer than the frame does not: it runs whole).</summary>
    bool Supports(int rows, int cols);

    /// <summary>
    /// Output rows [r0, r1) of a rows x cols frame into <paramref name="output"/> (which holds them). Each input
    /// window holds every row the kernel reads for them: the rows r0 − Before .. r1 − 1 + After mapped by Mode.
    /// </summary>
    void Rows(ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1);
}

/// <summary>
/// A row-band kernel that keeps work between calls: a fused group's thread computes a run of consecutive bands of
/// one frame in order (a chunk), so a kernel whose output rows share input work (a separable filter's row-passed
/// rows, which the column pass of the next band reads again) does that work once per chunk, not once per band. The
/// state belongs to one chunk on one thread (one frame of one run: the input rows it holds never change within
/// it); results equal <see cref="IRowBandKernel.Rows"/> bit for bit.
/// </summary>
public interface IRowBandStream : IRowBandKernel
{
    /// <summary>A fresh state for one chunk whose calls ask for at most <paramref name="maxRows"/> output rows each.</summary>
    IDisposable NewState(int rows, int cols, int maxRows);

    /// <summary><see cref="IRowBandKernel.Rows"/> with the chunk's state (calls in row order, each band after the last).</summary>
    void Rows(IDisposable state, ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1);
}

/// <summary>
/// Floats from the shared pool, pinned until Dispose: a streaming kernel's state (<see cref="IRowBandStream"/>) keeps
/// rows at offsets it found from the address (64-byte boundaries), so the memory must not move between bands.
/// </summary>
public sealed unsafe class PinnedFloats : IDisposable
{
    private readonly float[] _array;
    private GCHandle _pin;

    public PinnedFloats(int length)
    {
        _array = ArrayPool<float>.Shared.Rent(length);
        _pin = GCHandle.Alloc(_array, GCHandleType.Pinned);
        Base = (float*)_pin.AddrOfPinnedObject();
    }

    /// <summary>The first float (valid until Dispose).</summary>
    public float* Base { get; }

    public void Dispose()
    {
        if (_pin.IsAllocated)
        {
            _pin.Free();
            ArrayPool<float>.Shared.Return(_array);
        }
    }
}

/// <summary>The row-band kernels of element-wise ops: no halo, each output row from the same input row.</summary>
public static class PointwiseBands
{
    /// <summary>A one-input element-wise kernel (<see cref="IPointwiseKernel"/>) over bands of rows.</summary>
    public static IRowBandKernel Of(IPointwiseKernel kernel) => new Unary(kernel);

    /// <summary>A two-input element-wise operator (add, subtract, multiply of two arrays) over bands of rows.</summary>
    public static IRowBandKernel Of<TOp>(TOp op)
        where TOp : struct, IBinaryOperator
        => new Binary<TOp>(op);

    /// <summary>hypot of every input (<see cref="Hypot"/>) over bands of rows.</summary>
    public static IRowBandKernel Hypotenuse { get; } = new HypotBand();

    private abstract class NoHalo : IRowBandKernel
    {
        public int Before => 0;

        public int After => 0;

        public BoundaryMode Mode => BoundaryMode.Nearest;

        public int PreferredRows(int cols) => 0;

        public bool Supports(int rows, int cols) => true;

        public abstract void Rows(ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1);
    }

    private sealed class Unary(IPointwiseKernel kernel) : NoHalo
    {
        public override void Rows(ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1)
            => kernel.Apply(inputs[0].Rows(r0, r1), output.Rows(r0, r1));
    }

    private sealed class Binary<TOp>(TOp op) : NoHalo
        where TOp : struct, IBinaryOperator
    {
        public override void Rows(ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1)
            => ElementwiseLoop.Invoke(inputs[0].Rows(r0, r1), inputs[1].Rows(r0, r1), output.Rows(r0, r1), op);
    }

    private sealed unsafe class HypotBand : NoHalo
    {
        public override void Rows(ReadOnlySpan<RowWindow> inputs, RowWindow output, int rows, int cols, int r0, int r1)
        {
            Span<nint> pointers = inputs.Length <= 16 ? stackalloc nint[inputs.Length] : new nint[inputs.Length];
            for (int i = 0; i < inputs.Length; i++)
            {
                pointers[i] = (nint)inputs[i].Row(r0);
            }

            Hypot.Apply(pointers, output.Row(r0), checked((r1 - r0) * cols));
        }
    }
}
