namespace XRayFlow.Pipeline.Running;

/// <summary>Exit codes of the `xrayflow` commands.</summary>
public static class ExitCodes
{
    /// <summary>Everything succeeded (verify: no difference).</summary>
    public const int Success = 0;

    /// <summary>The run started but some inputs failed (verify: a difference was found).</summary>
    public const int SomeFailed = 1;

    /// <summary>The recipe or the command line is invalid; nothing was run.</summary>
    public const int Invalid = 2;

    /// <summary>Stopped by Ctrl+C (SIGINT), cleanly: the items done are in manifest.json (the shell's 128 + 2; SIGTERM gives 143, SIGHUP 129).</summary>
    public const int Cancelled = 130;

    /// <summary>An unexpected internal error (a bug): distinct from user errors (EX_SOFTWARE of sysexits.h).</summary>
    public const int InternalError = 70;
}
