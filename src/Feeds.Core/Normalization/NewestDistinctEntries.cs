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
/// higher, so every item's rank only grows while the document is read; the <c>limit</c>-th best rank therefore never
/// falls, and an item that dropped below it stays out unless a later entry of it ranks higher, when it comes back in.
/// To know that, every item seen keeps its best rank (a hash and a date, not its entry), and every guid whether its
/// entries differ (<see cref="ItemIdentity.AssignKeys"/> keys such entries apart).
/// </remarks>
internal sealed class NewestDistinctEntries(Uri? sourceUri, DateTimeOffset now, int limit) : IEntrySink
{
    private LinkBase? _channelBase;
    private readonly Dictionary<UInt128, Rank> _bestOfItem = [];
    private readonly Dictionary<UInt128, (UInt128 FirstDistinction, bool Reused)> _guids = [];
    private readonly SortedSet<Candidate> _kept = new(Comparer<Candidate>.Create((a, b) => a.Rank.CompareTo(b.Rank)));
    private bool _guidWithLineBreak;

    public void Add(ParsedEntry entry, long order, Func<ParsedChannel> channelSoFar)
    {
        // Feeds write their channel's xml:base and link before their items; Identified checks that they did.
        _channelBase ??= FeedNormalizer.ChannelBase(channelSoFar(), sourceUri);
        var (entryBase, link, published, updated) = FeedNormalizer.Locate(entry, _channelBase, now);
        if (entry.Id is { } id)
            NoteGuid(id, ItemIdentity.Distinction(entry, link));
        var item = Hash(ItemIdentity.SameItem(entry, link));
        var rank = new Rank(FeedNormalizer.Newest(published, updated), order);
        if (_bestOfItem.TryGetValue(item, out var best))
        {
            if (rank.CompareTo(best) <= 0)
                return;
            _kept.Remove(new Candidate(best, null!, null, entryBase, null, null));
        }
        _bestOfItem[item] = rank;
        _kept.Add(new Candidate(rank, entry, link, entryBase, published, updated));
        if (_kept.Count > limit)
            _kept.Remove(_kept.Min!);
    }

    private void NoteGuid(string id, string distinction)
    {
        _guidWithLineBreak |= id.Contains('\n', StringComparison.Ordinal);
        var guid = Hash(id);
        var hash = Hash(distinction);
        if (!_guids.TryGetValue(guid, out var seen))
            _guids[guid] = (hash, false);
        else if (!seen.Reused && seen.FirstDistinction != hash)
            _guids[guid] = seen with { Reused = true };
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
        if (_guidWithLineBreak || (_channelBase is not null && _channelBase != channelBase))
            return null;
        var kept = _kept.OrderBy(candidate => candidate.Rank.Order)
            .Select(candidate =>
            {
                var entry = candidate.Entry;
                var reused = entry.Id is { } id && _guids[Hash(id)].Reused;
                return new IdentifiedEntry(entry, ItemIdentity.Key(entry, candidate.Link, reused), ItemIdentity.Fingerprint(entry),
                    candidate.Link, candidate.Base, candidate.Published, candidate.Updated);
            })
            .ToList();
        return new IdentifiedEntries(kept, Math.Max(0, _bestOfItem.Count - limit));
    }

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

    private sealed record Candidate(Rank Rank, ParsedEntry Entry, string? Link, LinkBase Base, DateTimeOffset? Published, DateTimeOffset? Updated);
}
