namespace Feeds.Core.Storage.Postgres;

/// <summary><see cref="IStatusStore"/> on PostgreSQL: <see cref="DbStatusStore"/> with the change count the database keeps.</summary>
internal sealed class PostgresStatusStore(PostgresDatabase database, WriteFaults faults, TimeProvider clock)
    : DbStatusStore(database, faults, clock)
{
    // Every process's saved polls and item changes; this process's lost polls come on top (the database never hears of them).
    protected override long StoredChangeCount => database.ChangeCount();

    // The server answers and the database holds Feeds' one row of versions.
    protected override string HealthQuery => "SELECT count(*) FROM store_versions";
}
