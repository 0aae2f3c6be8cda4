using System.Numerics;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline.Execution;

namespace XRayFlow.Pipeline.Reporting;

/// <summary>What a value is, for the report.</summary>
public enum SummaryKind
{
    /// <summary>An image or a stack (float32, or complex64 shown as its magnitude).</summary>
    Array,

    /// <summary>A table of named numbers (statistics, a histogram).</summary>
    Table,

    /// <summary>One number per image.</summary>
    Scalar,
}

/// <summary>
/// What the run report shows of one value, made while the run holds it (no second run): for an array, its shape
/// and dtype, the count, min, max and mean of its finite values (a complex array: of |z|), how many NaN and
/// infinite values it has, a thumbnail of its first frame (box means of <see cref="ThumbFactor"/> x ThumbFactor
/// pixels, non-finite pixels left out) and a <see cref="HistogramBins"/>-bin histogram over [min, max] of the
/// finite values at every <see cref="SampleStride"/>-th row and column (every pixel when the array has at most
/// <see cref="MaxSamples"/>); for a table, its fields; for a scalar, its number.
/// </summary>
public sealed class ValueSummary
{
    /// <summary>The longest side of a thumbnail, at most.</summary>
    public const int ThumbSize = 192;

    /// <summary>Bins of the histogram.</summary>
    public const int HistogramBins = 64;

    /// <summary>About how many pixels the histogram counts, at most (every pixel below this).</summary>
    public const int MaxSamples = 65536;

    public required SummaryKind Kind { get; init; }

    /// <summary>[rows, cols] or [frames, rows, cols]; empty for tables and scalars.</summary>
    public int[] Shape { get; init; } = [];

    public bool IsStack { get; init; }

    public bool IsComplex { get; init; }

    public string Dtype => Kind switch
    {
        SummaryKind.Array => IsComplex ? "complex64" : "float32",
        SummaryKind.Scalar => "float64",
        _ => "table",
    };

    /// <summary>Number of elements (of all frames).</summary>
    public long Count { get; init; }

    /// <summary>Finite elements (the statistics' population).</summary>
    public long Finite { get; init; }

    public long NaNs { get; init; }

    public long Infinities { get; init; }

    /// <summary>Smallest finite value (of |z| for complex), NaN when none.</summary>
    public double Min { get; init; } = double.NaN;

    public double Max { get; init; } = double.NaN;

    public double Mean { get; init; } = double.NaN;

    /// <summary>The first frame's thumbnail, row-major, <see cref="ThumbRows"/> x <see cref="ThumbCols"/> (NaN where a cell has no finite pixel).</summary>
    public float[] Thumb { get; init; } = [];

    public int ThumbRows { get; init; }

    public int ThumbCols { get; init; }

    /// <summary>Each thumbnail pixel is the mean of a ThumbFactor x ThumbFactor box.</summary>
    public int ThumbFactor { get; init; } = 1;

    /// <summary>Counts of <see cref="HistogramBins"/> equal bins over [<see cref="Min"/>, <see cref="Max"/>] (the last bin closed).</summary>
    public long[] Histogram { get; init; } = [];

    /// <summary>The histogram counts the pixels of every SampleStride-th row and column (1: all of them).</summary>
    public int SampleStride { get; init; } = 1;

    /// <summary>How many pixels the histogram counted (finite ones among the sampled).</summary>
    public long HistogramCount { get; init; }

    /// <summary>The fields of a table value.</summary>
    public IReadOnlyList<KeyValuePair<string, object>> Table { get; init; } = [];

    /// <summary>The number of a scalar value.</summary>
    public double Scalar { get; init; } = double.NaN;

    /// <summary>Numbers an op computed with its array (label's count...).</summary>
    public IReadOnlyDictionary<string, double> Attributes { get; init; } = new Dictionary<string, double>();

    /// <summary>The summary of a whole value.</summary>
    public static ValueSummary Of(Value value)
    {
        switch (value)
        {
            case ArrayValue a:
                var builder = new SummaryBuilder(a.Array);
                builder.Add(0, a.Array.Data, a.Array.Imag);
                return builder.Build(a.Attributes);
            case TableValue t:
                return new ValueSummary { Kind = SummaryKind.Table, Table = t.Fields };
            case ScalarValue s:
                return new ValueSummary { Kind = SummaryKind.Scalar, Scalar = s.Number, Count = 1 };
            default:
                return new ValueSummary { Kind = SummaryKind.Table };
        }
    }
}

