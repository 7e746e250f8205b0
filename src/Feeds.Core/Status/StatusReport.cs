using Feeds.Core.Normalization;
using Feeds.Core.Publishing;
using Feeds.Core.Sources;
using Feeds.Core.Storage;

namespace Feeds.Core.Status;

/// <summary>
/// Everything an operator asks of a running service: each source's health, each section's content, the config's.
/// <see cref="Sources"/> come in the order <see cref="SourceHealth"/> lists them (the ones that need a look first), then by id.
/// </summary>
public sealed record StatusReport(DateTimeOffset GeneratedAt, IReadOnlyList<SourceStatus> Sources, IReadOnlyList<SectionStatus> Sections, RejectedConfig? RejectedConfig);

/// <summary>What a source's status comes to, one word for the summary and the filter, in the order the status lists them.</summary>
public enum SourceHealth
{
    /// <summary>Its last poll failed (any category; a poll that could not be saved included).</summary>
    Failing,

    /// <summary>Polled fine, but its newest item is much older than its usual gap (the freshness alarm).</summary>
    Silent,

    /// <summary>Answered <c>410 Gone</c>: asked once a day in case it comes back.</summary>
    Gone,

    /// <summary>Configured, not polled yet.</summary>
    NeverPolled,

    /// <summary>Its last poll succeeded and it is not silent.</summary>
    Ok,
}

/// <summary>One source as the status page shows it.</summary>
/// <param name="ItemsLeftOut">Items of the last full body over the per-document limit: the oldest, not stored.</param>
/// <param name="Silent">The freshness alarm: no new item for much longer than the source's usual gap between items.</param>
/// <param name="Health">What all this comes to, as the summary counts it and the <c>state</c> filter picks it.</param>
public sealed record SourceStatus(
    string Id,
    string Title,
    string Url,
    IReadOnlyList<string> Sections,
    DateTimeOffset? LastAttemptAt,
    string? LastOutcome,
    string? ErrorCategory,
    string? LastError,
    int? HttpStatus,
    int ConsecutiveFailures,
    DateTimeOffset? NextDueAt,
    DateTimeOffset? RetryNotBefore,
    long ItemsStored,
    DateTimeOffset? LastNewItemAt,
    DateTimeOffset? NewestItemAt,
    TimeSpan? UsualGap,
    bool Silent,
    string? MovedTo,
    DateTimeOffset? GoneSince,
    int ItemsLeftOut,
    SourceHealth Health)
{
    /// <summary>Why the next poll is when it is: the rule that set the due time ("schedule", "rhythm", "publisher ttl", "max-age", "retry-after", "backoff", "gone").</summary>
    public string? NextDueRule { get; init; }

    /// <summary>Polls by outcome and new items over the last 24 hours; set on the sources of a page (<see cref="DayActivity"/>), null in the snapshot.</summary>
    public SourceDay? LastDay { get; init; }

    /// <summary>The health a source's fields come to: gone before failing (a gone source fails each daily ask too).</summary>
    public static SourceHealth HealthOf(DateTimeOffset? goneSince, string? errorCategory, int consecutiveFailures, DateTimeOffset? lastAttemptAt, bool silent) =>
        goneSince is not null ? SourceHealth.Gone
        : errorCategory is not null || consecutiveFailures > 0 ? SourceHealth.Failing
        : lastAttemptAt is null ? SourceHealth.NeverPolled
        : silent ? SourceHealth.Silent
        : SourceHealth.Ok;
}

/// <param name="Items">Items stored from the section's sources, before the section's rules.</param>
/// <param name="LastUpdate">The time of the newest entry the section shows.</param>
/// <param name="LastDay">New items of its sources per hour over the last 24 hours.</param>
public sealed record SectionStatus(string Id, string Title, int Sources, long Items, DateTimeOffset? LastUpdate, SectionDay LastDay);

/// <summary>Builds the <see cref="StatusReport"/> from stored state and statistics.</summary>
public sealed class StatusReporter(IStatusStore store, SectionPages pages, DayActivity dayActivity, RenderFaults faults, TimeProvider clock)
{
    /// <summary>A source is silent when its newest item is older than this many usual gaps…</summary>
    public const int SilentAfterGaps = 5;

    /// <summary>…and than this, so a source that publishes hourly is not called silent after a quiet night.</summary>
    public static readonly TimeSpan SilentAtLeast = TimeSpan.FromDays(1);

