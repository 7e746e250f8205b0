using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Feeds.Core.Sources;
using Feeds.Tests.Support;
using Json.Schema;

namespace Feeds.Tests.Sources;

/// <summary>
/// config/feeds.schema.json is for editors; <see cref="ConfigLoader"/> is what the service obeys. These tests keep
/// the two from drifting apart: the shipped config passes both, configs the loader rejects are rejected by the
/// schema too, valid variants pass both, and every key the loader knows is a property in the schema.
/// </summary>
public sealed partial class ConfigSchemaTests
{
    private const string Remove = "<remove>";

    private static readonly string ConfigFolder = Path.Combine(TestFiles.Root, "config");
    private static readonly JsonSchema Schema = JsonSchema.FromFile(Path.Combine(ConfigFolder, "feeds.schema.json"));

    /// <summary>A small valid config; each case below changes one place in it, named by a JSON Pointer.</summary>
    private const string BaseConfig = """
        {
          "sections": [ { "id": "world", "title": "World" } ],
          "sources": [ { "id": "wire", "url": "https://wire.example.com/rss", "sections": ["world"] } ]
        }
        """;

    [Fact]
    public void ShippedConfigIsValidAgainstTheSchemaAndReferencesIt()
    {
        var path = Path.Combine(ConfigFolder, "feeds.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));

        AssertValid(document.RootElement);
        Assert.Equal("./feeds.schema.json", document.RootElement.GetProperty("$schema").GetString());
        Assert.Empty(ConfigLoader.TryLoad(path).Problems);
    }

    [Theory]
    [InlineData("/sections", "[]")]
    [InlineData("/sections/0/id", "\"World News\"")]
    [InlineData("/sections/0/title", Remove)]
    [InlineData("/sections/0/primaryOnly", "\"yes\"")]
    [InlineData("/sections/0/include", "{ \"categories\": [\"\"] }")]
    [InlineData("/sections/0/exclude", "{ \"keyword\": \"sport\" }")]
    [InlineData("/sources/0/id", Remove)]
    [InlineData("/sources/0/shedule", "\"15m\"")]
    [InlineData("/sources/0/url", "\"ftp://example.com/feed\"")]
    [InlineData("/sources/0/url", "\"localhost:8080/feed\"")]
    [InlineData("/sources/0/schedule", "\"often\"")]
    [InlineData("/sources/0/schedule", "\"15 minutes\"")]
    [InlineData("/sources/0/sections", "[]")]
    [InlineData("/publising", "{}")]
    [InlineData("/publishing/itemsPerFeed", "0")]
    [InlineData("/publishing/maxAgeSeconds", "86401")]
    [InlineData("/publishing/baseUrl", "\"/feeds\"")]
    [InlineData("/publishing/hub", "\"https://hub.example.com/\"")]
    [InlineData("/fetching/timeout", "\"30 seconds\"")]
    [InlineData("/fetching/allowPrivateNetworks", "[\"localhost\"]")]
    [InlineData("/fetching/maxConcurrency", "0")]
    [InlineData("/fetching/maxBodyBytes", "100")]
    [InlineData("/retention", "90")]
    [InlineData("/retention/maxAgeDays", "-1")]
    [InlineData("/retention/maxItems", "100")]
    [InlineData("/sources/0/retention", "{ \"maxAgeDays\": 1.5 }")]
    [InlineData("/storage/provider", "\"mysql\"")]
    [InlineData("/storage", "{ \"connectionString\": \"Host=db;Database=feeds\" }")]
    [InlineData("/storage", "{ \"provider\": \"sqlite\", \"connectionString\": \"Host=db;Database=feeds\" }")]
    [InlineData("/storage", "{ \"provider\": \"postgres\", \"connectionString\": \"\" }")]
    public void ConfigsTheLoaderRejectsTheSchemaRejects(string pointer, string value)
    {
        var json = Change(BaseConfig, pointer, value);

        Assert.NotEmpty(ConfigLoader.Parse(json, "/srv/feeds/feeds.json").Problems);
        Assert.False(Evaluate(json).IsValid, $"the schema accepts a config the loader rejects ({pointer} = {value})");
    }

    [Theory]
    [InlineData("/sources/0/url", "\"samples/world-wire.rss\"")]
    [InlineData("/sources/0/url", "\"file:///srv/feeds/wire.xml\"")]
    [InlineData("/sources/0/schedule", "\"1h30m\"")]
    [InlineData("/sources/0/title", "\"Harbor Wire\"")]
    [InlineData("/sections/0/primaryOnly", "true")]
    [InlineData("/sections/0/include", "{ \"categories\": [\"World\"], \"keywords\": \"election|vote\", \"languages\": [\"en\"] }")]
    [InlineData("/fetching/minHostSpacing", "\"500ms\"")]
    [InlineData("/fetching/allowPrivateNetworks", "[\"127.0.0.1/32\", \"10.20.0.0/16\", \"fd00::/8\"]")]
    [InlineData("/publishing/baseUrl", "\"https://news.example.org/\"")]
    [InlineData("/retention", "{ \"maxAgeDays\": 0, \"maxItemsPerSource\": 0 }")]
    [InlineData("/sources/0/retention", "{ \"maxItemsPerSource\": 200 }")]
    [InlineData("/storage", "{ \"provider\": \"sqlite\" }")]
    [InlineData("/storage", "{ \"provider\": \"postgres\", \"connectionString\": \"Host=db;Database=feeds;Username=feeds\" }")]
    [InlineData("/storage", "{ \"provider\": \"postgres\" }")]
    public void ValidVariantsPassBoth(string pointer, string value)
    {
        var json = Change(BaseConfig, pointer, value);

        Assert.Empty(ConfigLoader.Parse(json, "/srv/feeds/feeds.json").Problems);
        AssertValid(JsonDocument.Parse(json).RootElement);
    }

    [Fact]
    public void AConfigUsingEveryKeyPassesBoth()
    {
        const string json = """
            {
              "$schema": "./feeds.schema.json",
              "sections": [
                { "id": "world", "title": "World", "description": "World news",
                  "include": { "categories": ["World"], "keywords": "summit|treaty", "languages": ["en"] },
                  "exclude": { "categories": ["Sport"], "keywords": "horoscope", "languages": ["de"] } },
                { "id": "politics", "title": "Politics", "primaryOnly": true }
              ],
              "sources": [
                { "id": "wire", "title": "Wire", "url": "https://wire.example.com/rss", "sections": ["world", "politics"],
                  "schedule": "15m", "retention": { "maxAgeDays": 30, "maxItemsPerSource": 500 } }
              ],
              "publishing": { "itemsPerFeed": 20, "maxAgeSeconds": 60, "baseUrl": "https://news.example.org/", "hub": "https://hub.example.com/" },
              "fetching": {
                "allowPrivateNetworks": ["127.0.0.1/32"], "maxBodyBytes": 1048576, "timeout": "20s", "connectTimeout": "5s",
                "perHostConcurrency": 2, "minHostSpacing": "500ms", "maxConcurrency": 16,
                "minInterval": "2m", "maxInterval": "6h", "maxBackoff": "3h", "maxPollsInFlight": 32
              },
              "retention": { "maxAgeDays": 90, "maxItemsPerSource": 1000 },
              "storage": { "provider": "postgres", "connectionString": "Host=db.example.com;Database=feeds;Username=feeds" }
            }
            """;

        Assert.Empty(ConfigLoader.Parse(json, "/srv/feeds/feeds.json").Problems);
        AssertValid(JsonDocument.Parse(json).RootElement);
    }

    /// <summary>
    /// The loader names its known keys when it meets an unknown one; the schema must describe exactly those, at
    /// every level, so a key added to the loader without the schema (or the other way round) fails here.
    /// </summary>
    [Theory]
    [InlineData("/zz", "")]
    [InlineData("/sections/0/zz", "section")]
    [InlineData("/sections/0/include/zz", "rules")]
    [InlineData("/sections/0/exclude/zz", "rules")]
    [InlineData("/sources/0/zz", "source")]
    [InlineData("/sources/0/retention/zz", "retention")]
    [InlineData("/publishing/zz", "publishing")]
    [InlineData("/fetching/zz", "fetching")]
    [InlineData("/retention/zz", "retention")]
    [InlineData("/storage/zz", "storage")]
    public void SchemaPropertiesAreTheKeysTheLoaderKnows(string pointer, string definition)
    {
        var problems = ConfigLoader.Parse(Change(BaseConfig, pointer, "1"), "/srv/feeds/feeds.json").Problems;
        var unknownKey = Assert.Single(problems, p => p.Message.StartsWith("unknown key \"zz\"", StringComparison.Ordinal));
        var loaderKeys = KnownKeysPattern().Match(unknownKey.Message).Groups["keys"].Value.Split(", ");

        var schema = JsonNode.Parse(File.ReadAllText(Path.Combine(ConfigFolder, "feeds.schema.json")))!;
        var node = definition.Length == 0 ? schema : schema["$defs"]![definition]!;
        var schemaKeys = node["properties"]!.AsObject().Select(p => p.Key);

        Assert.Equal(loaderKeys.Order(StringComparer.Ordinal), schemaKeys.Order(StringComparer.Ordinal));
        Assert.False(node["additionalProperties"]!.GetValue<bool>());
    }

    [GeneratedRegex(@"\(known keys: (?<keys>[^)]*)\)")]
    private static partial Regex KnownKeysPattern();

    private static EvaluationResults Evaluate(string json) =>
        Schema.Evaluate(JsonDocument.Parse(json).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static void AssertValid(JsonElement config)
    {
        var results = Schema.Evaluate(config, new EvaluationOptions { OutputFormat = OutputFormat.List });
        var errors = (results.Details ?? []).Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"));
        Assert.True(results.IsValid, "schema errors:\n" + string.Join("\n", errors));
    }

    /// <summary>Sets (or with <see cref="Remove"/> removes) the value at a JSON Pointer, creating missing objects on the way.</summary>
    private static string Change(string json, string pointer, string value)
    {
        var root = JsonNode.Parse(json)!;
        var segments = pointer.TrimStart('/').Split('/');
        var parent = root;
        foreach (var segment in segments[..^1])
        {
            if (parent is JsonArray array)
                parent = array[int.Parse(segment, System.Globalization.CultureInfo.InvariantCulture)]!;
            else
                parent = parent[segment] ??= new JsonObject();
        }
        var last = segments[^1];
        if (parent is JsonArray items)
            items[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = JsonNode.Parse(value);
        else if (value == Remove)
            parent.AsObject().Remove(last);
        else
            parent[last] = JsonNode.Parse(value);
        return root.ToJsonString();
    }
}
