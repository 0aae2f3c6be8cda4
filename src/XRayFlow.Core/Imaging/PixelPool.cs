using System.Collections.Concurrent;

namespace XRayFlow.Core.Imaging;

/// <summary>
/// Pixel arrays kept for reuse, keyed by exact length. Ops take their output arrays from here
/// (<see cref="ImageArray.Rent"/>) and the executor gives back every intermediate once its last reader has
/// run, so a pipeline's steady state allocates nothing: a fresh 1024 x 1024 float32 output is a 4 MiB
/// large-object allocation whose zeroing, page faults and Gen2 collections cost more than a 3-tap filter
/// (docs/performance.md).
/// <para>
/// A rented array's contents are UNDEFINED: only code that writes every element may rent. With
/// <see cref="Poison"/> set (the test projects set it for every test), every rented array is filled with
/// NaN first, so a kernel that leaves an element unwritten shows up as NaN in the fixture comparisons.
/// </para>
/// <para>
/// The pool keeps at most <see cref="MaxPerLength"/> arrays of one length and <see cref="MaxRetainedBytes"/>
/// in total; beyond that a returned array is left to the garbage collector. It is thread-safe.
/// </para>
/// </summary>
public sealed class PixelPool
{
    /// <summary>Arrays shorter than this are not pooled (small arrays are cheap to allocate).</summary>
    public const int MinPooledLength = 4096;

    private readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> _free = new();
    private long _retainedBytes;
    private long _reused;

    /// <param name="maxRetainedBytes">Total bytes kept (default: 1/16 of the memory the GC may use, at least 64 MiB, at most 2 GiB).</param>
    public PixelPool(long? maxRetainedBytes = null)
    {
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        MaxRetainedBytes = maxRetainedBytes ?? Math.Clamp(available / 16, 64L << 20, 2L << 30);
    }

    /// <summary>The process-wide pool the ops rent from and the executor returns to.</summary>
    public static PixelPool Shared { get; } = new();

    /// <summary>
    /// Fill every rented array with NaN (for tests: unwritten elements become visible). Set by the test
    /// projects, or for a whole process by the environment variable <c>XRAYFLOW_POOL_POISON=1</c>.
    /// </summary>
    public static bool Poison { get; set; } = Environment.GetEnvironmentVariable("XRAYFLOW_POOL_POISON") == "1";

    /// <summary>At most this many free arrays of one length.</summary>
    public int MaxPerLength { get; init; } = 16;

    /// <summary>At most this many bytes of free arrays in total.</summary>
    public long MaxRetainedBytes { get; }

    /// <summary>How many rents were served by a returned array (for tests and the profile).</summary>
    public long Reused => Interlocked.Read(ref _reused);

    /// <summary>Bytes currently held by free arrays.</summary>
    public long RetainedBytes => Interlocked.Read(ref _retainedBytes);

    /// <summary>An array of exactly <paramref name="length"/> floats with undefined contents (NaN under <see cref="Poison"/>).</summary>
    public float[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        float[]? array = null;
        if (length >= MinPooledLength && _free.TryGetValue(length, out var bag) && bag.TryTake(out array))
        {
            Interlocked.Add(ref _retainedBytes, -4L * length);
            Interlocked.Increment(ref _reused);
        }

        array ??= length >= MinPooledLength ? GC.AllocateUninitializedArray<float>(length) : new float[length];
        if (Poison)
        {
            array.AsSpan().Fill(float.NaN);
        }

        return array;
    }

    /// <summary>
    /// Gives an array back. The caller must hold the only reference that will ever be used again: a returned
    /// array is handed to the next renter and overwritten.
    /// </summary>
    public void Return(float[]? array)
    {
        if (array is null || array.Length < MinPooledLength)
        {
            return;
        }

        long bytes = 4L * array.Length;
        var bag = _free.GetOrAdd(array.Length, _ => []);
        if (bag.Count >= MaxPerLength)
        {
            return;
        }

        if (Interlocked.Add(ref _retainedBytes, bytes) > MaxRetainedBytes)
        {
            Interlocked.Add(ref _retainedBytes, -bytes);
            return;
        }

        bag.Add(array);
    }

    /// <summary>Gives back both parts of an array (see <see cref="Return(float[])"/>).</summary>
    public void Return(ImageArray? image)
    {
        if (image is null)
        {
            return;
        }

        Return(image.DataIfPresent); // an array made from a mask may never have had pixels
        Return(image.Imag);
        image.ReleaseMask();
    }

    /// <summary>Drops every free array.</summary>
    public void Clear()
    {
        foreach (var bag in _free.Values)
        {
            while (bag.TryTake(out var a))
            {
                Interlocked.Add(ref _retainedBytes, -4L * a.Length);
            }
        }
    }
}
