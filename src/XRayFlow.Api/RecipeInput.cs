using XRayFlow.Core.Imaging;

namespace XRayFlow;

/// <summary>
/// What one recipe input is bound to: an array in memory (<see cref="ImageArray"/>, or float32 pixels and a
/// shape), or a file (PNG, JPEG, .npy, DICOM; a glob for a <c>stack</c> input). An <see cref="ImageArray"/> or a
/// path string converts implicitly: <c>recipe.Run(new() { ["xray"] = image })</c>.
/// </summary>
public sealed class RecipeInput
{
    private RecipeInput(ImageArray? array, string? path)
    {
        Array = array;
        Path = path;
    }

    /// <summary>The array, when the input is bound to one; else null.</summary>
    public ImageArray? Array { get; }

    /// <summary>The file (or, for a stack input, the glob), when the input is bound to a path; else null.</summary>
    public string? Path { get; }

    /// <summary>Bind to an array; the run reads it and never changes or keeps it.</summary>
    public static RecipeInput FromImage(ImageArray image) => new(image ?? throw new ArgumentNullException(nameof(image)), null);

    /// <summary>
    /// Bind to float32 pixels in C order (row-major, as NumPy) and a shape: <c>(rows, cols)</c> for an image,
    /// <c>(frames, rows, cols)</c> for a stack. The array is used as is (not copied) and not changed.
    /// </summary>
    /// <exception cref="ArgumentException">The shape is not 2-D or 3-D, has an empty axis, or does not match the data's length.</exception>
    public static RecipeInput FromPixels(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length is 2 or 3 && shape.Any(n => n < 1))
        {
            // Said here, as given: the engine's check names a 2-D shape (1, rows, cols) and the parameter 'rows'.
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) has an empty axis", nameof(shape));
        }

        return shape.Length switch
        {
            2 => new(new ImageArray(shape[0], shape[1], data), null),
            3 => new(ImageArray.Stack(shape[0], shape[1], shape[2], data), null),
            _ => throw new ArgumentException($"shape must be (rows, cols) or (frames, rows, cols), not {shape.Length}-D", nameof(shape)),
        };
    }

    /// <summary>Bind to a file, relative to the working folder (a glob for a <c>stack</c> input: the files sorted by name).</summary>
    public static RecipeInput FromFile(string path) => new(null, path ?? throw new ArgumentNullException(nameof(path)));

    /// <summary>An <see cref="ImageArray"/> binds the input to that array.</summary>
    public static implicit operator RecipeInput(ImageArray image) => FromImage(image);

    /// <summary>A string binds the input to that file.</summary>
    public static implicit operator RecipeInput(string path) => FromFile(path);
}
