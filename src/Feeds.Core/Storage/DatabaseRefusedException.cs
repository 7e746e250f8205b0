namespace Feeds.Core.Storage;

/// <summary>
/// The database given is not one this build can use: not SQLite, damaged, another program's database, written by a
/// newer Feeds, or (PostgreSQL) not reachable or not there. Raised at start, before anything is written to it.
/// </summary>
public sealed class DatabaseRefusedException(string databasePath, string problem, Exception? inner = null)
    : Exception($"storage: refusing the database {databasePath}: {problem}", inner)
{
    public string DatabasePath { get; } = databasePath;

    public string Problem { get; } = problem;
}
