namespace XRayFlow.Core.Ops.Filters;

/// <summary>How the taps of an odd-length kernel pair up around its centre.</summary>
public enum KernelSymmetry
{
    /// <summary>No pairing (or even length).</summary>
    None,

    /// <summary>w[c - m] == w[c + m] for every m.</summary>
    Symmetric,

    /// <summary>w[c - m] == -w[c + m] for every m, and w[c] == 0.</summary>
    Antisymmetric,
}

/// <summary>
/// A 1-D correlation kernel with SciPy's placement: for an input line x and output index i,
/// <c>out[i] = Σ_{k=0}^{L-1} w[k] · x̃[i + k − Before]</c> with <c>Before = L/2 + origin</c>
/// (integer division) and x̃ the line extended by the boundary mode. This is
/// scipy.ndimage.correlate1d(x, w, origin=origin).
/// </summary>
public sealed class Kernel1D
{
    public Kernel1D(IReadOnlyList<double> weights, int origin = 0)
    {
        if (weights.Count < 1)
        {
            throw new ArgumentException("a kernel needs at least one weight", nameof(weights));
        }

        int length = weights.Count;
        if ((length / 2) + origin < 0 || (length / 2) + origin >= length)
        {
            throw new ArgumentOutOfRangeException(nameof(origin), $"origin {origin} is invalid for a kernel of length {length}: need {-(length / 2)} <= origin <= {(length - 1) / 2}");
        }

        Weights64 = [.. weights];
        Weights = Weights64.Select(w => (float)w).ToArray();
        Origin = origin;
        Symmetry = Classify(Weights);
    }

    /// <summary>The weights as float32 (what the kernels multiply with).</summary>
    public float[] Weights { get; }

    /// <summary>The weights as computed, in double.</summary>
    public double[] Weights64 { get; }

    public int Origin { get; }

    public int Length => Weights.Length;

    /// <summary>How many samples before i the kernel reads (L/2 + origin).</summary>
    public int Before => (Length / 2) + Origin;

    /// <summary>How many samples after i the kernel reads.</summary>
    public int After => Length - 1 - Before;

    public KernelSymmetry Symmetry { get; }

    /// <summary>Σ|w| (the gain bound used by tolerances).</summary>
    public double AbsSum => Weights.Sum(w => Math.Abs((double)w));

    /// <summary>
    /// The kernel scipy.ndimage.gaussian_filter1d correlates with: SciPy's _gaussian_kernel1d(sigma, order,
    /// radius) reversed. phi(x) = exp(-x²/(2σ²)) / Σ phi over x = -radius..radius; for order n > 0 it is
    /// multiplied by the polynomial q_n with q_0 = 1, q_{n+1} = q_n' − x q_n / σ² (the n-th derivative of
    /// the Gaussian up to the normalisation). Radius defaults to int(truncate·σ + 0.5).
    /// </summary>
    public static Kernel1D Gaussian(double sigma, int order, double truncate = 4.0, int? radius = null)
    {
        if (!(sigma > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(sigma), "sigma must be > 0");
        }

        if (order < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(order), "order must be >= 0");
        }

        int r = radius ?? (int)((truncate * sigma) + 0.5);
        if (r < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(radius), "radius must be >= 0");
        }

        double sigma2 = sigma * sigma;
        var phi = new double[(2 * r) + 1];
        double sum = 0;
        for (int k = 0; k < phi.Length; k++)
        {
            double x = k - r;
            phi[k] = Math.Exp(-0.5 / sigma2 * (x * x));
            sum += phi[k];
        }

        for (int k = 0; k < phi.Length; k++)
        {
            phi[k] /= sum;
        }

        if (order > 0)
        {
            // q holds polynomial coefficients q[0] + q[1] x + ...; apply q <- q' - x q / sigma².
            var q = new double[order + 1];
            q[0] = 1;
            for (int n = 0; n < order; n++)
            {
                var next = new double[order + 1];
                for (int p = 1; p <= order; p++)
                {
                    next[p - 1] += p * q[p];
                }

                for (int p = 0; p < order; p++)
                {
                    next[p + 1] += -q[p] / sigma2;
                }

                q = next;
            }

            for (int k = 0; k < phi.Length; k++)
            {
                double x = k - r;
                double value = 0;
                double xp = 1;
                for (int p = 0; p <= order; p++)
                {
                    value += q[p] * xp;
                    xp *= x;
                }

                phi[k] *= value;
            }
        }

        Array.Reverse(phi);
        return new Kernel1D(phi);
    }

    /// <summary>SciPy's uniform_filter1d of the given size as a correlation: L weights of 1/L.</summary>
    public static Kernel1D Uniform(int size, int origin = 0)
    {
        if (size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size), "size must be >= 1");
        }

        return new Kernel1D(Enumerable.Repeat(1.0 / size, size).ToArray(), origin) { IsBox = true };
    }

    /// <summary>A box (uniform_filter) kernel: <see cref="SeparableFilter.Apply"/> runs boxes as box sums (column running sums in double, row doubling sums in float32).</summary>
    public bool IsBox { get; init; }

    private static KernelSymmetry Classify(float[] w)
    {
        int length = w.Length;
        if (length % 2 == 0 || length == 1)
        {
            return KernelSymmetry.None;
        }

        int c = length / 2;
        bool symmetric = true;
        bool antisymmetric = w[c] == 0f;
        for (int m = 1; m <= c; m++)
        {
            symmetric &= w[c - m] == w[c + m];
            antisymmetric &= w[c - m] == -w[c + m];
        }

        return symmetric ? KernelSymmetry.Symmetric : antisymmetric ? KernelSymmetry.Antisymmetric : KernelSymmetry.None;
    }
}
