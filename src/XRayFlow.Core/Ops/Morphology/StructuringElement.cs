using System.Globalization;

namespace XRayFlow.Core.Ops.Morphology;

/// <summary>
/// Structuring elements, declared once for every op that takes one (binary morphology here; labelling reuses them):
/// the parameters `structure` (a word or an explicit 0/1 matrix), `radius` (with a word) and `connectivity`, the rules
/// that tie them together, and <see cref="Build"/>, which turns the bound values into a mask.
/// <list type="bullet">
/// <item>`cross` of radius r = skimage.morphology.diamond(r): |i - r| + |j - r| &lt;= r on a (2r + 1) x (2r + 1) grid;
/// radius 1 is scipy.ndimage.generate_binary_structure(2, 1), SciPy's default structure.</item>
/// <item>`square` of radius r = skimage.morphology.square(2r + 1): all ones, (2r + 1) x (2r + 1); radius 1 is
/// generate_binary_structure(2, 2). Even sides are written as a matrix.</item>
/// <item>`disk` of radius r = skimage.morphology.disk(r) (0.19): (i - r)^2 + (j - r)^2 &lt;= r^2.</item>
/// <item>`connectivity` c = generate_binary_structure(2, c): 1 is the 3 x 3 cross, 2 the 3 x 3 square (the rank is 2:
/// every op works on 2-D frames, a stack frame by frame).</item>
/// <item>A matrix: rows of 0/1 of any size up to <see cref="MaxSide"/>, even sizes included (SciPy's centre: index
/// size // 2, moved by `origin`).</item>
/// </list>
/// A radius is refused without a word, a structure together with a connectivity is refused, and cells other than 0 and
/// 1 are refused (SciPy would read any nonzero as 1; the issue asks for 0/1). An all-zero structure is accepted as SciPy
/// does (erosion then gives 1 everywhere, dilation 0), with a warning.
/// </summary>
public static class StructuringElement
{
    /// <summary>The largest radius a word takes: sides up to 255.</summary>
    public const int MaxRadius = 127;

    /// <summary>The largest side of a structure or footprint matrix.</summary>
    public const int MaxSide = 255;

    /// <summary>The words a structure (or a grey op's footprint) takes instead of a matrix.</summary>
    public static IReadOnlyList<string> Shapes { get; } = ["cross", "square", "disk"];

    /// <summary>A binary op's structure: a word with `radius`, or a 0/1 matrix; unset = generate_binary_structure(2, 1).</summary>
    public static ParamSpec Structure { get; } = new("structure", ParamType.Matrix,
        "Structuring element: cross (skimage diamond(radius)), square (skimage square(2 radius + 1)) or disk (skimage disk(radius)) with `radius`, "
        + "or rows of 0/1 of any size (even sizes as SciPy: centre at size // 2); unset: the 3 x 3 cross, SciPy's generate_binary_structure(2, 1)")
    {
        Words = Shapes,
        Min = 0,
        Max = 1,
        MaxCount = MaxSide,
    };

    /// <summary>The radius of a structure (or footprint) given as a word; 1 when unset.</summary>
    public static ParamSpec Radius { get; } = new("radius", ParamType.Int,
        "Radius of a cross / square / disk structuring element (default 1); the side is 2 radius + 1")
    {
        Min = 0,
        Max = MaxRadius,
    };

    /// <summary>generate_binary_structure(2, connectivity): 1 = 4-neighbours (cross), 2 = 8-neighbours (square).</summary>
    public static ParamSpec Connectivity { get; } = new("connectivity", ParamType.Int,
        "Instead of a structure: SciPy's generate_binary_structure(2, connectivity), 1 = the 3 x 3 cross (4 neighbours), 2 = the 3 x 3 square (8 neighbours)")
    {
        Min = 1,
        Max = 2,
    };