    /// <summary>The longest error message shown: enough for any message of ours and a server's reason.</summary>
    private const int MaxErrorLength = 2048;

    /// <summary>Reads every source's state and statistics: O(sources + stored items). Pages ask <see cref="StatusViews"/>, which calls this once per change.</summary>
    public async Task<StatusReport> BuildAsync(FeedsConfig config, RejectedConfig? rejected, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var statistics = await store.GetItemStatisticsAsync(cancellationToken);
        // The states stream by: each configured source keeps what its row shows, never the whole stored state.
        var sources = new List<SourceStatus>(config.Sources.Count);
        var polled = new HashSet<string>(config.Sources.Count, StringComparer.Ordinal);
        await foreach (var state in store.ReadSourceStatesAsync(cancellationToken))
        {
            if (config.FindSource(state.SourceId) is not { } source)
                continue;
            polled.Add(source.Id);
            sources.Add(StatusOf(source, state, statistics.GetValueOrDefault(source.Id), now));
        }
        foreach (var source in config.Sources)
        {
            if (!polled.Contains(source.Id))
                sources.Add(StatusOf(source, null, statistics.GetValueOrDefault(source.Id), now));
        }
        // The ones that need a look first; by id within each, so paging walks a stable order.
        sources.Sort((a, b) => a.Health != b.Health ? a.Health.CompareTo(b.Health) : string.CompareOrdinal(a.Id, b.Id));
        var sectionDays = await dayActivity.OfSectionsAsync(config, now, cancellationToken);
        var sections = new List<SectionStatus>();
        foreach (var section in config.Sections)
        {
            var members = config.SourcesOf(section);
            sections.Add(new SectionStatus(section.Id, section.Title, members.Count,
                members.Sum(m => statistics.GetValueOrDefault(m.Id)?.Count ?? 0),
                await NewestEntryTimeAsync(config, section, cancellationToken), sectionDays[section.Id]));
        }
        return new StatusReport(now, sources, sections, rejected);
    }

    /// <summary>A configured source as the status shows it; one with no saved state has never been polled.</summary>
    private static SourceStatus StatusOf(Source source, SourceState? state, ItemStatistics? stats, DateTimeOffset now)
    {
        var usualGap = stats is { Count: >= 3 } ? (stats.Newest - stats.Oldest) / (stats.Count - 1) : (TimeSpan?)null;
        var silent = usualGap is { } gap && stats is not null && now - stats.Newest > Max(gap * SilentAfterGaps, SilentAtLeast);
        var errorCategory = SafeText.Line(state?.LastErrorCategory);
        var consecutiveFailures = state?.ConsecutiveFailures ?? 0;
        // Text from the store is shown as the store's guard shows item text: clean, one line, bounded; a URL only if http(s).
        return new SourceStatus(source.Id, source.Title, source.Location.ToString(), source.Sections,
            state?.LastAttemptAt, state?.LastOutcome?.ToString(), errorCategory,
            SafeText.Line(state?.LastError, MaxErrorLength), state?.LastHttpStatus,
            consecutiveFailures, state?.NextDueAt, state?.RetryNotBefore,
            stats?.Count ?? 0, stats?.LastNewItemAt, stats?.Newest, usualGap, silent, SafeText.HttpUrl(state?.MovedTo), state?.GoneSince,
            state?.ItemsLeftOut ?? 0,
            SourceStatus.HealthOf(state?.GoneSince, errorCategory, consecutiveFailures, state?.LastAttemptAt, silent))
        {
            NextDueRule = SafeText.Line(state?.NextDueRule),
        };
    }

    /// <summary>
    /// The time of the section's newest entry; null when there is none, or when the section cannot be read (reported
    /// to <see cref="RenderFaults"/>): the operator's page must not go down with the section it would tell them about.
    /// </summary>
    private async Task<DateTimeOffset?> NewestEntryTimeAsync(FeedsConfig config, Section section, CancellationToken cancellationToken)
    {
        try
        {
            var newest = await pages.GetAsync(config, section, ItemCursor.Newest, 1, cancellationToken);
            return newest.Entries.FirstOrDefault()?.Item.PublishedAt;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            faults.NotePageFailed($"/status (section {section.Id})", e);
            return null;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
