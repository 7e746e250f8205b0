namespace Feeds.Core.Storage.Postgres;

/// <summary>
/// <see cref="IPublishingStore"/> on PostgreSQL: <see cref="DbPublishingStore"/> with lists as arrays, a row comparison
/// for the cursor, and the versions every process sharing the database sees.
/// </summary>
internal sealed class PostgresPublishingStore(PostgresDatabase database, TimeProvider clock) : DbPublishingStore(database, clock)
{
    public override long GetSourceVersion(string sourceId) => database.SourceVersion(sourceId);

    public override long GetStoreVersion() => database.StoreVersion();

    protected override string IsIn(string column, string listParameter) => PostgresDatabase.IsIn(column, listParameter);

    protected override object List(IReadOnlyCollection<string> values) => values.ToArray();

    protected override object List(IReadOnlyCollection<long> values) => values.ToArray();
}
