namespace XRayFlow.Pipeline.Running;

/// <summary>Reports progress of a run (a progress bar on a terminal, plain lines otherwise).</summary>
public interface IRunProgress
{
    void Started(int items);

    void ItemFinished(ManifestItem item);
}
