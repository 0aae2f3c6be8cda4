using System.Globalization;
using System.Text;
using XRayFlow.Core.Expressions;
using XRayFlow.Core.Text;

namespace XRayFlow.Cli.Watch;

/// <summary>
/// The expression compiler of a watch session: one compiler for the whole session, and each distinct set of
/// expression texts compiled (or loaded from the disk cache) once. Editing a threshold param, a sigma, an output,
/// or anything but an expression's text reruns without compiling or loading anything.
/// </summary>
internal sealed class CompilerMemo(Func<IExpressionCompiler> create) : IExpressionCompiler
{
    /// <summary>Compilations kept (each holds a loaded assembly); the oldest goes first.</summary>
    public const int Capacity = 64;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, ExpressionCompilation> _done = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private IExpressionCompiler? _compiler;

    /// <summary>How many compilations reached the real compiler (for tests).</summary>
    public int Compiled { get; private set; }

    public ExpressionCompilation Compile(IReadOnlyList<ExpressionStep> steps, IReadOnlyList<string> recipeParams)
    {
        string key = Key(steps, recipeParams);
        lock (_gate)
        {
            if (_done.TryGetValue(key, out var known))
            {
                return known;
            }

            _compiler ??= create();
            var result = _compiler.Compile(steps, recipeParams);
            Compiled++;
            if (result.Succeeded)
            {
                // Errors are not kept: their locations move with the text around them.
                _done[key] = result;
                _order.Enqueue(key);
                if (_order.Count > Capacity)
                {
                    _done.Remove(_order.Dequeue());
                }
            }

            return result;
        }
    }

    /// <summary>Everything a compilation depends on (not where the texts stand in the file).</summary>
    internal static string Key(IReadOnlyList<ExpressionStep> steps, IReadOnlyList<string> recipeParams)
    {
        var sb = new StringBuilder();
        void Text(string? s) => sb.Append(s is null ? "-1" : s.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(s).Append(';');
        foreach (var p in recipeParams)
        {
            Text(p);
        }

        sb.Append('|');
        foreach (var step in steps)
        {
            Text(step.StepId);
            Text(step.Op);
            sb.Append(step.IsSelect ? 'S' : 'M');
            foreach (var v in step.Variables)
            {
                Text(v);
            }

            sb.Append('#');
            foreach (var v in step.Scalars)
            {
                Text(v);
            }

            sb.Append('[');
            foreach (var part in step.Parts)
            {
                Text(part.Role);
                Text(part.Text);
                Text(part.Number is { } n ? RoundTrip.Format(n) : null);
                sb.Append(part.IsCondition ? 'C' : 'V');
            }

            sb.Append(']');
        }

        return sb.ToString();
    }
}
