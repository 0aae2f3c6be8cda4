namespace XRayFlow.Core.Ops;

/// <summary>How many inputs an op takes and in which forms (`in: a`, `in: [a, b]`, `in: {a: gx}`).</summary>
/// <param name="Min">Fewest inputs.</param>
/// <param name="Max">Most inputs.</param>
/// <param name="AllowsMap">`in` may be a map of variable names (expression ops); scalar steps may be mapped too.</param>
/// <param name="Doc">One line for the catalogue; for several inputs, their order (e.g. "labels, then the intensity image").</param>
/// <param name="RequiresStack">The (first) input must be a stack (N x H x W).</param>
/// <param name="AcceptsTables">Inputs may be tables (statistics, histograms) instead of arrays.</param>
/// <param name="AcceptsComplex">Complex arrays (an fft2 result) are accepted; otherwise they are refused (at bind time when known).</param>
/// <param name="SameShape">Several array inputs must have one shape (checked with known shapes, and before the op runs).</param>
/// <param name="MixesKinds">The array inputs may be a stack and an image (match_histograms' stack and its one reference); otherwise they are all images or all stacks (XRF1037).</param>
public sealed record InputSpec(int Min, int Max, bool AllowsMap = false, string Doc = "", bool RequiresStack = false, bool AcceptsTables = false, bool AcceptsComplex = false, bool SameShape = true, bool MixesKinds = false)
{
    public static InputSpec One { get; } = new(1, 1, Doc: "one array");

    public static InputSpec TwoOrMore { get; } = new(2, 64, Doc: "two or more arrays of one shape");

    public static InputSpec Two { get; } = new(2, 2, Doc: "two arrays of one shape");

    public static InputSpec Named { get; } = new(1, 64, AllowsMap: true, Doc: "arrays of one shape (and scalar steps); a map names them for expressions");

    /// <summary>"1 input", "2 inputs", "1 to 2 inputs", "2 or more inputs".</summary>
    public string Arity
    {
        get
        {
            static string Inputs(int n) => n == 1 ? "1 input" : $"{n} inputs";
            if (Min == Max)
            {
                return Inputs(Min);
            }

            return Max >= 64 ? $"{Min} or more inputs" : $"{Min} to {Max} inputs";
        }
    }
}
