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
        double scale = 1.0 / ((double)factor * factor);
        var sums = new double[cols];
        for (int n = 0; n < src.Frames; n++)
        {
            var inFrame = src.Frame(n);
            var outFrame = dst.Frame(n);
            for (int i = 0; i < rows; i++)
            {
                Array.Clear(sums);
                for (int a = 0; a < factor; a++)
                {
                    var line = inFrame.Slice(((i * factor) + a) * src.Cols, src.Cols);
                    for (int j = 0; j < cols; j++)
                    {
                        double s = sums[j];
                        int c0 = j * factor;
                        for (int b = 0; b < factor; b++)
                        {
                            s += line[c0 + b];
                        }

                        sums[j] = s;
                    }
                }

                for (int j = 0; j < cols; j++)
                {
                    outFrame[(i * cols) + j] = (float)(sums[j] * scale);
                }
            }
        }

        return dst;
    }
}
