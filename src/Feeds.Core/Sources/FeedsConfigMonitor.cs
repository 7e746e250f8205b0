using System.Globalization;
using System.Net;

namespace Feeds.Core.Sources;

/// <summary>What a reload of the config file came to.</summary>
public abstract record ConfigReload
{
    /// <summary>The file is the same as the config in force.</summary>
    public sealed record Unchanged : ConfigReload;

    /// <summary>The new config is in force.</summary>
    public sealed record Applied(ConfigChange Change) : ConfigReload;

    /// <summary>The file has problems; the last good config stays in force.</summary>
    public sealed record Rejected(IReadOnlyList<ConfigProblem> Problems) : ConfigReload;
}

/// <summary>The problems of the last edit that could not be applied, and when it was seen.</summary>
public sealed record RejectedConfig(DateTimeOffset At, IReadOnlyList<ConfigProblem> Problems);

/// <summary>
/// The config in force, swapped whole when an edit of the file is valid. An invalid edit leaves the last good
/// config running and is kept, with every problem, for the status page. Readers take <see cref="Current"/>
/// once per request or poll, so each sees one consistent config.
/// </summary>
public sealed class FeedsConfigMonitor(FeedsConfig initial, TimeProvider clock)
{
    private readonly Lock _reloading = new();
    private volatile FeedsConfig _current = initial;
    private volatile RejectedConfig? _rejected;

    public FeedsConfig Current => _current;

    /// <summary>The last edit that was refused, until a valid one replaces it.</summary>
    public RejectedConfig? Rejected => _rejected;

    /// <summary>Raised after a valid edit is in force, with what it changed.</summary>
    public event Action<ConfigChange>? Changed;

    public ConfigReload Reload()
    {
        ConfigChange change;
        lock (_reloading)
        {
            var (config, problems) = ConfigLoader.TryLoad(_current.FilePath);
            if (config is null)
            {
                _rejected = new RejectedConfig(clock.GetUtcNow(), problems);
                return new ConfigReload.Rejected(problems);
            }
            _rejected = null;
            change = ConfigChange.Between(_current, config);
            if (change.IsEmpty)
                return new ConfigReload.Unchanged();
            _current = config;
        }
        Changed?.Invoke(change);
        return new ConfigReload.Applied(change);
    }
}

