using System.Numerics;
using System.Runtime.CompilerServices;
using XRayFlow.Core.Imaging;

namespace XRayFlow.Core.Ops.Geometry;

/// <summary>
/// The vertical spline prefilter made band by band of whole rows, top to bottom, for a reader that goes down the
/// coefficient rows (the vertical pass of a zoom, a shift, a resize): the rows are read from the input once, in
/// order, and the coefficients are held only in a ring of <see cref="RingRows"/> rows, so neither they nor the
/// vertical pass's result go to memory as a whole image. One object per pole, chained (<see cref="Chain"/>): the
/// first reads the input, each next one the rows the one before has made final (orders 4 and 5 have two poles).
/// <para>
/// Meaning: <see cref="SplinePrefilter.ColumnsFrom"/> (the same float operations on the same values row by row, pole
/// after pole), except where a pass cannot see the whole column. The anticausal pass of a band [t0, t1) above the last
/// one starts <see cref="Reach"/> rows below it, at c[e - 1] = z / (z - 1) c+[e - 1] (the value for a column that is
/// constant from there down), and a first band below row <see cref="Reach"/> starts its causal pass at c+[s] =
/// g / (1 - z) x[s] (likewise), s = <see cref="Reach"/> rows above it. Either start's error is multiplied by z at every
/// row, so it is below 1e-16 of it where the band's rows begin: the same truncation the prefilter's own starting
/// values use on long lines (<see cref="SplinePrefilter.Start"/>). Values within about 1e-16 of a column's magnitude
/// of zero can differ from the whole-column prefilter (tested within 1e-9 of the largest value).
/// </para>
/// </summary>
internal sealed class SplineRowBands : IDisposable
{
    /// <summary>Rows of slack in the ring beyond a band and the warm-up: how far back a reader's taps may reach below the newest band.</summary>
    public const int Slack = 16;

    private readonly ReadOnlyMemory<float> x;
    private readonly int[] start;
    private readonly float[] cvalRow;
    private readonly SplineRowBands? source;
    private readonly int pole;
    private readonly int cols;
    private readonly int length;
    private readonly int band;
    private readonly float g;
    private readonly float z;
    private readonly int[] antiRows;
    private readonly float[] antiWeights;
    private readonly SplinePrefilterPlan plan;
    private readonly float[] ring;
    private readonly float[] warm;
    private readonly int reach;
    private readonly bool findRange;
    private int causalNext;
    private int causalFirst;
    private int made;
    private float least = float.PositiveInfinity;
    private float greatest = float.NegativeInfinity;
    private bool anyNan;
    private int firstRead = int.MaxValue;
    private int lastRead = -1;

    /// <summary>
    /// Pole <paramref name="pole"/>'s bands of <paramref name="band"/> rows, the first from row <paramref name="from"/>,
    /// over the rows <paramref name="source"/> makes final, or (no source) the coefficient matrix whose row t is
    /// x[start[t] ..][..cols] (or <paramref name="cvalRow"/> where start[t] is -1).
    /// </summary>
    private SplineRowBands(ReadOnlyMemory<float> x, int[] start, float[] cvalRow, SplineRowBands? source, int cols, SplinePrefilterPlan plan, int pole, int from, int band, bool findRange)
    {
        this.x = x;
        this.start = start;
        this.cvalRow = cvalRow;
        this.source = source;
        this.pole = pole;
        this.cols = cols;
        this.plan = plan;
        this.band = band;
        this.findRange = findRange && source is null;
        length = plan.Length;
        g = pole == 0 ? plan.Gain : 1f;
        z = plan.Poles[pole];
        (antiRows, antiWeights) = plan.Anticausal[pole];
        reach = Reach(plan);
        RingRows = RingRowsFor(plan, band);
        ring = Imaging.PixelPool.Shared.Rent(checked(RingRows * cols));
        warm = Imaging.PixelPool.Shared.Rent(checked(2 * cols));
        made = from;
        causalFirst = causalNext = FirstCausal(from, reach);
        ValidFrom = from;
    }

    /// <summary>
    /// The bands of every pole of <paramref name="plan"/> for a reader whose first row is <paramref name="from"/>: the
    /// last pole's object (the reader's rows; it disposes the ones before). With <paramref name="findRange"/> the input
    /// rows the first pole reads are also searched for their range (<see cref="Range"/>).
    /// </summary>
    public static SplineRowBands Chain(ReadOnlyMemory<float> x, int[] start, float[] cvalRow, int cols, SplinePrefilterPlan plan, int from, int band, bool findRange = false)
    {
        if (!Fits(plan, band, cols))
        {
            throw new ArgumentException("row bands need a plan whose anticausal starts read only its last rows, and bands at least Reach rows tall", nameof(plan));
        }

        // Each pole's first row is the row the next pole's causal pass starts at.
        int poles = plan.Poles.Length, reach = Reach(plan);
        var froms = new int[poles];
        froms[poles - 1] = from;
        for (int p = poles - 2; p >= 0; p--)
        {
            froms[p] = FirstCausal(froms[p + 1], reach);
        }

        SplineRowBands? stage = null;
        try
        {
            for (int p = 0; p < poles; p++)
            {
                stage = new SplineRowBands(x, start, cvalRow, stage, cols, plan, p, froms[p], band, findRange);
            }
        }
        catch
        {
            stage?.Dispose();
            throw;
        }

        return stage!;
    }

