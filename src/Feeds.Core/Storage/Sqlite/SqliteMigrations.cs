using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>
/// Applies the numbered <c>Migrations/NNNN_name.sql</c> files embedded in this assembly, in order, each in
/// its own transaction, recording the last applied number in <c>PRAGMA user_version</c>. Migrations only
/// grow: never edit a shipped one, add the next number.
/// </summary>
internal static class SqliteMigrations
{
    public static async Task ApplyAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var current = await connection.ExecuteScalarAsync<long>("PRAGMA user_version;");
        foreach (var (number, sql) in Load().Where(m => m.Number > current))
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition(sql, transaction: transaction, cancellationToken: cancellationToken));
            // PRAGMA takes no parameters; the number comes from our own resource name.
            await connection.ExecuteAsync(new CommandDefinition($"PRAGMA user_version = {number};", transaction: transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
        }
    }

    /// <summary>The schema version this build brings a database to.</summary>
    public static int Latest { get; } = Load().Max(m => m.Number);

    public static IReadOnlyList<(int Number, string Sql)> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return assembly.GetManifestResourceNames()
            .Where(name => name.Contains(".Storage.Sqlite.Migrations.", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name =>
            {
                var file = name[(name.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
                using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                return (Number: int.Parse(file.Split('_')[0], System.Globalization.CultureInfo.InvariantCulture), Sql: reader.ReadToEnd());
            })
            .OrderBy(m => m.Number)
            .ToList();
    }
}
