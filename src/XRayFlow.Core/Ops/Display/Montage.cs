namespace XRayFlow.Core.Ops.Display;

/// <summary>
/// Tiles the frames of a stack into one image, row by row (frame n at grid row n / columns, grid column
/// n % columns), like skimage.util.montage with <c>grid_shape = (ceil(N / columns), columns)</c> and
/// <c>padding_width = gap</c>, except that the padding is only put *between* tiles (skimage also pads the outer
/// border), so with gap 0 the result is exactly numpy.hstack of the frames when columns == N.
/// Empty grid cells and gaps take <c>fill</c> (skimage's default fill is the mean of the stack; here the default
/// is 0, the caller passes what it wants).
/// </summary>
public static class Montage
{
    /// <summary>Output shape (rows, cols) of a montage of frames x rows x cols with that many columns and gap.</summary>
    public static (int Rows, int Cols) Shape(int frames, int rows, int cols, int columns, int gap)
    {
        int gridCols = Math.Min(columns, frames);
        int gridRows = (frames + columns - 1) / columns;
        return ((gridRows * rows) + ((gridRows - 1) * gap), (gridCols * cols) + ((gridCols - 1) * gap));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static Imaging.ImageArray Tile(Imaging.ImageArray stack, int columns, int gap, float fill)
    {
        if (columns < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(columns), "columns must be at least 1");
        }

        if (gap < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(gap), "gap must not be negative");
        }

        var (outRows, outCols) = Shape(stack.Frames, stack.Rows, stack.Cols, columns, gap);
        // From the pixel pool (a fresh 9-frame montage of 1024 x 1024 X-rays is 38 MB of pages touched for the first time);
        // every value is written below (fill, then the frames).
        var result = stack.Imag is null ? Imaging.ImageArray.Rent(outRows, outCols, 0) : new Imaging.ImageArray(outRows, outCols, imag: new float[(long)outRows * outCols]);
        result.Data.AsSpan().Fill(fill);
        for (int n = 0; n < stack.Frames; n++)
        {
            int r0 = (n / columns) * (stack.Rows + gap);
            int c0 = (n % columns) * (stack.Cols + gap);
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
