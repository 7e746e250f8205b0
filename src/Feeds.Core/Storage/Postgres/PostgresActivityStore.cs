namespace Feeds.Core.Storage.Postgres;

/// <summary><see cref="IActivityStore"/> on PostgreSQL: <see cref="DbActivityStore"/> with a list as an array.</summary>
internal sealed class PostgresActivityStore(PostgresDatabase database) : DbActivityStore(database)
{
    protected override string IsIn(string column, string listParameter) => PostgresDatabase.IsIn(column, listParameter);

    protected override object List(IReadOnlyCollection<string> values) => values.ToArray();
}
