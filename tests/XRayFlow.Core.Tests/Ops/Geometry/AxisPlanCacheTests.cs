using XRayFlow.Core.Ops.Geometry;

namespace XRayFlow.Core.Tests.Ops.Geometry;

/// <summary>The kept axis plans (<see cref="AxisPlan.ForZoom"/> and its kin): equal to a fresh plan, shared when the key is equal, never mixed up.</summary>
public class AxisPlanCacheTests
{
    private static void AssertSame(AxisPlan expected, AxisPlan got)
    {
        Assert.Equal((expected.CoefLength, expected.OutLength, expected.Taps, expected.AnyOutside, expected.AnyCval, expected.Span), (got.CoefLength, got.OutLength, got.Taps, got.AnyOutside, got.AnyCval, got.Span));
        Assert.Equal(expected.Index, got.Index);
        Assert.Equal(expected.Weight, got.Weight);
        Assert.Equal(expected.Outside, got.Outside);
    }

    [Fact]
    public void KeptPlansEqualFreshOnesForEveryKind()
    {
        foreach (var mode in Enum.GetValues<SplineMode>())
        {
            for (int order = 0; order <= BSpline.MaxOrder; order++)
            {
                foreach (var (n, m, grid, pad) in new[] { (37, 81, false, 0), (37, 81, true, 12), (100, 50, true, 0), (1, 5, false, 0) })
                {
                    var fresh = AxisPlan.Create(AxisPlan.ZoomCoordinates(n, m, grid, pad), n + (2 * pad), order, mode);
                    var kept = AxisPlan.ForZoom(n, m, grid, pad, order, mode);
                    AssertSame(fresh, kept);
                    AssertSame(fresh, AxisPlan.ForZoom(n, m, grid, pad, order, mode));
                }

                foreach (double shift in new[] { 0.0, -0.0, 2.5, -7.25 })
                {
                    AssertSame(AxisPlan.Create(AxisPlan.ShiftCoordinates(40, shift, 0), 40, order, mode), AxisPlan.ForShift(40, shift, 0, 40, order, mode));
                }

                AssertSame(AxisPlan.Create(AxisPlan.AffineCoordinates(30, 1.3, -2.0, 12), 48, order, mode), AxisPlan.ForAffine(30, 1.3, -2.0, 12, 48, order, mode));
            }
        }
    }

    [Fact]
    public void AnEqualKeyGetsTheSamePlanAndAnyOtherKeyItsOwn()
    {
        var a = AxisPlan.ForZoom(1024, 512, false, 0, 1, SplineMode.Constant);
        var b = AxisPlan.ForZoom(1024, 512, false, 0, 1, SplineMode.Constant);
        if (!ReferenceEquals(a, b))
        {
            // Another test filled the cache between the two calls and it started again: the next pair is kept.
            a = AxisPlan.ForZoom(1024, 512, false, 0, 1, SplineMode.Constant);
            b = AxisPlan.ForZoom(1024, 512, false, 0, 1, SplineMode.Constant);
        }

        Assert.Same(a, b);
        Assert.NotSame(a, AxisPlan.ForZoom(1024, 512, true, 0, 1, SplineMode.Constant));
        Assert.NotSame(a, AxisPlan.ForZoom(1024, 512, false, 0, 3, SplineMode.Constant));
        Assert.NotSame(a, AxisPlan.ForZoom(1024, 512, false, 0, 1, SplineMode.Nearest));
        Assert.NotSame(a, AxisPlan.ForZoom(1023, 512, false, 0, 1, SplineMode.Constant));
        Assert.Equal(2, a.Taps);

        // A shift and an affine plan with the same numbers are different plans (different coordinates).
        var shift = AxisPlan.ForShift(64, 1.5, 0, 64, 1, SplineMode.Reflect);
        var affine = AxisPlan.ForAffine(64, 1.5, 0.0, 0, 64, 1, SplineMode.Reflect);
        Assert.NotEqual(shift.Index, affine.Index);
    }

    [Fact]
    public void LargePlansAreMadeEachTimeAndStillRight()
    {
        // 40,000 outputs x 6 taps: past the kept size.
        var first = AxisPlan.ForZoom(20_000, 40_000, false, 12, 5, SplineMode.Nearest);
        var second = AxisPlan.ForZoom(20_000, 40_000, false, 12, 5, SplineMode.Nearest);
        Assert.NotSame(first, second);
        AssertSame(AxisPlan.Create(AxisPlan.ZoomCoordinates(20_000, 40_000, false, 12), 20_024, 5, SplineMode.Nearest), second);
    }
}
