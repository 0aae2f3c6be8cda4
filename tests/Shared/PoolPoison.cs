using System.Runtime.CompilerServices;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Tests.Shared;

/// <summary>
/// Every test runs with a poisoned pixel pool: rented output arrays start as NaN, so an op that leaves an
/// element unwritten fails the value comparisons instead of passing on a lucky zero (see PixelPool).
/// Linked into every test project by tests/Directory.Build.props.
/// </summary>
internal static class PoolPoison
{
    [ModuleInitializer]
    internal static void Enable()
    {
        PixelPool.Poison = true;
        Environment.SetEnvironmentVariable("XRAYFLOW_POOL_POISON", "1"); // and for xrayflow child processes
    }
}
