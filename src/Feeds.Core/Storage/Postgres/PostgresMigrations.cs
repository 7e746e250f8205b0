using System.Globalization;
using System.Reflection;
using Dapper;
using Npgsql;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// Applies the numbered <c>Migrations/NNNN_name.sql</c> files embedded in this assembly, in order, each in its own
/// transaction together with its row in <c>feeds_schema_version</c>. Migrations only grow: never edit a shipped one, add
/// the next number. Several processes starting at once on one database are serialized by an advisory lock.
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>The table that marks a database as Feeds' and holds the migrations applied to it.</summary>
    public const string VersionTable = "feeds_schema_version";

    // Any fixed number: the key of the advisory lock held while migrating ("feeds" in ASCII).
    private const long MigrationLock = 0x6665656473;

    public static async Task ApplyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            $"CREATE TABLE IF NOT EXISTS {VersionTable} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
            cancellationToken: cancellationToken));
        foreach (var (number, sql) in Load())
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(@MigrationLock)", new { MigrationLock }, transaction, cancellationToken: cancellationToken));
            // Read under the lock: another process may have applied it while this one waited.
            if (await CurrentAsync(connection, transaction, cancellationToken) < number)
            {
                await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
                await connection.ExecuteAsync(new CommandDefinition($"INSERT INTO {VersionTable} (version) VALUES (@number)", new { number }, transaction, cancellationToken: cancellationToken));
            }
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> (a check of the database, then the migrations) holding the migration lock for the
    /// session: nodes of a cluster start at once, and one that looked at the tables while another was creating them
    /// would see half a schema.
    /// </summary>
    public static async Task SerializedAsync(NpgsqlConnection connection, Func<Task> work, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@MigrationLock)", new { MigrationLock }, cancellationToken: cancellationToken));
        try
        {
            await work();
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@MigrationLock)", new { MigrationLock }));
        }
    }

    /// <summary>The last migration applied; 0 for none.</summary>
    public static Task<int> CurrentAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT coalesce(max(version), 0) FROM {VersionTable}", transaction: transaction, cancellationToken: cancellationToken));

    /// <summary>The schema version this build brings a database to.</summary>
    public static int Latest { get; } = Load().Max(m => m.Number);

    private static IReadOnlyList<(int Number, string Sql)> Load()
    {
        const string folder = ".Storage.Postgres.Migrations.";
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(name => name.Contains(folder, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name =>
            {
                var file = name[(name.IndexOf(folder, StringComparison.Ordinal) + folder.Length)..];
                using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                return (Number: int.Parse(file.Split('_')[0], CultureInfo.InvariantCulture), Sql: reader.ReadToEnd());
            })
            .OrderBy(m => m.Number)
            .ToList();
    }
}
