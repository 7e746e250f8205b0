using System.ComponentModel;
using System.Data;
using Dapper;
using Npgsql;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// <see cref="IBackupStore"/> on PostgreSQL: <c>pg_dump --format=custom</c> of a snapshot this store holds open, so the
/// item count it reports is the dump's; the dump is written beside the destination, checked (<c>pg_restore --list</c>
/// reads it whole) and only then moved into place. Without pg_dump on the machine it fails and says what to do.
/// </summary>
internal sealed class PostgresBackupStore(PostgresDatabase database) : IBackupStore
{
    public async Task<BackupResult> BackupAsync(string destinationPath, CancellationToken cancellationToken)
    {
        if (PostgresTools.Find("pg_dump") is not { } pgDump || PostgresTools.Find("pg_restore") is not { } pgRestore)
            return new BackupResult.Failed(
                $"pg_dump and pg_restore were not found on PATH or in {PostgresTools.DebianFolders}: install the PostgreSQL client programs "
                + $"(apt-get install postgresql-client), or back up {database.Description} with pg_dump --format=custom yourself");
        var backup = new PartialBackup(destinationPath);
        try
        {
            backup.ClearLeftover();
            long items;
            await using (var connection = await database.OpenAsync(cancellationToken))
            await using (var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken))
            {
                // pg_dump reads the snapshot this transaction holds open: the count below is the dump's.
                var snapshotId = await connection.ExecuteScalarAsync<string>(new CommandDefinition("SELECT pg_export_snapshot()", transaction: snapshot, cancellationToken: cancellationToken));
                items = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM items", transaction: snapshot, cancellationToken: cancellationToken));
                var dump = await PostgresTools.RunAsync(pgDump, ["--format=custom", "--no-owner", $"--snapshot={snapshotId}", $"--file={backup.Path}"],
                    database.Connection, cancellationToken);
                if (dump.ExitCode != 0)
                    return backup.Discard($"pg_dump failed (exit code {dump.ExitCode}): {dump.Errors}; {destinationPath} was not written");
                await snapshot.CommitAsync(cancellationToken);
            }
            var check = await PostgresTools.RunAsync(pgRestore, ["--list", backup.Path], database.Connection, cancellationToken);
            if (check.ExitCode != 0 || !check.Output.Contains("TABLE DATA", StringComparison.Ordinal))
                return backup.Discard($"the dump failed its check (pg_restore --list: {check.Errors}); {destinationPath} was not written");
            return backup.Keep(items);
        }
        catch (NpgsqlException e)
        {
            return backup.Discard($"cannot read {database.Description}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Win32Exception)
        {
            return backup.Discard(e.Message);
        }
    }
}
