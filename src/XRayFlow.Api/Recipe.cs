using System.Globalization;
using System.Runtime.CompilerServices;
using XRayFlow.Core.Codecs;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.Imaging;
using XRayFlow.Core.Ops;
using XRayFlow.Pipeline;
using XRayFlow.Pipeline.Binding;
using XRayFlow.Pipeline.Execution;
using XRayFlow.Pipeline.Planning;
using XRayFlow.Pipeline.Running;

namespace XRayFlow;

/// <summary>A recipe input as declared: its name, its kind and its <c>default:</c> path (absolute), if any.</summary>
/// <param name="Name">The input's name.</param>
/// <param name="IsStack">True for a <c>stack</c> input (frames x rows x cols), false for an <c>image</c>.</param>
/// <param name="DefaultPath">The <c>default:</c> path resolved against the recipe's folder, or null.</param>
public sealed record RecipeInputInfo(string Name, bool IsStack, string? DefaultPath);

/// <summary>
/// A loaded recipe (the YAML language of README "The recipe language", version <c>xrayflow: 1</c>), ready to run
/// in memory:
/// <code>
/// var recipe = Recipe.Load("pipelines/sobel.yaml");
/// var result = recipe.Run(new() { ["xray"] = image });          // image: an ImageArray, or a file path
/// float[] sobel = result["sobel"].Data;                          // float32, C order; result["sobel"].Shape
/// </code>
/// Loading never throws for a bad recipe and never runs anything: <see cref="IsValid"/> and
/// <see cref="Diagnostics"/> say what is wrong, with file, line, column and code. Running writes no file: the
/// outputs come back as values (arrays before any 8-bit rounding or colormap; tables as dictionaries).
/// A <see cref="Recipe"/> is immutable; <see cref="Run"/> may be called many times and from several threads.
/// </summary>
public sealed class Recipe
{
    private readonly BoundRecipe? _bound;

    /// <summary>
    /// Expressions compiled and the plan made once, on the first use of <see cref="IsValid"/>, <see cref="Diagnostics"/>
    /// or <see cref="Run"/> (both depend only on the recipe).
    /// </summary>
    private readonly Lazy<(ExpressionCompilation? Compilation, Plan? Plan, IReadOnlyList<Diagnostic> Diagnostics)> _prepared;

    private IReadOnlyList<RecipeDiagnostic>? _diagnostics;

    private Recipe(string path, BoundRecipe? bound, IReadOnlyList<Diagnostic> diagnostics)
    {
        Path = path;
        _bound = bound;
        _prepared = new(() => Prepare(diagnostics), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The version of the library (and of the <c>xrayflow</c> tool built with it), e.g. <c>0.1.0</c>.</summary>
    public static string Version => VersionInfo.Version;

    /// <summary>The git commit the library was built from, or null when unknown.</summary>
    public static string? Commit => VersionInfo.Commit;

    /// <summary>The recipe language version this library reads (<c>xrayflow: 1</c>).</summary>
    public static int LanguageVersion => 1;

    /// <summary>The recipe file (or the display name given to <see cref="Parse"/>).</summary>
    public string Path { get; }

    /// <summary>True when the recipe has no error: it can run (its inline expressions compile, as <c>xrayflow validate</c> checks).</summary>
    public bool IsValid => _prepared.Value.Plan is not null;

    /// <summary>Everything reading, binding and compiling the expressions found (errors and warnings), sorted by line and column.</summary>
    public IReadOnlyList<RecipeDiagnostic> Diagnostics => _diagnostics ??= RecipeDiagnostic.From(_prepared.Value.Diagnostics);

    /// <summary>The recipe's name (its <c>name:</c>, else the file name without extension); null when invalid.</summary>
    public string? Name => _bound?.Name;

    /// <summary>The recipe's <c>description:</c>, if any.</summary>
    public string? Description => _bound?.Description;

    /// <summary>The declared inputs, in order (empty when invalid).</summary>
    public IReadOnlyList<RecipeInputInfo> Inputs => _bound?.Inputs.Select(i => new RecipeInputInfo(i.Name, i.Kind == InputKind.Stack, i.DefaultPath)).ToList() ?? [];

    /// <summary>The output names, in order (empty when invalid).</summary>
    public IReadOnlyList<string> Outputs => _bound?.Outputs.Select(o => o.Name).ToList() ?? [];

    /// <summary>The params after overrides: number (double or long), bool or string (empty when invalid).</summary>
    public IReadOnlyDictionary<string, object> Params => _bound?.Params.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal) ?? [];

    /// <summary>
    /// Read and check the recipe file at <paramref name="path"/> (at most 1 MiB). <paramref name="set"/> overrides
    /// params like <c>--set</c>: values are numbers, bools or strings, checked against the param's declared type.
    /// </summary>
    public static Recipe Load(string path, IReadOnlyDictionary<string, object>? set = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var result = RecipeLoader.Load(path, SetText(set));
        return new Recipe(path, result.Recipe, result.Diagnostics);
    }

    /// <summary>
    /// Read and check recipe text. <paramref name="displayPath"/> names it in diagnostics, and relative
    /// <c>default:</c> paths are resolved against its folder.
    /// </summary>
    public static Recipe Parse(string yaml, string displayPath = "recipe.yaml", IReadOnlyDictionary<string, object>? set = null)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(displayPath);
        var result = RecipeLoader.LoadText(yaml, displayPath, SetText(set));
        return new Recipe(displayPath, result.Recipe, result.Diagnostics);
    }

