namespace XRayFlow.Core.Expressions;

/// <summary>
/// The names an expression variable may not have because C# or the generated code gives them a meaning: one list for
/// the recipe binder (a located XRF1060 at the `in` key) and the compiler (XRF3009), so neither needs Roslyn for it.
/// </summary>
public static class ExpressionNames
{
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "abstract", "as", "base", "bool", "break", "byte", "case", "catch", "char", "checked", "class", "const",
        "continue", "decimal", "default", "delegate", "do", "double", "else", "enum", "event", "explicit", "extern",
        "false", "finally", "fixed", "float", "for", "foreach", "goto", "if", "implicit", "in", "int", "interface",
        "internal", "is", "lock", "long", "namespace", "new", "null", "object", "operator", "out", "override",
        "params", "private", "protected", "public", "readonly", "ref", "return", "sbyte", "sealed", "short",
        "sizeof", "stackalloc", "static", "string", "struct", "switch", "this", "throw", "true", "try", "typeof",
        "uint", "ulong", "unchecked", "unsafe", "ushort", "using", "virtual", "void", "volatile", "while",
        // contextual keywords that would change how an expression parses or binds, and the Math types
        "var", "dynamic", "nameof", "await", "global", "nint", "nuint", "Math", "MathF",
    };

    /// <summary>The built-in variables every expression sees for its pixel: row index, column index, rows, cols.</summary>
    public static IReadOnlyList<string> PixelBuiltIns { get; } = ["i", "j", "rows", "cols"];

    /// <summary>True when <paramref name="name"/> is a C# keyword or a name expressions reserve (Math, MathF, var...).</summary>
    public static bool IsReserved(string name) => Reserved.Contains(name);
}
