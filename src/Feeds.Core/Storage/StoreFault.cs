namespace Feeds.Core.Storage;

/// <summary>Why the store cannot write (the disk is full, the file is read-only), and since when.</summary>
public sealed record StoreFault(string Reason, DateTimeOffset Since);