    /// <summary>
    /// Run the recipe once, in memory. <paramref name="inputs"/> binds inputs by name to arrays or files; an
    /// input left out reads its <c>default:</c> path. Returns the outputs by name, or (when the recipe is invalid,
    /// an input is missing or unreadable, or a step fails) no outputs and the diagnostics that say why.
    /// </summary>
    /// <exception cref="ArgumentNullException">An input is bound to null.</exception>
    /// <exception cref="OperationCanceledException"><see cref="RunOptions.Cancellation"/> was cancelled.</exception>
    public RecipeResult Run(Dictionary<string, RecipeInput>? inputs = null, RunOptions? options = null)
    {
        options ??= new RunOptions();
        var (compilation, plan, diagnostics) = _prepared.Value;
        var bag = new DiagnosticBag();
        bag.AddRange(diagnostics);
        if (_bound is not { } recipe || compilation is null || plan is null)
        {
            return Failed(bag);
        }

        inputs ??= [];
        foreach (var (name, value) in inputs)
        {
            if (value is null)
            {
                throw new ArgumentNullException(nameof(inputs), $"input '{name}' is bound to null (leave it out to read its default: path)");
            }

            if (recipe.Inputs.All(i => i.Name != name))
            {
                bag.Report(DiagnosticCodes.UnknownInputName, null, name, string.Join(", ", recipe.Inputs.Select(i => i.Name)));
            }
        }

        var arrays = new Dictionary<string, ImageArray>(StringComparer.Ordinal);
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var input in recipe.Inputs)
        {
            if (!inputs.TryGetValue(input.Name, out var given))
            {
                continue;
            }

            if (given.Path is { } p)
            {
                paths[input.Name] = p;
            }
            else if (Bind(input, given.Array!, bag) is { } a)
            {
                arrays[input.Name] = a;
            }
        }

        if (bag.HasErrors)
        {
            return Failed(bag);
        }

        ReadFiles(recipe, arrays, paths, options, bag);
        if (bag.HasErrors)
        {
            return Failed(bag);
        }

        IReadOnlyDictionary<string, Value> values;
        try
        {
            var executor = new PlanExecutor(plan, compilation.Kernels, ExpressionSteps.ParamValues(recipe), Math.Max(1, options.Threads))
            {
                MaxPixels = options.MaxPixels ?? OpDefinition.MaxOutputPixels,
            };
            values = executor.Run(arrays, options.Cancellation);
        }
        catch (Exception ex) when (ex is StepFailedException or ExpressionRuntimeException or ImageDecodeException or OutOfMemoryException)
        {
            bag.Report(DiagnosticCodes.InputFailed, null, recipe.Name, ex is OutOfMemoryException ? "out of memory" : ex.Message);
            return Failed(bag);
        }

        // An output that is a caller's input array (`from: xray`) is a copy: the caller's buffer may be reused for the next run.
        var callerData = inputs.Values.Where(i => i.Array is not null).Select(i => i.Array!.Data).ToHashSet(ReferenceEqualityComparer.Instance);
        var handedOut = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Value ValueOf(string name)
        {
            string c = plan.Resolve(name);
            var value = values.TryGetValue(c, out var v) ? v
                : arrays.TryGetValue(c, out var a) ? new ArrayValue(a)
                : throw new StepFailedException(name, "no value computed");
            // Two outputs of one value (or a figure panel and an output) get arrays of their own too: each belongs to
            // the caller, who may change one without changing the other.
            return value is ArrayValue { Array: var array } && (callerData.Contains(array.Data) || !handedOut.Add(array.Data)) ? new ArrayValue(array.Clone()) : value;
        }

        var outputs = new Dictionary<string, RecipeValue>(StringComparer.Ordinal);
        foreach (var output in recipe.Outputs)
        {
            outputs[output.Name] = output.Panels is { Count: > 0 } panels
                ? new RecipeValue(output.Name, output.From, null, null, panels.Select(p => Convert(p.From, p.From, ValueOf(p.From))).ToList())
                : Convert(output.Name, output.From, ValueOf(output.From));
        }

