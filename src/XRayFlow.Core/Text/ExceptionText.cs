namespace XRayFlow.Core.Text;

/// <summary>The text of an exception as a user reads it in a diagnostic.</summary>
public static class ExceptionText
{
    /// <summary>
    /// <paramref name="e"/>'s message without the " (Parameter 'vmin')" that .NET appends when the exception names a
    /// parameter: that name is the C# method's, not a recipe's, and the message already says what is wrong.
    /// </summary>
    public static string Message(ArgumentException e)
    {
        ArgumentNullException.ThrowIfNull(e);
        string message = e.Message;
        string suffix = $" (Parameter '{e.ParamName}')";
        return e.ParamName is not null && message.EndsWith(suffix, StringComparison.Ordinal) ? message[..^suffix.Length] : message;
    }
}
