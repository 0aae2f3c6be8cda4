using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops;

/// <summary>The kind of value flowing between steps.</summary>
public enum ValueKind
{
    /// <summary>One 2-D array (H x W).</summary>
    Image,

    /// <summary>N frames (N x H x W).</summary>
    Stack,

    /// <summary>Scalars / small vectors (statistics, histogram, region tables).</summary>
    Table,

    /// <summary>One number per item (a threshold, a percentile).</summary>
    Scalar,
}

/// <summary>
/// What is known about a value before it is computed: its kind, its shape when the input headers give it
/// (0 = unknown), and its domain. The binder infers it without shapes; the planner again with them.
/// </summary>
/// <param name="Kind">Image, stack, table or scalar.</param>
/// <param name="Frames">Frames of a stack (1 for an image; 0 when unknown).</param>
/// <param name="Rows">Rows, or 0 when unknown.</param>
/// <param name="Cols">Columns, or 0 when unknown.</param>
/// <param name="IsComplex">Complex (an fft2 result and what keeps it).</param>
/// <param name="IsFrequency">A Fourier transform (fft2's output and what the fourier_ ops keep), as opposed to an image.</param>
public sealed record ValueInfo(ValueKind Kind, int Frames = 1, int Rows = 0, int Cols = 0, bool IsComplex = false, bool IsFrequency = false)
{
    public static ValueInfo Image { get; } = new(ValueKind.Image);

    public static ValueInfo Stack { get; } = new(ValueKind.Stack, Frames: 0);

    public static ValueInfo Table { get; } = new(ValueKind.Table, Frames: 0);

    public static ValueInfo Scalar { get; } = new(ValueKind.Scalar, Frames: 0);

    public bool IsArray => Kind is ValueKind.Image or ValueKind.Stack;

    public bool IsStack => Kind == ValueKind.Stack;

    public bool IsTable => Kind == ValueKind.Table;

    public bool IsScalar => Kind == ValueKind.Scalar;

    /// <summary>Rows and columns (and frames for a stack) are known, or the value is not an array.</summary>
    public bool IsKnown => !IsArray || (Rows > 0 && Cols > 0 && Frames > 0);

    /// <summary>Pixels (frames x rows x cols) when known, else 0.</summary>
    public long Pixels => IsArray && IsKnown ? (long)Frames * Rows * Cols : 0;

    public static ValueInfo Of(ImageArray a) => new(a.IsStack ? ValueKind.Stack : ValueKind.Image, a.Frames, a.Rows, a.Cols, a.IsComplex);

    public static ValueInfo Of(Value v) => v switch
    {
        ArrayValue a => Of(a.Array),
        TableValue => Table,
        ScalarValue => Scalar,
        _ => Table,
    };

    /// <summary>"an image", "a stack", "a table", "a scalar" for messages.</summary>
    public string Article => Kind switch
    {
        ValueKind.Image => "an image",
        ValueKind.Stack => "a stack",
        ValueKind.Table => "a table",
        _ => "a scalar",
    };

    /// <summary>`1024x1024 float32`, `9x1024x1024 complex64`, `table`, `scalar` or `?`.</summary>
    public override string ToString()
    {
        if (Kind == ValueKind.Table)
        {
            return "table";
        }

        if (Kind == ValueKind.Scalar)
        {
            return "scalar";
        }

        if (!IsKnown)
        {
            return "?";
        }

        string dims = IsStack ? $"{Frames}x{Rows}x{Cols}" : $"{Rows}x{Cols}";
        return $"{dims} {(IsComplex ? "complex64" : "float32")}";
    }
}
