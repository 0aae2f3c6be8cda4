using XRayFlow.Core.Imaging;

namespace XRayFlow;

/// <summary>What a recipe output holds after <see cref="Recipe.Run"/>.</summary>
public enum RecipeValueKind
{
    /// <summary>An array: an image (rows x cols) or a stack (frames x rows x cols), float32, complex after fft2.</summary>
    Array,

    /// <summary>A table of scalars and small vectors (stats, histogram); one number (threshold_otsu, percentile) is the table <c>{"value": x}</c>.</summary>
    Table,

    /// <summary>A figure output (<c>panels:</c>): the value of each panel's source, in order.</summary>
    Figure,
}

/// <summary>
/// The value of one recipe output: what its <c>from</c> step computed, before any file format (no 8-bit
/// rounding, no colormap). Arrays are float32 in C order; tables hold double, long, string, double[] or long[].
/// </summary>
public sealed class RecipeValue
{
    internal RecipeValue(string name, string from, ImageArray? array, IReadOnlyDictionary<string, object>? table, IReadOnlyList<RecipeValue>? panels)
    {
        Name = name;
        From = from;
        Array = array;
        Table = table;
        Panels = panels ?? [];
        Kind = panels is not null ? RecipeValueKind.Figure : table is not null ? RecipeValueKind.Table : RecipeValueKind.Array;
    }

    /// <summary>The output's name (for a figure panel: the panel's source).</summary>
    public string Name { get; }

    /// <summary>The step or input the value comes from.</summary>
    public string From { get; }

    /// <summary>Array, table or figure.</summary>
    public RecipeValueKind Kind { get; }

    /// <summary>The array (<see cref="RecipeValueKind.Array"/>), else null. Yours to keep: the run holds no reference to it.</summary>
    public ImageArray? Array { get; }

    /// <summary>The array's shape: (rows, cols) or (frames, rows, cols); empty for a table or a figure.</summary>
    public int[] Shape => Array?.Shape ?? [];

    /// <summary>The array's float32 values in C order (the real part of a complex array).</summary>
    /// <exception cref="InvalidOperationException">The value is a table or a figure.</exception>
    public float[] Data => Array?.Data ?? throw new InvalidOperationException($"output '{Name}' is a {Kind.ToString().ToLowerInvariant()}, not an array");

    /// <summary>The imaginary part of a complex array (fft2 output), else null.</summary>
    public float[]? Imag => Array?.Imag;

    /// <summary>The table (<see cref="RecipeValueKind.Table"/>), keys in the op's order, else null.</summary>
    public IReadOnlyDictionary<string, object>? Table { get; }

    /// <summary>For a figure: one value per panel (each an array or a table), in panel order; else empty.</summary>
    public IReadOnlyList<RecipeValue> Panels { get; }
}

/// <summary>
/// The result of <see cref="Recipe.Run"/>: the outputs by name when it succeeded, and every diagnostic
/// (the recipe's warnings; errors when it could not run). Never thrown: check <see cref="Succeeded"/>.
/// </summary>
public sealed class RecipeResult
{
    internal RecipeResult(IReadOnlyDictionary<string, RecipeValue> outputs, IReadOnlyList<RecipeDiagnostic> diagnostics)
    {
        Outputs = outputs;
        Diagnostics = diagnostics;
    }

    /// <summary>True when the recipe ran: no error among <see cref="Diagnostics"/>.</summary>
    public bool Succeeded => Diagnostics.All(d => !d.IsError);

    /// <summary>Recipe output name -> value, in the recipe's order; empty when the run did not succeed.</summary>
    public IReadOnlyDictionary<string, RecipeValue> Outputs { get; }

    /// <summary>Every diagnostic, errors and warnings, sorted by file, line and column.</summary>
    public IReadOnlyList<RecipeDiagnostic> Diagnostics { get; }

    /// <summary>The value of output <paramref name="output"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such output (or the run failed: see <see cref="Diagnostics"/>).</exception>
    public RecipeValue this[string output] => Outputs.TryGetValue(output, out var v)
        ? v
        : throw new KeyNotFoundException(Succeeded
            ? $"the recipe has no output '{output}' (outputs: {string.Join(", ", Outputs.Keys)})"
            : $"the run failed, so there is no output '{output}': {string.Join("; ", Diagnostics.Where(d => d.IsError))}");
}

/// <summary>How to run (all optional).</summary>
public sealed record RunOptions
{
    /// <summary>Thread budget for the ops (default: the number of processors).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>A file input with more pixels fails (protects memory), and so does a step whose output would have more;
    /// null: the readers' default bound for files, and no bound but the engine's own for the steps.</summary>
    public long? MaxPixels { get; init; }

    /// <summary>Read .dcm inputs that lack the 128-byte DICOM preamble and 'DICM' (refused by default).</summary>
    public bool DicomWithoutPreamble { get; init; }

    /// <summary>Cancels the run between steps (throws <see cref="OperationCanceledException"/>).</summary>
    public CancellationToken Cancellation { get; init; }
}
