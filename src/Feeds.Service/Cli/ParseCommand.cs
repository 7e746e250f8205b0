using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Feeds.Core.Normalization;
using Feeds.Core.Parsing;

namespace Feeds.Service.Cli;

/// <summary>
/// <c>feeds parse FILE|-</c> prints the normalized document of one feed (conformance/SCHEMA.md);
/// <c>feeds parse --dir DIR</c> prints one <c>{"file","result"|"error"}</c> line per file. It runs the same
/// parse and normalization as ingest, entry by entry; unlike ingest it prints every entry of the document
/// (<see cref="EntrySelection.AsWritten"/>), duplicates and all, as conformance/SCHEMA.md describes a document.
/// </summary>
internal static class ParseCommand
{
    private static readonly Argument<string?> FileArgument = new("file") { Description = "A feed file, or - for standard input", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<DirectoryInfo?> DirOption = new("--dir") { Description = "Parse every file under this folder, one JSON line each" };

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Create()
    {
        var command = new Command("parse", "Print the normalized JSON of a feed file") { FileArgument, DirOption };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(FileArgument) is null) == (result.GetValue(DirOption) is null))
                result.AddError("give either a FILE (or - for standard input) or --dir DIR");
        });
        command.SetAction(result => result.GetValue(DirOption) is { } dir ? ParseDirectory(dir) : ParseFile(result.GetValue(FileArgument)!));
        return command;
    }

    private static int ParseFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = path == "-" ? ReadStandardInput() : File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"parse: cannot read {path}: {e.Message}");
            return FeedsCommandLine.BadInput;
        }
        var normalizer = new FeedNormalizer(new HtmlCleaner(), TimeProvider.System);
        try
        {
            using var output = Console.OpenStandardOutput();
            using var writer = new Utf8JsonWriter(output, JsonOptions with { Indented = true });
            WriteDocument(writer, normalizer.Normalize(FeedParser.Parse(bytes), sourceUri: null, EntrySelection.AsWritten));
            writer.Flush();
            output.WriteByte((byte)'\n');
            return FeedsCommandLine.Ok;
        }
        catch (FeedParseException e)
        {
            Console.Error.WriteLine($"parse: {path}: {e.Message}");
            return FeedsCommandLine.BadInput;
        }
    }

    private static int ParseDirectory(DirectoryInfo directory)
    {
        if (!directory.Exists)
        {
            Console.Error.WriteLine($"parse: no such folder: {directory.FullName}");
            return FeedsCommandLine.BadInput;
        }
        var normalizer = new FeedNormalizer(new HtmlCleaner(), TimeProvider.System);
        using var output = Console.OpenStandardOutput();
        foreach (var file in directory.EnumerateFiles("*", SearchOption.AllDirectories).OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(directory.FullName, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            using var line = new MemoryStream();
            using (var writer = new Utf8JsonWriter(line, JsonOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("file", relative);
                try
                {
                    var document = normalizer.Normalize(FeedParser.Parse(File.ReadAllBytes(file.FullName)), sourceUri: null, EntrySelection.AsWritten);
                    writer.WritePropertyName("result");
                    WriteDocument(writer, document);
                }
                catch (Exception e)
                {
                    // One bad file must not end the batch; it is reported on its own line.
                    writer.WriteString("error", e is FeedParseException ? e.Message : $"{e.GetType().Name}: {e.Message}");
                }
                writer.WriteEndObject();
            }
            line.WriteByte((byte)'\n');
            line.WriteTo(output);
        }
        return FeedsCommandLine.Ok;
    }

    private static byte[] ReadStandardInput()
    {
        using var input = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        input.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static void WriteDocument(Utf8JsonWriter writer, NormalizedFeed feed)
    {
        writer.WriteStartObject();
        writer.WriteString("format", FormatName(feed.Format));
        writer.WriteStartObject("feed");
        writer.WriteString("title", feed.Title);
        writer.WriteString("link", feed.Link);
        writer.WriteString("description", feed.Description);
        writer.WriteString("language", feed.Language);
        WriteDate(writer, "updated", feed.Updated);
        writer.WriteString("image", feed.Image);
        writer.WriteEndObject();
        writer.WriteStartArray("items");
        foreach (var item in feed.Items)
        {
            writer.WriteStartObject();
            writer.WriteString("id", item.Id);
            writer.WriteString("title", item.Title);
            writer.WriteString("link", item.Link);
            writer.WriteString("summary", item.Summary);
            writer.WriteString("content", item.Content);
            writer.WriteStartArray("authors");
            foreach (var author in item.Authors)
            {
                writer.WriteStartObject();
                writer.WriteString("name", author.Name);
                writer.WriteString("email", author.Email);
                writer.WriteString("uri", author.Uri);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            WriteDate(writer, "published", item.Published);
            WriteDate(writer, "updated", item.Updated);
            writer.WriteStartArray("categories");
            foreach (var category in item.Categories)
                writer.WriteStringValue(category);
            writer.WriteEndArray();
            writer.WriteStartArray("enclosures");
            foreach (var enclosure in item.Enclosures)
            {
                writer.WriteStartObject();
                writer.WriteString("url", enclosure.Url);
                writer.WriteString("type", enclosure.Type);
                if (enclosure.Length is { } length)
                    writer.WriteNumber("length", length);
                else
                    writer.WriteNull("length");
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteString("image", item.Image);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteDate(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } date)
            writer.WriteString(name, date.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        else
            writer.WriteNull(name);
    }

    private static string? FormatName(FeedFormat format) => format switch
    {
        FeedFormat.Rss20 => "rss20",
        FeedFormat.Rss09x => "rss09x",
        FeedFormat.Rss10 => "rss10",
        FeedFormat.Atom10 => "atom10",
        FeedFormat.Atom03 => "atom03",
        FeedFormat.Json => "json",
        _ => null,
    };
}
