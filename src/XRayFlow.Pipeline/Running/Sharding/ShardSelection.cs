using System.Globalization;
using XRayFlow.Core.Diagnostics;

namespace XRayFlow.Pipeline.Running.Sharding;

/// <summary>
/// Which shard this process runs: `--shard I/N` as given, or `--shard auto` read from the scheduler's
/// environment. Slurm job arrays: shard (SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN) / SLURM_ARRAY_TASK_STEP of
/// SLURM_ARRAY_TASK_COUNT (an array with gaps, such as a rerun's `--array=3,17`, cannot say how many shards
/// there are: it needs the count from `--shards N` or XRAYFLOW_SHARDS, and then the task ids are the shard
/// numbers). Kubernetes Indexed Jobs: shard JOB_COMPLETION_INDEX of `--shards N` or XRAYFLOW_SHARDS (Kubernetes
/// does not pass the Job's completions). Every problem is a sentence for XRF2021, never a guess.
/// </summary>
public static class ShardSelection
{
    /// <summary>The variable that gives the number of shards when the scheduler does not (Kubernetes) or cannot (a Slurm rerun of some tasks).</summary>
    public const string ShardsVariable = "XRAYFLOW_SHARDS";

    /// <summary>
    /// The shard to run, or null for the whole batch (no --shard). <paramref name="problem"/> says why the
    /// options or the environment give no shard (then the result is null too).
    /// </summary>
    /// <param name="shard">The --shard value: "I/N", "auto" or null.</param>
    /// <param name="shards">The --shards value, or null.</param>
    /// <param name="environment">Reads an environment variable (null when unset).</param>
    /// <param name="problem">Why not, or null.</param>
    public static Shard? Resolve(string? shard, int? shards, Func<string, string?> environment, out Diagnostic? problem)
    {
        problem = null;
        if (shard is null)
        {
            if (shards is not null)
            {
                problem = Bad("--shards", "gives the number of shards for --shard auto; give --shard auto as well (or --shard I/N alone)");
            }

            return null;
        }

        if (shards is < 1 or > Shard.MaxCount)
        {
            problem = Bad("--shards", $"must be 1 to {Shard.MaxCount}");
            return null;
        }

        if (shard != "auto")
        {
            var given = Shard.Parse(shard, out string? why);
            if (given is not null && shards is { } n && n != given.Count)
            {
                problem = Bad("--shard", $"{shard} and --shards {n} disagree on the number of shards");
                return null;
            }

            problem = why is null ? null : Bad("--shard", why);
            return given;
        }

        // The count the user gave, if any: --shards wins over XRAYFLOW_SHARDS.
        int? count = shards;
        string countFrom = "--shards";
        if (count is null && environment(ShardsVariable) is { } text)
        {
            if (!TryNumber(text, out long c) || c is < 1 or > Shard.MaxCount)
            {
                problem = Bad("--shard auto", $"{ShardsVariable}='{text}' must be a whole number, 1 to {Shard.MaxCount}");
                return null;
            }

            count = (int)c;
            countFrom = ShardsVariable;
        }

        if (environment("SLURM_ARRAY_TASK_ID") is { } taskText)
        {
            return FromSlurm(taskText, count, countFrom, environment, out problem);
        }

        if (environment("JOB_COMPLETION_INDEX") is { } indexText)
        {
            return FromKubernetes(indexText, count, countFrom, out problem);
        }

        problem = environment("SLURM_JOB_ID") is { } job
            ? Bad("--shard auto", $"Slurm job {job} is not a job array (no SLURM_ARRAY_TASK_ID): submit it with sbatch --array=0-{(count ?? 64) - 1}, or give --shard I/N")
            : Bad("--shard auto", "neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) is set; give --shard I/N");
        return null;
    }

    /// <summary>The thread budget Slurm allotted (SLURM_CPUS_PER_TASK), null when unset; <paramref name="problem"/> when it is not a number.</summary>
    public static int? SlurmThreads(Func<string, string?> environment, out Diagnostic? problem)
    {
        problem = null;
        if (environment("SLURM_CPUS_PER_TASK") is not { } text)
        {
            return null;
        }

        if (!TryNumber(text, out long n) || n is < 1 or > 1 << 20)
        {
            problem = Bad("--threads", $"SLURM_CPUS_PER_TASK='{text}' (the default of --threads under Slurm) is not a number of CPUs; give --threads N");
            return null;
        }

        return (int)n;
    }

