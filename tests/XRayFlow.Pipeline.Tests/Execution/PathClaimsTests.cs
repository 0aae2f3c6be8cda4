using XRayFlow.Pipeline.Running;

namespace XRayFlow.Pipeline.Tests.Execution;

/// <summary>The output-collision table keeps 64-bit hashes, not paths: its answers must still be exact.</summary>
public class PathClaimsTests
{
    private static readonly string[] Paths = ["/o/a.png", "/o/b.png", "/o/a.png", "/o/c.png", "/o/b.png", "/o/d.png"];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ClaimsAreExactEvenWhenEveryPathHasTheSameHash(bool collide)
    {
        // With collide, every path hashes alike: each answer then comes from the full comparison and the exact table.
        var claims = new PathClaims(k => Paths[k], 8, collide ? _ => 42UL : null);
        var outcomes = Enumerable.Range(0, Paths.Length).Select(k => claims.TryClaim(Paths[k], k, out long first) ? -1 : first).ToArray();

        Assert.Equal([-1L, -1, 0, -1, 1, -1], outcomes);
        Assert.True(claims.TryGet("/o/c.png", out long c));
        Assert.Equal(3, c);
        Assert.True(claims.TryGet("/o/d.png", out long d));
        Assert.Equal(5, d);
        Assert.False(claims.TryGet("/o/e.png", out _));
    }

    [Fact]
    public void TheHashIsFnv1a64()
    {
        // Published FNV-1a 64 test values (over bytes; for ASCII text the UTF-16 code units are the bytes).
        Assert.Equal(0xcbf29ce484222325UL, PathClaims.Hash(string.Empty));
        Assert.Equal(0xaf63dc4c8601ec8cUL, PathClaims.Hash("a"));
        Assert.Equal(0x85944171f73967e8UL, PathClaims.Hash("foobar"));
    }
}
