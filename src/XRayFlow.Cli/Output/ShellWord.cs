namespace XRayFlow.Cli.Output;

/// <summary>
/// A path inside a command the CLI prints for the user to paste (`then xrayflow merge OUT`, `xrayflow run NAME.yaml`):
/// one POSIX shell word. Kept as it is when every character is safe in a shell, else in single quotes (a quote
/// inside as '\''), so a space, `$`, `&amp;`, `;` or `'` in a folder name cannot split, expand or run anything.
/// </summary>
internal static class ShellWord
{
    public static string Quote(string text)
    {
        if (text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or ',' or ':' or '@' or '%' or '='))
        {
            return text;
        }

        return "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
