using System.Data.Common;

namespace Feeds.Core.Storage;

/// <summary>
/// The seam between the code both stores share (<see cref="DbPollStore"/>, <see cref="DbStatusStore"/>,
/// <see cref="DbPublishingStore"/>) and one database: a connection opened with the store's settings, and which of its
/// errors are faults of the machine. Everything else that differs stays in the store's own files.
/// </summary>
internal interface IStoreDatabase
{
    /// <summary>An open connection to the store's database; the caller disposes it.</summary>
    Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The reason for a fault outside the program, which goes away when an operator acts (see <see cref="WriteFaults"/>);
    /// null for any other error, a fault of the program.
    /// </summary>
    string? WriteFaultReason(DbException error);
}
