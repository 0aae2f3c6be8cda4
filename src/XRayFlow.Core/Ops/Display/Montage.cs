namespace XRayFlow.Core.Ops.Display;

/// <summary>
/// Tiles the frames of a stack into one image as skimage.util.montage does: frame n at grid row n / gridCols, grid
/// column n % gridCols, in a grid of <c>grid_shape</c> (default ceil(sqrt(N)) x ceil(sqrt(N))), with
/// <c>padding_width</c> pixels between the tiles and around them; the empty cells and the padding take <c>fill</c>.
/// XRayFlow's extension (<see cref="MontageLayout.PadsBorder"/> false): a gap only between tiles, so with gap 0 and
/// one row the result is numpy.hstack of the frames.
/// </summary>
public static class Montage
{
    /// <summary>Tiles <paramref name="stack"/> by <paramref name="layout"/> (fill in the real part; 0 in an imaginary one, unless given).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Imaging.ImageArray Tile(Imaging.ImageArray stack, MontageLayout layout, float fill, float fillImag = 0f)
    {
        if (checked(layout.GridRows * layout.GridCols) < stack.Frames)
        {
            throw new ArgumentException($"a grid of {layout.GridRows} x {layout.GridCols} has fewer cells than the stack's {stack.Frames} frames");
        }

        var (outRows, outCols) = layout.Shape(stack.Rows, stack.Cols);
        // From the pixel pool (a fresh 9-frame montage of 1024 x 1024 X-rays is 38 MB of pages touched for the first time);
        // every value is written below (fill, then the frames).
        var result = stack.Imag is null ? Imaging.ImageArray.Rent(outRows, outCols, 0) : new Imaging.ImageArray(outRows, outCols, imag: new float[(long)outRows * outCols]);
        result.Data.AsSpan().Fill(fill);
        result.Imag?.AsSpan().Fill(fillImag);
        for (int n = 0; n < stack.Frames; n++)
        {
            var (r0, c0) = layout.Origin(n, stack.Rows, stack.Cols);
            for (int r = 0; r < stack.Rows; r++)
            {
                stack.Frame(n).Slice(r * stack.Cols, stack.Cols).CopyTo(result.Data.AsSpan(((r0 + r) * outCols) + c0));
                if (stack.Imag is not null)
                {
                    stack.FrameImag(n).Slice(r * stack.Cols, stack.Cols).CopyTo(result.Imag.AsSpan(((r0 + r) * outCols) + c0));
                }
            }
        }

        return result;
    }
}

/// <summary>A montage's grid and spacing: <paramref name="Padding"/> pixels between tiles, and around them when <paramref name="PadsBorder"/> (skimage's padding_width).</summary>
public readonly record struct MontageLayout(int GridRows, int GridCols, int Padding, bool PadsBorder)
{
    /// <summary>
    /// The layout the op's parameters ask for, for a stack of <paramref name="frames"/>: <paramref name="gridShape"/>
    /// as given; else, when <paramref name="columns"/> or <paramref name="gap"/> is given (XRayFlow's layout), columns
    /// per row (0 or none: all in one row; more than the frames: as many as there are), as many rows as they need;
    /// else skimage's ceil(sqrt(N)) square. <paramref name="padding"/> (skimage's,
    /// around the tiles too) or <paramref name="gap"/> (between them only).
    /// </summary>
    public static MontageLayout Of(int frames, int[]? gridShape, int? columns, int? padding, int? gap)
    {
        int gridRows, gridCols;
        if (gridShape is { Length: 2 })
        {
            (gridRows, gridCols) = (gridShape[0], gridShape[1]);
        }
        else if (columns is not null || gap is not null)
        {
            // XRayFlow's layout (columns or gap given): columns per row, 0 or none all frames in one row
            int c = columns ?? 0;
            gridCols = c <= 0 ? frames : Math.Min(c, frames);
            gridRows = (frames + gridCols - 1) / gridCols;
        }
        else
        {
            gridRows = gridCols = (int)Math.Ceiling(Math.Sqrt(frames)); // numpy's int(np.ceil(np.sqrt(n)))
        }

        return padding is { } p ? new MontageLayout(gridRows, gridCols, p, PadsBorder: true) : new MontageLayout(gridRows, gridCols, gap ?? 0, PadsBorder: false);
    }

    /// <summary>The montage's rows and columns for tiles of rows x cols (long: the caller bounds them).</summary>
    public (long Rows, long Cols) Size(int rows, int cols) => PadsBorder
        ? ((((long)rows + Padding) * GridRows) + Padding, (((long)cols + Padding) * GridCols) + Padding)
        : (((long)GridRows * rows) + ((long)(GridRows - 1) * Padding), ((long)GridCols * cols) + ((long)(GridCols - 1) * Padding));

    /// <summary><see cref="Size"/> as ints (it must fit).</summary>
    public (int Rows, int Cols) Shape(int rows, int cols)
    {
        var (r, c) = Size(rows, cols);
        return (checked((int)r), checked((int)c));
    }

    /// <summary>Where frame n's top-left pixel goes.</summary>
    public (int Row, int Col) Origin(int n, int rows, int cols)
    {
        int border = PadsBorder ? Padding : 0;
        return (border + ((n / GridCols) * (rows + Padding)), border + ((n % GridCols) * (cols + Padding)));
    }
}
