namespace XRayFlow.Pipeline.Running;

/// <summary>An input file an item read: the input's name, the file's absolute path and its SHA-256.</summary>
public sealed record ManifestFile(string Input, string Path, string Sha256);

/// <summary>An output file an item wrote: the output's name, its path relative to --out and its SHA-256.</summary>
public sealed record ManifestOutput(string Output, string Path, string Sha256);

/// <summary>One step's time in an item (the last repeat): fused chains and merged steps say so.</summary>
/// <param name="Chain">The fused chain the step ran in (1-based, as `xrayflow plan` numbers them), or 0: each step names its chain once, so the manifest stays linear in the step count.</param>
public sealed record ManifestStep(string Id, string Op, double Ms, int Chain = 0, string? SameAs = null);

/// <summary>One item of a run (one file of a batch, or the single run).</summary>
public sealed record ManifestItem
{
    public required string Name { get; init; }

    public required string Stem { get; init; }

    /// <summary>ok, failed, or resumed (outputs of an earlier run found complete and kept).</summary>
    public required string Status { get; init; }

    public string? Error { get; init; }

    public IReadOnlyList<ManifestFile> Inputs { get; init; } = [];

    public IReadOnlyList<ManifestOutput> Outputs { get; init; } = [];

    public IReadOnlyList<ManifestStep> Steps { get; init; } = [];

    /// <summary>The number each scalar step computed for this item (`threshold_otsu`, `percentile`...), by step id in recipe order.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Scalars { get; init; } = [];

    public bool Succeeded => Status is "ok" or "resumed";
}

/// <summary>
/// The batch a run of more than one input was given (`"batch"`, in a manifest that is not a shard's): its
/// <paramref name="Total"/> inputs, whose names hash as a shard's list does (<see cref="ManifestShard.ListSha256"/>).
/// A manifest with fewer items is one of a run that stopped before the end (`--max-failures`, a signal): `verify` then
/// knows the batch's other files are the ones not run, not new inputs.
/// </summary>
public sealed record ManifestBatch(long Total, string ListSha256);

/// <summary>
/// The shard a manifest records (`"shard"`, only in a shard's manifest): shard <paramref name="Index"/> of
/// <paramref name="Count"/> of a batch of <paramref name="Total"/> items whose names, in order, each followed by
/// '\n', hash (SHA-256) to <paramref name="ListSha256"/>: `merge` checks every shard listed the same batch.
/// </summary>
public sealed record ManifestShard(int Index, int Count, long Total, string ListSha256)
{
    /// <summary>
    /// The batch's combined tables (`"combined_tables"`: output name -> path relative to --out), which a shard does
    /// not write (it has only its block of the batch): `merge` writes them from every shard's per-item files.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Combined { get; init; } = [];

    /// <summary>Equal when every field is, <see cref="Combined"/> compared item by item.</summary>
    public bool Equals(ManifestShard? other)
        => other is not null && Index == other.Index && Count == other.Count && Total == other.Total
            && ListSha256 == other.ListSha256 && Combined.SequenceEqual(other.Combined);

    public override int GetHashCode() => HashCode.Combine(Index, Count, Total, ListSha256, Combined.Count);
}