    /// <summary>A grey op's flat footprint: CommonParams.Footprint that also takes the words (skimage.morphology's footprint).</summary>
    public static ParamSpec Footprint { get; } = CommonParams.Footprint with
    {
        Doc = "Flat window shape: cross / square / disk with `radius` (skimage's diamond, square(2 radius + 1), disk), or rows of 0/1 (nonzero = in the window); when given, size is ignored (as SciPy)",
        Words = Shapes,
        MaxCount = MaxSide,
    };

    /// <summary>`origin` of a binary op: the structure's centre moves by it, -(side // 2) &lt;= origin &lt;= (side - 1) // 2.</summary>
    public static ParamSpec Origin { get; } = CommonParams.Origin with
    {
        Doc = "Shift of the structuring element, one value or [axis 0, axis 1]: -(side // 2) <= origin <= (side - 1) // 2",
        Min = -MaxSide,
        Max = MaxSide,
    };

    /// <summary>The mask a bound shape parameter (`structure`, or a grey op's `footprint`) stands for, or null when it is unset.</summary>
    /// <param name="p">The bound parameters.</param>
    /// <param name="name">The parameter: structure or footprint.</param>
    public static bool[,]? Of(ParamValues p, string name)
    {
        if (p.Word(name) is { } word)
        {
            return Shape(word, p.Has(Radius.Name) ? p.Int(Radius.Name) : 1);
        }

        return p.Matrix(name) is { } m ? FromMatrix(m) : null;
    }

    /// <summary>
    /// The structure of a binary op: `structure` (word or matrix), else `connectivity`, else SciPy's default
    /// generate_binary_structure(2, 1).
    /// </summary>
    public static bool[,] Build(ParamValues p)
    {
        if (Of(p, Structure.Name) is { } s)
        {
            return s;
        }

        return Generate(p.Has(Connectivity.Name) ? p.Int(Connectivity.Name) : 1);
    }

    /// <summary>cross (diamond), square or disk of the given radius, side 2 radius + 1.</summary>
    public static bool[,] Shape(string word, int radius)
    {
        if (radius is < 0 or > MaxRadius)
        {
            throw new ArgumentOutOfRangeException(nameof(radius), radius, $"radius must be 0 to {MaxRadius}");
        }

        int n = (2 * radius) + 1;
        var mask = new bool[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                int di = i - radius, dj = j - radius;
                mask[i, j] = word switch
                {
                    "cross" => Math.Abs(di) + Math.Abs(dj) <= radius,
                    "square" => true,
                    "disk" => (di * di) + (dj * dj) <= radius * radius,
                    _ => throw new ArgumentException($"unknown structuring element '{word}' (expected {string.Join(", ", Shapes)})", nameof(word)),
                };
            }
        }

