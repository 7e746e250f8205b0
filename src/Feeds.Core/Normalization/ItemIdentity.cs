using System.Security.Cryptography;
using System.Text;
using Feeds.Core.Parsing;

namespace Feeds.Core.Normalization;

/// <summary>
/// Gives every entry of a feed a key that stays the same from poll to poll, so a re-poll updates
/// instead of duplicating. The chain, each step with the feeds it exists for:
/// <list type="number">
/// <item>The guid/id, when it is unique in the feed: the normal case.</item>
/// <item>guid + link, when the guid repeats in the feed: non-conformant feeds that reuse one guid for every item.</item>
/// <item>The link, when there is no guid: most small RSS feeds.</item>
/// <item>A hash of title + content, when there is neither: items that are only text.</item>
/// </list>
/// Whatever still collides gets its title and content added, so two distinct items never share a key.
/// </summary>
public static class ItemIdentity
{
    public static string[] AssignKeys(IReadOnlyList<ParsedEntry> entries, IReadOnlyList<string?> resolvedLinks)
    {
        var repeatedIds = entries.Where(e => e.Id is not null).GroupBy(e => e.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var keys = new string[entries.Count];
        for (var i = 0; i < entries.Count; i++)
        {
            var (entry, link) = (entries[i], resolvedLinks[i]);
            keys[i] = (entry.Id, link) switch
            {
                ({ } id, _) when !repeatedIds.Contains(id) => "id:" + id,
                ({ } id, _) => "id+link:" + id + "\n" + link,
                (null, { } url) => "link:" + url,
                _ => "text:" + entry.Title?.Value + "\n" + entry.Content?.Value + "\n" + entry.Summary?.Value,
            };
        }
        foreach (var group in Enumerable.Range(0, keys.Length).GroupBy(i => keys[i]).Where(g => g.Count() > 1))
        {
            foreach (var i in group)
                keys[i] += "\n" + entries[i].Title?.Value + "\n" + entries[i].Content?.Value + "\n" + entries[i].Summary?.Value;
        }
        return keys.Select(Hash).ToArray();
    }

    /// <summary>A fingerprint of everything an entry says, taken before any costly normalization.</summary>
    public static string Fingerprint(ParsedEntry entry)
    {
        var text = new StringBuilder();
        void Add(object? value) => text.Append(value).Append('\u001f');
        Add(entry.Id); Add(entry.IdIsPermaLink); Add(entry.Link); Add(entry.BaseUri);
        Add(entry.Title?.Kind); Add(entry.Title?.Value);
        Add(entry.Summary?.Kind); Add(entry.Summary?.Value);
        Add(entry.Content?.Kind); Add(entry.Content?.Value);
        Add(entry.Published?.ToUnixTimeSeconds()); Add(entry.Updated?.ToUnixTimeSeconds());
        foreach (var author in entry.Authors) { Add(author.Name); Add(author.Email); Add(author.Uri); }
        Add('|');
        foreach (var category in entry.Categories) Add(category);
        Add('|');
        foreach (var enclosure in entry.Enclosures) { Add(enclosure.Url); Add(enclosure.Type); Add(enclosure.Length); }
        Add('|');
        foreach (var image in entry.Images) Add(image);
        return Hash(text.ToString());
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 16));
}
