using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Text;

namespace XRayFlow.Core.Ops.Measure;

/// <summary>
/// Labelling and the component filters of skimage.morphology / skimage.segmentation, on float32 arrays (a stack frame by
/// frame). Components are found as runs (<see cref="RunLabels"/>); every output pixel is written.
/// </summary>
public static class Components
{
    /// <summary>The largest label a float32 value holds exactly (2^24): label counts and label values beyond it are refused.</summary>
    public const int MaxLabel = 1 << 24;

    /// <summary>
    /// scipy.ndimage.label(x != 0, structure): components of nonzero pixels (NaN counts as nonzero, as in NumPy),
    /// numbered 1, 2, ... in raster order of their first pixel, background 0. On a stack, frame by frame with one
    /// numbering across the frames (frame 2's first label follows frame 1's last): SciPy's label of the stack with the
    /// structure [zeros, s, zeros], which joins nothing across frames.
    /// </summary>
    /// <exception cref="LabelException">More than <see cref="MaxLabel"/> components (float32 would not hold them exactly).</exception>
    public static (ImageArray Labels, long Count) Label(ImageArray src, Neighbours nb, int threads) => Label(src, nb, threads, MaxLabel);

    /// <summary>As <see cref="Label(ImageArray, Neighbours, int)"/> with another limit on the count (tests reach it on small images).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (ImageArray Labels, long Count) Label(ImageArray src, Neighbours nb, int threads, long maxCount)
    {
        var dst = ImageArray.Rent(src);
        var bits = src.Mask;
        long total = 0;
        for (int n = 0; n < src.Frames; n++)
        {
            using var runs = Runs(src, bits, n, nb, threads);
            if (total + runs.Count > maxCount)
            {
                PixelPool.Shared.Return(dst.Data);
                throw new LabelException($"the image has more than {maxCount} components ({total + runs.Count} so far); labels are float32 values, exact only up to 2^24 = {MaxLabel}");
            }

            var value = new float[runs.Count + 1];
            for (int c = 1; c <= runs.Count; c++)
            {
                value[c] = total + c;
            }

            runs.Paint(dst.Frame(n), value, 0f, threads);
            total += runs.Count;
        }

        return (dst, total);
    }

    /// <summary>
    /// skimage.morphology.remove_small_objects(ar, min_size, connectivity) (0.19): a mask (every value 0 or 1, NumPy's
    /// bool) is labelled with generate_binary_structure(2, connectivity) and components of fewer than
    /// <paramref name="minSize"/> pixels become 0 (the output is 0/1); a label image (whole values from 0 to 2^24) has
    /// each label's pixel count compared, wherever its pixels are (connectivity unused), and the small labels become 0.
    /// min_size 0 returns the input. A stack: frame by frame (a label's pixels are counted within its frame).
    /// </summary>
    /// <exception cref="LabelException">The values are neither a mask nor labels.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ImageArray RemoveSmallObjects(ImageArray src, int minSize, Neighbours nb, int threads, string op)
    {
        if (src.Mask is { } bits)
        {
            return FilterMask(src, bits, nb, threads, sizes => SizeAtLeast(sizes, minSize));
        }

        var kind = Classify(src, op);
        if (minSize == 0)
        {
            var copy = ImageArray.Rent(src);
            src.Data.AsSpan().CopyTo(copy.Data);
            return copy;
        }

        if (kind.IsMask)
        {
            return FilterMask(src, null, nb, threads, sizes => SizeAtLeast(sizes, minSize));
        }

        var dst = ImageArray.Rent(src);

        for (int f = 0; f < src.Frames; f++)
        {
            var counts = LabelCounts.Of(src.Frame(f), kind.MaxLabel);
            counts.KeepWhere(src.Frame(f), dst.Frame(f), label => counts[label] >= minSize);
        }

        return dst;
    }

    /// <summary>
    /// skimage.morphology.remove_small_holes(ar, area_threshold, connectivity) (0.19) on each frame: the logical_not of
    /// remove_small_objects(logical_not(ar), area_threshold, connectivity), so every component of zero pixels (a hole,
    /// or a stretch of background at the edge) of fewer than <paramref name="areaThreshold"/> pixels becomes 1. The input
    /// is read as skimage's bool cast (nonzero, NaN included, is 1); the result is 0/1, held as bits.
    /// </summary>
    public static ImageArray RemoveSmallHoles(ImageArray src, int areaThreshold, Neighbours nb, int threads)
    {
        var packed = src.Mask is null ? PackedMask.Pack(src) : null;
        var zeros = PackedMask.Complement(src.Mask ?? packed!);
        packed?.Release();
        try
        {
            var kept = FilterMask(src, zeros, nb, threads, sizes => SizeAtLeast(sizes, areaThreshold));
            var filled = PackedMask.Complement(kept.Mask!);
            kept.ReleaseMask();
            return ImageArray.FromMask(filled, src.IsStack);
        }
        finally
        {
            zeros.Release();
        }
    }

