using Feeds.Core.Metrics;

namespace Feeds.Core.Refreshing;

/// <summary>Hands a poll's result to <see cref="FeedsMetrics"/> as the plain values it counts, so the metrics know no stage's types.</summary>
internal static class PollMetrics
{
    public static void Record(RefreshResult result, TimeSpan elapsed, long fetchedBytes)
    {
        switch (result)
        {
            case RefreshResult.Updated updated:
                FeedsMetrics.RecordPoll(PollOutcomeLabel.Updated, "", elapsed, fetchedBytes, updated.Added, updated.Changed);
                break;
            case RefreshResult.NotModified:
                FeedsMetrics.RecordPoll(PollOutcomeLabel.NotModified, "", elapsed, fetchedBytes, newItems: 0, updatedItems: 0);
                break;
            case RefreshResult.Failed failed:
                FeedsMetrics.RecordPoll(PollOutcomeLabel.Failed, failed.Category, elapsed, fetchedBytes, newItems: 0, updatedItems: 0);
                break;
        }
    }
}
