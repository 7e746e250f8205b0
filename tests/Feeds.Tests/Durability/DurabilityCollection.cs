namespace Feeds.Tests.Durability;

/// <summary>
/// The durability tests start real processes, keep both cores busy with ingest and readers, and check time bounds, so
/// they run on their own, after the other tests, rather than slowing those tests' own deadlines down.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DurabilityCollection
{
    public const string Name = "Durability";
}
