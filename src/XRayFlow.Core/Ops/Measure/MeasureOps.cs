using System.Globalization;

namespace XRayFlow.Core.Ops.Measure;

/// <summary>
/// Labelling, component filters, the distance transform and region tables (scipy.ndimage, skimage.measure,
/// skimage.morphology, skimage.segmentation). Kernels: <see cref="Components"/> over <see cref="RunLabels"/>,
/// <see cref="DistanceTransform"/>, <see cref="RegionProps"/>. On a stack each applies frame by frame.
/// </summary>
[OpFamily(OpFamily.Measure)]
public static class MeasureOps
{
    /// <summary>label's structure: cross / square (generate_binary_structure(2, 1 | 2)) or a 3 x 3 0/1 matrix symmetric about its centre.</summary>
    public static ParamSpec LabelStructure { get; } = new("structure", ParamType.Matrix,
        "Which neighbours connect, as scipy.ndimage.label: cross (4 neighbours, generate_binary_structure(2, 1), the default) or square (8 neighbours), "
        + "or a 3 x 3 matrix of 0/1 symmetric about its centre (the centre is ignored)")
    {
        Words = ["cross", "square"],
        Min = 0,
        Max = 1,
        MaxCount = 3,
    };

    /// <summary>skimage's connectivity: 1 = 4 neighbours, 2 = 8 neighbours.</summary>
    private static ParamSpec Connectivity(string doc) => new("connectivity", ParamType.Int, doc)
    {
        Min = 1,
        Max = 2,
    };

    private static readonly OpRule StructureIsThreeByThree = new()
    {
        Description = "a structure matrix is 3 x 3 (SciPy's label takes no other size)",
        At = "structure",
        Check = c => c.Matrix("structure") is { } s && (s.Length != 3 || s[0].Length != 3)
            ? $"label's structure must be 3 x 3 (scipy.ndimage.label), not {s.Length} x {s[0].Length}"
            : null,
        Violation = "{structure: [[1, 1], [1, 1]]}",
    };

    private static readonly OpRule StructureIsSymmetric = new()
    {
        Description = "a structure matrix is symmetric about its centre (s[i][j] = s[2 - i][2 - j])",
        At = "structure",
        Check = c =>
        {
            if (c.Matrix("structure") is not { Length: 3 } s || s[0].Length != 3)
            {
                return null;
            }

            for (int i = 0; i < 3; i++)
            {
                for (int j = 0; j < 3; j++)
                {
                    if ((s[i][j] != 0) != (s[2 - i][2 - j] != 0))
                    {
                        return $"label's structure must be symmetric about its centre (scipy.ndimage.label): row {i}, column {j} is {s[i][j].ToString(CultureInfo.InvariantCulture)} but row {2 - i}, column {2 - j} is {s[2 - i][2 - j].ToString(CultureInfo.InvariantCulture)}";
                    }
                }
            }

            return null;
        },
        Violation = "{structure: [[1, 1, 0], [1, 1, 0], [0, 0, 0]]}",
    };

    private static readonly OpRule StructureOrConnectivity = new()
    {
        Description = "structure or connectivity, not both",
        At = "connectivity",
        Check = c => c.Has("structure") && c.Has("connectivity") ? "give label a structure or a connectivity, not both" : null,
        Violation = "{structure: cross, connectivity: 2}",
    };

