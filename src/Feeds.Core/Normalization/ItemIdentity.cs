using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Feeds.Core.Parsing;

namespace Feeds.Core.Normalization;

/// <summary>
/// Gives every entry of a feed a key that stays the same from poll to poll, so a re-poll updates
/// instead of duplicating. The chain, each step with the feeds it exists for:
/// <list type="number">
/// <item>The guid/id, when it names one item in the feed: the normal case.</item>
/// <item>guid + link, when entries with different links share the guid: non-conformant feeds that reuse one guid for every item.</item>
/// <item>guid + title and content, when such an entry has no link to tell it apart.</item>
/// <item>The link, when there is no guid: most small RSS feeds.</item>
/// <item>A hash of title + content, when there is neither: items that are only text.</item>
/// </list>
/// Entries of one document with the same key are the same item written more than once (observed: a feed listing each
/// story twice under one guid and link, its headline edited in between); <see cref="OnePerKey"/> keeps one of them:
/// the newest by its dates (the later of updated and published), and among equals (or undated) the first in the
/// document, where feeds put their latest version. A guid repeated with the same link is still step 1, so an item's
/// key does not change on the poll where it happens to be listed twice, and a title is never part of a key while a
/// guid or link can tell items apart, so an edited headline updates its item instead of adding another.
/// </summary>
public static class ItemIdentity
{
    public static string[] AssignKeys(IReadOnlyList<ParsedEntry> entries, IReadOnlyList<string?> resolvedLinks)
    {
        var reusedIds = Enumerable.Range(0, entries.Count).Where(i => entries[i].Id is not null)
            .GroupBy(i => entries[i].Id!, StringComparer.Ordinal)
            .Where(g => g.Select(i => Distinction(entries[i], resolvedLinks[i])).Distinct(StringComparer.Ordinal).Skip(1).Any())
            .Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var keys = new string[entries.Count];
        for (var i = 0; i < entries.Count; i++)
            keys[i] = Key(entries[i], resolvedLinks[i], entries[i].Id is { } id && reusedIds.Contains(id));
        return keys;
    }

    /// <summary>What tells two entries with one guid apart: the link, else the text.</summary>
    internal static string Distinction(ParsedEntry entry, string? resolvedLink) => resolvedLink ?? "\n" + Text(entry);

    /// <summary>The key of one entry.</summary>
    /// <param name="idReused">Whether entries of the document with the entry's guid differ in <see cref="Distinction"/>.</param>
    internal static string Key(ParsedEntry entry, string? resolvedLink, bool idReused) => Hash((entry.Id, resolvedLink) switch
    {
        ({ } id, _) when !idReused => "id:" + id,
        ({ } id, { } url) => "id+link:" + id + "\n" + url,
        // The text the first release gave two such entries (their keys met and had title and content appended), so stored keys stay valid.
        ({ } id, null) => "id+link:" + id + "\n\n" + Text(entry),
        (null, { } url) => "link:" + url,
        _ => "text:" + Text(entry),
    });

    /// <summary>
    /// What two entries of one document share exactly when <see cref="AssignKeys"/> gives them one key, known without the
    /// rest of the document: entries with one guid and one <see cref="Distinction"/> share a key whether or not the guid is
    /// reused. Exact while no guid holds a line break (<see cref="Key"/> joins guid and link with one, so such guids can meet).
    /// </summary>
    internal static string SameItem(ParsedEntry entry, string? resolvedLink) => (entry.Id, resolvedLink) switch
    {
        ({ } id, _) => "id:" + id.Length + ":" + id + Distinction(entry, resolvedLink),
        (null, { } url) => "link:" + url,
        _ => "text:" + Text(entry),
    };

    /// <summary>The positions of the entries kept, one per key, in document order; see the rule in the class summary.</summary>
    /// <param name="keys">Each entry's key, from <see cref="AssignKeys"/>.</param>
    /// <param name="dates">Each entry's newest plausible date, or null when it has none.</param>
    public static List<int> OnePerKey(IReadOnlyList<string> keys, IReadOnlyList<DateTimeOffset?> dates)
    {
        var kept = new Dictionary<string, int>(keys.Count, StringComparer.Ordinal);
        for (var i = 0; i < keys.Count; i++)
        {
            if (!kept.TryGetValue(keys[i], out var earlier) || dates[i] > dates[earlier] || (dates[i] is not null && dates[earlier] is null))
                kept[keys[i]] = i;
        }
        var positions = kept.Values.ToList();
        positions.Sort();
        return positions;
    }

    private static string Text(ParsedEntry entry) => entry.Title?.Value + "\n" + entry.Content?.Value + "\n" + entry.Summary?.Value;

    /// <summary>A fingerprint of everything an entry says, taken before any costly normalization.</summary>
    /// <remarks>
    /// The fields are hashed as they stream by, with no copy of the entry's text: a re-poll fingerprints every
    /// entry, and entries carry kilobytes of HTML. The bytes hashed (each field's text in UTF-8, then U+001F) are
    /// those of the first release, so hashes already stored stay valid.
    /// </remarks>
    public static string Fingerprint(ParsedEntry entry)
    {
        using var hash = new FieldHash();
        hash.Add(entry.Id); hash.Add(entry.IdIsPermaLink.ToString()); hash.Add(entry.Link); hash.Add(entry.BaseUri?.ToString());
        hash.Add(entry.Title?.Kind.ToString()); hash.Add(entry.Title?.Value);
        hash.Add(entry.Summary?.Kind.ToString()); hash.Add(entry.Summary?.Value);
        hash.Add(entry.Content?.Kind.ToString()); hash.Add(entry.Content?.Value);
        hash.Add(entry.Published?.ToUnixTimeSeconds().ToString()); hash.Add(entry.Updated?.ToUnixTimeSeconds().ToString());
        foreach (var author in entry.Authors) { hash.Add(author.Name); hash.Add(author.Email); hash.Add(author.Uri); }
        hash.Add("|");
        foreach (var category in entry.Categories) hash.Add(category);
        hash.Add("|");
        foreach (var enclosure in entry.Enclosures) { hash.Add(enclosure.Url); hash.Add(enclosure.Type); hash.Add(enclosure.Length?.ToString()); }
        hash.Add("|");
        foreach (var image in entry.Images) hash.Add(image);
        return hash.ToHex();
    }

    /// <summary>SHA-256 of a sequence of fields, each written as its UTF-8 text followed by U+001F.</summary>
    private sealed class FieldHash : IDisposable
    {
        private const byte FieldSeparator = 0x1F;
        private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);

        public void Add(string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                // Whole fields are encoded at once, so a surrogate pair is never split (and a lone one is replaced) exactly as before.
                var needed = Encoding.UTF8.GetMaxByteCount(value.Length);
                if (needed > _buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = ArrayPool<byte>.Shared.Rent(needed);
                }
                _sha256.AppendData(_buffer, 0, Encoding.UTF8.GetBytes(value, _buffer));
            }
            _sha256.AppendData([FieldSeparator]);
        }

        public string ToHex()
        {
            Span<byte> digest = stackalloc byte[32];
            _sha256.GetHashAndReset(digest);
            return Convert.ToHexStringLower(digest[..16]);
        }

        public void Dispose()
        {
            _sha256.Dispose();
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
}
