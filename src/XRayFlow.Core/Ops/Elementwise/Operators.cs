using System.Numerics;

namespace XRayFlow.Core.Ops.Elementwise;

// The element-wise operators. Each scalar Invoke is the exact meaning (IEEE float32 unless it says double);
// each vector Invoke gives the same bits (ElementwiseOperatorTests: every length 1..64, NaN, infinities, -0,
// denormals).

/// <summary>|x| (MathF.Abs: the sign bit cleared, as numpy.abs on float32).</summary>
public readonly struct AbsOperator : IUnaryOperator
{
    public float Invoke(float x) => MathF.Abs(x);

    public Vector<float> Invoke(Vector<float> x) => Vector.Abs(x);
}

/// <summary>numpy.clip: v = x &lt; lo ? lo : x; then v &gt; hi ? hi : v. NaN stays NaN; lo &gt; hi gives hi everywhere. No bound: ±inf.</summary>
public readonly struct ClipOperator(float lo, float hi) : IUnaryOperator
{
    public float Invoke(float x)
    {
        float v = x < lo ? lo : x;
        return v > hi ? hi : v;
    }

    public Vector<float> Invoke(Vector<float> x)
    {
        var vlo = new Vector<float>(lo);
        var vhi = new Vector<float>(hi);
        var v = Vector.ConditionalSelect(Vector.LessThan(x, vlo), vlo, x);
        return Vector.ConditionalSelect(Vector.GreaterThan(v, vhi), vhi, v);
    }
}

/// <summary>x + value, one float32 addition.</summary>
public readonly struct AddValueOperator(float value) : IUnaryOperator
{
    public float Invoke(float x) => x + value;

    public Vector<float> Invoke(Vector<float> x) => x + new Vector<float>(value);
}

/// <summary>x - value, one float32 subtraction.</summary>
public readonly struct SubtractValueOperator(float value) : IUnaryOperator
{
    public float Invoke(float x) => x - value;

    public Vector<float> Invoke(Vector<float> x) => x - new Vector<float>(value);
}

/// <summary>x * value, one float32 multiplication.</summary>
public readonly struct MultiplyValueOperator(float value) : IUnaryOperator
{
    public float Invoke(float x) => x * value;

    public Vector<float> Invoke(Vector<float> x) => x * new Vector<float>(value);
}

/// <summary>x + y, one float32 addition.</summary>
public readonly struct AddOperator : IBinaryOperator
{
    public float Invoke(float x, float y) => x + y;

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) => x + y;
}

/// <summary>x - y, one float32 subtraction.</summary>
public readonly struct SubtractOperator : IBinaryOperator
{
    public float Invoke(float x, float y) => x - y;

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) => x - y;
}

/// <summary>x * y, one float32 multiplication.</summary>
public readonly struct MultiplyOperator : IBinaryOperator
{
    public float Invoke(float x, float y) => x * y;

    public Vector<float> Invoke(Vector<float> x, Vector<float> y) => x * y;
}

/// <summary>(float)(((double)x - offset) * scale): computed in double, rounded once (normalize's last pass).</summary>
public readonly struct ShiftScaleOperator(double offset, double scale) : IUnaryOperator
{
    public float Invoke(float x) => (float)((x - offset) * scale);

    public Vector<float> Invoke(Vector<float> x)
    {
        var vo = new Vector<double>(offset);
        var vs = new Vector<double>(scale);
        Vector.Widen(x, out var a, out var b);
        return Vector.Narrow((a - vo) * vs, (b - vo) * vs);
    }
}
