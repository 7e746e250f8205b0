using System.Collections.Concurrent;
using Feeds.Core.Sources;
using Feeds.Core.Storage;
using Microsoft.Extensions.Logging;

namespace Feeds.Core.Status;

/// <summary>
/// The status of every source, built once per change and sliced into pages: a request costs its page, not the catalogue.
/// A snapshot is current while the store's <see cref="IStatusStore.ChangeCount"/>, the config in force and the rejected
/// edit stay the same, and for at most <see cref="MaxAge"/> (the freshness alarm depends on the clock alone).
/// </summary>
/// <remarks>
/// Building reads every source's state and statistics, O(sources + items): one to two seconds at 20,000 sources and 400,000
/// items on a busy 2-core machine. So a request never waits for one while the snapshot it has is recent (younger than <see cref="MaxServedAge"/>):
/// it is answered from that one and a newer one is built behind it (stale-while-revalidate, as RFC 5861 names it for
/// caches), and a poll shows on the page a build later. Builds run one at a time, at most half the time and at most once
/// per <see cref="MinRebuildInterval"/>, however fast polls commit (at 20,000 sources on a 30 minute schedule, ten a
/// second): so a poll shows within the longer of <see cref="MinRebuildInterval"/> and two builds, plus one build. Only a
/// request that finds no snapshot, or one older than <see cref="MaxServedAge"/> (nobody asked for a while), waits for a build.
/// Each snapshot has its own <see cref="StatusSnapshot.Version"/>, which the rendered status pages are kept by.
/// <para>A snapshot of every source is tens of megabytes at 20,000 sources, so it is let go (<see cref="Released"/>, for the
/// pages kept from it) once nobody has asked for one for <see cref="StatusLifetime.IdleRelease"/>: the memory returns
/// to the machine while nobody looks, and the next request waits for a build.</para>
/// </remarks>
public sealed partial class StatusViews(StatusReporter reporter, IStatusStore store, FeedsConfigMonitor configs, StatusLifetime lifetime,
    TimeProvider clock, ILogger<StatusViews> logger) : IDisposable
{
    /// <summary>
    /// How long a snapshot stands when nothing changed. Only the freshness alarm ("silent", days of quiet) and the
    /// snapshot's own time move with the clock, so half a minute is far inside what either needs.
    /// </summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);

    /// <summary>The oldest snapshot a request is answered from while a newer one is built.</summary>
    public static readonly TimeSpan MaxServedAge = MaxAge + TimeSpan.FromSeconds(5);

    /// <summary>
    /// The shortest time between builds under constant polling: each build renders the status pages asked for again, and an
    /// operator reading the page cannot tell a second's delay.
    /// </summary>
    public static readonly TimeSpan MinRebuildInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _building = new(1, 1);
    private readonly Lock _releaseLock = new();
    private StatusSnapshot? _current;
    private long _builds;
    private long _lastAsked;
    private ITimer? _releaseTimer;

    /// <summary>Raised when the snapshot was let go because nobody asked for it: what was kept from it should go too.</summary>
    public event Action? Released;

    /// <summary>A snapshot showing every change made before its build started, built less than <see cref="MaxServedAge"/> ago (or just now).</summary>
    public async Task<StatusSnapshot> GetAsync(CancellationToken cancellationToken)
    {
        Volatile.Write(ref _lastAsked, clock.GetTimestamp());
        var current = Volatile.Read(ref _current);
        if (current is not null && IsCurrent(current, Basis()))
            return current;
        if (current is not null && Age(current) < MaxServedAge)
        {
            RebuildBehind(current);
            return current;
        }
        await _building.WaitAsync(cancellationToken);
        try
        {
            current = Volatile.Read(ref _current);
            return current is not null && IsCurrent(current, Basis()) ? current : await BuildAsync(cancellationToken);
        }
        finally
        {
            _building.Release();
        }
    }

    /// <summary>
    /// Starts a build unless one runs, the last one ended less than its own length ago (builds take at most half the time),
    /// or it started less than <see cref="MinRebuildInterval"/> ago.
    /// </summary>
    private void RebuildBehind(StatusSnapshot current)
    {
        var age = Age(current);
        if (age < current.BuildTime * 2 || age < MinRebuildInterval || !_building.Wait(0))
            return;
        _ = Task.Run(async () =>
        {
            try
            {
                await BuildAsync(CancellationToken.None);
            }
            catch (Exception e)
            {
                // The snapshot in hand keeps answering; a request that finds it too old builds (and fails) in the open.
                LogBuildFailed(e);
            }
            finally
            {
                _building.Release();
            }
        });
    }

    /// <summary>Builds and keeps a snapshot; the caller holds the building turn.</summary>
    private async Task<StatusSnapshot> BuildAsync(CancellationToken cancellationToken)
    {
        // The count is read before the store is: a poll that commits meanwhile grows it, and the next request rebuilds.
        var basis = Basis();
        var started = clock.GetTimestamp();
        var report = await reporter.BuildAsync(basis.Config, basis.Rejected, cancellationToken);
        var built = new StatusSnapshot(Interlocked.Increment(ref _builds), basis, report, clock.GetElapsedTime(started));
        Volatile.Write(ref _current, built);
        lock (_releaseLock)
            _releaseTimer ??= clock.CreateTimer(_ => ReleaseIfIdle(), null, lifetime.IdleRelease, lifetime.IdleRelease);
        return built;
    }

    /// <summary>Lets the snapshot go when nobody asked for one for <see cref="StatusLifetime.IdleRelease"/>; a build that ends later keeps its own and arms the timer again.</summary>
    private void ReleaseIfIdle()
    {
        if (clock.GetElapsedTime(Volatile.Read(ref _lastAsked)) < lifetime.IdleRelease)
            return;
        lock (_releaseLock)
        {
            _releaseTimer?.Dispose();
            _releaseTimer = null;
            Volatile.Write(ref _current, null);
        }
        Released?.Invoke();
    }

    public void Dispose()
    {
        lock (_releaseLock)
            _releaseTimer?.Dispose();
        _building.Dispose();
    }

    private SnapshotBasis Basis() => new(store.ChangeCount, configs.Current, configs.Rejected);

    private TimeSpan Age(StatusSnapshot snapshot) => clock.GetUtcNow() - snapshot.Report.GeneratedAt;

    private bool IsCurrent(StatusSnapshot snapshot, SnapshotBasis basis) => snapshot.Basis == basis && Age(snapshot) < MaxAge;

    [LoggerMessage(Level = LogLevel.Error, Message = "Building the status of the sources failed; the last one is shown meanwhile")]
    private partial void LogBuildFailed(Exception exception);
}