    /// <summary>label: scipy.ndimage.label, numbered as SciPy numbers (raster order of the first pixel), with `${label.count}`.</summary>
    public static OpDefinition Label { get; } = new()
    {
        Name = "label",
        Summary = "Connected components of the nonzero pixels, numbered 1, 2, ... in raster order of their first pixel (SciPy's numbering), background 0; `count` is the number of components. More than 2^24 = 16777216 components fail the step (labels are float32, whole numbers exact only up to there). On a stack each frame is labelled on its own (components do not join across frames, as they would in scipy.ndimage.label of the 3-D array) and the numbers go on from frame to frame (frame 2's first component follows frame 1's last), so every label names one component of one frame; `count` is the total.",
        Reference = "scipy.ndimage.label",
        Inputs = InputSpec.One,
        Params =
        [
            LabelStructure,
            Connectivity("Instead of a structure, as skimage.measure.label on a mask: 1 = 4 neighbours (cross), 2 = 8 neighbours (square)"),
        ],
        Rules = [StructureIsThreeByThree, StructureIsSymmetric, StructureOrConnectivity],
        Fields = ["count"],
        Example = "{connectivity: 2}",
        ReadsMasks = true,
        Execute = ctx =>
        {
            var (labels, count) = Refusing(ctx, () => Components.Label(ctx.Array(), NeighboursOf(ctx), ctx.Threads));
            return new ArrayValue(labels) { Attributes = new Dictionary<string, double> { ["count"] = count } };
        },
    };

