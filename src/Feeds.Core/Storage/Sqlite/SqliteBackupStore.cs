using Dapper;
using Microsoft.Data.Sqlite;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>
/// <see cref="IBackupStore"/> on SQLite: the online backup API, safe while the service reads and writes; the copy is
/// written beside the destination, checked (<c>PRAGMA integrity_check</c>) and only then moved into place.
/// </summary>
internal sealed class SqliteBackupStore(SqliteDatabase database) : IBackupStore
{
    public async Task<BackupResult> BackupAsync(string destinationPath, CancellationToken cancellationToken)
    {
        var temporary = destinationPath + ".partial";
        try
        {
            File.Delete(temporary);
            await using (var source = await database.OpenAsync(cancellationToken))
            await using (var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false }.ToString()))
            {
                await destination.OpenAsync(cancellationToken);
                source.BackupDatabase(destination);
            }
            string integrity;
            long items;
            await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = temporary, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString()))
            {
                await copy.OpenAsync(cancellationToken);
                integrity = await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check;") ?? "no answer";
                items = await copy.ExecuteScalarAsync<long>("SELECT count(*) FROM items;");
            }
            if (integrity != "ok")
                return Discard(temporary, $"the backup copy failed its integrity check ({integrity}); {destinationPath} was not written");
            File.Move(temporary, destinationPath, overwrite: true);
            return new BackupResult.Written(destinationPath, items);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            return Discard(temporary, e.Message);
        }
    }

    /// <summary>A failed backup leaves no half-written copy behind to be mistaken for a good one.</summary>
    private static BackupResult.Failed Discard(string temporary, string reason)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Where nothing could be written, there is usually nothing to delete either.
        }
        return new BackupResult.Failed(reason);
    }
}
