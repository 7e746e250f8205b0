namespace Feeds.Core.Storage.Sqlite;

/// <summary><see cref="IScheduleStore"/> on SQLite: the shared queries, and a due time moved in the single writer's turn.</summary>
internal sealed class SqliteScheduleStore(SqliteDatabase database) : DbScheduleStore(database)
{
    protected override async ValueTask<IDisposable?> TakeWriteTurnAsync(CancellationToken cancellationToken) =>
        await database.TakeWriterTurnAsync(cancellationToken);
}