    /// <summary>remove_small_objects: skimage.morphology.remove_small_objects (0.19).</summary>
    public static OpDefinition RemoveSmallObjects { get; } = new()
    {
        Name = "remove_small_objects",
        Summary = "Zeroes the objects of fewer than min_size pixels: of a mask (values 0/1, labelled with connectivity), or the labels of a label image (whole values, counted wherever they are).",
        Reference = "skimage.morphology.remove_small_objects",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("min_size", ParamType.Int, "Objects of fewer pixels are removed (0 keeps everything)") { Default = 64, Min = 0, Max = int.MaxValue },
            Connectivity("Neighbours that connect a mask's pixels: 1 = 4 neighbours, 2 = 8 (unused for a label image, as skimage)") with { Default = 1 },
        ],
        Example = "{min_size: 20}",
        ReadsMasks = true,
        Execute = ctx => new ArrayValue(Refusing(ctx, () => Components.RemoveSmallObjects(
            ctx.Array(), ctx.Int("min_size"), Neighbours.OfConnectivity(ctx.Int("connectivity")), ctx.Threads, "remove_small_objects"))),
    };

    /// <summary>clear_border: skimage.segmentation.clear_border (0.19).</summary>
    public static OpDefinition ClearBorder { get; } = new()
    {
        Name = "clear_border",
        Summary = "Sets to bgval every object (8-connected pixels of one nonzero value) that comes within buffer_size pixels of the image's edge.",
        Reference = "skimage.segmentation.clear_border",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("buffer_size", ParamType.Int, "Width of the border band beyond the outermost pixels: objects touching rows/columns 0..buffer_size from any edge are cleared") { Default = 0, Min = 0, Max = 1 << 20 },
            new ParamSpec("bgval", ParamType.Float, "Value of the cleared pixels") { Default = 0.0 },
        ],
        Shape = c =>
        {
            if (c.First.IsKnown && c.First.IsArray && c.Int("buffer_size") >= Math.Min(c.First.Rows, c.First.Cols))
            {
                c.Problem($"buffer_size {c.Int("buffer_size")} must be smaller than the image's rows and columns ({c.First.Rows} x {c.First.Cols}), as skimage requires", "buffer_size");
            }

            return c.First with { IsComplex = false, IsFrequency = false };
        },
        Execute = ctx => new ArrayValue(Components.ClearBorder(ctx.Array(), ctx.Int("buffer_size"), (float)ctx.Float("bgval"), ctx.Threads)),
    };

    /// <summary>keep_largest: the n largest components (the CT-tutorial idiom label + bincount + argsort, as one op).</summary>
    public static OpDefinition KeepLargest { get; } = new()
    {
        Name = "keep_largest",
        Summary = "Keeps the n largest objects (by pixels) of a mask (values 0/1, labelled with connectivity) or of a label image, zeroing the rest; ties go to the object that comes first (lower label, or first pixel in raster order).",
        Reference = "skimage.measure.label + numpy.bincount (the n largest labels)",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("n", ParamType.Int, "How many objects to keep (all when there are fewer)") { Default = 1, Min = 1, Max = Components.MaxLabel },
            Connectivity("Neighbours that connect a mask's pixels: 1 = 4 neighbours, 2 = 8 (unused for a label image)") with { Default = 1 },
        ],
        Example = "{n: 2}",
        ReadsMasks = true,
        Execute = ctx => new ArrayValue(Refusing(ctx, () => Components.KeepLargest(
            ctx.Array(), ctx.Int("n"), Neighbours.OfConnectivity(ctx.Int("connectivity")), ctx.Threads, "keep_largest"))),
    };

    /// <summary>distance_transform_edt: scipy.ndimage.distance_transform_edt (distances only).</summary>
    public static OpDefinition DistanceTransformEdt { get; } = new()
    {
        Name = "distance_transform_edt",
        Summary = "Exact Euclidean distance of each nonzero pixel to the nearest zero pixel (0 on zeros), float32.",
        Reference = "scipy.ndimage.distance_transform_edt",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("sampling", ParamType.FloatPerAxis, "Pixel spacing, one value or [axis 0, axis 1] (rows, columns)") { Default = 1.0, Min = 0.0, MinExclusive = true, Max = 1e6 },
        ],
        Example = "{sampling: [1, 0.5]}",
        Execute = ctx =>
        {
            double[] s = ctx.Doubles("sampling") ?? [1.0];
            return new ArrayValue(DistanceTransform.Edt(ctx.Array(), s[0], s[^1], ctx.Threads));
        },
    };

    /// <summary>regionprops: skimage.measure.regionprops_table with the listed properties.</summary>
    public static OpDefinition Regionprops { get; } = new()
    {
        Name = "regionprops",
        Summary = "A table with one row per label: label, area, centroid-0/1 (row, column), bbox-0..3, perimeter, eccentricity, and with an intensity image mean/min/max_intensity (skimage's regionprops_table columns).",
        Reference = "skimage.measure.regionprops_table",
        Inputs = new InputSpec(1, 2, Doc: "the label image (whole values; 0 is background; a mask is one region), then optionally the intensity image of the same shape"),
        Output = OutputKind.Table,
        Shape = c =>
        {
            for (int k = 0; k < c.Inputs.Count; k++)
            {
                if (c.Inputs[k].IsStack)
                {
                    c.Problem($"regionprops measures 2-D images; input {k + 1} is a stack (take a frame, or montage it)");
                }
            }

            return ValueInfo.Table;
        },
        Execute = ctx =>
        {
            var t = Refusing(ctx, () => RegionProps.Measure(ctx.Array(0), ctx.Inputs.Count > 1 ? ctx.Array(1) : null, "regionprops"));
            var fields = new List<KeyValuePair<string, object>>
            {
                new("label", t.Label),
                new("area", t.Area),
                new("centroid-0", t.Centroid0),
                new("centroid-1", t.Centroid1),
                new("bbox-0", t.Bbox[0]),
                new("bbox-1", t.Bbox[1]),
                new("bbox-2", t.Bbox[2]),
                new("bbox-3", t.Bbox[3]),
                new("perimeter", t.Perimeter),
                new("eccentricity", t.Eccentricity),
            };
            if (t.MeanIntensity is not null)
            {
                fields.Add(new("mean_intensity", t.MeanIntensity));
                fields.Add(new("min_intensity", t.MinIntensity!));
                fields.Add(new("max_intensity", t.MaxIntensity!));
            }

            return new TableValue(fields);
        },
    };

    private static Neighbours NeighboursOf(ParamValues p)
    {
        if (p.Word("structure") is { } word)
        {
            return word == "square" ? Neighbours.Square : Neighbours.Cross;
        }

        if (p.Matrix("structure") is { } m)
        {
            return Neighbours.Of(m);
        }

        return Neighbours.OfConnectivity(p.Has("connectivity") ? p.Int("connectivity") : 1);
    }

    /// <summary>Runs a kernel; values it refuses (labels beyond 2^24, fractional labels) fail this step with the reason.</summary>
    private static T Refusing<T>(OpContext ctx, Func<T> kernel)
    {
        try
        {
            return kernel();
        }
        catch (LabelException e)
        {
            throw new OpRefusedException(ctx.StepId, e.Message);
        }
    }
}
