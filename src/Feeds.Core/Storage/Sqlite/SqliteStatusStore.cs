namespace Feeds.Core.Storage.Sqlite;

/// <summary><see cref="IStatusStore"/> on SQLite: <see cref="DbStatusStore"/> with the change count this process keeps.</summary>
internal sealed class SqliteStatusStore(SqliteDatabase database, WriteFaults faults, TimeProvider clock)
    : DbStatusStore(database, faults, clock)
{
    // A poll's save bumps the polls ended (and this when it changed items); retention bumps this.
    protected override long StoredChangeCount => database.StoreVersion;

    // The file opens and holds the sources table.
    protected override string HealthQuery => "SELECT count(*) >= 0 FROM sources";
}