        return mask;
    }

    /// <summary>scipy.ndimage.generate_binary_structure(2, connectivity): cells at squared distance &lt;= connectivity from the centre of a 3 x 3.</summary>
    public static bool[,] Generate(int connectivity)
    {
        var mask = new bool[3, 3];
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                mask[i, j] = Math.Abs(i - 1) + Math.Abs(j - 1) <= Math.Max(1, connectivity);
            }
        }

        return mask;
    }

    /// <summary>A matrix's nonzero cells.</summary>
    public static bool[,] FromMatrix(double[][] m)
    {
        var mask = new bool[m.Length, m[0].Length];
        for (int i = 0; i < m.Length; i++)
        {
            for (int j = 0; j < m[i].Length; j++)
            {
                mask[i, j] = m[i][j] != 0;
            }
        }

        return mask;
    }

    /// <summary>The side lengths (rows, columns) of a shape parameter, or null when unset.</summary>
    public static (int Rows, int Cols)? SidesOf(ParamValues p, string name)
    {
        if (p.Word(name) is not null)
        {
            int n = (2 * (p.Has(Radius.Name) ? p.Int(Radius.Name) : 1)) + 1;
            return (n, n);
        }

        return p.Matrix(name) is { } m ? (m.Length, m[0].Length) : null;
    }

    /// <summary>The rules of a binary op's structure parameters (`structure`, `radius`, `connectivity`, `origin`).</summary>
    public static IReadOnlyList<OpRule> Rules { get; } =
    [
        ZeroOneRule(Structure.Name),
        RadiusRule(Structure.Name),
        new OpRule
        {
            Description = "structure and connectivity are two ways to give the structuring element: give one",
            At = Connectivity.Name,
            Check = c => c.Has(Connectivity.Name) && c.Has(Structure.Name)
                ? "give either structure or connectivity, not both (connectivity 1 is structure: cross, connectivity 2 is structure: square)"
                : null,
            Violation = "{structure: square, connectivity: 1}",
        },
        new OpRule
        {
            Description = "-(side // 2) <= origin <= (side - 1) // 2 on each axis of the structure",
            At = Origin.Name,
            Check = c =>
            {
                var (rows, cols) = SidesOf(c, Structure.Name) ?? (3, 3);
                return OriginProblem(c.Ints(Origin.Name), rows, cols, "structure");
            },
            Violation = "{structure: [[1, 1, 1]], origin: [0, 2]}",
        },
        new OpRule
        {
            Description = "a structure with no 1 makes erosion 1 everywhere and dilation 0 (as SciPy): a warning",
            At = Structure.Name,
            Severity = Diagnostics.Severity.Warning,
            Check = c => c.Matrix(Structure.Name) is { } m && m.All(row => row.All(v => v == 0))
                ? "the structure has no 1: erosion gives 1 everywhere and dilation 0 (as SciPy); a structure needs at least one 1 to compare neighbours"
                : null,
            Violation = "{structure: [[0, 0, 0]]}",
        },
    ];

    /// <summary>Cells of a shape matrix are 0 or 1 (SciPy reads any nonzero as 1; here other numbers are refused as typing slips).</summary>
    public static OpRule ZeroOneRule(string name) => new()
    {
        Description = $"the cells of a {name} matrix are 0 or 1",
        At = name,
        Check = c => c.Matrix(name) is { } m && m.SelectMany(row => row).FirstOrDefault(v => v != 0 && v != 1, 0) is var bad && bad != 0
            ? string.Create(CultureInfo.InvariantCulture, $"the {name} has a cell {bad}; its cells are 0 (outside) or 1 (inside)")
            : null,
        Violation = $"{{{name}: [[0, 1, 0], [1, 0.5, 1], [0, 1, 0]]}}",
    };

    /// <summary>`radius` belongs to a word (cross / square / disk) of the shape parameter.</summary>
    public static OpRule RadiusRule(string name) => new()
    {
        Description = $"radius is given only with {name}: cross | square | disk",
        At = Radius.Name,
        Check = c => c.Has(Radius.Name) && c.Word(name) is null
            ? $"radius sizes a {name} given as cross, square or disk; {(c.Has(name) ? $"this {name} is a matrix, whose size is its own" : $"give {name}: cross, square or disk with it")}"
            : null,
        Violation = $"{{{name}: [[1, 1]], radius: 2}}",
    };

    /// <summary>SciPy's origin bound for a window of rows x cols: -(n // 2) &lt;= origin &lt;= (n - 1) // 2 per axis; the problem or null.</summary>
    public static string? OriginProblem(int[]? origin, int rows, int cols, string what)
    {
        origin ??= [0];
        int[] sides = [rows, cols];
        for (int axis = 0; axis < 2; axis++)
        {
            int z = sides[axis], o = origin[Math.Min(axis, origin.Length - 1)];
            if ((z / 2) + o < 0 || (z / 2) + o >= z)
            {
                return $"origin {o} on axis {axis} is outside -({what} side // 2) .. ({what} side - 1) // 2 = {-(z / 2)} .. {(z - 1) / 2} for side {z}";
            }
        }

        return null;
    }
}
