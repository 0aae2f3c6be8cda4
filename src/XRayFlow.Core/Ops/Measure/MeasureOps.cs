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

    /// <summary>remove_small_holes: skimage.morphology.remove_small_holes (0.19).</summary>
    public static OpDefinition RemoveSmallHoles { get; } = new()
    {
        Name = "remove_small_holes",
        Summary = "Fills the holes of fewer than area_threshold pixels: every connected region of zeros that small (a stretch of background touching the edge too, as skimage) becomes 1. The input counts as a mask (nonzero is 1, as skimage's bool cast); the result is 0/1.",
        Reference = "skimage.morphology.remove_small_holes",
        Inputs = InputSpec.One,
        Params =
        [
            new ParamSpec("area_threshold", ParamType.Int, "Holes of fewer pixels are filled (0 fills none)") { Default = 64, Min = 0, Max = int.MaxValue },
            Connectivity("Neighbours that connect a hole's pixels: 1 = 4 neighbours, 2 = 8") with { Default = 1 },
        ],
        Example = "{area_threshold: 20}",
        ReadsMasks = true,
        Execute = ctx => new ArrayValue(Components.RemoveSmallHoles(ctx.Array(), ctx.Int("area_threshold"), Neighbours.OfConnectivity(ctx.Int("connectivity")), ctx.Threads)),
    };

    /// <summary>clear_border: skimage.segmentation.clear_border (0.19).</summary>
    public static OpDefinition ClearBorder { get; } = new()
    {
        Name = "clear_border",
        Summary = "Sets to bgval every object (8-connected pixels of one nonzero value) that comes within buffer_size pixels of the image's edge, or, given a mask, that reaches outside the mask.",
        Reference = "skimage.segmentation.clear_border",
        Inputs = new InputSpec(1, 2, Doc: "the labels (or a mask of objects), then optionally skimage's mask of the same shape: the border is every pixel where it is 0 (buffer_size is then not used)"),
        Params =
        [
            new ParamSpec("buffer_size", ParamType.Int, "Width of the border band beyond the outermost pixels: objects touching rows/columns 0..buffer_size from any edge are cleared") { Default = 0, Min = 0, Max = 1 << 20 },
            new ParamSpec("bgval", ParamType.Float, "Value of the cleared pixels") { Default = 0.0 },
        ],
        Shape = c =>
        {
            if (c.Inputs.Count == 1 && c.First.IsKnown && c.First.IsArray && c.Int("buffer_size") >= Math.Min(c.First.Rows, c.First.Cols))
            {
                c.Problem($"buffer_size {c.Int("buffer_size")} must be smaller than the image's rows and columns ({c.First.Rows} x {c.First.Cols}), as skimage requires", "buffer_size");
            }

            return c.First with { IsComplex = false, IsFrequency = false };
        },
        Execute = ctx => new ArrayValue(Components.ClearBorder(ctx.Array(), ctx.Int("buffer_size"), (float)ctx.Float("bgval"), ctx.Threads, ctx.Inputs.Count > 1 ? ctx.Array(1) : null)),
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

    /// <summary>
    /// The properties a table can list (regionprops_table's `properties`), both of skimage 0.19's spellings where it has
    /// two (the newer first); a column is named as the property was written, as skimage names it.
    /// </summary>
    private static IReadOnlyList<string> RegionProperties { get; } =
    [
        "label", "area", "area_bbox", "bbox_area", "bbox", "centroid", "centroid_local", "local_centroid", "eccentricity",
        "equivalent_diameter_area", "equivalent_diameter", "extent", "axis_major_length", "major_axis_length",
        "axis_minor_length", "minor_axis_length", "orientation", "perimeter",
        "intensity_mean", "mean_intensity", "intensity_min", "min_intensity", "intensity_max", "max_intensity",
    ];

    /// <summary>The properties that read the intensity image.</summary>
    private static bool NeedsIntensity(string property) => property.Contains("intensity", StringComparison.Ordinal);

    /// <summary>
    /// What a table lists when no properties are given: label, area, centroid, bbox, perimeter, eccentricity and, with
    /// an intensity image, mean/min/max_intensity (skimage lists label and bbox by default; XRayFlow's default is wider).
    /// </summary>
    private static IReadOnlyList<string> DefaultProperties(bool intensity) => intensity
        ? ["label", "area", "centroid", "bbox", "perimeter", "eccentricity", "mean_intensity", "min_intensity", "max_intensity"]
        : ["label", "area", "centroid", "bbox", "perimeter", "eccentricity"];

    /// <summary>
    /// The columns of <paramref name="properties"/> in order, as regionprops_table names them: a property of several
    /// values is one column per value (bbox-0..3, centroid-0, centroid-1). area_bbox = bbox rows x cols; extent = area /
    /// area_bbox; equivalent_diameter_area = (4 area / pi) ** 0.5.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown property, or an intensity property without an intensity image.</exception>
    private static List<KeyValuePair<string, object>> Columns(RegionTable t, IReadOnlyList<string> properties)
    {
        int m = t.Label.Length;
        var columns = new List<KeyValuePair<string, object>>();
        void Add(string name, object values) => columns.Add(new(name, values));
        long[] BboxArea()
        {
            var a = new long[m];
            for (int k = 0; k < m; k++)
            {
                a[k] = (t.Bbox[2][k] - t.Bbox[0][k]) * (t.Bbox[3][k] - t.Bbox[1][k]);
            }

            return a;
        }

        double[] Each(Func<int, double> f)
        {
            var a = new double[m];
            for (int k = 0; k < m; k++)
            {
                a[k] = f(k);
            }

            return a;
        }

        double[] Intensity(double[]? values, string name) => values ?? throw new ArgumentException($"'{name}' needs an intensity image (the step's second input)");

        foreach (string p in properties)
        {
            switch (p)
            {
                case "label": Add(p, t.Label); break;
                case "area": Add(p, t.Area); break;
                case "area_bbox" or "bbox_area": Add(p, BboxArea()); break;
                case "bbox":
                    for (int q = 0; q < 4; q++)
                    {
                        Add($"bbox-{q}", t.Bbox[q]);
                    }

                    break;
                case "centroid": Add("centroid-0", t.Centroid0); Add("centroid-1", t.Centroid1); break;
                case "centroid_local" or "local_centroid": Add($"{p}-0", t.CentroidLocal0); Add($"{p}-1", t.CentroidLocal1); break;
                case "eccentricity": Add(p, t.Eccentricity); break;
                case "equivalent_diameter_area" or "equivalent_diameter": Add(p, Each(k => Math.Pow(4 * t.Area[k] / Math.PI, 0.5))); break;
                case "extent":
                    var boxes = BboxArea();
                    Add(p, Each(k => (double)t.Area[k] / boxes[k]));
                    break;
                case "axis_major_length" or "major_axis_length": Add(p, t.AxisMajor); break;
                case "axis_minor_length" or "minor_axis_length": Add(p, t.AxisMinor); break;
                case "orientation": Add(p, t.Orientation); break;
                case "perimeter": Add(p, t.Perimeter ?? throw new ArgumentException("the table was measured without perimeters")); break;
                case "intensity_mean" or "mean_intensity": Add(p, Intensity(t.MeanIntensity, p)); break;
                case "intensity_min" or "min_intensity": Add(p, Intensity(t.MinIntensity, p)); break;
                case "intensity_max" or "max_intensity": Add(p, Intensity(t.MaxIntensity, p)); break;
                default: throw new ArgumentException($"unknown region property '{p}'");
            }
        }

        return columns;
    }

    private static readonly OpRule IntensityPropertiesNeedAnImage = new()
    {
        Description = "a property of intensity (intensity_mean, mean_intensity, ...) needs the intensity image as the second input",
        At = "properties",
        Check = c => c.Inputs.Count < 2 && c.WordList("properties")?.FirstOrDefault(NeedsIntensity) is { } p
            ? $"property '{p}' reads an intensity image: give regionprops two inputs, the labels and the image (in: [labels, image])"
            : null,
        Violation = "{properties: [label, intensity_mean]}",
    };

    /// <summary>regionprops: skimage.measure.regionprops_table with the listed properties.</summary>
    public static OpDefinition Regionprops { get; } = new()
    {
        Name = "regionprops",
        Summary = "A table with one row per label and one column per value of each property (skimage's regionprops_table, its column names: centroid-0/1 are row and column, bbox-0..3). `properties` as skimage's, in its order; without it: label, area, centroid, bbox, perimeter, eccentricity, and with an intensity image mean/min/max_intensity (skimage's own default is label and bbox).",
        Reference = "skimage.measure.regionprops_table",
        Inputs = new InputSpec(1, 2, Doc: "the label image (whole values; 0 is background; a mask is one region), then optionally the intensity image of the same shape"),
        Params =
        [
            new ParamSpec("properties", ParamType.EnumList, "The properties to measure, in the order of the table's columns (skimage 0.19's names, old or new spelling; a column is named as written; a property written twice is listed once). The intensity properties need the intensity image") { Allowed = RegionProperties, MaxCount = 64 },
        ],
        Rules = [IntensityPropertiesNeedAnImage],
        Example = "{properties: [label, area, centroid, axis_major_length, orientation]}",
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
            bool intensity = ctx.Inputs.Count > 1;
            var properties = ctx.WordList("properties") ?? DefaultProperties(intensity);
            var t = Refusing(ctx, () => RegionProps.Measure(ctx.Array(0), intensity ? ctx.Array(1) : null, "regionprops", properties.Contains("perimeter")));
            return new TableValue(Columns(t, properties));
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
