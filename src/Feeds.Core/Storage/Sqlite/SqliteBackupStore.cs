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
        var backup = new PartialBackup(destinationPath);
        try
        {
            backup.ClearLeftover();
            await using (var source = await database.OpenAsync(cancellationToken))
            await using (var destination = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = backup.Path, Pooling = false }.ToString()))
            {
                await destination.OpenAsync(cancellationToken);
                source.BackupDatabase(destination);
            }
            string integrity;
            long items;
            await using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = backup.Path, Pooling = false, Mode = SqliteOpenMode.ReadOnly }.ToString()))
            {
                await copy.OpenAsync(cancellationToken);
                integrity = await copy.ExecuteScalarAsync<string>("PRAGMA integrity_check;") ?? "no answer";
                items = await copy.ExecuteScalarAsync<long>("SELECT count(*) FROM items;");
            }
            if (integrity != "ok")
                return backup.Discard($"the backup copy failed its integrity check ({integrity}); {destinationPath} was not written");
            return backup.Keep(items);
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            return backup.Discard(e.Message);
        }
    }
}
