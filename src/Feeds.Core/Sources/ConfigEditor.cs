using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Feeds.Core.Sources;

/// <summary>A source to add to the config file.</summary>
public sealed record NewSource(string Title, Uri Url, string Section);

/// <summary>What an import did.</summary>
public sealed record ImportResult(IReadOnlyList<string> Added, IReadOnlyList<string> Skipped);

/// <summary>
/// Adds sources to a config file the way an operator would write them, and only when the result is a
/// valid config: the file is validated before it is replaced, and replaced atomically.
/// </summary>
public static partial class ConfigEditor
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <exception cref="InvalidConfigException">The edited config would not be valid; the file is unchanged.</exception>
    public static ImportResult AddSources(string configPath, IReadOnlyList<NewSource> sources)
    {
        var config = ConfigLoader.Load(configPath);
        var root = JsonNode.Parse(File.ReadAllText(configPath), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        var list = root["sources"]!.AsArray();
        var known = config.Sources.Where(s => s.Location.Url is not null).Select(s => NormalizedUrl(s.Location.Url!)).ToHashSet();
        var ids = config.Sources.Select(s => s.Id).ToHashSet();
        var (added, skipped) = (new List<string>(), new List<string>());
        foreach (var source in sources)
        {
            if (!known.Add(NormalizedUrl(source.Url)))
            {
                skipped.Add(source.Url.AbsoluteUri);
                continue;
            }
            var id = UniqueId(source, ids);
            list.Add(new JsonObject
            {
                ["id"] = id,
                ["title"] = source.Title,
                ["url"] = source.Url.AbsoluteUri,
                ["sections"] = new JsonArray(source.Section),
            });
            added.Add(id);
        }
        var json = root.ToJsonString(Pretty) + Environment.NewLine;
        var (_, problems) = ConfigLoader.Parse(json, Path.GetFullPath(configPath));
        if (problems.Count > 0)
            throw new InvalidConfigException(problems);
        var temporary = configPath + ".tmp";
        File.WriteAllText(temporary, json);
        File.Move(temporary, configPath, overwrite: true);
        return new ImportResult(added, skipped);
    }

    /// <summary>Scheme, "www." and a trailing slash do not make a different feed.</summary>
    public static string NormalizedUrl(Uri url)
    {
        var host = url.IdnHost.ToLowerInvariant();
        host = host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
        var port = url.IsDefaultPort ? "" : ":" + url.Port;
        return host + port + url.AbsolutePath.TrimEnd('/') + url.Query;
    }

    private static string UniqueId(NewSource source, HashSet<string> ids)
    {
        var slug = NonSlug().Replace(source.Title.ToLowerInvariant(), "-").Trim('-');
        if (slug.Length == 0)
            slug = NonSlug().Replace(source.Url.Host.ToLowerInvariant(), "-").Trim('-');
        slug = slug.Length > 48 ? slug[..48].TrimEnd('-') : slug;
        var id = slug;
        for (var n = 2; !ids.Add(id); n++)
            id = $"{slug}-{n}";
        return id;
    }

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonSlug();
}
