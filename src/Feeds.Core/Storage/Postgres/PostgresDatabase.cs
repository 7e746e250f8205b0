using System.Data.Common;
using Dapper;
using Npgsql;

namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// What the PostgreSQL contracts share: one <see cref="NpgsqlDataSource"/> (its connection pool) and the change counters.
/// Times are bigint unix milliseconds, as in SQLite, so both stores share their row mappers (<see cref="SourceRow"/>,
/// <see cref="ItemRow"/>).
/// </summary>
/// <remarks>
/// The counters live in the database (<c>store_versions</c>, <c>sources.items_version</c>), written by the transaction
/// whose change they count, so every process sharing the database sees a change once it is committed. A read of the
/// store's version is one query by primary key; the source versions are read all at once, and again only after the
/// store's version moved.
/// </remarks>
internal sealed class PostgresDatabase : IStoreDatabase, IDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly Lock _reload = new();
    private long _lastStoreVersion;
    private long _lastChangeCount;
    private SourceVersions? _sourceVersions;

    public PostgresDatabase(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new DatabaseRefusedException("(PostgreSQL connection string)", $"the connection string is not valid: {e.Message}", e);
        }
        Description = $"postgres://{builder.Host}:{builder.Port}/{builder.Database}";
        Connection = builder;
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>Where the database is, for messages and logs: host, port and database, never the password.</summary>
    public string Description { get; }

    /// <summary>The parsed connection string (pg_dump is given its parts).</summary>
    public NpgsqlConnectionStringBuilder Connection { get; }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => _dataSource.OpenConnectionAsync(cancellationToken);

    async Task<DbConnection> IStoreDatabase.OpenConnectionAsync(CancellationToken cancellationToken) => await OpenAsync(cancellationToken);

    string? IStoreDatabase.WriteFaultReason(DbException error) => error is NpgsqlException e ? PostgresErrors.WriteFaultReason(e) : null;

    /// <summary>
    /// Drops the idle pooled connections: each keeps the session settings it started with (a read-only default, say),
    /// so after a fault the next writes go through fresh ones.
    /// </summary>
    public void ClearPool() => _dataSource.Clear();

    /// <inheritdoc cref="IPublishingStore.GetStoreVersion"/>
    /// <remarks>While the database cannot be read, the last number read: pages rendered before stay served.</remarks>
    public long StoreVersion() => ReadCount("SELECT items_version FROM store_versions", ref _lastStoreVersion);

    /// <summary>The database's own count of changes a status view shows (saved polls and item changes, any process's).</summary>
    public long ChangeCount() => ReadCount("SELECT items_version + polls_saved FROM store_versions", ref _lastChangeCount);

    /// <summary>A count the query reads, kept in <paramref name="last"/>; while the database cannot be read, the last one read.</summary>
    private long ReadCount(string sql, ref long last)
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            var count = connection.ExecuteScalar<long>(sql);
            Volatile.Write(ref last, count);
            return count;
        }
        catch (NpgsqlException)
        {
            return Volatile.Read(ref last);
        }
    }

    /// <inheritdoc cref="IPublishingStore.GetSourceVersion"/>
    /// <remarks>
    /// From the versions read all at once after the store's version last moved (or this process committed a change):
    /// a reader that reads the store's version first, as <c>ContentVersions</c> does, gets source versions at least as new.
    /// </remarks>
    public long SourceVersion(string sourceId)
    {
        var known = Volatile.Read(ref _sourceVersions);
        if (known is null || known.StoreVersion != Volatile.Read(ref _lastStoreVersion))
            known = ReloadSourceVersions() ?? known;
        return known?.Of(sourceId) ?? 0;
    }

    /// <summary>Called after this process committed a change to the source's items: its next read of the versions goes to the database.</summary>
    public void SourceChanged() => Volatile.Write(ref _lastStoreVersion, -1);

    private SourceVersions? ReloadSourceVersions()
    {
        lock (_reload)
        {
            try
            {
                using var connection = _dataSource.OpenConnection();
                // One snapshot for both reads: the store's version and the sources' versions behind it.
                using var transaction = connection.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
                var storeVersion = connection.ExecuteScalar<long>("SELECT items_version FROM store_versions", transaction: transaction);
                var versions = connection.Query<(string Id, long Version)>("SELECT id, items_version FROM sources WHERE items_version > 0", transaction: transaction)
                    .ToDictionary(row => row.Id, row => row.Version, StringComparer.Ordinal);
                transaction.Commit();
                var loaded = new SourceVersions(storeVersion, versions);
                Volatile.Write(ref _sourceVersions, loaded);
                Volatile.Write(ref _lastStoreVersion, storeVersion);
                return loaded;
            }
            catch (NpgsqlException)
            {
                return null;
            }
        }
    }

    private sealed record SourceVersions(long StoreVersion, Dictionary<string, long> Versions)
    {
        public long Of(string sourceId) => Versions.GetValueOrDefault(sourceId);
    }

    public void Dispose() => _dataSource.Dispose();

    /// <summary>The condition that <paramref name="column"/> is one of the values of a list bound as an array.</summary>
    public static string IsIn(string column, string listParameter) => $"{column} = ANY({listParameter})";
}