    private static int FirstCausal(int from, int reach) => from <= reach ? 0 : from - reach;

    /// <summary>Rows the ring holds (row t at slot t mod RingRows).</summary>
    public int RingRows { get; }

    /// <summary>The coefficient rows, row t at <see cref="Slot"/>(t) * cols: valid for rows <see cref="ValidFrom"/> .. <see cref="Made"/> - 1.</summary>
    public float[] Ring => ring;

    /// <summary>Final coefficient rows are made up to here (exclusive).</summary>
    public int Made => made;

    /// <summary>The lowest final row the ring still holds.</summary>
    public int ValidFrom { get; private set; }

    /// <summary>
    /// The input rows the first pole has read so far, as offsets into x (<c>start</c> values; First &gt; Last for none),
    /// and with <see cref="Chain"/>'s findRange their (nanmin, nanmax, any NaN) as
    /// <see cref="Imaging.Extremes.NanMinMax(ReadOnlySpan{float})"/> gives them, found while each row was in cache; min
    /// and max NaN when there is no value that is not NaN (or without findRange).
    /// </summary>
    public (int First, int Last, float Min, float Max, bool HasNan) Range => source is not null ? source.Range
        : (firstRead, lastRead, least > greatest ? float.NaN : least, least > greatest ? float.NaN : greatest, anyNan);

    /// <summary>
    /// Whether an input row the first pole has read holds NaN or an infinity. The whole-column prefilter carries such a
    /// value through the whole column, both ways (and SciPy's result is then NaN wherever the column is read), where the
    /// bands' truncated starts would stop it after Reach rows: the caller must then use the whole-column path. Found from
    /// the last causal row alone: the causal pass carries a non-finite value down every row after it (NaN stays NaN, an
    /// infinity stays infinite or meets the opposite one as NaN), and that row's final value is non-finite with it.
    /// </summary>
    public bool SawNonFinite()
    {
        if (source is not null)
        {
            return source.SawNonFinite();
        }

        if (causalNext <= causalFirst)
        {
            return false;
        }

        return !NonFinite.AllFinite<float>(ring.AsSpan(Slot(causalNext - 1) * cols, cols));
    }

    /// <summary>The ring slot of row t.</summary>
    public int Slot(int t) => t % RingRows;

    /// <summary>
    /// The rows a band's anticausal pass starts below it (and a first band's causal pass above it): |z|^Reach &lt; 1e-16
    /// for the plan's slowest pole (the largest |z|), one more.
    /// </summary>
    public static int Reach(SplinePrefilterPlan plan)
        => (int)Math.Ceiling(Math.Log(1e-16) / Math.Log(plan.Poles.Max(p => Math.Abs((double)p)))) + 1;

    /// <summary>The values a chain's rings may hold together (128 MiB): wider rows than that allows keep the whole-column path.</summary>
    public const long MaxRingValues = 1L << 25;

    /// <summary>A pole's ring: a band, its warm-up and the slack, or the whole column where that is shorter.</summary>
    public static int RingRowsFor(SplinePrefilterPlan plan, int band) => Math.Min(plan.Length, band + Reach(plan) + Slack);

    /// <summary>
    /// Whether bands can make this plan's coefficients for rows of <paramref name="cols"/> values: lines longer than the
    /// exact starts, every anticausal start from the last Reach rows only, bands at least Reach rows tall (a next pole's
    /// exact causal start reads the first Reach rows of the one before, all in its first band), and rings of at most
    /// <see cref="MaxRingValues"/> values together (a very wide image would otherwise hold more in its rings than the
    /// column blocks of the whole-column path).
    /// </summary>
    public static bool Fits(SplinePrefilterPlan plan, int band, int cols)
        => plan.Poles.Length >= 1 && plan.Length > SplinePrefilter.ExactStartLength && band >= Reach(plan)
            && (long)plan.Poles.Length * RingRowsFor(plan, band) * cols <= MaxRingValues
            && plan.Anticausal.All(a => a.Rows.All(r => r >= plan.Length - Reach(plan)))
            && plan.Causal.Skip(1).All(c => c.Rows.All(r => r < band));

