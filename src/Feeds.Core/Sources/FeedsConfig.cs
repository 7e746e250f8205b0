using Feeds.Core.Fetching;
using Feeds.Core.Refreshing;

namespace Feeds.Core.Sources;

/// <summary>The operator's configuration, validated: the sections readers subscribe to and the sources that feed them.</summary>
public sealed record FeedsConfig(string FilePath, IReadOnlyList<Section> Sections, IReadOnlyList<Source> Sources, PublishingSettings Publishing)
{
    /// <summary>Limits and manners of every fetch (the <c>fetching</c> object).</summary>
    public FetchOptions Fetching { get; init; } = new();

    /// <summary>Bounds of the adaptive schedule and backoff (also from the <c>fetching</c> object).</summary>
    public ScheduleOptions Scheduling { get; init; } = new();

    public Section? FindSection(string id) => Sections.FirstOrDefault(s => s.Id == id);

    public Source? FindSource(string id) => Sources.FirstOrDefault(s => s.Id == id);

    public IReadOnlyList<Source> SourcesOf(Section section) =>
        Sources.Where(source => source.Sections.Contains(section.Id)).ToList();
}

/// <summary>How section feeds are published.</summary>
/// <param name="ItemsPerFeed">How many of the newest items a section feed and page carry.</param>
public sealed record PublishingSettings(int ItemsPerFeed = PublishingSettings.DefaultItemsPerFeed)
{
    public const int DefaultItemsPerFeed = 50;
    public const int MaxItemsPerFeed = 500;
}

/// <summary>A published feed ("International"): what readers subscribe to.</summary>
public sealed record Section(string Id, string Title, string Description);

/// <summary>One polled feed, an <c>http(s)</c> URL or a local file the operator configured.</summary>
public sealed record Source(string Id, string Title, SourceLocation Location, IReadOnlyList<string> Sections, TimeSpan Interval);

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
