namespace Feeds.Core.Storage;

/// <summary>
/// How much of a committed poll survives a crash of the machine (SQLite <c>PRAGMA synchronous</c> in WAL mode).
/// A crash of the process alone never loses a commit under either setting: the operating system still holds it.
/// </summary>
public enum CommitDurability
{
    /// <summary>
    /// The WAL is synced on every commit: a poll that was saved, and every item that was ever served from it,
    /// survives a power cut or a kernel panic too. The default.
    /// </summary>
    Full,

    /// <summary>
    /// The WAL is synced only at checkpoints: a power cut may roll back the last polls (whole, never half), which
    /// the next polls fetch again. Faster on slow disks; for a database on storage that survives power loss anyway.
    /// </summary>
    Normal,
}
