using Feeds.Core.Normalization;
using Feeds.Core.Parsing;

namespace Feeds.Tests.Normalization;

public sealed class ItemIdentityTests
{
    private static readonly ParsedEntry Entry = new()
    {
        Id = "tag:example.com,2026:1",
        IdIsPermaLink = false,
        Title = new FeedText("Café “quoted” & 😀", TextKind.Text),
        Link = "https://example.com/a/1",
        Summary = new FeedText("<p>Short</p>", TextKind.Html),
        Content = new FeedText("<p>Body with a lone surrogate \uD800 and an emoji 😀</p>", TextKind.Html),
        Authors = [new ParsedPerson("Jane Doe", "jane@example.com", null)],
        Published = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero),
        Categories = ["World", "Économie"],
        Enclosures = [new ParsedEnclosure("https://example.com/a.mp3", "audio/mpeg", 1234)],
        Images = ["https://example.com/a.jpg"],
        BaseUri = new Uri("https://example.com/base/"),
    };

    /// <summary>Stored items carry this hash: a different value for the same entry would re-normalize every item once.</summary>
    [Fact]
    public void TheFingerprintOfAnEntryIsStableAcrossReleases()
    {
        Assert.Equal("a21d731b7da0a3f9bb913849abab72af", ItemIdentity.Fingerprint(Entry));
    }

    [Fact]
    public void TheFingerprintChangesWhenAnyFieldChanges()
    {
        var original = ItemIdentity.Fingerprint(Entry);
        Assert.NotEqual(original, ItemIdentity.Fingerprint(Entry with { Categories = ["World"] }));
        Assert.NotEqual(original, ItemIdentity.Fingerprint(Entry with { Content = new FeedText("<p>Body</p>", TextKind.Html) }));
        Assert.NotEqual(original, ItemIdentity.Fingerprint(Entry with { Updated = Entry.Published }));
    }
}
