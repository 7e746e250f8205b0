using Feeds.Core.Storage;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>
/// A store as the rest of the code sees it: its contracts, resolved from the services one implementation registered.
/// Disposing it closes the store.
/// </summary>
public class StoreUnderTest(ServiceProvider services) : IDisposable
{
    public IPollStore Polls { get; } = services.GetRequiredService<IPollStore>();

    public IPublishingStore Publishing { get; } = services.GetRequiredService<IPublishingStore>();

    public ISearchStore Search { get; } = services.GetRequiredService<ISearchStore>();

    public IStatusStore Status { get; } = services.GetRequiredService<IStatusStore>();

    public IActivityStore Activity { get; } = services.GetRequiredService<IActivityStore>();

    public IScheduleStore Schedule { get; } = services.GetRequiredService<IScheduleStore>();

    public IRetentionStore Retention { get; } = services.GetRequiredService<IRetentionStore>();

    public IBackupStore Backup { get; } = services.GetRequiredService<IBackupStore>();

    public ISchemaStore Schema { get; } = services.GetRequiredService<ISchemaStore>();

    public virtual void Dispose()
    {
        services.Dispose();
        GC.SuppressFinalize(this);
    }
}
