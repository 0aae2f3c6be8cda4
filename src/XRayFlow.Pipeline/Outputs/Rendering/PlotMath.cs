using System.Globalization;

namespace XRayFlow.Pipeline.Outputs.Rendering;

/// <summary>Tick placement and labels for plot axes and colour bars (in the spirit of matplotlib's MaxNLocator and ScalarFormatter).</summary>
internal static class PlotMath
{
    private static readonly double[] Steps = [1.0, 2.0, 2.5, 5.0, 10.0];

    /// <summary>At most about <paramref name="maxTicks"/> round tick values within [lo, hi] (step 1, 2, 2.5 or 5 times a power of ten).</summary>
    public static (double[] Ticks, double Step) NiceTicks(double lo, double hi, int maxTicks)
    {
        if (!(hi > lo) || !double.IsFinite(lo) || !double.IsFinite(hi))
        {
            return ([lo], 1.0);
        }

        double raw = (hi - lo) / Math.Max(1, maxTicks - 1);
        double scale = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = Steps.Select(s => s * scale).First(s => s >= raw * (1 - 1e-9));
        long first = (long)Math.Ceiling((lo / step) - 1e-9);
        long last = (long)Math.Floor((hi / step) + 1e-9);
        var ticks = new List<double>();
        for (long k = first; k <= last; k++)
        {
            double t = k * step;
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0.0 : t);
        }

        return (ticks.ToArray(), step);
    }

    /// <summary>
    /// Labels for ticks of that step: as many decimals as the step needs (judged relative to the step, so a step of
    /// 5e-8 gets its 8); an exponent factored out (returned, "1e-7") when the largest |tick| is 1e6 or more or below
    /// 1e-5 and not 0, as matplotlib's ScalarFormatter does outside its power limits (-5, 6).
    /// </summary>
    public static (string[] Labels, string? Offset) Labels(double[] ticks, double step)
    {
        double maxAbs = ticks.Length == 0 ? 0 : ticks.Max(Math.Abs);
        string? offset = null;
        double divisor = 1.0;
        if (maxAbs >= 1e6 || (maxAbs > 0 && maxAbs < 1e-5))
        {
            int exp = (int)Math.Floor(Math.Log10(maxAbs));
            divisor = Math.Pow(10, exp);
            offset = "1e" + exp.ToString(CultureInfo.InvariantCulture);
        }

        double s = step / divisor;
        int decimals = 0;
        while (decimals < 10 && Math.Abs((s * Math.Pow(10, decimals)) - Math.Round(s * Math.Pow(10, decimals))) > 1e-6 * s * Math.Pow(10, decimals))
        {
            decimals++;
        }

        var labels = ticks.Select(t => (t / divisor).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)).ToArray();
        return (labels, offset);
    }
}
