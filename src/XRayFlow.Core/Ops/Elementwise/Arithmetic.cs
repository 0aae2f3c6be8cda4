using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Elementwise;

/// <summary>
/// add / subtract / multiply in float32, element by element, as NumPy does for float32 (and complex64) arrays.
/// A scalar is first rounded to float32. Complex arrays: add/subtract part by part, multiply as complex numbers
/// ((a+bi)(c+di) = (ac - bd) + (ad + bc)i, each product and sum rounded to float32); a real operand has imaginary
/// part 0. Real parts run through <see cref="ElementwiseLoop"/> block by block on up to <c>threads</c> threads (same bits).
/// </summary>
public static class Arithmetic
{
    public enum Kind
    {
        Add,
        Subtract,
        Multiply,
    }

    /// <summary>a op b, element by element (one shape).</summary>
    public static ImageArray Combine(ImageArray a, ImageArray b, Kind kind, int threads = 1)
    {
        bool complex = a.IsComplex || b.IsComplex;
        var dst = ImageArray.Rent(a, complex);
        if (kind == Kind.Multiply && complex)
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

            return dst;
        }

        Parts(a.Data, b.Data, dst.Data, kind, threads);
        if (complex)
        {
            // Imaginary parts: add/subtract part by part, a missing part is 0.
            var zero = a.Imag is null || b.Imag is null ? new float[dst.Length] : null;
            Parts(a.Imag ?? zero!, b.Imag ?? zero!, dst.Imag!, kind, threads);
        }

        return dst;
    }

    /// <summary>a op value, element by element.</summary>
    public static ImageArray WithValue(ImageArray a, float value, Kind kind, int threads = 1)
    {
        var dst = ImageArray.Rent(a, a.IsComplex);
        switch (kind)
        {
            case Kind.Add:
                ElementwiseLoop.Invoke(a.Data, dst.Data, threads, new AddValueOperator(value));
                a.Imag?.CopyTo(dst.Imag!, 0);
                break;
            case Kind.Subtract:
                ElementwiseLoop.Invoke(a.Data, dst.Data, threads, new SubtractValueOperator(value));
                a.Imag?.CopyTo(dst.Imag!, 0);
                break;
            default:
                ElementwiseLoop.Invoke(a.Data, dst.Data, threads, new MultiplyValueOperator(value));
                if (a.Imag is { } im)
                {
                    ElementwiseLoop.Invoke(im, dst.Imag!, threads, new MultiplyValueOperator(value));
                }

                break;
        }

        return dst;
    }

    /// <summary>The block kernel of `x op value` on real pixels (what a fused chain runs).</summary>
    public static IPointwiseKernel ValueKernel(Kind kind, float value) => kind switch
    {
        Kind.Add => new UnaryKernel<AddValueOperator>(new AddValueOperator(value)),
        Kind.Subtract => new UnaryKernel<SubtractValueOperator>(new SubtractValueOperator(value)),
        _ => new UnaryKernel<MultiplyValueOperator>(new MultiplyValueOperator(value)),
    };

    /// <summary>a op b of two real arrays as a row-band kernel (the operators <see cref="Combine"/> runs).</summary>
    public static IRowBandKernel RowBand(Kind kind) => kind switch
    {
        Kind.Add => PointwiseBands.Of(default(AddOperator)),
        Kind.Subtract => PointwiseBands.Of(default(SubtractOperator)),
        _ => PointwiseBands.Of(default(MultiplyOperator)),
    };

    private static void Parts(float[] x, float[] y, float[] dst, Kind kind, int threads)
    {
        switch (kind)
        {
            case Kind.Add:
                ElementwiseLoop.Invoke(x, y, dst, threads, default(AddOperator));
                break;
            case Kind.Subtract:
                ElementwiseLoop.Invoke(x, y, dst, threads, default(SubtractOperator));
                break;
            default:
                ElementwiseLoop.Invoke(x, y, dst, threads, default(MultiplyOperator));
                break;
        }
    }
}
