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

/// <summary>
/// numpy.digitize(x, bins, right) of one float32 value: for increasing bins the number of bins b with b &lt;= x (b &lt; x
/// when right), for decreasing ones the number with b &gt; x (b &gt;= x when right); NaN gives len(bins) for increasing
/// bins and 0 for decreasing ones (numpy's searchsorted puts NaN last). numpy compares in float64; each bin here is the
/// float32 that decides the same comparison for every float32 x (<see cref="Of"/>).
/// </summary>
public readonly struct DigitizeOperator : IUnaryOperator
{
    private readonly float[] edges;
    private readonly bool above; // count edges e with x >= e (or x > e when strict); else with x < e (or x <= e)
    private readonly bool strict;
    private readonly float atNaN;

    private DigitizeOperator(float[] edges, bool above, bool strict, float atNaN) => (this.edges, this.above, this.strict, this.atNaN) = (edges, above, strict, atNaN);

    /// <summary>
    /// The operator for monotonic <paramref name="bins"/> (increasing or decreasing, as numpy requires; equal neighbours
    /// allowed). b &lt;= x is x &gt;= up(b), b &lt; x is x &gt; down(b), b &gt; x is x &lt; up(b), b &gt;= x is x &lt;= down(b), with
    /// up(b) the least float32 &gt;= b and down(b) the greatest float32 &lt;= b.
    /// </summary>
    public static DigitizeOperator Of(IReadOnlyList<double> bins, bool right)
    {
        bool increasing = Monotonicity(bins) >= 0;
        var edges = bins.Select(b => right ? Down(b) : Up(b)).ToArray();
        return new DigitizeOperator(edges, above: increasing, strict: right, atNaN: increasing ? bins.Count : 0);
    }

    /// <summary>numpy's _monotonicity: 1 increasing (non-strictly; all equal counts as increasing), -1 decreasing, 0 neither.</summary>
    public static int Monotonicity(IReadOnlyList<double> bins)
    {
        bool up = true, down = true;
        for (int k = 1; k < bins.Count; k++)
        {
            up &= bins[k] >= bins[k - 1];
            down &= bins[k] <= bins[k - 1];
        }

        return up ? 1 : down ? -1 : 0;
    }

    public float Invoke(float x)
    {
        if (float.IsNaN(x))
        {
            return atNaN;
        }

        int n = 0;
        foreach (float e in edges)
        {
            n += (above ? (strict ? x > e : x >= e) : (strict ? x <= e : x < e)) ? 1 : 0;
        }

        return n;
    }

    public Vector<float> Invoke(Vector<float> x)
    {
        var n = Vector<int>.Zero;
        foreach (float e in edges)
        {
            var v = new Vector<float>(e);
            n -= above ? (strict ? Vector.GreaterThan(x, v) : Vector.GreaterThanOrEqual(x, v)) : (strict ? Vector.LessThanOrEqual(x, v) : Vector.LessThan(x, v));
        }

        return Vector.ConditionalSelect(Vector.Equals(x, x), Vector.ConvertToSingle(n), new Vector<float>(atNaN));
    }

    public override string ToString() => $"Digitize([{string.Join(", ", edges)}], {(above ? "increasing" : "decreasing")}{(strict ? ", right" : "")})";

    private static float Up(double b)
    {
        float f = (float)b;
        return f >= b ? f : MathF.BitIncrement(f);
    }

    private static float Down(double b)
    {
        float f = (float)b;
        return f <= b ? f : MathF.BitDecrement(f);
    }
}