/// <summary>
/// Accumulates a <see cref="ValueSummary"/> of an array from runs of its pixels given in any order (a whole array,
/// or a fused chain's blocks from several threads): one pass, no copy of the array.
/// </summary>
internal sealed class SummaryBuilder : IFusedValueSink
{
    private readonly object _gate = new();
    private readonly int _frames;
    private readonly int _rows;
    private readonly int _cols;
    private readonly bool _isStack;
    private readonly bool _complex;
    private readonly int _factor;
    private readonly int _thumbRows;
    private readonly int _thumbCols;
    private readonly double[] _cellSum;
    private readonly int[] _cellCount;
    private readonly int _stride;
    private readonly int _sampleRows;
    private readonly int _sampleCols;
    private readonly float[] _samples;
    private readonly Action<ValueSummary>? _completed;
    private double _min = double.PositiveInfinity;
    private double _max = double.NegativeInfinity;
    private double _sum;
    private long _finite;
    private long _nans;
    private long _count;

    /// <param name="shape">The array's shape (its pixels are not read here).</param>
    /// <param name="completed">Called with the summary by <see cref="Completed"/> (the fused-chain use).</param>
    /// <param name="complex">Whether the pixels given will be complex (defaults to the shape's).</param>
    public SummaryBuilder(ImageArray shape, Action<ValueSummary>? completed = null, bool? complex = null)
    {
        _frames = shape.Frames;
        _rows = shape.Rows;
        _cols = shape.Cols;
        _isStack = shape.IsStack;
        _complex = complex ?? shape.IsComplex;
        _completed = completed;
        _factor = Math.Max(1, (Math.Max(_rows, _cols) + ValueSummary.ThumbSize - 1) / ValueSummary.ThumbSize);
        _thumbRows = (_rows + _factor - 1) / _factor;
        _thumbCols = (_cols + _factor - 1) / _factor;
        _cellSum = new double[_thumbRows * _thumbCols];
        _cellCount = new int[_thumbRows * _thumbCols];
        long length = (long)_frames * _rows * _cols;
        _stride = Math.Max(1, (int)Math.Ceiling(Math.Sqrt(length / (double)ValueSummary.MaxSamples)));
        _sampleRows = (_rows + _stride - 1) / _stride;
        _sampleCols = (_cols + _stride - 1) / _stride;
        _samples = new float[(long)_frames * _sampleRows * _sampleCols];
        _samples.AsSpan().Fill(float.NaN);
    }

    public void Block(int start, ReadOnlySpan<float> values) => Add(start, values, default);

    public void Completed() => _completed?.Invoke(Build(null));

    /// <summary>Pixels start .. start + re.Length - 1 (flat index); <paramref name="im"/> their imaginary parts when complex.</summary>
    public void Add(int start, ReadOnlySpan<float> re, ReadOnlySpan<float> im)
    {
        int frameLength = _rows * _cols;
        float[]? magnitude = _complex && !im.IsEmpty ? System.Buffers.ArrayPool<float>.Shared.Rent(_cols) : null;
        try
        {
            lock (_gate)
            {
                int k = 0;
                while (k < re.Length)
                {
                    int flat = start + k;
                    int frame = flat / frameLength;
                    int within = flat - (frame * frameLength);
                    int row = within / _cols;
                    int col = within - (row * _cols);
                    int n = Math.Min(_cols - col, re.Length - k);
                    ReadOnlySpan<float> segment = re.Slice(k, n);
                    if (magnitude is not null)
                    {
                        var imag = im.Slice(k, n);
                        for (int i = 0; i < n; i++)
                        {
                            magnitude[i] = MathF.Sqrt((segment[i] * segment[i]) + (imag[i] * imag[i]));
                        }

                        segment = magnitude.AsSpan(0, n);
                    }

                    Segment(segment, frame, row, col);
                    k += n;
                }
            }
        }
        finally
        {
            if (magnitude is not null)
            {
                System.Buffers.ArrayPool<float>.Shared.Return(magnitude);
            }
        }
    }

