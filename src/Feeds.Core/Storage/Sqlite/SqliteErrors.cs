using Microsoft.Data.Sqlite;

namespace Feeds.Core.Storage.Sqlite;

/// <summary>The SQLite result codes the store tells apart (https://sqlite.org/rescode.html).</summary>
internal static class SqliteErrors
{
    public const int ReadOnly = 8;
    public const int IoError = 10;
    public const int Corrupt = 11;
    public const int Full = 13;
    public const int CantOpen = 14;
    public const int NotADatabase = 26;

    /// <summary>
    /// The reason for a fault of the machine rather than of the program, which goes away when an operator frees space or
    /// remounts (see <see cref="WriteFaults"/>); null for any other error.
    /// </summary>
    public static string? WriteFaultReason(SqliteException e) => e.SqliteErrorCode switch
    {
        Full => $"the disk is full ({e.Message})",
        ReadOnly => $"the database is read-only ({e.Message})",
        IoError => $"an I/O error ({e.Message})",
        CantOpen => $"the database file cannot be opened ({e.Message})",
        _ => null,
    };
}
