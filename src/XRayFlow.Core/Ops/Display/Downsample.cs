using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Display;

/// <summary>
/// Integer-factor block-mean downsampling.
/// <para>
/// Exact meaning, per frame: with factor f, out has rows R/f and cols C/f (integer division: trailing rows and
/// columns that do not fill a whole block are dropped), and
/// <c>out[i, j] = (float)( sum over 0 &lt;= a, b &lt; f of (double)in[i*f + a, j*f + b] / (f*f) )</c>,
/// the sum taken in double in row-major order. NumPy:
/// <c>x[:R//f*f, :C//f*f].reshape(R//f, f, C//f, f).mean(axis=(1, 3), dtype=np.float64).astype(np.float32)</c>.
/// A stack is downsampled frame by frame (frames are kept). Factor 1 copies.
/// </para>
/// </summary>
public static class Downsample
{
    public static ImageArray BlockMean(ImageArray src, int factor)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factor, 1);
        if (src.IsComplex)
        {
            throw new ArgumentException("downsample needs a real array, this one is complex");
        }

        int rows = src.Rows / factor, cols = src.Cols / factor;
        if (rows == 0 || cols == 0)
        {
            throw new ArgumentException($"factor {factor} is larger than the image ({src.Rows} x {src.Cols})");
        }

        var dst = src.IsStack ? ImageArray.Stack(src.Frames, rows, cols) : new ImageArray(rows, cols);
        double count = (double)factor * factor;
        var sums = new double[cols];
        for (int n = 0; n < src.Frames; n++)
        {
            Frame(src.Data, (long)n * src.FrameLength, src.Cols, dst.Data, (long)n * dst.FrameLength, rows, cols, factor, count, sums);
        }

        return dst;
    }

    /// <summary>One frame: each output row's block sums in row-major order (rows of the block, then its columns), divided by the count.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static unsafe void Frame(float[] src, long srcOffset, int srcCols, float[] dst, long dstOffset, int rows, int cols, int factor, double count, double[] sums)
    {
        fixed (float* s0 = src, d0 = dst)
        fixed (double* sum = sums)
        {
            for (int i = 0; i < rows; i++)
            {
                new Span<double>(sum, cols).Clear();
                for (int a = 0; a < factor; a++)
                {
                    float* line = s0 + srcOffset + (((long)i * factor) + a) * srcCols;
                    for (int j = 0; j < cols; j++)
                    {
                        double acc = sum[j];
                        float* block = line + ((long)j * factor);
                        for (int b = 0; b < factor; b++)
                        {
                            acc += block[b];
                        }

                        sum[j] = acc;
                    }
                }

                float* outRow = d0 + dstOffset + ((long)i * cols);
                for (int j = 0; j < cols; j++)
                {
                    outRow[j] = (float)(sum[j] / count);
                }
            }
        }
    }
}
