namespace Feeds.Core.Storage;

/// <summary>
/// The file given as the database is not one this build can use: not SQLite, damaged, another program's
/// database, or written by a newer Feeds. Raised at start, before anything is written to the file.
/// </summary>
public sealed class DatabaseRefusedException(string databasePath, string problem, Exception? inner = null)
    : Exception($"storage: refusing the database {databasePath}: {problem}", inner)
{
    public string DatabasePath { get; } = databasePath;

    public string Problem { get; } = problem;
}