/// <summary>How long <see cref="StatusViews"/> keeps a snapshot nobody asks for.</summary>
/// <param name="IdleRelease">The snapshot goes between one and two of these after the last request for it.</param>
public sealed record StatusLifetime(TimeSpan IdleRelease)
{
    /// <summary>
    /// Two minutes: an operator reading the page, and a monitor asking every minute, keep it; memory returns a few minutes
    /// after the last look.
    /// </summary>
    public static readonly StatusLifetime Default = new(TimeSpan.FromMinutes(2));
}

/// <summary>What a snapshot was built from: the store's change count and the config (by reference: a reload swaps it whole).</summary>
internal sealed record SnapshotBasis(long StoreChanges, FeedsConfig Config, RejectedConfig? Rejected);

/// <summary>One built <see cref="StatusReport"/> with its summary, and the source lists each filter picks out of it.</summary>
public sealed class StatusSnapshot
{
    /// <summary>Filtered lists kept per snapshot: enough for the states, the sections and a few searches, bounded against a crawler.</summary>
    private const int MaxKeptFilters = 64;

    private readonly ConcurrentDictionary<StatusFilter, IReadOnlyList<SourceStatus>> _filtered = new();

    internal StatusSnapshot(long version, SnapshotBasis basis, StatusReport report, TimeSpan buildTime)
    {
        Version = version;
        Basis = basis;
        BuildTime = buildTime;
        Report = report;
        Summary = StatusSummary.Of(report);
    }

    /// <summary>Grows with each build: the rendered status pages are kept until a newer snapshot is built.</summary>
    public long Version { get; }

    internal SnapshotBasis Basis { get; }

    /// <summary>How long building it took.</summary>
    internal TimeSpan BuildTime { get; }

    public StatusReport Report { get; }

    public StatusSummary Summary { get; }

    /// <summary>The sources the filter picks, in the report's order, the page asked for of them.</summary>
    public StatusListing Page(StatusFilter filter, int page)
    {
        var matching = Matching(filter);
        var pages = Math.Max(1, (matching.Count + StatusListing.PageSize - 1) / StatusListing.PageSize);
        var start = (long)(page - 1) * StatusListing.PageSize;
        var sources = start < matching.Count
            ? matching.Skip((int)start).Take(StatusListing.PageSize).ToList()
            : [];
        return new StatusListing(filter, page, pages, matching.Count, sources);
    }

