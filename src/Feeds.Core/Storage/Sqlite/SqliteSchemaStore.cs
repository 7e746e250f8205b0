using Dapper;
using Microsoft.Data.Sqlite;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>
/// <see cref="ISchemaStore"/> on SQLite: refuses a file that is not a healthy Feeds database, then applies the numbered
/// migrations (<see cref="SqliteMigrations"/>), puts the file in WAL mode, and reads the window's story terms again
/// when this build reads them another way (<see cref="DbStoryIndex.RereadTermsAsync"/>).
/// </summary>
internal sealed class SqliteSchemaStore(SqliteDatabase database, DbStoryIndex stories) : ISchemaStore
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await CheckIsFeedsDatabaseAsync(connection, cancellationToken);
            // Pages freed by a prune go back to the file system (PRAGMA incremental_vacuum). SQLite takes this only
            // before the first table is created, so a new database gets it; an older one keeps it off until a VACUUM.
            if (await connection.ExecuteScalarAsync<long>("PRAGMA user_version;") == 0)
                await connection.ExecuteAsync("PRAGMA auto_vacuum = INCREMENTAL;");
            await connection.ExecuteAsync("PRAGMA journal_mode = WAL;");
            await SqliteMigrations.ApplyAsync(connection, cancellationToken);
            await stories.RereadTermsAsync(connection, cancellationToken);
        }
        catch (SqliteException e)
        {
            // Anything else SQLite refuses at start (a folder where the file should be, no permission to read it).
            throw new DatabaseRefusedException(database.DatabasePath,
                $"it cannot be opened as a Feeds database ({e.Message}); check its permissions, or move it aside or pass another file with --db", e);
        }
    }

    /// <summary>
    /// Refuses, before writing anything, a file that is not ours: migrating another program's database would add
    /// our tables to it, and a damaged one would fail later, one query at a time.
    /// </summary>
    private async Task CheckIsFeedsDatabaseAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        string integrity;
        long version;
        List<string> tables;
        try
        {
            // quick_check reads every page but not every index entry: O(size), measured in the README.
            integrity = string.Join("; ", await connection.QueryAsync<string>(new CommandDefinition("PRAGMA quick_check(3);", cancellationToken: cancellationToken)));
            version = await connection.ExecuteScalarAsync<long>(new CommandDefinition("PRAGMA user_version;", cancellationToken: cancellationToken));
            tables = (await connection.QueryAsync<string>(new CommandDefinition(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name", cancellationToken: cancellationToken))).ToList();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteErrors.NotADatabase)
        {
            throw new DatabaseRefusedException(database.DatabasePath,
                $"it is not an SQLite database ({e.Message}); move it aside or pass another file with --db", e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == SqliteErrors.Corrupt)
        {
            throw new DatabaseRefusedException(database.DatabasePath,
                $"it is damaged ({e.Message}); restore a copy made with 'feeds backup', or move it aside to start afresh", e);
        }
        var latest = SqliteMigrations.Latest;
        if (integrity != "ok")
            throw new DatabaseRefusedException(database.DatabasePath,
                $"it is damaged (PRAGMA quick_check: {integrity}); restore a copy made with 'feeds backup', or move it aside to start afresh");
        if (version > latest)
            throw new DatabaseRefusedException(database.DatabasePath,
                $"it was written by a newer Feeds (schema version {version}; this build knows up to {latest}); run the newer build or restore a backup");
        if (version == 0 && tables.Count > 0)
            throw new DatabaseRefusedException(database.DatabasePath,
                $"it is an SQLite database of another program (tables: {string.Join(", ", tables)}) with no Feeds schema version; pass a new file with --db");
        if (version > 0 && !(tables.Contains("sources") && tables.Contains("items")))
            throw new DatabaseRefusedException(database.DatabasePath,
                $"it has schema version {version} but not the Feeds tables sources and items (tables: {string.Join(", ", tables)}); it belongs to another program");
    }
}
