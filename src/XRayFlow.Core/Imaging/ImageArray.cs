namespace XRayFlow.Core.Imaging;

/// <summary>
/// The one array type of the engine: float32 pixels in C order, either one 2-D image
/// (shape rows x cols) or a stack (shape frames x rows x cols). Axis 0 of a 2-D image is rows,
/// as in NumPy. A complex array (the output of fft2) carries its imaginary part in <see cref="Imag"/>.
/// </summary>
public sealed class ImageArray
{
    private float[]? _data;
    private PackedMask? _mask;

    public ImageArray(int rows, int cols, float[]? data = null, float[]? imag = null)
        : this(1, rows, cols, isStack: false, data, imag)
    {
    }

    private ImageArray(int frames, int rows, int cols, bool isStack, float[]? data, float[]? imag)
    {
        if (frames < 1 || rows < 1 || cols < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"shape ({frames}, {rows}, {cols}) has an empty axis");
        }

        long length = (long)frames * rows * cols;
        if (length > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(rows), $"shape ({frames}, {rows}, {cols}) is larger than 2^31 pixels");
        }

        Frames = frames;
        Rows = rows;
        Cols = cols;
        IsStack = isStack;
        Length = (int)length;
        _data = data ?? new float[length];
        if (_data.Length != length)
        {
            throw new ArgumentException($"data has {_data.Length} values, shape needs {length}", nameof(data));
        }

        if (imag is not null && imag.Length != length)
        {
            throw new ArgumentException($"imag has {imag.Length} values, shape needs {length}", nameof(imag));
        }

        Imag = imag;
    }

    private ImageArray(PackedMask mask, bool isStack)
    {
        if (!isStack && mask.Frames != 1)
        {
            throw new ArgumentException($"a 2-D image has one frame, the mask has {mask.Frames}", nameof(mask));
        }

        long length = (long)mask.Frames * mask.Rows * mask.Cols;
        if (length > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(mask), $"shape ({mask.Frames}, {mask.Rows}, {mask.Cols}) is larger than 2^31 pixels");
        }

        Frames = mask.Frames;
        Rows = mask.Rows;
        Cols = mask.Cols;
        IsStack = isStack;
        Length = (int)length;
        _mask = mask;
    }

    /// <summary>
    /// A real 0/1 array held as bits: <see cref="Data"/> (0f / 1f) is made from them the first time it is read (or by
    /// <see cref="Materialize"/> on the executor's threads); until then <see cref="Mask"/> is the array.
    /// </summary>
    public static ImageArray FromMask(PackedMask mask, bool isStack) => new(mask, isStack);

    /// <summary>A stack of <paramref name="frames"/> images (rank 3), even when frames is 1.</summary>
    public static ImageArray Stack(int frames, int rows, int cols, float[]? data = null, float[]? imag = null)
        => new(frames, rows, cols, isStack: true, data, imag);

    /// <summary>An array of the same shape and kind (stack or image), zero-filled, real.</summary>
    public static ImageArray LikeShape(ImageArray shape, bool complex = false)
        => new(shape.Frames, shape.Rows, shape.Cols, shape.IsStack, null, complex ? new float[shape.Length] : null);

    /// <summary>
    /// An array of the same shape and kind as <paramref name="shape"/> whose pixels come from
    /// <see cref="PixelPool.Shared"/>: contents UNDEFINED, for kernels that write every element.
    /// </summary>
    public static ImageArray Rent(ImageArray shape, bool complex = false)
    {
        var pool = PixelPool.Shared;
        return new(shape.Frames, shape.Rows, shape.Cols, shape.IsStack, pool.Rent(shape.Length), complex ? pool.Rent(shape.Length) : null);
    }

    /// <summary>A 2-D image (or a stack when <paramref name="frames"/> is given) with pooled, UNDEFINED contents.</summary>
    public static ImageArray Rent(int rows, int cols, int frames = 0, bool complex = false)
    {
        var pool = PixelPool.Shared;
        int length = checked(Math.Max(frames, 1) * rows * cols);
        return new(Math.Max(frames, 1), rows, cols, frames > 0, pool.Rent(length), complex ? pool.Rent(length) : null);
    }

    /// <summary>Build a stack from 2-D images of one shape.</summary>
    public static ImageArray StackOf(IReadOnlyList<ImageArray> images)
    {
        if (images.Count == 0)
        {
            throw new ArgumentException("a stack needs at least one image", nameof(images));
        }

        var first = images[0];
        var result = Stack(images.Count, first.Rows, first.Cols);
        for (int n = 0; n < images.Count; n++)
        {
            var img = images[n];
            if (img.IsStack || img.Rows != first.Rows || img.Cols != first.Cols)
            {
                throw new ArgumentException($"image {n} has shape {img.ShapeText}, the first has {first.ShapeText}", nameof(images));
            }

            img.Data.CopyTo(result.Data.AsSpan(n * result.FrameLength));
        }

        return result;
    }

    public int Frames { get; }

    public int Rows { get; }

    public int Cols { get; }

    /// <summary>True for rank-3 arrays (frames x rows x cols).</summary>
    public bool IsStack { get; }

    /// <summary>Real part (or the only part), C order. For an array made from a mask, made from its bits on first read (one thread).</summary>
    public float[] Data => Volatile.Read(ref _data) ?? Materialize(1);

    /// <summary>The float32 pixels if they exist (an array made from a mask has none until they are read): for identity checks that must not make them.</summary>
    public float[]? DataIfPresent => Volatile.Read(ref _data);

    /// <summary>
    /// The array as bits (0/1 pixels), while it has not been made into float32: binary morphology reads these instead of
    /// packing <see cref="Data"/>. Null for every other array, and once <see cref="Data"/> exists (so a write into it
    /// can never disagree with the bits).
    /// </summary>
    public PackedMask? Mask => Volatile.Read(ref _data) is null ? Volatile.Read(ref _mask) : null;

    /// <summary>Makes <see cref="Data"/> from the mask's bits on <paramref name="threads"/> threads if it does not exist yet; returns it.</summary>
    public float[] Materialize(int threads)
    {
        if (Volatile.Read(ref _data) is { } data)
        {
            return data;
        }

        var mask = Volatile.Read(ref _mask) ?? throw new InvalidOperationException("an array without pixels or mask");
        var made = PixelPool.Shared.Rent(Length);
        mask.Unpack(made, threads);
        var won = Interlocked.CompareExchange(ref _data, made, null);
        if (won is not null)
        {
            PixelPool.Shared.Return(made); // another reader made them first: same values
            return won;
        }

        return made;
    }

    /// <summary>Imaginary part when the array is complex, else null.</summary>
    public float[]? Imag { get; }

    public bool IsComplex => Imag is not null;

    public int Length { get; }

    public int FrameLength => Rows * Cols;

    public int[] Shape => IsStack ? [Frames, Rows, Cols] : [Rows, Cols];

    public string ShapeText => IsStack ? $"({Frames}, {Rows}, {Cols})" : $"({Rows}, {Cols})";

    public Span<float> Frame(int n) => Data.AsSpan(n * FrameLength, FrameLength);

    public Span<float> FrameImag(int n) => Imag is null ? Span<float>.Empty : Imag.AsSpan(n * FrameLength, FrameLength);

    /// <summary>Frame n as its own 2-D image (copies).</summary>
    public ImageArray FrameImage(int n)
        => new(Rows, Cols, Frame(n).ToArray(), Imag is null ? null : FrameImag(n).ToArray());

    public ref float this[int row, int col] => ref Data[(row * Cols) + col];

    public ImageArray Clone() => new(Frames, Rows, Cols, IsStack, (float[])Data.Clone(), (float[]?)Imag?.Clone());

    /// <summary>
    /// Whether the two arrays share storage (pixels, imaginary parts or mask bits), without making any pixels: the
    /// executor's test before it gives an array back to the pool or lets a step overwrite it.
    /// </summary>
    public bool SharesStorage(ImageArray other)
    {
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        var x = DataIfPresent;
        var y = other.DataIfPresent;
        return (x is not null && (ReferenceEquals(x, y) || ReferenceEquals(x, other.Imag)))
            || (Imag is { } xi && (ReferenceEquals(xi, y) || ReferenceEquals(xi, other.Imag)))
            || (Volatile.Read(ref _mask) is { } m && ReferenceEquals(m, Volatile.Read(ref other._mask)));
    }

    /// <summary>Gives the mask's bits (if the array was made from one) back to the pool: for the array's owner, when nothing reads it any more.</summary>
    public void ReleaseMask() => Interlocked.Exchange(ref _mask, null)?.Release();

    public bool SameShape(ImageArray other)
        => Frames == other.Frames && Rows == other.Rows && Cols == other.Cols && IsStack == other.IsStack;
}