    private IReadOnlyList<SourceStatus> Matching(StatusFilter filter)
    {
        if (filter.IsEmpty)
            return Report.Sources;
        if (_filtered.TryGetValue(filter, out var kept))
            return kept;
        var matching = Report.Sources.Where(filter.Matches).ToList();
        if (_filtered.Count < MaxKeptFilters)
            _filtered.TryAdd(filter, matching);
        return matching;
    }
}

/// <summary>Which sources a status page lists: by health, by section, by a piece of the id, title or URL; null picks all.</summary>
public sealed record StatusFilter(SourceHealth? State, string? Section, string? Text)
{
    /// <summary>The longest text searched for: longer than any id or URL worth typing.</summary>
    public const int MaxTextLength = 200;

    public static readonly StatusFilter All = new(null, null, null);

    public bool IsEmpty => State is null && Section is null && string.IsNullOrEmpty(Text);

    public bool Matches(SourceStatus source) =>
        (State is not { } state || source.Health == state)
        && (Section is not { } section || source.Sections.Contains(section, StringComparer.Ordinal))
        && (string.IsNullOrEmpty(Text)
            || source.Id.Contains(Text, StringComparison.OrdinalIgnoreCase)
            || source.Title.Contains(Text, StringComparison.OrdinalIgnoreCase)
            || source.Url.Contains(Text, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// A state as the <c>state</c> parameter spells it: the name in any case, with or without dashes
    /// (<c>failing</c>, <c>never-polled</c>, <c>neverPolled</c>); false for anything else.
    /// </summary>
    public static bool TryParseState(string text, out SourceHealth state)
    {
        state = default;
        // Letters and dashes only: Enum.TryParse would also take numbers and comma lists.
        return text.Length > 0 && text.All(c => char.IsAsciiLetter(c) || c == '-')
            && Enum.TryParse(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out state);
    }

    /// <summary>The address of the status page that lists this filter's sources on <paramref name="page"/>: <c>/status?state=failing&amp;page=2</c>.</summary>
    public string Link(int page)
    {
        var parameters = new List<string>();
        if (State is { } state)
            parameters.Add("state=" + Name(state));
        if (Section is { } section)
            parameters.Add("section=" + Uri.EscapeDataString(section));
        if (!string.IsNullOrEmpty(Text))
            parameters.Add("q=" + Uri.EscapeDataString(Text));
        if (page > 1)
            parameters.Add("page=" + page.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return parameters.Count == 0 ? "/status" : "/status?" + string.Join("&", parameters);
    }

    /// <summary>The spelling of a state in URLs and JSON: <c>failing</c>, <c>never-polled</c>.</summary>
    public static string Name(SourceHealth state) => state switch
    {
        SourceHealth.NeverPolled => "never-polled",
        _ => state.ToString().ToLowerInvariant(),
    };
}

/// <summary>One page of the sources a filter picks.</summary>
/// <param name="Page">1 for the first page.</param>
/// <param name="Pages">How many pages the filter's sources fill (1 when none match).</param>
/// <param name="Matching">How many sources the filter picks.</param>
public sealed record StatusListing(StatusFilter Filter, int Page, int Pages, int Matching, IReadOnlyList<SourceStatus> Sources)
{
    /// <summary>Sources a page: a table a person can scan, and about 100 KB of HTML.</summary>
    public const int PageSize = 100;

    public bool HasPrevious => Page > 1;

    public bool HasNext => Page < Pages;
}

/// <summary>The counts a monitor and the top of the status page want: sources by health, failures by category.</summary>
/// <param name="ByState">Every <see cref="SourceHealth"/> with its count, zeros included, in the status's order.</param>
/// <param name="FailingByCategory">Failing sources by error category, the most common first.</param>
public sealed record StatusSummary(DateTimeOffset GeneratedAt, int Sources, IReadOnlyDictionary<string, int> ByState,
    IReadOnlyDictionary<string, int> FailingByCategory)
{
    public static StatusSummary Of(StatusReport report)
    {
        var byState = Enum.GetValues<SourceHealth>().ToDictionary(StatusFilter.Name, _ => 0);
        foreach (var source in report.Sources)
            byState[StatusFilter.Name(source.Health)]++;
        var failingByCategory = report.Sources
            .Where(s => s.Health == SourceHealth.Failing)
            .GroupBy(s => s.ErrorCategory ?? "unknown", StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count());
        return new StatusSummary(report.GeneratedAt, report.Sources.Count, byState, failingByCategory);
    }

    public int Count(SourceHealth state) => ByState[StatusFilter.Name(state)];
}