    /// <summary>Makes bands until row <paramref name="need"/> (inclusive, at most the last row) is final.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void MakeThrough(int need)
    {
        while (made <= need && made < length)
        {
            int t0 = made, t1 = Math.Min(length, t0 + band);
            int e = Math.Min(length, t1 + reach);
            Causal(e);
            var span = ring.AsSpan();
            if (e == length)
            {
                // The last rows: the plan's exact start c[n-1] = sum b_k c+[k], made apart and then stored (as ColumnsFrom).
                var tmp = warm.AsSpan(0, cols);
                tmp.Clear();
                for (int k = 0; k < antiRows.Length; k++)
                {
                    SplinePrefilter.Axpy(tmp, span.Slice(Slot(antiRows[k]) * cols, cols), antiWeights[k] * 1f);
                }

                tmp.CopyTo(span.Slice(Slot(length - 1) * cols, cols));
                for (int t = length - 2; t >= t0; t--)
                {
                    SplinePrefilter.AnticausalRowFrom(span.Slice(Slot(t) * cols, cols), span.Slice(Slot(t) * cols, cols), span.Slice(Slot(t + 1) * cols, cols), z);
                }

                made = length;
            }
            else
            {
                // The warm-up rows t1 .. e - 1 in two scratch rows (the ring keeps their causal values for the next band).
                float s = (float)(z / (z - 1.0));
                var next = warm.AsSpan(0, cols);
                var cur = warm.AsSpan(cols, cols);
                var last = span.Slice(Slot(e - 1) * cols, cols);
                for (int c = 0; c < cols; c++)
                {
                    next[c] = s * last[c];
                }

                for (int t = e - 2; t >= t1; t--)
                {
                    SplinePrefilter.AnticausalRowFrom(cur, span.Slice(Slot(t) * cols, cols), next, z);
                    var swap = next;
                    next = cur;
                    cur = swap;
                }

                var below = (ReadOnlySpan<float>)next;
                for (int t = t1 - 1; t >= t0; t--)
                {
                    var row = span.Slice(Slot(t) * cols, cols);
                    SplinePrefilter.AnticausalRowFrom(row, row, below, z);
                    below = row;
                }

                made = t1;
            }

            ValidFrom = Math.Max(ValidFrom, causalNext - RingRows);
        }
    }

    /// <summary>The causal pass through row e - 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Causal(int e)
    {
        var span = ring.AsSpan();
        var src = x.Span;
        for (int t = causalNext; t < e; t++)
        {
            var row = span.Slice(Slot(t) * cols, cols);
            if (source is null && start[t] >= 0)
            {
                // Rows are read in order, so those read so far are one run of them (an edge row read again changes nothing).
                if (findRange)
                {
                    var (lo, hi, nan) = Imaging.Extremes.NanMinMax(src.Slice(start[t], cols));
                    anyNan |= nan;
                    if (!float.IsNaN(lo))
                    {
                        least = Math.Min(least, lo);
                        greatest = Math.Max(greatest, hi);
                    }
                }

                firstRead = Math.Min(firstRead, start[t]);
                lastRead = Math.Max(lastRead, start[t]);
            }

            if (t == 0)
            {
                var (rows, weights) = plan.Causal[pole];
                row.Clear();
                for (int k = 0; k < rows.Length; k++)
                {
                    SplinePrefilter.Axpy(row, Input(src, rows[k]), weights[k] * g);
                }
            }
            else if (t == causalFirst)
            {
                float s = (float)(g / (1.0 - z));
                var input = Input(src, t);
                for (int c = 0; c < cols; c++)
                {
                    row[c] = s * input[c];
                }
            }
            else
            {
                SplinePrefilter.CausalRowFrom(row, Input(src, t), span.Slice(Slot(t - 1) * cols, cols), g, z);
            }
        }

        causalNext = Math.Max(causalNext, e);
    }

    /// <summary>Row t of what this pole filters: the input's (or cval), or the pole before's final row t (made here if need be).</summary>
    private ReadOnlySpan<float> Input(ReadOnlySpan<float> src, int t)
    {
        if (source is null)
        {
            return start[t] < 0 ? cvalRow.AsSpan(0, cols) : src.Slice(start[t], cols);
        }

        source.MakeThrough(t);
        if (t < source.ValidFrom || t >= source.Made)
        {
            throw new InvalidOperationException($"row band: row {t} of pole {pole - 1} is not held ({source.ValidFrom}..{source.Made - 1})");
        }

        return source.ring.AsSpan(source.Slot(t) * cols, cols);
    }

    public void Dispose()
    {
        Imaging.PixelPool.Shared.Return(ring);
        Imaging.PixelPool.Shared.Return(warm);
        source?.Dispose();
    }
}