        return new RecipeResult(outputs, RecipeDiagnostic.From(bag.ToSortedList()));
    }

    /// <summary>
    /// The load diagnostics, then (for a bound recipe) the expressions' compilation and the plan with their diagnostics;
    /// the plan is null when any of them is an error.
    /// </summary>
    private (ExpressionCompilation?, Plan?, IReadOnlyList<Diagnostic>) Prepare(IReadOnlyList<Diagnostic> loadDiagnostics)
    {
        var bag = new DiagnosticBag();
        bag.AddRange(loadDiagnostics);
        if (_bound is null)
        {
            return (null, null, bag.ToSortedList());
        }

        var compilation = ExpressionSteps.Compile(_bound, CreateCompiler);
        bag.AddRange(compilation.Diagnostics);
        var plan = bag.HasErrors ? null : Planner.Create(_bound, null, new PlanOptions());
        if (plan is not null)
        {
            bag.AddRange(plan.Diagnostics);
        }

        return (compilation, bag.HasErrors ? null : plan, bag.ToSortedList());
    }

    /// <summary>Checks an array against the input's kind; a 2-D array for a stack input becomes a one-frame stack.</summary>
    private static ImageArray? Bind(BoundInput input, ImageArray array, DiagnosticBag bag)
    {
        if (input.Kind == InputKind.Image && array.IsStack)
        {
            bag.Report(DiagnosticCodes.InputFailed, input.Location, $"input '{input.Name}'", $"it is an image input, but the array is a stack {array.ShapeText}");
            return null;
        }

        return input.Kind == InputKind.Stack && !array.IsStack ? ImageArray.Stack(1, array.Rows, array.Cols, array.Data, array.Imag) : array;
    }

    /// <summary>Binds every input not given as an array to its file (given path or recipe default) and decodes it.</summary>
    private static void ReadFiles(BoundRecipe recipe, Dictionary<string, ImageArray> arrays, Dictionary<string, string> paths, RunOptions options, DiagnosticBag bag)
    {
        var fileInputs = recipe with { Inputs = recipe.Inputs.Where(i => !arrays.ContainsKey(i.Name)).ToList() };
        if (fileInputs.Inputs.Count == 0)
        {
            return;
        }

        var items = InputResolver.Resolve(fileInputs, paths, bag);
        if (bag.HasErrors)
        {
            return;
        }

        if (items.Count != 1)
        {
            var batch = fileInputs.Inputs.FirstOrDefault(i => items[0].Files[i.Name][0] != items[1].Files[i.Name][0]) ?? fileInputs.Inputs[0];
            // A binding problem (nothing ran), not a failed input: XRF2061, exit 2 in `xrayflow arrays`.
            string given = paths.TryGetValue(batch.Name, out var p) ? p : batch.DefaultPath ?? batch.Name;
            bag.Report(DiagnosticCodes.OneImagePerInput, batch.Location, batch.Name, items.Count, given);
            return;
        }

        foreach (var input in fileInputs.Inputs)
        {
            var files = items[0].Files[input.Name];
            try
            {
                var array = input.Kind == InputKind.Stack
                    ? ImageIO.ReadStack(files, options.MaxPixels, options.DicomWithoutPreamble)
                    : ImageIO.Read(files[0], options.MaxPixels, options.DicomWithoutPreamble);
                if (Bind(input, array, bag) is { } a)
                {
                    arrays[input.Name] = a;
                }
            }
            catch (ImageDecodeException ex)
            {
                bag.Report(DiagnosticCodes.ImageUnreadable, null, ex.Path, ex.Reason);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                bag.Report(DiagnosticCodes.ImageUnreadable, null, files[0], ex.Message);
            }
        }
    }

    private static RecipeValue Convert(string name, string from, Value value) => value switch
    {
        ArrayValue a => new RecipeValue(name, from, a.Array, null, null),
        TableValue t => new RecipeValue(name, from, null, TableOf(t), null),

        // One number (threshold_otsu, percentile): the table `xrayflow run` writes as JSON, {"value": x}.
        ScalarValue s => new RecipeValue(name, from, null, new Dictionary<string, object>(StringComparer.Ordinal) { ["value"] = s.Number }, null),
        _ => throw new InvalidOperationException($"output '{name}': unknown value {value.GetType().Name}"),
    };

    private static Dictionary<string, object> TableOf(TableValue t)
    {
        var d = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (k, v) in t.Fields)
        {
            d[k] = v;
        }

        return d;
    }

    private RecipeResult Failed(DiagnosticBag bag)
        => new(new Dictionary<string, RecipeValue>(StringComparer.Ordinal), RecipeDiagnostic.From(bag.ToSortedList()));

    private static Dictionary<string, string>? SetText(IReadOnlyDictionary<string, object>? set)
        => set?.ToDictionary(
            kv => kv.Key,
            kv => kv.Value switch
            {
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                null => "null",
                var o => o.ToString() ?? string.Empty,
            },
            StringComparer.Ordinal);

    /// <summary>Kept out of line so Roslyn loads only when a recipe has inline expressions.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static IExpressionCompiler CreateCompiler() => new XRayFlow.Scripting.RoslynExpressionCompiler();
}
