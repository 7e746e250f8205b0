using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Feeds.Core.Parsing;

namespace Feeds.Core.Normalization;

/// <summary>
/// The selection of <see cref="FeedNormalizer.Identify(ParsedFeed, Uri?)"/> (one entry per item, <see cref="ItemIdentity"/>;
/// the newest <c>limit</c> items) made while the document is read, holding at most <c>limit</c> entries instead of all.
/// </summary>
/// <remarks>
/// An item's entry is its best by rank (newest date, an undated one below any dated one; among equals the first in
/// order), and the items kept are the best <c>limit</c> of them. An entry can only replace its item's entry by ranking
/// higher, so the <c>limit</c>-th best rank never falls while the document is read. So an item once below it needs no
/// memory of its rank: a later entry of it that ranks above it ranks above all the item's earlier ones too, and comes in
/// as the item's entry. What is remembered of every item is only a hash, to count the items left out, and of every guid
/// whether two items have it (<see cref="ItemIdentity.AssignKeys"/> keys such items apart).
/// </remarks>
internal sealed class NewestDistinctEntries(Uri? sourceUri, DateTimeOffset now, int limit) : IEntrySink
{
    private LinkBase? _channelBase;
    private readonly HashSet<UInt128> _items = [];
    private readonly HashSet<UInt128> _guids = [];
    private readonly HashSet<UInt128> _reusedGuids = [];
    private readonly Dictionary<UInt128, Rank> _rankOfKept = [];
    private readonly SortedSet<Candidate> _kept = new(Comparer<Candidate>.Create((a, b) => a.Rank.CompareTo(b.Rank)));
    private bool _guidWithLineBreak;

    public void Add(ParsedEntry entry, long order, Func<ParsedChannel> channelSoFar)
    {
        // Feeds write their channel's xml:base and link before their items; Identified checks that they did.
        _channelBase ??= FeedNormalizer.ChannelBase(channelSoFar(), sourceUri);
        var (entryBase, link, published, updated) = FeedNormalizer.Locate(entry, _channelBase, now);
        var item = Hash(ItemIdentity.SameItem(entry, link));
        if (_items.Add(item) && entry.Id is { } id)
            NoteGuid(id);
        var rank = new Rank(FeedNormalizer.Newest(published, updated), order);
        if (_rankOfKept.TryGetValue(item, out var kept))
        {
            if (rank.CompareTo(kept) <= 0)
                return;
            _kept.Remove(new Candidate(kept, item, null!, null, entryBase, null, null));
        }
        else if (_kept.Count == limit && rank.CompareTo(_kept.Min!.Rank) <= 0)
            return;
        _rankOfKept[item] = rank;
        _kept.Add(new Candidate(rank, item, entry, link, entryBase, published, updated));
        if (_kept.Count > limit)
        {
            var lowest = _kept.Min!;
            _kept.Remove(lowest);
            _rankOfKept.Remove(lowest.Item);
        }
    }

    /// <summary>Notes the guid of an item seen for the first time: a second item with it makes it reused.</summary>
    private void NoteGuid(string id)
    {
        _guidWithLineBreak |= id.Contains('\n', StringComparison.Ordinal);
        var guid = Hash(id);
        if (!_guids.Add(guid))
            _reusedGuids.Add(guid);
    }

    /// <summary>
    /// The entries kept, in order, with their keys and fingerprints; null when this reading may differ from that of the whole
    /// document, for the caller to read it whole: when the channel's link base at its end is not the one its first entry was
    /// resolved against (an xml:base on a channel written after its items, a file source whose channel link comes after
    /// them), or when a guid holds a line break (<see cref="ItemIdentity.SameItem"/>).
    /// </summary>
    /// <param name="channelBase">The channel's link base, from the whole channel.</param>
    public IdentifiedEntries? Identified(LinkBase channelBase)
    {
        if (_guidWithLineBreak || (_channelBase is not null && !SameBase(_channelBase, channelBase)))
            return null;
        var kept = _kept.OrderBy(candidate => candidate.Rank.Order)
            .Select(candidate =>
            {
                var entry = candidate.Entry;
                var reused = entry.Id is { } id && _reusedGuids.Contains(Hash(id));
                return new IdentifiedEntry(entry, ItemIdentity.Key(entry, candidate.Link, reused), ItemIdentity.Fingerprint(entry),
                    candidate.Link, candidate.Base, candidate.Published, candidate.Updated);
            })
            .ToList();
        return new IdentifiedEntries(kept, Math.Max(0, _items.Count - limit));
    }

    // Not LinkBase's own equality: Uri.Equals ignores user info, which a resolved link keeps.
    private static bool SameBase(LinkBase a, LinkBase b) => a.KeepsUnresolved == b.KeepsUnresolved && a.Uri?.OriginalString == b.Uri?.OriginalString;

    /// <summary>128 bits of SHA-256: every item seen is remembered by this instead of its text.</summary>
    private static UInt128 Hash(string text)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return BinaryPrimitives.ReadUInt128LittleEndian(digest);
    }

    /// <summary>How an entry ranks for <see cref="FeedNormalizer.MaxItemsPerDocument"/>: greater is newer, or as new and earlier.</summary>
    private readonly record struct Rank(DateTimeOffset? Newest, long Order) : IComparable<Rank>
    {
        public int CompareTo(Rank other) => (Newest, other.Newest) switch
        {
            (null, null) => other.Order.CompareTo(Order),
            (null, _) => -1,
            (_, null) => 1,
            ({ } date, { } otherDate) when date != otherDate => date.CompareTo(otherDate),
            _ => other.Order.CompareTo(Order),
        };
    }

    private sealed record Candidate(Rank Rank, UInt128 Item, ParsedEntry Entry, string? Link, LinkBase Base, DateTimeOffset? Published, DateTimeOffset? Updated);
}
