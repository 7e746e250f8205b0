namespace Feeds.Core.Sources;

/// <summary>The operator's configuration, validated: the sections readers subscribe to and the sources that feed them.</summary>
public sealed record FeedsConfig(string FilePath, IReadOnlyList<Section> Sections, IReadOnlyList<Source> Sources, PublishingSettings Publishing)
{
    /// <summary>Limits and manners of every fetch (the <c>fetching</c> object).</summary>
    public FetchOptions Fetching { get; init; } = new();

    /// <summary>Bounds of the adaptive schedule and backoff (also from the <c>fetching</c> object).</summary>
    public ScheduleOptions Scheduling { get; init; } = new();

    /// <summary>How long items are kept (the top-level <c>retention</c> object), for sources without their own.</summary>
    public RetentionSettings Retention { get; init; } = new();

    /// <summary>Who may read the operator pages (the <c>operators</c> object).</summary>
    public OperatorSettings Operators { get; init; } = new();

    /// <summary>The <c>storage</c> object as the file has it; null when it has none. Read once, at start.</summary>
    public StorageSettings? Storage { get; init; }

    /// <summary>How a story's lead report is chosen (the <c>stories</c> object).</summary>
    public StorySettings Stories { get; init; } = new();

    /// <summary>The sources whose report leads a story in <paramref name="section"/>: the section's own list, else the <c>stories</c> one.</summary>
    public IReadOnlyList<string> PreferredSourcesOf(Section section) => section.PreferredSources ?? Stories.PreferredSources;

    public Section? FindSection(string id) => Sections.FirstOrDefault(s => s.Id == id);

    /// <summary>The source with <paramref name="id"/>, by a look-up kept with the source list (the retention pass asks for every source).</summary>
    public Source? FindSource(string id) => SourcesById.GetValue(Sources, IndexById).GetValueOrDefault(id);

    /// <summary>The retention of a source: its own, else the top-level one (also for a source no longer configured).</summary>
    public RetentionSettings RetentionOf(string sourceId) => FindSource(sourceId)?.Retention ?? Retention;

    /// <summary>
    /// Each source list's look-up by id, kept beside the list rather than in the record, so a config's equality stays that
    /// of what the file says. The first source of an id wins, as a scan would find it.
    /// </summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<Source>, Dictionary<string, Source>> SourcesById = new();

    private static Dictionary<string, Source> IndexById(IReadOnlyList<Source> sources)
    {
        var byId = new Dictionary<string, Source>(sources.Count, StringComparer.Ordinal);
        foreach (var source in sources)
            byId.TryAdd(source.Id, source);
        return byId;
    }

    public IReadOnlyList<Source> SourcesOf(Section section) =>
        Sources.Where(source => source.Sections.Contains(section.Id)).ToList();

    /// <summary>
    /// Whether <paramref name="section"/> shows an item of <paramref name="source"/>: its rules accept the item and,
    /// for a primary-only section, no section listed before it by the source accepts it too.
    /// </summary>
    public bool SectionShows(Section section, Source source, RuleSubject item)
    {
        if (!section.Rules.Accepts(item))
            return false;
        if (!section.PrimaryOnly)
            return true;
        var primary = source.Sections.Select(FindSection).OfType<Section>().FirstOrDefault(s => s.Rules.Accepts(item));
        return primary?.Id == section.Id;
    }
}

/// <summary>How stories are published (the <c>stories</c> object).</summary>
/// <param name="PreferredSources">
/// Source ids, most preferred first: a story's lead (its entry in a section, the headline of its page) is its report from
/// the first of them that reported it, else its earliest report.
/// </param>
public sealed record StorySettings(IReadOnlyList<string> PreferredSources)
{
    public StorySettings()
        : this([])
    {
    }
}

/// <summary>How section feeds are published.</summary>
/// <param name="ItemsPerFeed">How many items a section feed page and HTML page carry.</param>
public sealed record PublishingSettings(int ItemsPerFeed = PublishingSettings.DefaultItemsPerFeed)
{
    public const int DefaultItemsPerFeed = 50;
    public const int MaxItemsPerFeed = 500;

    /// <summary>How long readers may reuse a feed without asking (Cache-Control: max-age).</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The public address of this service, for links that are not made in answer to a request (WebSub pings).</summary>
    public Uri? BaseUrl { get; init; }

    /// <summary>A WebSub hub (W3C WebSub §4) to advertise and to ping when a section changes.</summary>
    public Uri? Hub { get; init; }
}

/// <summary>
/// How long a source's items are kept: by age and by count, whichever removes more. Items a section's first page
/// shows are kept whatever these say. Zero means no limit.
/// </summary>
public sealed record RetentionSettings(int MaxAgeDays = RetentionSettings.DefaultMaxAgeDays, int MaxItemsPerSource = RetentionSettings.DefaultMaxItemsPerSource)
{
    public const int DefaultMaxAgeDays = 90;
    public const int DefaultMaxItemsPerSource = 1000;
    public const int MaxMaxAgeDays = 36500;
    public const int MaxMaxItemsPerSource = 10_000_000;

    /// <summary>Items published before <paramref name="now"/> minus this are removed; null keeps items of any age.</summary>
    public TimeSpan? MaxAge => MaxAgeDays == 0 ? null : TimeSpan.FromDays(MaxAgeDays);

    /// <summary>How many of a source's newest items are kept; null keeps any number.</summary>
    public int? MaxItems => MaxItemsPerSource == 0 ? null : MaxItemsPerSource;
}

/// <summary>A published feed ("International"): what readers subscribe to.</summary>
/// <param name="PrimaryOnly">Only items for which this is the first accepting section of their source.</param>
public sealed record Section(string Id, string Title, string Description, SectionRules Rules, bool PrimaryOnly = false)
{
    /// <summary>The section's own <c>preferredSources</c>, over <see cref="StorySettings.PreferredSources"/>; null when it has none.</summary>
    public IReadOnlyList<string>? PreferredSources { get; init; }

    public Section(string id, string title, string description)
        : this(id, title, description, SectionRules.AcceptAll)
    {
    }
}

/// <summary>One polled feed, an <c>http(s)</c> URL or a local file the operator configured.</summary>
/// <param name="Interval">The <c>schedule</c> written for it, or the default interval for a source without one.</param>
public sealed record Source(string Id, string Title, SourceLocation Location, IReadOnlyList<string> Sections, TimeSpan Interval)
{
    /// <summary>
    /// The operator wrote a <c>schedule</c>: <see cref="Interval"/> is then the longest wait between polls, and the rhythm
    /// of the source's items may only make it shorter. Without one the rhythm ranges within the global bounds.
    /// </summary>
    public bool HasSchedule { get; init; }

    /// <summary>The source's own retention (its keys merged over the top-level ones); null takes the top-level one.</summary>
    public RetentionSettings? Retention { get; init; }
}

/// <summary>Where a source's bytes come from. Exactly one of <see cref="Url"/> and <see cref="FilePath"/> is set.</summary>
public sealed record SourceLocation
{
    private SourceLocation(Uri? url, string? filePath) => (Url, FilePath) = (url, filePath);

    public Uri? Url { get; }

    public string? FilePath { get; }

    public static SourceLocation ForUrl(Uri url) => new(url, null);

    public static SourceLocation ForFile(string fullPath) => new(null, fullPath);

    /// <summary>The base against which relative links in the feed resolve.</summary>
    public Uri BaseUri => Url ?? new Uri(FilePath!);

    public override string ToString() => Url?.AbsoluteUri ?? FilePath!;
}
