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
/// in total; beyond that a returned array is left to the garbage collector, unless its length recurs: an array
/// whose length was rented before may displace free arrays of lengths nobody has rented since that earlier rent
/// (arrays of a size the work has moved on from), oldest first, where that makes room. So a run that moves to
/// larger images is not left with a pool full of the smaller sizes, allocating (and page-faulting) its new size
/// afresh every time (a 1 GiB output: 1.8 s a call instead of 60 ms), while lengths that all recur within one
/// cycle of the work (a pipeline's intermediates, item after item) never displace one another. It is thread-safe.
/// </para>
/// </summary>
public sealed class PixelPool
{
    /// <summary>Arrays shorter than this are not pooled (small arrays are cheap to allocate).</summary>
    public const int MinPooledLength = 4096;

    /// <summary>Lengths whose rents are remembered before those without a free array are forgotten.</summary>
    private const int MaxTrackedLengths = 4096;

    private readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> _free = new();
    private readonly Dictionary<int, (long Last, long Previous)> _rents = [];
    private readonly Lock _gate = new();
    private long _tick;
    private long _retainedBytes;
    private long _reused;
    private long _displaced;

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

    /// <summary>How many free arrays were dropped to make room for an array of a recurring length (for tests).</summary>
    public long Displaced => Interlocked.Read(ref _displaced);

    /// <summary>An array of exactly <paramref name="length"/> floats with undefined contents (NaN under <see cref="Poison"/>).</summary>
    public float[] Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        float[]? array = null;
        if (length >= MinPooledLength)
        {
            lock (_gate)
            {
                // The previous rent of this length, and this one: the cycle within which its length recurs.
                long now = ++_tick;
                _rents[length] = _rents.TryGetValue(length, out var r) ? (now, r.Last) : (now, 0);
                if (_rents.Count > MaxTrackedLengths)
                {
                    // Many sizes over a long run: forget the lengths that hold no free array (the rest keep their cycle).
                    foreach (int gone in _rents.Keys.Where(k => k != length && (!_free.TryGetValue(k, out var f) || f.IsEmpty)).ToList())
                    {
                        _rents.Remove(gone);
                    }
                }
            }
        }

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
            if (!MakeRoom(array.Length, bytes))
            {
                return;
            }
        }

        bag.Add(array);
    }

    /// <summary>
    /// Room for <paramref name="bytes"/> more (counted in <see cref="RetainedBytes"/> when this returns true): where
    /// <paramref name="length"/> was rented at least twice, the free arrays of lengths not rented since its previous
    /// rent are dropped, the least recently rented lengths first, until the new array fits; nothing is dropped when
    /// even all of them would not make room.
    /// </summary>
    private bool MakeRoom(int length, long bytes)
    {
        lock (_gate)
        {
            if (bytes > MaxRetainedBytes || !_rents.TryGetValue(length, out var own) || own.Previous == 0)
            {
                return false;
            }

            var stale = _free.Where(f => f.Key != length && !f.Value.IsEmpty && _rents.GetValueOrDefault(f.Key).Last < own.Previous)
                .OrderBy(f => _rents.GetValueOrDefault(f.Key).Last)
                .ToList();
            long need = Interlocked.Read(ref _retainedBytes) + bytes - MaxRetainedBytes;
            if (stale.Sum(f => 4L * f.Key * f.Value.Count) < need)
            {
                return false;
            }

            foreach (var (key, free) in stale)
            {
                while (need > 0 && free.TryTake(out _))
                {
                    Interlocked.Add(ref _retainedBytes, -4L * key);
                    Interlocked.Increment(ref _displaced);
                    need -= 4L * key;
                }
            }

            if (need > 0)
            {
                return false; // taken meanwhile by renters: what was dropped is dropped, the new array too
            }

            Interlocked.Add(ref _retainedBytes, bytes);
            return true;
        }
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
