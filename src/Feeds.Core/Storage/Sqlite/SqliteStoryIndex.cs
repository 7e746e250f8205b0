namespace Feeds.Core.Storage.Sqlite;

/// <summary><see cref="DbStoryIndex"/> on SQLite: lists as JSON arrays; placements need no lock of their own, as SQLite saves one poll at a time.</summary>
internal sealed class SqliteStoryIndex : DbStoryIndex
{
    protected override string IsIn(string column, string listParameter) => $"{column} IN (SELECT value FROM json_each({listParameter}))";

    protected override string Values(string listParameter) => $"(SELECT value AS term FROM json_each({listParameter}))";

    protected override object List(IReadOnlyCollection<string> values) => SqliteDatabase.JsonArray(values);
}