/// <summary>What an edit of the config changed, source by source and section by section.</summary>
public sealed record ConfigChange(
    FeedsConfig Old,
    FeedsConfig New,
    IReadOnlyList<Source> AddedSources,
    IReadOnlyList<Source> RemovedSources,
    IReadOnlyList<Source> ChangedSources,
    IReadOnlyList<string> ChangedSections,
    IReadOnlyList<string> FetchingChanges)
{
    /// <summary>The <c>fetching</c> object changed; <see cref="FetchingChanges"/> says how, one setting each.</summary>
    public bool FetchingChanged => FetchingChanges.Count > 0;

    public bool IsEmpty => AddedSources.Count == 0 && RemovedSources.Count == 0 && ChangedSources.Count == 0
        && ChangedSections.Count == 0 && !FetchingChanged && !StorageChanged && !OperatorsChanged && Old.Publishing == New.Publishing && Old.Retention == New.Retention;

    /// <summary>The <c>storage</c> object changed: the store is chosen at start, so it applies after a restart.</summary>
    public bool StorageChanged => Old.Storage != New.Storage;

    /// <summary>The <c>operators</c> object changed: who may read the operator pages applies at once, the trusted proxies after a restart.</summary>
    public bool OperatorsChanged => !Old.Operators.AllowedNetworks.SequenceEqual(New.Operators.AllowedNetworks)
        || Old.Operators.Token != New.Operators.Token || TrustedProxiesChanged;

    /// <summary>The proxies whose forwarded addresses are believed changed: the forwarded-headers middleware reads them at start.</summary>
    public bool TrustedProxiesChanged => !Old.Operators.TrustedProxies.SequenceEqual(New.Operators.TrustedProxies);

    /// <summary>Sources whose address changed: their next poll should not wait for the schedule.</summary>
    public IEnumerable<Source> MovedSources =>
        ChangedSources.Where(source => Old.FindSource(source.Id)?.Location != source.Location);

    public static ConfigChange Between(FeedsConfig old, FeedsConfig @new)
    {
        var oldSources = old.Sources.ToDictionary(s => s.Id);
        var newSources = @new.Sources.ToDictionary(s => s.Id);
        var oldSections = old.Sections.ToDictionary(s => s.Id);
        return new ConfigChange(
            old,
            @new,
            @new.Sources.Where(s => !oldSources.ContainsKey(s.Id)).ToList(),
            old.Sources.Where(s => !newSources.ContainsKey(s.Id)).ToList(),
            @new.Sources.Where(s => oldSources.TryGetValue(s.Id, out var before) && !SameSource(before, s)).ToList(),
            @new.Sections.Where(s => !oldSections.TryGetValue(s.Id, out var before) || !SameSection(before, s))
                .Select(s => s.Id).Concat(old.Sections.Where(s => @new.FindSection(s.Id) is null).Select(s => s.Id)).ToList(),
            FetchingDifferences(old, @new));
    }

    private static bool SameSource(Source a, Source b) =>
        a.Title == b.Title && a.Location == b.Location && a.Interval == b.Interval && a.HasSchedule == b.HasSchedule && a.Sections.SequenceEqual(b.Sections) && a.Retention == b.Retention;

    // Records compare their lists and regexes by reference; compare what they say.
    private static bool SameSection(Section a, Section b) =>
        a.Title == b.Title && a.Description == b.Description && a.PrimaryOnly == b.PrimaryOnly
        && SameMatcher(a.Rules.Include, b.Rules.Include) && SameMatcher(a.Rules.Exclude, b.Rules.Exclude);

    private static bool SameMatcher(RuleMatcher a, RuleMatcher b) =>
        a.Categories.SequenceEqual(b.Categories) && a.Languages.SequenceEqual(b.Languages) && a.Keywords?.ToString() == b.Keywords?.ToString();

    /// <summary>Each setting of the <c>fetching</c> object that differs, in the file's spelling: <c>maxBodyBytes 15,728,640 → 2,048</c>.</summary>
    private static List<string> FetchingDifferences(FeedsConfig old, FeedsConfig @new)
    {
        var (a, b) = (old.Fetching, @new.Fetching);
        var (x, y) = (old.Scheduling, @new.Scheduling);
        return new (string Key, string Before, string After)[]
            {
                ("allowPrivateNetworks", Networks(a.AllowedPrivateNetworks), Networks(b.AllowedPrivateNetworks)),
                ("maxBodyBytes", a.MaxBodyBytes.ToString("N0", CultureInfo.InvariantCulture), b.MaxBodyBytes.ToString("N0", CultureInfo.InvariantCulture)),
                ("timeout", ConfigLoader.FormatDuration(a.Timeout), ConfigLoader.FormatDuration(b.Timeout)),
                ("connectTimeout", ConfigLoader.FormatDuration(a.ConnectTimeout), ConfigLoader.FormatDuration(b.ConnectTimeout)),
                ("perHostConcurrency", a.PerHostConcurrency.ToString(CultureInfo.InvariantCulture), b.PerHostConcurrency.ToString(CultureInfo.InvariantCulture)),
                ("minHostSpacing", ConfigLoader.FormatDuration(a.MinHostSpacing), ConfigLoader.FormatDuration(b.MinHostSpacing)),
                ("maxConcurrency", a.MaxConcurrency.ToString(CultureInfo.InvariantCulture), b.MaxConcurrency.ToString(CultureInfo.InvariantCulture)),
                ("minInterval", ConfigLoader.FormatDuration(x.MinInterval), ConfigLoader.FormatDuration(y.MinInterval)),
                ("maxInterval", ConfigLoader.FormatDuration(x.MaxInterval), ConfigLoader.FormatDuration(y.MaxInterval)),
                ("maxBackoff", ConfigLoader.FormatDuration(x.MaxBackoff), ConfigLoader.FormatDuration(y.MaxBackoff)),
                ("maxPollsInFlight", PollsInFlight(x), PollsInFlight(y)),
            }
            .Where(setting => setting.Before != setting.After)
            .Select(setting => $"{setting.Key} {setting.Before} → {setting.After}")
            .ToList();
    }

    private static string PollsInFlight(ScheduleOptions options) =>
        options.MaxPollsInFlight?.ToString(CultureInfo.InvariantCulture) ?? "default";

    private static string Networks(IReadOnlyList<IPNetwork> networks) => $"[{string.Join(", ", networks)}]";
}
