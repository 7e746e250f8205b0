namespace Feeds.Core.Storage.Sqlite;

/// <summary><see cref="IPublishingStore"/> on SQLite: <see cref="DbPublishingStore"/> with lists as JSON arrays and the versions this process keeps.</summary>
internal sealed class SqlitePublishingStore(SqliteDatabase database, TimeProvider clock) : DbPublishingStore(database, clock)
{
    public override long GetSourceVersion(string sourceId) => database.SourceVersion(sourceId);

    public override long GetStoreVersion() => database.StoreVersion;

    protected override string IsIn(string column, string listParameter) => SqliteDatabase.IsIn(column, listParameter);

    protected override object List(IReadOnlyCollection<string> values) => SqliteDatabase.JsonArray(values);

    protected override object List(IReadOnlyCollection<long> values) => SqliteDatabase.JsonArray(values);
}