    /// <summary>
    /// skimage.segmentation.clear_border(labels, buffer_size, bgval) (0.19) on each frame, as skimage computes it on a
    /// float image: the values are cast to int64 (truncated toward zero, <see cref="RunLabels.Key"/>; |x| &lt; 1 is
    /// background) and labelled with full connectivity, equal values joining (skimage.measure.label(x, background=0));
    /// every object with a pixel within buffer_size + 1 pixels of the frame's edge gets <paramref name="bgval"/>, and so
    /// does the background (every pixel whose value truncates to 0) when it reaches that band too (skimage clears the
    /// background's label 0 as well: a visible change only when bgval is not 0 or a value is fractional). Every other
    /// pixel keeps its value.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    /// <param name="mask">skimage's <c>mask</c> (frame by frame): when given, the border is every pixel where it is 0
    /// (<c>borders = ~mask</c>) and <paramref name="bufferSize"/> is not used, as skimage ignores it.</param>
    public static ImageArray ClearBorder(ImageArray src, int bufferSize, float bgval, int threads, ImageArray? mask = null)
    {
        var dst = ImageArray.Rent(src);
        int rows = src.Rows, cols = src.Cols;
        int ext = bufferSize + 1;
        for (int n = 0; n < src.Frames; n++)
        {
            var frame = src.Frame(n);
            using var runs = RunLabels.Find(frame, rows, cols, Neighbours.Square, equalValues: true, threads);
            var clear = new bool[runs.Count + 1];
            var start = runs.Start;
            var end = runs.End;
            var label = runs.Label;
            var inside = mask is null ? default : mask.Frame(n);
            for (int row = 0; row < rows; row++)
            {
                bool edgeRow = row < ext || row >= rows - ext;
                for (int i = runs.RowStart[row], iEnd = runs.RowStart[row + 1]; i < iEnd; i++)
                {
                    bool border = mask is null
                        ? edgeRow || start[i] < ext || end[i] > cols - ext
                        : inside.Slice((row * cols) + start[i], end[i] - start[i]).Contains(0f); // a pixel of the run outside the mask
                    if (border)
                    {
                        clear[label[i]] = true;
                    }
                }
            }

            // Background on the border: skimage's label 0 is cleared too. The runs cover every pixel whose value does
            // not truncate to 0, so the background is exactly the gaps between them.
            bool background = mask is null ? BackgroundInBand(frame, rows, cols, ext) : BackgroundOutside(frame, inside);
            runs.CopyClearing(frame, dst.Frame(n), clear, bgval, threads, clearGaps: background);
        }

        return dst;
    }

