namespace Feeds.Core.Parsing;

/// <summary>
/// Receives the entries of a document one at a time, as the reader maps them, so a document of 100,000 items need not
/// be held whole: <see cref="FeedParser.Parse(ReadOnlyMemory{byte}, string?, IEntrySink)"/> calls it, and what it keeps
/// is up to it.
/// </summary>
internal interface IEntrySink
{
    /// <param name="entry">The entry, mapped.</param>
    /// <param name="order">
    /// Its place among the document's entries: <see cref="ParsedFeed.Entries"/> lists them by it. It grows with the
    /// document except that RSS items inside the channel come before those beside it, wherever these were written.
    /// </param>
    /// <param name="channelSoFar">The channel as read so far (its elements after this entry are still to come).</param>
    void Add(ParsedEntry entry, long order, Func<ParsedChannel> channelSoFar);
}

/// <summary>Every entry, in order: what <see cref="FeedParser.Parse(ReadOnlyMemory{byte}, string?)"/> gives.</summary>
internal sealed class AllEntries : IEntrySink
{
    private readonly List<(long Order, ParsedEntry Entry)> _entries = [];

    public void Add(ParsedEntry entry, long order, Func<ParsedChannel> channelSoFar) => _entries.Add((order, entry));

    public List<ParsedEntry> InOrder()
    {
        _entries.Sort((a, b) => a.Order.CompareTo(b.Order));
        return _entries.ConvertAll(e => e.Entry);
    }
}
