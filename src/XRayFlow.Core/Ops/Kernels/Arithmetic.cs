using System.Numerics.Tensors;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Kernels;

/// <summary>
/// add / subtract / multiply in float32, element by element, as NumPy does for float32 (and complex64) arrays.
/// A scalar is first rounded to float32. Complex arrays: add/subtract part by part, multiply as complex numbers
/// ((a+bi)(c+di) = (ac - bd) + (ad + bc)i, each product and sum rounded to float32); a real operand has imaginary part 0.
/// </summary>
public static class Arithmetic
{
    public enum Kind
    {
        Add,
        Subtract,
        Multiply,
    }

    public static ImageArray Combine(ImageArray a, ImageArray b, Kind kind)
    {
        bool complex = a.IsComplex || b.IsComplex;
        var dst = ImageArray.Rent(a, complex);
        switch (kind)
        {
            case Kind.Add:
                TensorPrimitives.Add(a.Data, b.Data, dst.Data);
                if (complex)
                {
                    AddParts(a.Imag, b.Imag, dst.Imag!, 1f);
                }

                break;
            case Kind.Subtract:
                TensorPrimitives.Subtract(a.Data, b.Data, dst.Data);
                if (complex)
                {
                    AddParts(a.Imag, b.Imag, dst.Imag!, -1f);
                }

                break;
            case Kind.Multiply:
                if (!complex)
                {
                    TensorPrimitives.Multiply(a.Data, b.Data, dst.Data);
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

    public static ImageArray WithScalar(ImageArray a, float value, Kind kind)
    {
        var dst = ImageArray.Rent(a, a.IsComplex);
        switch (kind)
        {
            case Kind.Add:
                TensorPrimitives.Add(a.Data, value, dst.Data);
                a.Imag?.CopyTo(dst.Imag!, 0);
                break;
            case Kind.Subtract:
                TensorPrimitives.Subtract(a.Data, value, dst.Data);
                a.Imag?.CopyTo(dst.Imag!, 0);
                break;
            case Kind.Multiply:
                TensorPrimitives.Multiply(a.Data, value, dst.Data);
                if (a.Imag is { } im)
                {
                    TensorPrimitives.Multiply(im, value, dst.Imag!);
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
            TensorPrimitives.Multiply(b, sign, dst);
        }
        else if (sign > 0)
        {
            TensorPrimitives.Add(a, b, dst);
        }
        else
        {
            TensorPrimitives.Subtract(a, b, dst);
        }
    }
}
