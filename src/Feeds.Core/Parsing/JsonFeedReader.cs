using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Feeds.Core.Parsing;

/// <summary>
/// Reads JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/) into a <see cref="ParsedFeed"/>.
/// 1.0's single <c>author</c> and 1.1's <c>authors</c> are both read; values of the wrong JSON type are skipped.
/// </summary>
internal static partial class JsonFeedReader
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static ParsedFeed Read(ReadOnlyMemory<char> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            throw new FeedParseException($"not a feed: the document looks like JSON but does not parse ({e.Message})", ParseFailure.NotAFeed, e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !IsJsonFeed(root))
                throw new FeedParseException("not a feed: the document is JSON but not a JSON Feed (it needs \"version\": \"https://jsonfeed.org/version/1.1\" and an \"items\" array)", ParseFailure.NotAFeed);
            var channel = new ParsedChannel
            {
                Title = Text(root, "title"),
                Link = String(root, "home_page_url"),
                Description = Text(root, "description"),
                Language = String(root, "language"),
                Image = String(root, "icon"),
                Authors = Authors(root),
            };
            var items = root.GetProperty("items").EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object).Select(ReadItem).ToList();
            return new ParsedFeed(FeedFormat.Json, channel, items);
        }
    }

    /// <summary>
    /// Both fields JSON Feed requires (https://www.jsonfeed.org/version/1.1/#top-level-a-name-top-level-a): a <c>version</c>
    /// URL and an <c>items</c> array. Any other JSON (an API answer, a config file, a list) is not a feed, however
    /// feed-like its keys look; 1.0 feeds that wrote the URL with http are read too.
    /// </summary>
    private static bool IsJsonFeed(JsonElement root) =>
        String(root, "version") is { } version
        && (version.StartsWith("https://jsonfeed.org/version/", StringComparison.OrdinalIgnoreCase) || version.StartsWith("http://jsonfeed.org/version/", StringComparison.OrdinalIgnoreCase))
        && root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array;

    private static ParsedEntry ReadItem(JsonElement item)
    {
        var content = String(item, "content_html") is { } html ? new FeedText(html, TextKind.Html) : Text(item, "content_text");
        return new ParsedEntry
        {
            Id = String(item, "id"),
            IdIsPermaLink = false,
            Title = Text(item, "title"),
            Link = String(item, "url") ?? String(item, "external_url"),
            Summary = Text(item, "summary"),
            Content = content,
            Authors = Authors(item),
            Published = FeedDates.Parse(String(item, "date_published")),
            Updated = FeedDates.Parse(String(item, "date_modified")),
            Categories = item.TryGetProperty("tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                ? ModuleFields.Distinct(tags.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? StringValue(t) : null))
                : [],
            Enclosures = item.TryGetProperty("attachments", out var attachments) && attachments.ValueKind == JsonValueKind.Array
                ? attachments.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.Object)
                    .Select(a => String(a, "url") is { } url ? new ParsedEnclosure(url, String(a, "mime_type"), Long(a, "size_in_bytes")) : null)
                    .OfType<ParsedEnclosure>().ToList()
                : [],
            Images = new[] { String(item, "image"), String(item, "banner_image") }.OfType<string>().ToList(),
        };
    }

    private static List<ParsedPerson> Authors(JsonElement parent)
    {
        var people = new List<JsonElement>();
        if (parent.TryGetProperty("authors", out var authors) && authors.ValueKind == JsonValueKind.Array)
            people.AddRange(authors.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.Object));
        else if (parent.TryGetProperty("author", out var author) && author.ValueKind == JsonValueKind.Object)
            people.Add(author);
        return people.Select(p => new ParsedPerson(String(p, "name"), null, String(p, "url")))
            .Where(p => p.Name is not null || p.Uri is not null).ToList();
    }

    private static FeedText? Text(JsonElement parent, string name) => String(parent, name) is { } text ? new FeedText(text, TextKind.Text) : null;

    private static string? String(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value))
            return null;
        var text = value.ValueKind switch
        {
            JsonValueKind.String => StringValue(value),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    /// <summary>
    /// A string value. System.Text.Json refuses one whose escapes leave a surrogate unpaired (<c>"\ud800"</c>); such a
    /// value is read with each unpaired half replaced by U+FFFD, as a decoder treats an invalid byte, instead of losing
    /// the whole feed to one bad escape.
    /// </summary>
    private static string? StringValue(JsonElement value)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return JsonSerializer.Deserialize<string>(UnpairedSurrogateEscape().Replace(value.GetRawText(), "\\uFFFD"));
        }
    }

    // A \uD800–\uDBFF escape not followed by a \uDC00–\uDFFF one, or one of the latter not preceded by the former; only
    // where the backslash starts an escape (an even number of backslashes before it).
    [GeneratedRegex(@"(?<=(?:^|[^\\])(?:\\\\)*)(?:\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2})")]
    private static partial Regex UnpairedSurrogateEscape();

    private static long? Long(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number
        : ModuleFields.Length(String(parent, name)) is { } parsed ? parsed : null;
}
