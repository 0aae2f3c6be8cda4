using System.Reflection;
using System.Runtime.CompilerServices;
using XRayFlow.Core.Diagnostics;
using XRayFlow.Core.Expressions;
using XRayFlow.Scripting.Roslyn;

namespace XRayFlow.Scripting;

/// <summary>
/// Checks recipe expressions against an allow-list and compiles all of them in one Roslyn compilation, cached on disk.
/// This class never touches Roslyn types itself: on a cache hit (a warm run) Microsoft.CodeAnalysis is not loaded.
/// </summary>
public sealed class RoslynExpressionCompiler : IExpressionCompiler
{
    private readonly ExpressionCache? _cache;

    /// <summary>A compiler using the default per-user cache folder and key (see <see cref="DefaultCacheDirectory"/>, <see cref="DefaultKeyFile"/>).</summary>
    public RoslynExpressionCompiler()
        : this(ExpressionCache.DefaultDirectory())
    {
    }

    /// <summary>A compiler caching in <paramref name="cacheDirectory"/> with the default key; null disables the disk cache.</summary>
    public RoslynExpressionCompiler(string? cacheDirectory)
        : this(cacheDirectory, keyFile: null)
    {
    }

    /// <summary>
    /// A compiler caching in <paramref name="cacheDirectory"/> (null disables the disk cache), its entries authenticated
    /// with the secret key in <paramref name="keyFile"/> (null: <see cref="DefaultKeyFile"/>; created when missing).
    /// </summary>
    public RoslynExpressionCompiler(string? cacheDirectory, string? keyFile)
        : this(cacheDirectory is null ? null : new ExpressionCache(cacheDirectory, keyFile ?? ExpressionCache.DefaultKeyFile()))
    {
    }

    private RoslynExpressionCompiler(ExpressionCache? cache)
    {
        _cache = cache;
    }

    /// <summary>A compiler over a given cache (tests inject one that expects another owner).</summary>
    internal static RoslynExpressionCompiler Over(ExpressionCache cache) => new(cache);

    /// <summary><c>$XRAYFLOW_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/xrayflow/expr</c>, else <c>~/.cache/xrayflow/expr</c>.</summary>
    public static string DefaultCacheDirectory => ExpressionCache.DefaultDirectory();

    /// <summary>The name of the environment variable that overrides the cache folder.</summary>
    public const string CacheDirectoryVariable = ExpressionCache.EnvironmentVariable;

    /// <summary><c>$XRAYFLOW_KEY_FILE</c>, else <c>$XDG_CONFIG_HOME/xrayflow/cache.key</c>, else <c>~/.config/xrayflow/cache.key</c>.</summary>
    public static string DefaultKeyFile => ExpressionCache.DefaultKeyFile();

    /// <summary>The name of the environment variable that overrides the cache's key file.</summary>
    public const string KeyFileVariable = ExpressionCache.KeyFileVariable;

    /// <summary>Where the last <see cref="Compile"/> got its assembly: "none", "cache" or "compiled" (for tests and --profile).</summary>
    public string LastSource { get; private set; } = "none";

    public ExpressionCompilation Compile(IReadOnlyList<ExpressionStep> steps, IReadOnlyList<string> recipeParams)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(recipeParams);
        var bag = new DiagnosticBag();
        List<StepPlan> plans = SourceGenerator.Plan(steps, recipeParams, bag);
        if (bag.HasErrors)
        {
            LastSource = "none";
            return new ExpressionCompilation(new Dictionary<string, IExpressionKernel>(), bag.ToSortedList());
        }

        if (plans.Count == 0)
        {
            LastSource = "none";
            return new ExpressionCompilation(new Dictionary<string, IExpressionKernel>(), []);
        }

        GeneratedSource source = SourceGenerator.Generate(plans);
        string key = ExpressionCache.Key(source.Text);
        ExpressionCache? cache = null;
        string? notice = null;
        if (_cache?.TryOpen(out notice) == true)
        {
            cache = _cache;
        }

        if (cache?.TryLoad(key) is { } cached && Bind(cached, source) is { } warm)
        {
            LastSource = "cache";
            return new ExpressionCompilation(warm, []);
        }

        byte[]? image = CompileWithRoslyn(plans, source, key, bag);
        if (image is null || bag.HasErrors)
        {
            LastSource = "none";
            return new ExpressionCompilation(new Dictionary<string, IExpressionKernel>(), bag.ToSortedList());
        }

        Assembly? assembly = ExpressionCache.Load(image, key);
        Dictionary<string, IExpressionKernel>? kernels = assembly is null ? null : Bind(assembly, source);
        if (kernels is null)
        {
            throw new InvalidOperationException("the expression assembly just compiled could not be loaded");
        }

        cache?.TryStore(key, image);
        if (notice is not null)
        {
            // Once per compilation, and only when it succeeded: with errors to fix, the cache is not the news.
            bag.Report(DiagnosticCodes.ExpressionCacheNotUsed, null, notice);
        }

        LastSource = "compiled";
        return new ExpressionCompilation(kernels, bag.ToSortedList());
    }

    // Kept out of line so that the JIT compiling Compile never needs the Roslyn assemblies.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static byte[]? CompileWithRoslyn(List<StepPlan> plans, GeneratedSource source, string key, DiagnosticBag bag)
        => RoslynBackend.Compile(plans, source, key, bag);

    private static Dictionary<string, IExpressionKernel>? Bind(Assembly assembly, GeneratedSource source)
    {
        try
        {
            Type? type = assembly.GetType(GeneratedSource.Namespace + "." + GeneratedSource.ClassName, throwOnError: false);
            if (type is null)
            {
                return null;
            }

            var kernels = new Dictionary<string, IExpressionKernel>(StringComparer.Ordinal);
            foreach (StepPlan plan in source.Steps)
            {
                MethodInfo? method = type.GetMethod(plan.MethodName, BindingFlags.Public | BindingFlags.Static);
                if (method is null)
                {
                    return null;
                }

                var function = (StepFunction)Delegate.CreateDelegate(typeof(StepFunction), method);
                bool vectorized = type.GetField(GeneratedSource.VectorizedPrefix + plan.MethodName, BindingFlags.Public | BindingFlags.Static) is not null;
                kernels[plan.Step.StepId] = new CompiledKernel(plan.Step.StepId, plan.Step.Variables.Count, plan.Params.Count, function, vectorized);
            }

            return kernels;
        }
        catch (Exception e) when (e is ArgumentException or TypeLoadException or BadImageFormatException or FileLoadException or MissingMethodException)
        {
            return null;
        }
    }
}
