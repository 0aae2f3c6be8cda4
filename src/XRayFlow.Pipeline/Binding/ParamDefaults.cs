using System.Globalization;
using XRayFlow.Core.Ops;

namespace XRayFlow.Pipeline.Binding;

/// <summary>A parameter's declared default in the shape the bound value has (a double, an int[], an <see cref="ExpressionValue"/>...).</summary>
internal static class ParamDefaults
{
    public static object? Of(ParamSpec spec)
    {
        object? d = spec.Default;
        if (d is null)
        {
            return null;
        }

        if (d is string word && spec.Type is not (ParamType.String or ParamType.Enum or ParamType.Expression))
        {
            return word; // one of the spec's Words
        }

        var inv = CultureInfo.InvariantCulture;
        return spec.Type switch
        {
            ParamType.Float => Convert.ToDouble(d, inv),
            ParamType.Int => Convert.ToInt32(d, inv),
            ParamType.FloatPerAxis or ParamType.FloatList => d switch
            {
                double[] a => a,
                IEnumerable<double> e => e.ToArray(),
                _ => new[] { Convert.ToDouble(d, inv) },
            },
            ParamType.IntPerAxis or ParamType.IntList => d switch
            {
                int[] a => a,
                IEnumerable<int> e => e.ToArray(),
                _ => new[] { Convert.ToInt32(d, inv) },
            },
            ParamType.Matrix => d switch
            {
                double[][] m => m,
                _ => new[] { new[] { Convert.ToDouble(d, inv) } },
            },
            ParamType.Expression => d switch
            {
                ExpressionValue ev => ev,
                string s => new ExpressionValue(s, null, null),
                _ => new ExpressionValue(null, Convert.ToDouble(d, inv), null),
            },
            _ => d,
        };
    }
}
