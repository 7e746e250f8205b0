using Dapper;
using Npgsql;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// <see cref="ISchemaStore"/> on PostgreSQL: refuses a database that is not Feeds' (or is a newer Feeds'), then applies
/// the numbered migrations (<see cref="PostgresMigrations"/>) in the connection's schema, and reads the window's story
/// terms again when this build reads them another way (<see cref="DbStoryIndex.RereadTermsAsync"/>).
/// </summary>
internal sealed class PostgresSchemaStore(PostgresDatabase database, DbStoryIndex stories) : ISchemaStore
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await PostgresMigrations.SerializedAsync(connection, async () =>
            {
                await CheckIsFeedsDatabaseAsync(connection, cancellationToken);
                await PostgresMigrations.ApplyAsync(connection, cancellationToken);
                // Under the migrations' lock: of the nodes starting at once, one reads the terms again.
                await stories.RereadTermsAsync(connection, cancellationToken);
            }, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrors.InvalidCatalogName)
        {
            throw new DatabaseRefusedException(database.Description,
                $"the database does not exist ({e.MessageText}); create it first (createdb {database.Connection.Database}), or fix the connection string", e);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrors.InvalidPassword or PostgresErrors.InvalidAuthorization)
        {
            throw new DatabaseRefusedException(database.Description,
                $"the server refused the login ({e.MessageText}); check the user and password in the connection string", e);
        }
        catch (NpgsqlException e)
        {
            throw new DatabaseRefusedException(database.Description,
                $"it cannot be opened as a Feeds database ({e.Message}); check that the server runs and the connection string (storage.connectionString, FEEDS_POSTGRES or --connection)", e);
        }
    }

    /// <summary>Refuses, before writing anything, a database that holds another program's tables: migrating would add ours to them.</summary>
    private async Task CheckIsFeedsDatabaseAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var tables = (await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name",
            cancellationToken: cancellationToken))).ToList();
        if (!tables.Contains(PostgresMigrations.VersionTable))
        {
            if (tables.Count > 0)
                throw new DatabaseRefusedException(database.Description,
                    $"it holds another program's tables ({string.Join(", ", tables)}) and no {PostgresMigrations.VersionTable}; give Feeds a database (or schema) of its own");
            return;
        }
        var version = await PostgresMigrations.CurrentAsync(connection, null, cancellationToken);
        if (version > PostgresMigrations.Latest)
            throw new DatabaseRefusedException(database.Description,
                $"it was written by a newer Feeds (schema version {version}; this build knows up to {PostgresMigrations.Latest}); run the newer build or restore a backup");
        if (version > 0 && !(tables.Contains("sources") && tables.Contains("items")))
            throw new DatabaseRefusedException(database.Description,
                $"it has schema version {version} but not the Feeds tables sources and items (tables: {string.Join(", ", tables)})");
    }
}
