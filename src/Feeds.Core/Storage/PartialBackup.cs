namespace Feeds.Core.Storage;

/// <summary>
/// A backup as every <see cref="IBackupStore"/> writes it: to a file beside the destination, checked, and only then moved
/// into place. A failed one is deleted, so no half-written copy is left to be mistaken for a good one.
/// </summary>
internal sealed class PartialBackup
{
    private readonly string _destinationPath;

    public PartialBackup(string destinationPath)
    {
        _destinationPath = destinationPath;
        Path = destinationPath + ".partial";
    }

    /// <summary>The file the copy is written to until it has passed its check.</summary>
    public string Path { get; }

    /// <summary>Deletes what an earlier backup that failed may have left, before the copy is written.</summary>
    public void ClearLeftover() => File.Delete(Path);

    /// <summary>The copy passed its check: it replaces the destination.</summary>
    public BackupResult.Written Keep(long items)
    {
        File.Move(Path, _destinationPath, overwrite: true);
        return new BackupResult.Written(_destinationPath, items);
    }

    /// <summary>The copy failed, or could not be written: it is deleted and the destination left as it was.</summary>
    public BackupResult.Failed Discard(string reason)
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Where nothing could be written, there is usually nothing to delete either.
        }
        return new BackupResult.Failed(reason);
    }
}