    /// <summary>One run of pixels of one row: statistics, the thumbnail's boxes, the histogram's samples.</summary>
    private void Segment(ReadOnlySpan<float> values, int frame, int row, int col)
    {
        Statistics(values);
        _count += values.Length;

        if (frame == 0)
        {
            int cellRow = (row / _factor) * _thumbCols;
            int end = col + values.Length;
            for (int cx = col / _factor; cx * _factor < end; cx++)
            {
                int from = Math.Max(col, cx * _factor);
                int to = Math.Min(end, (cx + 1) * _factor);
                double sum = 0;
                int count = 0;
                for (int c = from; c < to; c++)
                {
                    float v = values[c - col];
                    if (float.IsFinite(v))
                    {
                        sum += v;
                        count++;
                    }
                }

                _cellSum[cellRow + cx] += sum;
                _cellCount[cellRow + cx] += count;
            }
        }

        if (row % _stride == 0)
        {
            int first = ((col + _stride - 1) / _stride) * _stride;
            int baseIndex = (((frame * _sampleRows) + (row / _stride)) * _sampleCols);
            for (int c = first; c < col + values.Length; c += _stride)
            {
                _samples[baseIndex + (c / _stride)] = values[c - col];
            }
        }
    }

    /// <summary>Finite min, max, sum and count, and the NaN count, of one run (vectorised; sums in float per 4096 values, then double).</summary>
    private void Statistics(ReadOnlySpan<float> values)
    {
        var positive = new Vector<float>(float.PositiveInfinity);
        var negative = new Vector<float>(float.NegativeInfinity);
        int width = Vector<float>.Count;
        int k = 0;
        while (k < values.Length)
        {
            int chunkEnd = Math.Min(values.Length, k + 4096);
            var vmin = positive;
            var vmax = negative;
            var vsum = Vector<float>.Zero;
            var vfinite = Vector<int>.Zero;
            var vnumbers = Vector<int>.Zero;
            int vectorStart = k;
            for (; k + width <= chunkEnd; k += width)
            {
                var x = new Vector<float>(values.Slice(k, width));
                var finite = Vector.LessThan(Vector.Abs(x), positive); // false for NaN and +-inf
                vmin = Vector.Min(vmin, Vector.ConditionalSelect(finite, x, positive));
                vmax = Vector.Max(vmax, Vector.ConditionalSelect(finite, x, negative));
                vsum += Vector.ConditionalSelect(finite, x, Vector<float>.Zero);
                vfinite -= finite;                 // true lanes are -1
                vnumbers -= Vector.Equals(x, x);   // false only for NaN
            }

            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            double sum = 0;
            long numbers = 0;
            for (int i = 0; i < width; i++)
            {
                min = Math.Min(min, vmin[i]);
                max = Math.Max(max, vmax[i]);
                sum += vsum[i];
                _finite += vfinite[i];
                numbers += vnumbers[i];
            }

            _nans += (k - vectorStart) - numbers;
            for (; k < chunkEnd; k++)
            {
                float v = values[k];
                if (float.IsFinite(v))
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                    sum += v;
                    _finite++;
                }
                else if (float.IsNaN(v))
                {
                    _nans++;
                }
            }

            _min = Math.Min(_min, min);
            _max = Math.Max(_max, max);
            _sum += sum;
        }
    }

    /// <summary>The summary of what was added so far.</summary>
    public ValueSummary Build(IReadOnlyDictionary<string, double>? attributes)
    {
        lock (_gate)
        {
            bool any = _finite > 0;
            double min = any ? _min : double.NaN;
            double max = any ? _max : double.NaN;
            var thumb = new float[_cellSum.Length];
            for (int i = 0; i < thumb.Length; i++)
            {
                thumb[i] = _cellCount[i] > 0 ? (float)(_cellSum[i] / _cellCount[i]) : float.NaN;
            }

            var histogram = new long[ValueSummary.HistogramBins];
            long counted = 0;
            if (any)
            {
                double scale = max > min ? ValueSummary.HistogramBins / (max - min) : 0;
                foreach (float v in _samples)
                {
                    if (!float.IsFinite(v))
                    {
                        continue;
                    }

                    int bin = (int)((v - min) * scale);
                    histogram[Math.Clamp(bin, 0, ValueSummary.HistogramBins - 1)]++;
                    counted++;
                }
            }

            return new ValueSummary
            {
                Kind = SummaryKind.Array,
                Shape = _isStack ? [_frames, _rows, _cols] : [_rows, _cols],
                IsStack = _isStack,
                IsComplex = _complex,
                Count = _count,
                Finite = _finite,
                NaNs = _nans,
                Infinities = _count - _finite - _nans,
                Min = min,
                Max = max,
                Mean = any ? _sum / _finite : double.NaN,
                Thumb = thumb,
                ThumbRows = _thumbRows,
                ThumbCols = _thumbCols,
                ThumbFactor = _factor,
                Histogram = histogram,
                SampleStride = _stride,
                HistogramCount = counted,
                Attributes = attributes ?? new Dictionary<string, double>(),
            };
        }
    }
}
