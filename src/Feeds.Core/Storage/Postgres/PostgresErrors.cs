using Npgsql;

namespace Feeds.Core.Storage.Postgres;

/// <summary>The PostgreSQL errors the store tells apart (https://www.postgresql.org/docs/current/errcodes-appendix.html).</summary>
internal static class PostgresErrors
{
    public const string ReadOnlyTransaction = "25006";
    public const string InvalidCatalogName = "3D000";
    public const string InvalidPassword = "28P01";
    public const string InvalidAuthorization = "28000";

    /// <summary>
    /// The reason for a fault outside the program, which goes away when an operator frees space, makes the database
    /// writable or brings the server back (see <see cref="WriteFaults"/>); null for any other error, a fault of the program.
    /// </summary>
    public static string? WriteFaultReason(NpgsqlException e) => e switch
    {
        PostgresException { SqlState: ReadOnlyTransaction } => $"the database is read-only ({e.Message})",
        PostgresException { SqlState: InvalidCatalogName } => $"the database does not exist ({e.Message})",
        PostgresException p when p.SqlState.StartsWith("53", StringComparison.Ordinal) => $"the database server is out of resources ({e.Message})",
        PostgresException p when p.SqlState.StartsWith("58", StringComparison.Ordinal) => $"an I/O error on the database server ({e.Message})",
        // 08: connection exceptions; 57P: the server shut down or is starting.
        PostgresException p when p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal)
            => $"the database server is unavailable ({e.Message})",
        PostgresException => null,
        // No answer from a server at all: refused, reset, timed out.
        _ => $"the database cannot be reached ({e.Message})",
    };
}
