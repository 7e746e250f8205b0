using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Feeds.Core.Metrics;
using Microsoft.Data.Sqlite;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>
/// What the SQLite contracts share: one database file in WAL mode, opened with the same per-connection settings, a
/// single writer at a time, and the source versions. Times are stored as INTEGER unix milliseconds (Dapper's
/// DateTimeOffset mapping writes local-offset text that sorts wrong and reads back with an InvalidCastException).
/// </summary>
/// <remarks>
/// Readers never wait for the writer: in WAL mode each query reads the last committed snapshot, and a poll is one
/// transaction, so a reader sees all of a poll or none of it.
/// </remarks>
internal sealed class SqliteDatabase : IStoreDatabase, IDisposable
{
    /// <summary>
    /// The size the WAL file is cut back to after a checkpoint. It grows past this only while readers keep a
    /// checkpoint from finishing; without a limit it would keep its largest size for ever.
    /// </summary>
    private const long WalSizeLimit = 64L * 1024 * 1024;

    /// <summary>Values bound per statement where a list is cut in chunks: well under SQLite's limit of bound parameters (32,766).</summary>
    public const int ParameterChunk = 500;

    private readonly string _connectionString;
    private readonly string _pragmas;
    // One writer at a time: SQLite allows one anyway, and queuing here avoids busy retries.
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly ConcurrentDictionary<string, long> _sourceVersions = new();
    private long _storeVersion;

    public SqliteDatabase(string databasePath, CommitDurability durability)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(folder))
            Directory.CreateDirectory(folder);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = true }.ToString();
        _pragmas = $"""
            PRAGMA busy_timeout = 5000;
            PRAGMA foreign_keys = ON;
            PRAGMA synchronous = {(durability == CommitDurability.Full ? "FULL" : "NORMAL")};
            PRAGMA journal_size_limit = {WalSizeLimit};
            """;
        DatabasePath = Path.GetFullPath(databasePath);
    }

    public string DatabasePath { get; }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        // Per-connection settings: they do not persist in the file.
        await connection.ExecuteAsync(_pragmas);
        return connection;
    }

    async Task<DbConnection> IStoreDatabase.OpenConnectionAsync(CancellationToken cancellationToken) => await OpenAsync(cancellationToken);

    string? IStoreDatabase.WriteFaultReason(DbException error) => error is SqliteException e ? SqliteErrors.WriteFaultReason(e) : null;

    /// <summary>Waits until no other save or prune of this store is running; the writer's turn ends when the answer is disposed.</summary>
    public async Task<WriterTurn> TakeWriterTurnAsync(CancellationToken cancellationToken)
    {
        await _writer.WaitAsync(cancellationToken);
        return new WriterTurn(_writer, Stopwatch.GetTimestamp());
    }

    /// <summary>The writer's turn, held until disposed; the time it was held counts in <c>feeds_store_writer_busy_seconds_total</c>.</summary>
    public readonly struct WriterTurn(SemaphoreSlim writer, long takenAt) : IDisposable
    {
        public void Dispose()
        {
            FeedsMetrics.RecordWriterBusy(Stopwatch.GetElapsedTime(takenAt));
            writer.Release();
        }
    }

    /// <inheritdoc cref="IPublishingStore.GetSourceVersion"/>
    public long SourceVersion(string sourceId) => _sourceVersions.GetValueOrDefault(sourceId);

    /// <summary>Grows with every commit that changed any source's items: <see cref="IPublishingStore.GetStoreVersion"/>, and one of the counts behind <see cref="IStatusStore.ChangeCount"/>.</summary>
    public long StoreVersion => Interlocked.Read(ref _storeVersion);

    /// <summary>Called after a commit that changed the source's items.</summary>
    /// <remarks>The source's version grows before the store's, so a reader that sees the store's new version sees the source's too.</remarks>
    public void SourceChanged(string sourceId)
    {
        _sourceVersions.AddOrUpdate(sourceId, 1, (_, version) => version + 1);
        Interlocked.Increment(ref _storeVersion);
    }

    /// <summary>
    /// Values for <c>IN (SELECT value FROM json_each(@list))</c>: one parameter however long the list, where Dapper's
    /// <c>IN @list</c> binds one per value and fails past SQLite's limit of 32,766.
    /// </summary>
    public static string JsonArray<T>(IEnumerable<T> values) => JsonSerializer.Serialize(values);

    /// <summary>The condition that <paramref name="column"/> is one of the values of a list bound with <see cref="JsonArray{T}"/>.</summary>
    public static string IsIn(string column, string listParameter) => $"{column} IN (SELECT value FROM json_each({listParameter}))";

    public void Dispose() => _writer.Dispose();
}
