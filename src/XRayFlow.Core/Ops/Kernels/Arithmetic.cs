using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Kernels;

/// <summary>
/// add / subtract / multiply in float32, element by element, as NumPy does for float32 (and complex64) arrays.
/// A scalar is first rounded to float32. Complex arrays: add/subtract part by part, multiply as complex numbers
/// ((a+bi)(c+di) = (ac - bd) + (ad + bc)i, each product and sum rounded to float32); a real operand has imaginary part 0.
/// Real parts run block by block on up to <c>threads</c> threads (<see cref="PixelKernels.ForBlocks"/>; same bits).
/// </summary>
public static class Arithmetic
{
    public enum Kind
    {
        Add,
        Subtract,
        Multiply,
    }

    public static ImageArray Combine(ImageArray a, ImageArray b, Kind kind, int threads = 1)
    {
        bool complex = a.IsComplex || b.IsComplex;
        var dst = ImageArray.Rent(a, complex);
        switch (kind)
        {
            case Kind.Add:
                PixelKernels.Blocked(a.Data, b.Data, dst.Data, threads, static (x, y, d) => PixelKernels.ArithmeticSimd(x, y, d, PixelKernels.ArithmeticOp.Add));
                if (complex)
                {
                    AddParts(a.Imag, b.Imag, dst.Imag!, 1f);
                }

                break;
            case Kind.Subtract:
                PixelKernels.Blocked(a.Data, b.Data, dst.Data, threads, static (x, y, d) => PixelKernels.ArithmeticSimd(x, y, d, PixelKernels.ArithmeticOp.Subtract));
                if (complex)
                {
                    AddParts(a.Imag, b.Imag, dst.Imag!, -1f);
                }

                break;
            case Kind.Multiply:
                if (!complex)
                {
                    PixelKernels.Blocked(a.Data, b.Data, dst.Data, threads, static (x, y, d) => PixelKernels.ArithmeticSimd(x, y, d, PixelKernels.ArithmeticOp.Multiply));
                }
                else
                {
                    var ai = a.Imag;
                    var bi = b.Imag;
                    for (int k = 0; k < dst.Length; k++)
                    {
                        float ar = a.Data[k], br = b.Data[k];
                        float aim = ai is null ? 0f : ai[k], bim = bi is null ? 0f : bi[k];
                        dst.Data[k] = (ar * br) - (aim * bim);
                        dst.Imag![k] = (ar * bim) + (aim * br);
                    }
                }

                break;
        }

        return dst;
    }

    public static ImageArray WithScalar(ImageArray a, float value, Kind kind, int threads = 1)
    {
        var dst = ImageArray.Rent(a, a.IsComplex);
        switch (kind)
        {
            case Kind.Add:
                PixelKernels.Blocked(a.Data, dst.Data, threads, (x, d) => PixelKernels.ArithmeticSimd(x, value, d, PixelKernels.ArithmeticOp.Add));
                a.Imag?.CopyTo(dst.Imag!, 0);
                break;
            case Kind.Subtract:
                PixelKernels.Blocked(a.Data, dst.Data, threads, (x, d) => PixelKernels.ArithmeticSimd(x, value, d, PixelKernels.ArithmeticOp.Subtract));
                a.Imag?.CopyTo(dst.Imag!, 0);
                break;
            case Kind.Multiply:
                PixelKernels.Blocked(a.Data, dst.Data, threads, (x, d) => PixelKernels.ArithmeticSimd(x, value, d, PixelKernels.ArithmeticOp.Multiply));
                if (a.Imag is { } im)
                {
                    PixelKernels.Blocked(im, dst.Imag!, threads, (x, d) => PixelKernels.ArithmeticSimd(x, value, d, PixelKernels.ArithmeticOp.Multiply));
                }

                break;
        }

        return dst;
    }

    private static void AddParts(float[]? a, float[]? b, float[] dst, float sign)
    {
        if (a is null && b is null)
        {
            return;
        }

        if (b is null)
        {
            a!.CopyTo(dst, 0);
        }
        else if (a is null)
        {
            PixelKernels.Blocked(b, dst, 1, (x, d) => PixelKernels.ArithmeticSimd(x, sign, d, PixelKernels.ArithmeticOp.Multiply));
        }
        else if (sign > 0)
        {
            PixelKernels.Blocked(a, b, dst, 1, static (x, y, d) => PixelKernels.ArithmeticSimd(x, y, d, PixelKernels.ArithmeticOp.Add));
        }
        else
        {
            PixelKernels.Blocked(a, b, dst, 1, static (x, y, d) => PixelKernels.ArithmeticSimd(x, y, d, PixelKernels.ArithmeticOp.Subtract));
        }
    }
}
