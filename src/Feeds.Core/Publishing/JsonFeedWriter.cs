using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Feeds.Core.Publishing;

/// <summary>Writes a section page as JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).</summary>
internal static class JsonFeedWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = true };

    public static byte[] Write(SectionPage page, IFeedLinks links, Uri? hub)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, Options))
        {
            json.WriteStartObject();
            json.WriteString("version", "https://jsonfeed.org/version/1.1");
            json.WriteString("title", page.Section.Title);
            json.WriteString("home_page_url", links.Page.AbsoluteUri);
            json.WriteString("feed_url", links.Feed(OutputFormat.Json, page.Cursor).AbsoluteUri);
            if (page.Section.Description.Length > 0)
                json.WriteString("description", page.Section.Description);
            if (page.Older is { } older)
                json.WriteString("next_url", links.Feed(OutputFormat.Json, older).AbsoluteUri);
            if (SectionFeedWriter.SharedLanguage(page) is { } language)
                json.WriteString("language", language);
            if (hub is not null)
            {
                json.WriteStartArray("hubs");
                json.WriteStartObject();
                json.WriteString("type", "WebSub");
                json.WriteString("url", hub.AbsoluteUri);
                json.WriteEndObject();
                json.WriteEndArray();
            }
            json.WriteStartArray("items");
            foreach (var entry in page.Entries)
                WriteItem(json, entry, links);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        return buffer.ToArray();
    }

    private static void WriteItem(Utf8JsonWriter json, SectionEntry entry, IFeedLinks links)
    {
        var item = entry.Item;
        json.WriteStartObject();
        json.WriteString("id", SectionFeedWriter.ItemId(item));
        json.WriteString("url", links.Item(item).AbsoluteUri);
        json.WriteString("title", item.Title);
        var content = SectionFeedWriter.ContentWithAlsoReported(entry, links);
        if (content is not null)
            json.WriteString("content_html", content);
        else
            json.WriteString("content_text", item.SummaryText ?? item.Title);
        if (item.SummaryText is { } summary)
            json.WriteString("summary", summary);
        if (item.ImageUrl is { } image)
            json.WriteString("image", image);
        json.WriteString("date_published", Rfc3339(item.PublishedAt));
        json.WriteString("date_modified", Rfc3339(SectionFeedWriter.LastChange(item)));
        var authors = item.Authors.Where(a => a.Name is not null || a.Uri is not null).ToList();
        if (authors.Count > 0)
        {
            json.WriteStartArray("authors");
            foreach (var author in authors)
            {
                json.WriteStartObject();
                if (author.Name is { } name)
                    json.WriteString("name", name);
                if (author.Uri is { } uri)
                    json.WriteString("url", uri);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (item.Categories.Count > 0)
        {
            json.WriteStartArray("tags");
            foreach (var category in item.Categories)
                json.WriteStringValue(category);
            json.WriteEndArray();
        }
        if (item.SourceLanguage is { } language)
            json.WriteString("language", language);
        if (item.Enclosures.Count > 0)
        {
            json.WriteStartArray("attachments");
            foreach (var enclosure in item.Enclosures)
            {
                json.WriteStartObject();
                json.WriteString("url", enclosure.Url);
                json.WriteString("mime_type", enclosure.Type ?? "application/octet-stream");
                if (enclosure.Length is { } length)
                    json.WriteNumber("size_in_bytes", length);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        // JSON Feed extensions are objects whose keys start with "_" (JSON Feed 1.1, "Extensions").
        json.WriteStartObject("_feeds");
        json.WriteString("source", item.SourceTitle ?? item.SourceId);
        if (entry.AlsoReportedBy.Count > 0)
        {
            json.WriteString("story", links.Story(item).AbsoluteUri);
            json.WriteStartArray("also_reported_by");
            foreach (var other in entry.AlsoReportedBy)
            {
                json.WriteStartObject();
                json.WriteString("source", other.SourceTitle ?? other.SourceId);
                json.WriteString("url", links.Item(other).AbsoluteUri);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (entry.Related.Count > 0)
        {
            json.WriteStartArray("related");
            foreach (var other in entry.Related)
            {
                json.WriteStartObject();
                json.WriteString("title", other.Title);
                json.WriteString("source", other.SourceTitle ?? other.SourceId);
                json.WriteString("url", links.Item(other).AbsoluteUri);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static string Rfc3339(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
