namespace Feeds.Core.Storage;

/// <summary>The store's schema, brought up to date once at start, before anything else touches the store.</summary>
public interface ISchemaStore
{
    /// <summary>
    /// Checks that the database is a healthy Feeds database (or new), then creates or upgrades its schema with the
    /// numbered migrations this build has, and reads its recent reports' story terms again when this build reads terms
    /// another way than they were read. Idempotent: a second run changes nothing.
    /// </summary>
    /// <exception cref="DatabaseRefusedException">
    /// The database cannot be used: not a database, damaged, another program's, written by a newer Feeds or not openable.
    /// Nothing was written to it.
    /// </exception>
    Task MigrateAsync(CancellationToken cancellationToken);
}
