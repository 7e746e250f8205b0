namespace Feeds.Core.Storage;

/// <summary>Maintenance an operator runs (<c>feeds backup</c>): a consistent copy of the database, taken while the service runs.</summary>
public interface IBackupStore
{
    /// <summary>
    /// Writes a consistent copy of everything stored to <paramref name="destinationPath"/> (replacing it), safe while the
    /// service reads and writes. The copy is checked before it is put in place: a copy that fails its check is not written.
    /// </summary>
    Task<BackupResult> BackupAsync(string destinationPath, CancellationToken cancellationToken);
}

/// <summary>How a backup ended: a checked copy in place, or why there is none. A value, never an exception.</summary>
public abstract record BackupResult
{
    private BackupResult()
    {
    }

    /// <summary>The copy is at <paramref name="Path"/>, passed its integrity check and holds <paramref name="Items"/> items.</summary>
    public sealed record Written(string Path, long Items) : BackupResult;

    /// <summary>No copy was put in place; <paramref name="Reason"/> says why, for the operator.</summary>
    public sealed record Failed(string Reason) : BackupResult;
}