    private static Shard? FromSlurm(string taskText, int? count, string countFrom, Func<string, string?> environment, out Diagnostic? problem)
    {
        problem = null;
        if (!TryNumber(taskText, out long id))
        {
            problem = Bad("--shard auto", $"SLURM_ARRAY_TASK_ID='{taskText}' is not a task number");
            return null;
        }

        if (count is { } n)
        {
            // A count was given: the array's task ids are the shard numbers (so `--array=3,17` reruns shards 3 and 17).
            if (id >= n)
            {
                problem = Bad("--shard auto", $"SLURM_ARRAY_TASK_ID={id} is not a shard number 0 to {n - 1} ({countFrom} {n}); with a shard count given, the array's task ids are the shard numbers: submit --array=0-{n - 1} (or a list of those to rerun)");
                return null;
            }

            return new Shard((int)id, n);
        }

        string? minText = environment("SLURM_ARRAY_TASK_MIN");
        string? countText = environment("SLURM_ARRAY_TASK_COUNT");
        if (minText is null || countText is null)
        {
            problem = Bad("--shard auto", $"SLURM_ARRAY_TASK_ID is set but {(minText is null ? "SLURM_ARRAY_TASK_MIN" : "SLURM_ARRAY_TASK_COUNT")} is not (Slurm older than 17.11?); give --shards N or set {ShardsVariable}=N");
            return null;
        }

        string maxText = environment("SLURM_ARRAY_TASK_MAX") ?? minText;
        string stepText = environment("SLURM_ARRAY_TASK_STEP") ?? "1";
        if (!TryNumber(minText, out long min) || !TryNumber(countText, out long tasks) || !TryNumber(maxText, out long max) || !TryNumber(stepText, out long step) || step < 1 || tasks < 1)
        {
            problem = Bad("--shard auto", $"the Slurm array variables are not numbers (SLURM_ARRAY_TASK_MIN='{minText}', SLURM_ARRAY_TASK_MAX='{maxText}', SLURM_ARRAY_TASK_STEP='{stepText}', SLURM_ARRAY_TASK_COUNT='{countText}')");
            return null;
        }

        // A plain range (0-63, 1-64, 0-252:4): every id from min to max in steps is a task. Anything else has gaps.
        bool contiguous = max >= min && (max - min) % step == 0 && ((max - min) / step) + 1 == tasks
            && id >= min && id <= max && (id - min) % step == 0;
        if (!contiguous)
        {
            problem = Bad("--shard auto", $"this Slurm array has gaps (task ids {min} to {max}{(step > 1 ? $" step {step}" : string.Empty)}, but {tasks} task(s); this is task {id}), so it cannot tell how many shards there are: give --shards N or set {ShardsVariable}=N (the task ids are then the shard numbers, 0 to N-1)");
            return null;
        }

        if (tasks > Shard.MaxCount)
        {
            problem = Bad("--shard auto", $"the Slurm array has {tasks} tasks, more than {Shard.MaxCount} shards");
            return null;
        }

        return new Shard((int)((id - min) / step), (int)tasks);
    }

    private static Shard? FromKubernetes(string indexText, int? count, string countFrom, out Diagnostic? problem)
    {
        problem = null;
        if (!TryNumber(indexText, out long index))
        {
            problem = Bad("--shard auto", $"JOB_COMPLETION_INDEX='{indexText}' is not an index");
            return null;
        }

        if (count is not { } n)
        {
            problem = Bad("--shard auto", $"JOB_COMPLETION_INDEX={index} (a Kubernetes Indexed Job) but no shard count: give --shards N or set {ShardsVariable}=N, N being the Job's completions (Kubernetes does not pass it)");
            return null;
        }

        if (index >= n)
        {
            problem = Bad("--shard auto", $"JOB_COMPLETION_INDEX={index} is not a shard number 0 to {n - 1} ({countFrom} {n}); set the Job's completions to {n} (or {countFrom} to the completions)");
            return null;
        }

        return new Shard((int)index, n);
    }

    private static Diagnostic Bad(string option, string why) => DiagnosticCodes.BadOptionValue.Create(null, option, why);

    /// <summary>A non-negative decimal whole number (surrounding blanks allowed), at most 2^62.</summary>
    private static bool TryNumber(string text, out long value)
        => long.TryParse(text.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value <= 1L << 62;
}
