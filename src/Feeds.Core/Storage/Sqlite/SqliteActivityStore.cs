namespace Feeds.Core.Storage.Sqlite;

/// <summary><see cref="IActivityStore"/> on SQLite: <see cref="DbActivityStore"/> with a list as a JSON array, like the publishing store's.</summary>
internal sealed class SqliteActivityStore(SqliteDatabase database) : DbActivityStore(database)
{
    protected override string IsIn(string column, string listParameter) => SqliteDatabase.IsIn(column, listParameter);

    protected override object List(IReadOnlyCollection<string> values) => SqliteDatabase.JsonArray(values);
}