    /// <summary>True when a background pixel (its value truncates to 0) lies outside the mask (where it is 0).</summary>
    private static bool BackgroundOutside(ReadOnlySpan<float> frame, ReadOnlySpan<float> mask)
    {
        for (int k = 0; k < frame.Length; k++)
        {
            if (mask[k] == 0f && RunLabels.Key(frame[k]) == 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when a pixel within <paramref name="ext"/> pixels of the edge is background (its value truncates to 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool BackgroundInBand(ReadOnlySpan<float> frame, int rows, int cols, int ext)
    {
        for (int row = 0; row < rows; row++)
        {
            var line = frame.Slice(row * cols, cols);
            bool edgeRow = row < ext || row >= rows - ext;
            for (int c = 0; c < cols; c++)
            {
                if (!edgeRow && c == ext && cols - ext > ext)
                {
                    c = cols - ext; // skip the inside of the row
                }

                if (RunLabels.Key(line[c]) == 0)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Keeps the <paramref name="n"/> largest components (by pixel count) and sets every other foreground pixel to 0. A
    /// mask (every value 0 or 1) is labelled with the connectivity's structure (output 0/1); a label image (whole values
    /// 0 to 2^24) keeps its n largest labels with their values. Ties go to the earlier component: the lower label, which
    /// for a mask is the component whose first pixel comes first in raster order. Fewer than n components: all are kept.
    /// A stack: the n largest of each frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static ImageArray KeepLargest(ImageArray src, int n, Neighbours nb, int threads, string op)
    {
        if (src.Mask is { } bits)
        {
            return FilterMask(src, bits, nb, threads, sizes => Largest(sizes, n));
        }

        var kind = Classify(src, op);
        if (kind.IsMask)
        {
            return FilterMask(src, null, nb, threads, sizes => Largest(sizes, n));
        }

        var dst = ImageArray.Rent(src);

        for (int f = 0; f < src.Frames; f++)
        {
            var counts = LabelCounts.Of(src.Frame(f), kind.MaxLabel);
            var keep = counts.Largest(n);
            counts.KeepWhere(src.Frame(f), dst.Frame(f), keep.Contains);
        }

        return dst;
    }

    /// <summary>The runs of frame <paramref name="n"/>: from the mask's words when the array is held as bits, else from its pixels.</summary>
    private static RunLabels Runs(ImageArray src, PackedMask? bits, int n, Neighbours nb, int threads)
        => bits is not null ? RunLabels.Find(bits, n, nb, threads) : RunLabels.Find(src.Frame(n), src.Rows, src.Cols, nb, equalValues: false, threads);

    /// <summary>
    /// A component filter on a mask (values 0/1, or held as bits: <paramref name="bits"/>): frame by frame, the components
    /// <paramref name="keep"/> picks from their sizes (index 1..count) stay 1, the rest become 0. The 0/1 result is held
    /// as bits (docs/runner.md "Masks as bits"): the next mask step reads it without packing, a float32 reader gets
    /// exactly the 0f / 1f it would have read.
    /// </summary>
    private static ImageArray FilterMask(ImageArray src, PackedMask? bits, Neighbours nb, int threads, Func<long[], bool[]> keep)
    {
        var dst = PackedMask.Rent(src.Frames, src.Rows, src.Cols);
        for (int f = 0; f < src.Frames; f++)
        {
            using var runs = Runs(src, bits, f, nb, threads);
            runs.PaintBits(dst, f, keep(runs.Sizes()));
        }

        return ImageArray.FromMask(dst, src.IsStack);
    }

    /// <summary>keep[c] = sizes[c] &gt;= minSize for c = 1..; keep[0] (background) false.</summary>
    private static bool[] SizeAtLeast(long[] sizes, int minSize)
    {
        var keep = new bool[sizes.Length];
        for (int c = 1; c < sizes.Length; c++)
        {
            keep[c] = sizes[c] >= minSize;
        }

        return keep;
    }

    /// <summary>keep[c] for the <paramref name="n"/> largest of sizes[1..]; ties go to the lower index.</summary>
    internal static bool[] Largest(long[] sizes, int n)
    {
        var keep = new bool[sizes.Length];
        int count = sizes.Length - 1;
        if (n >= count)
        {
            Array.Fill(keep, true);
            keep[0] = false;
            return keep;
        }

        var order = new int[count];
        for (int c = 0; c < count; c++)
        {
            order[c] = c + 1;
        }

        Array.Sort(order, (a, b) => sizes[a] != sizes[b] ? sizes[b].CompareTo(sizes[a]) : a.CompareTo(b));
        for (int k = 0; k < n; k++)
        {
            keep[order[k]] = true;
        }

        return keep;
    }

    /// <summary>What the values of an array are: a mask (only 0 and 1), or labels (whole numbers 0 to 2^24) with their largest.</summary>
    internal readonly record struct LabelKind(bool IsMask, int MaxLabel);

    /// <summary>A mask or a label image; anything else is refused naming the first offending pixel.</summary>
    /// <exception cref="LabelException">A value is negative, fractional, not finite or above 2^24.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static LabelKind Classify(ImageArray src, string op)
    {
        var data = src.Data;
        bool mask = true;
        float max = 0;
        int k = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // 8 values at a time while every value is a valid label (0, or a whole number in 1..MaxLabel; NaN fails each
            // comparison): whether one is neither 0 nor 1 (not a mask) and the largest. The first block holding anything
            // else goes on below, one by one, so the refusal names the first offending pixel. (The vector loop used to
            // stop at the first value other than 0 and 1, so a label image was classified value by value: about 1 ms
            // of regionprops' 4 on a 1024 x 1024 image.)
            var zero = Vector256<float>.Zero;
            var one = Vector256.Create(1f);
            var top = Vector256.Create((float)MaxLabel);
            var other = Vector256<float>.Zero;
            var vmax = Vector256<float>.Zero;
            ref float d0 = ref MemoryMarshal.GetArrayDataReference(data);
            for (; k <= data.Length - 8; k += 8)
            {
                var v = Vector256.LoadUnsafe(ref d0, (nuint)k);
                var valid = Vector256.GreaterThanOrEqual(v, zero) & Vector256.LessThanOrEqual(v, top) & Vector256.Equals(v, Vector256.Floor(v));
                if (valid.ExtractMostSignificantBits() != 0xFFu)
                {
                    break;
                }

                other |= ~(Vector256.Equals(v, zero) | Vector256.Equals(v, one));
                vmax = Vector256.Max(vmax, v);
            }

            mask = other == Vector256<float>.Zero;
            for (int l = 0; l < Vector256<float>.Count; l++)
            {
                max = Math.Max(max, vmax[l]);
            }
        }

        for (; k < data.Length; k++)
        {
            float v = data[k];
            if (v == 0 || v == 1)
            {
                max = Math.Max(max, v);
                continue;
            }

            if (!(v > 0 && v <= MaxLabel && v == MathF.Floor(v)))
            {
                throw new LabelException($"{op} takes a mask (0 and 1) or a label image (whole numbers 0 to {MaxLabel}); {Where(src, k)} is {RoundTrip.Format(v)}");
            }

            mask = false;
            max = Math.Max(max, v);
        }

        return new LabelKind(mask, (int)max);
    }

    /// <summary>"the pixel at row r, column c" (and frame n of a stack) of flat index k.</summary>
    internal static string Where(ImageArray a, int k)
    {
        int frame = k / a.FrameLength, rest = k % a.FrameLength;
        string at = $"the pixel at row {rest / a.Cols}, column {rest % a.Cols}";
        return a.IsStack ? $"{at} of frame {frame}" : at;
    }
}

/// <summary>A label image's values were refused (negative, fractional, too many labels...); the message says which pixel.</summary>
public sealed class LabelException(string message) : InvalidOperationException(message);

/// <summary>
/// Pixels per label value of a label image (whole values 0 to 2^24, checked by the caller): an array indexed by label when
/// the largest label is within a few times the pixel count, else a dictionary (a 64 x 64 image may hold label 2^24).
/// </summary>
internal sealed class LabelCounts
{
    private readonly int[]? _dense;
    private readonly Dictionary<int, int>? _sparse;

    private LabelCounts(int[]? dense, Dictionary<int, int>? sparse)
    {
        _dense = dense;
        _sparse = sparse;
    }

    /// <summary>Pixels of label <paramref name="label"/> (0 when absent).</summary>
    public int this[int label] => _dense is not null ? (label < _dense.Length ? _dense[label] : 0) : _sparse!.GetValueOrDefault(label);

    /// <summary>Counts of every label in <paramref name="data"/>, whose largest is <paramref name="max"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static LabelCounts Of(ReadOnlySpan<float> data, int max)
    {
        if (max <= Math.Max(65536L, 4L * data.Length))
        {
            var counts = new int[max + 1];
            foreach (float v in data)
            {
                counts[(int)v]++;
            }

            return new LabelCounts(counts, null);
        }

        var sparse = new Dictionary<int, int>();
        foreach (float v in data)
        {
            int l = (int)v;
            sparse[l] = sparse.GetValueOrDefault(l) + 1;
        }

        return new LabelCounts(null, sparse);
    }

    /// <summary>The labels above 0 that occur, ascending.</summary>
    private List<int> Present()
    {
        var present = new List<int>();
        if (_dense is not null)
        {
            for (int l = 1; l < _dense.Length; l++)
            {
                if (_dense[l] > 0)
                {
                    present.Add(l);
                }
            }
        }
        else
        {
            present.AddRange(_sparse!.Keys.Where(l => l > 0));
            present.Sort();
        }

        return present;
    }

    /// <summary>The n largest labels above 0 (ties: the lower label).</summary>
    public HashSet<int> Largest(int n)
    {
        var present = Present();
        present.Sort((a, b) => this[a] != this[b] ? this[b].CompareTo(this[a]) : a.CompareTo(b));
        return [.. present.Take(n)];
    }

    /// <summary>dst = src where keep(label) for a label above 0, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void KeepWhere(ReadOnlySpan<float> src, Span<float> dst, Func<int, bool> keep)
    {
        if (_dense is not null)
        {
            var keepOf = new bool[_dense.Length];
            for (int l = 1; l < keepOf.Length; l++)
            {
                keepOf[l] = _dense[l] > 0 && keep(l);
            }

            for (int k = 0; k < src.Length; k++)
            {
                float v = src[k];
                dst[k] = keepOf[(int)v] ? v : 0f;
            }

            return;
        }

        var kept = Present().Where(keep).ToHashSet();
        for (int k = 0; k < src.Length; k++)
        {
            float v = src[k];
            dst[k] = kept.Contains((int)v) ? v : 0f;
        }
    }
}
