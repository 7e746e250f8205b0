using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Status;

/// <summary>A source's last 24 UTC hours, oldest first: its polls by outcome and its new items, one count per hour.</summary>
/// <param name="From">The start of the first hour; the last one is the hour now running.</param>
public sealed record SourceDay(DateTimeOffset From, IReadOnlyList<int> Updated, IReadOnlyList<int> NotModified, IReadOnlyList<int> Failed,
    IReadOnlyList<int> NewItems);

/// <summary>A section's last 24 UTC hours, oldest first: the new items of its sources, one count per hour.</summary>
/// <param name="From">The start of the first hour; the last one is the hour now running.</param>
public sealed record SectionDay(DateTimeOffset From, IReadOnlyList<int> NewItems);

/// <summary>
/// The pictures of the last day, from the hourly counts the store keeps (<see cref="IActivityStore"/>): a page's sources
/// read per request (a hundred sources, O(page)), the sections' totals once per status snapshot.
/// </summary>
public sealed class DayActivity(IActivityStore store, TimeProvider clock)
{
    /// <summary>The hours a picture shows: the running one and the 23 before it.</summary>
    public const int Hours = 24;

    /// <summary>The listing's sources, each with its last day (<see cref="SourceStatus.LastDay"/>).</summary>
    public async Task<StatusListing> AddToAsync(StatusListing listing, CancellationToken cancellationToken)
    {
        var from = From(clock.GetUtcNow());
        var rows = (await store.GetSourceActivityAsync(listing.Sources.Select(s => s.Id).ToList(), from, cancellationToken))
            .ToLookup(r => r.SourceId, StringComparer.Ordinal);
        return listing with
        {
            Sources = listing.Sources.Select(source => source with { LastDay = SourceDayOf(from, rows[source.Id]) }).ToList(),
        };
    }

    /// <summary>Each section's new items per hour, added up over its sources; by section id.</summary>
    public async Task<IReadOnlyDictionary<string, SectionDay>> OfSectionsAsync(FeedsConfig config, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var from = From(now);
        var bySource = (await store.GetNewItemsAsync(from, cancellationToken)).ToLookup(r => r.SourceId, StringComparer.Ordinal);
        return config.Sections.ToDictionary(section => section.Id, section =>
        {
            var newItems = new int[Hours];
            foreach (var source in config.SourcesOf(section))
            {
                foreach (var hour in bySource[source.Id])
                    newItems[IndexOf(from, hour.Hour)] += hour.NewItems;
            }
            return new SectionDay(from, newItems);
        });
    }

    /// <summary>The start of the first hour a picture made at <paramref name="now"/> shows.</summary>
    public static DateTimeOffset From(DateTimeOffset now) => HourlyActivity.HourOf(now) - TimeSpan.FromHours(Hours - 1);

    private static SourceDay SourceDayOf(DateTimeOffset from, IEnumerable<HourlyActivity> hours)
    {
        int[] updated = new int[Hours], notModified = new int[Hours], failed = new int[Hours], newItems = new int[Hours];
        foreach (var hour in hours)
        {
            var i = IndexOf(from, hour.Hour);
            updated[i] += hour.Updated;
            notModified[i] += hour.NotModified;
            failed[i] += hour.Failed;
            newItems[i] += hour.NewItems;
        }
        return new SourceDay(from, updated, notModified, failed, newItems);
    }

    // The store returns hours from `from` on; one counted after `now` was read (a poll saved meanwhile) goes in the last.
    private static int IndexOf(DateTimeOffset from, DateTimeOffset hour) => Math.Min((int)((hour - from).Ticks / TimeSpan.TicksPerHour), Hours - 1);
}
