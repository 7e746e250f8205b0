using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Feeds.Core.Sources;

/// <summary>
/// Reads <c>feeds.json</c> and validates all of it at once, so an operator sees every problem in one pass,
/// each with its line and column, its path inside the file in the file's own spelling (<c>sources[2].url</c>) and
/// what would be right.
/// </summary>
public static partial class ConfigLoader
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromMinutes(1);

    private static readonly string[] RootKeys = ["$schema", "sections", "sources", "publishing", "fetching", "retention", "storage", "operators", "stories"];
    private static readonly string[] StoryKeys = ["preferredSources"];
    private static readonly string[] OperatorKeys = ["allowedNetworks", "token", "trustedProxies"];
    private static readonly string[] StorageKeys = ["provider", "connectionString"];
    private static readonly string[] PublishingKeys = ["itemsPerFeed", "maxAgeSeconds", "baseUrl", "hub"];
    private static readonly string[] FetchingKeys =
    [
        "allowPrivateNetworks", "maxBodyBytes", "timeout", "connectTimeout", "perHostConcurrency", "minHostSpacing",
        "maxConcurrency", "minInterval", "maxInterval", "maxBackoff", "maxPollsInFlight",
    ];
    private static readonly string[] SectionKeys = ["id", "title", "description", "primaryOnly", "include", "exclude", "preferredSources"];
    private static readonly string[] RuleKeys = ["categories", "keywords", "languages", "query"];
    private static readonly string[] SourceKeys = ["id", "title", "url", "sections", "schedule", "retention"];
    private static readonly string[] RetentionKeys = ["maxAgeDays", "maxItemsPerSource"];

    /// <summary>Loads and validates the config, or throws <see cref="InvalidConfigException"/> listing every problem.</summary>
    public static FeedsConfig Load(string path)
    {
        var (config, problems) = TryLoad(path);
        return config ?? throw new InvalidConfigException(problems);
    }

    public static (FeedsConfig? Config, IReadOnlyList<ConfigProblem> Problems) TryLoad(string path)
    {
        var fullPath = Path.GetFullPath(path);
        string json;
        try
        {
            json = File.ReadAllText(fullPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, [new ConfigProblem(path, "", $"cannot read the config file: {e.Message}")]);
        }
        return Parse(json, fullPath);
    }

    /// <summary>Validates config text; relative source paths resolve against the folder of <paramref name="filePath"/>.</summary>
    public static (FeedsConfig? Config, IReadOnlyList<ConfigProblem> Problems) Parse(string json, string filePath)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            var positions = JsonPositions.Of(utf8, ReaderOptions);
            var (line, column) = positions.At(e.LineNumber ?? 0, e.BytePositionInLine ?? 0);
            var message = $"not valid JSON: {e.Message.Split(" Path:")[0].Split(" LineNumber:")[0]}";
            return (null, [new ConfigProblem(filePath, positions.StoppedAt, message) { Line = line, Column = column }]);
        }
        using (document)
        {
            var reader = new Reader(filePath, JsonPositions.Of(utf8, ReaderOptions));
            var config = reader.ReadRoot(document.RootElement);
            return reader.Problems.Count == 0 ? (config, []) : (null, reader.Problems);
        }
    }

    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Parses a positive interval: "90s", "15m", "1h30m" or "2d".</summary>
    public static bool TryParseInterval(string text, out TimeSpan interval) => TryParseDuration(text, out interval) && interval > TimeSpan.Zero;

    /// <summary>Parses a duration that may be zero and may use milliseconds: "0s", "500ms", "1m30s".</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = DurationPattern().Match(text.Trim());
        if (!match.Success || match.Length == 0)
            return false;
        foreach (Capture part in match.Groups["part"].Captures)
        {
            var unit = part.Value.TrimStart("0123456789".ToCharArray()).ToLowerInvariant();
            var amount = int.Parse(part.Value[..^unit.Length], CultureInfo.InvariantCulture);
            duration += unit switch
            {
                "d" => TimeSpan.FromDays(amount),
                "h" => TimeSpan.FromHours(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "s" => TimeSpan.FromSeconds(amount),
                _ => TimeSpan.FromMilliseconds(amount),
            };
        }
        return true;
    }

    /// <summary>A duration as the config writes it: "30s", "1h30m", "500ms", "0s".</summary>
    public static string FormatDuration(TimeSpan duration)
    {
        if (duration == TimeSpan.Zero)
            return "0s";
        var parts = new (int Amount, string Unit)[]
        {
            ((int)duration.TotalDays, "d"), (duration.Hours, "h"), (duration.Minutes, "m"), (duration.Seconds, "s"), (duration.Milliseconds, "ms"),
        };
        return string.Concat(parts.Where(part => part.Amount != 0).Select(part => $"{part.Amount}{part.Unit}"));
    }

    [GeneratedRegex(@"^(?<part>\d{1,6}(?:ms|[dhms]))+$", RegexOptions.IgnoreCase)]
    private static partial Regex DurationPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex IdPattern();

    private sealed class Reader(string filePath, JsonPositions positions)
    {
        public List<ConfigProblem> Problems { get; } = [];

        /// <summary>A problem at the value at <paramref name="path"/> (at its key with <paramref name="atKey"/>; at the enclosing object when it is missing).</summary>
        private void Problem(string path, string message, bool atKey = false)
        {
            var (line, column) = positions.Find(path, atKey);
            Problems.Add(new ConfigProblem(filePath, path, message) { Line = line, Column = column });
        }

        /// <summary><c>file:line:col</c> of the value at <paramref name="path"/>, for a message that names a second place.</summary>
        private string LocationOf(string path)
        {
            var (line, column) = positions.Find(path);
            return $"{filePath}:{line}:{column}";
        }

        public FeedsConfig? ReadRoot(JsonElement root)
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                Problem("", "the config must be a JSON object with \"sections\" and \"sources\"");
                return null;
            }
            CheckKeys(root, "", RootKeys);
            // The ids as written, for the lists that name sources (a source's own problems are reported where it is read).
            var sourceIds = TryGet(root, "sources", out var sourcesArray) && sourcesArray.ValueKind == JsonValueKind.Array
                ? sourcesArray.EnumerateArray().Select(IdOf).OfType<string>().ToHashSet()
                : [];
            var sectionsRead = ReadArray(root, "", "sections", (element, path) => ReadSection(element, path, sourceIds));
            var sections = sectionsRead.Select(read => read.Item).ToList();
            var sectionIds = sections.Select(s => s.Id).ToHashSet();
            var retention = ReadRetention(root, "", new RetentionSettings()) ?? new RetentionSettings();
            var sources = ReadArray(root, "", "sources", (element, path) => ReadSource(element, path, sectionIds, retention)).Select(read => read.Item).ToList();
            var publishing = ReadPublishing(root);
            var (fetching, scheduling) = ReadFetching(root);
            var storage = ReadStorage(root);
            var operators = ReadOperators(root);
            var stories = ReadStories(root, sourceIds);
            CheckUnique(root, "sections", "section");
            CheckUnique(root, "sources", "source");
            if (sections.Count == 0 && Problems.Count == 0)
                Problem(KeyPath(root, "", "sections"), "at least one section is needed: readers subscribe to sections");
            // Only once the sources read cleanly: a source with a problem of its own is left out, and its sections would look empty.
            foreach (var (section, path) in sectionsRead.Where(read => Problems.Count == 0 && !sources.Any(source => source.Sections.Contains(read.Item.Id))))
                Problem(path, $"section \"{section.Id}\" has no source; add its id to some source's \"sections\"");
            return new FeedsConfig(filePath, sections, sources, publishing) { Fetching = fetching, Scheduling = scheduling, Retention = retention, Storage = storage, Operators = operators, Stories = stories };
        }

        /// <summary>The <c>stories</c> object: which sources lead the stories they report.</summary>
        private StorySettings ReadStories(JsonElement root, HashSet<string> sourceIds)
        {
            if (!TryGet(root, "stories", out var element) || element.ValueKind == JsonValueKind.Null)
                return new StorySettings();
            var path = KeyPath(root, "", "stories");
            if (element.ValueKind != JsonValueKind.Object)
            {
                Problem(path, $"must be an object such as {{ \"preferredSources\": [\"wire\"] }}, not {Describe(element)}");
                return new StorySettings();
            }
            CheckKeys(element, path, StoryKeys);
            return new StorySettings(ReadPreferredSources(element, path, sourceIds) ?? []);
        }

        /// <summary>
        /// A <c>preferredSources</c> list (of <c>stories</c> or of a section): ids of configured sources, most preferred
        /// first; null when it is not given.
        /// </summary>
        private List<string>? ReadPreferredSources(JsonElement element, string path, HashSet<string> sourceIds)
        {
            if (!TryGet(element, "preferredSources", out var array) || array.ValueKind == JsonValueKind.Null)
                return null;
            var listPath = KeyPath(element, path, "preferredSources");
            if (array.ValueKind != JsonValueKind.Array)
            {
                Problem(listPath, $"must be an array of source ids, most preferred first, such as [\"wire\", \"herald\"], not {Describe(array)}");
                return null;
            }
            var ids = new List<string>();
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                var itemPath = JsonPositions.Element(listPath, index++);
                if (item.ValueKind != JsonValueKind.String)
                    Problem(itemPath, $"must be a source id string, not {Describe(item)}");
                else if (!sourceIds.Contains(item.GetString()!))
                    Problem(itemPath, $"unknown source \"{item.GetString()}\"; known sources: {string.Join(", ", sourceIds.Order())}");
                else
                    ids.Add(item.GetString()!);
            }
            return ids;
        }

        private PublishingSettings ReadPublishing(JsonElement root)
        {
            var settings = new PublishingSettings();
            if (!TryGet(root, "publishing", out var element))
                return settings;
            var path = KeyPath(root, "", "publishing");
            if (element.ValueKind != JsonValueKind.Object)
            {
                Problem(path, $"must be an object such as {{ \"itemsPerFeed\": 50 }}, not {Describe(element)}");
                return settings;
            }
            CheckKeys(element, path, PublishingKeys);
            if (TryGet(element, "itemsPerFeed", out var items))
            {
                if (items.ValueKind == JsonValueKind.Number && items.TryGetInt32(out var count) && count is >= 1 and <= PublishingSettings.MaxItemsPerFeed)
                    settings = settings with { ItemsPerFeed = count };
                else
                    Problem(KeyPath(element, path, "itemsPerFeed"), $"must be a whole number from 1 to {PublishingSettings.MaxItemsPerFeed}");
            }
            if (TryGet(element, "maxAgeSeconds", out var maxAge))
            {
                if (maxAge.ValueKind == JsonValueKind.Number && maxAge.TryGetInt32(out var seconds) && seconds is >= 0 and <= 86400)
                    settings = settings with { MaxAge = TimeSpan.FromSeconds(seconds) };
                else
                    Problem(KeyPath(element, path, "maxAgeSeconds"), "must be a whole number of seconds from 0 to 86400");
            }
            var baseUrl = ReadAbsoluteHttpUrl(element, path, "baseUrl");
            var hub = ReadAbsoluteHttpUrl(element, path, "hub");
            if (hub is not null && baseUrl is null)
                Problem(KeyPath(element, path, "hub"), "a WebSub hub needs \"baseUrl\" too: the public address readers reach this service at, which the hub is told about");
            return settings with { BaseUrl = baseUrl, Hub = hub };
        }

        /// <summary>The <c>storage</c> object; null when absent. The environment and the command line may set either part over it.</summary>
        private StorageSettings? ReadStorage(JsonElement root)
        {
            if (!TryGet(root, "storage", out var element))
                return null;
            var path = KeyPath(root, "", "storage");
            if (element.ValueKind != JsonValueKind.Object)
            {
                Problem(path, $"must be an object such as {{ \"provider\": \"postgres\", \"connectionString\": \"Host=db;Database=feeds;Username=feeds\" }}, not {Describe(element)}");
                return null;
            }
            CheckKeys(element, path, StorageKeys);
            var storage = new StorageSettings();
            if (TryGet(element, "provider", out var provider))
            {
                if (StorageProviders.TryParse(provider.ValueKind == JsonValueKind.String ? provider.GetString() : null, out var parsed))
                    storage = storage with { Provider = parsed };
                else
                    Problem(KeyPath(element, path, "provider"), $"must be \"sqlite\" or \"postgres\", not {(provider.ValueKind == JsonValueKind.String ? $"\"{provider.GetString()}\"" : Describe(provider))}");
            }
            if (TryGet(element, "connectionString", out var connection))
            {
                if (connection.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(connection.GetString()))
                    storage = storage with { ConnectionString = connection.GetString() };
                else
                    Problem(KeyPath(element, path, "connectionString"), "must be a non-empty PostgreSQL connection string such as \"Host=db;Database=feeds;Username=feeds\""
                        + (connection.ValueKind == JsonValueKind.String ? "" : $", not {Describe(connection)}"));
                if (storage.Provider == StorageProvider.Sqlite)
                    Problem(KeyPath(element, path, "connectionString"), "only \"provider\": \"postgres\" takes a connection string; SQLite's file is given by --db or FEEDS_DB");
            }
            return storage;
        }

        /// <summary>The <c>operators</c> object: who may read /status, /metrics and the detailed /healthz. The environment may set the token over it.</summary>
        private OperatorSettings ReadOperators(JsonElement root)
        {
            var operators = new OperatorSettings();
            if (!TryGet(root, "operators", out var element))
                return operators;
            var path = KeyPath(root, "", "operators");
            if (element.ValueKind != JsonValueKind.Object)
            {
                Problem(path, $"must be an object such as {{ \"allowedNetworks\": [\"10.0.0.0/8\"] }}, not {Describe(element)}");
                return operators;
            }
            CheckKeys(element, path, OperatorKeys);
            var token = ReadString(element, path, "token", required: false);
            if (token is not null && (token.Length < OperatorSettings.MinTokenLength || token.Any(char.IsWhiteSpace)))
                Problem(KeyPath(element, path, "token"), $"must be at least {OperatorSettings.MinTokenLength} characters without spaces (e.g. `openssl rand -hex 32`)");
            return operators with
            {
                AllowedNetworks = ReadNetworks(element, path, "allowedNetworks") ?? operators.AllowedNetworks,
                Token = token,
                TrustedProxies = ReadNetworks(element, path, "trustedProxies") ?? operators.TrustedProxies,
            };
        }

        private (FetchOptions Fetching, ScheduleOptions Scheduling) ReadFetching(JsonElement root)
        {
            var fetching = new FetchOptions();
            var scheduling = new ScheduleOptions();
            if (!TryGet(root, "fetching", out var element))
                return (fetching, scheduling);
            var path = KeyPath(root, "", "fetching");
            if (element.ValueKind != JsonValueKind.Object)
            {
                Problem(path, $"must be an object such as {{ \"allowPrivateNetworks\": [\"127.0.0.1/32\"] }}, not {Describe(element)}");
                return (fetching, scheduling);
            }
            CheckKeys(element, path, FetchingKeys);
            fetching = fetching with
            {
                AllowedPrivateNetworks = ReadNetworks(element, path, "allowPrivateNetworks") ?? fetching.AllowedPrivateNetworks,
                MaxBodyBytes = ReadWholeNumber(element, path, "maxBodyBytes", 1024, 1L << 30) ?? fetching.MaxBodyBytes,
                Timeout = ReadDuration(element, path, "timeout", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10)) ?? fetching.Timeout,
                ConnectTimeout = ReadDuration(element, path, "connectTimeout", TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5)) ?? fetching.ConnectTimeout,
                PerHostConcurrency = (int?)ReadWholeNumber(element, path, "perHostConcurrency", 1, 64) ?? fetching.PerHostConcurrency,
                MinHostSpacing = ReadDuration(element, path, "minHostSpacing", TimeSpan.Zero, TimeSpan.FromMinutes(10)) ?? fetching.MinHostSpacing,
                MaxConcurrency = (int?)ReadWholeNumber(element, path, "maxConcurrency", 1, 1024) ?? fetching.MaxConcurrency,
            };
            scheduling = scheduling with
            {
                MinInterval = ReadDuration(element, path, "minInterval", MinimumInterval, TimeSpan.FromDays(7)) ?? scheduling.MinInterval,
                MaxInterval = ReadDuration(element, path, "maxInterval", MinimumInterval, TimeSpan.FromDays(7)) ?? scheduling.MaxInterval,
                MaxBackoff = ReadDuration(element, path, "maxBackoff", MinimumInterval, TimeSpan.FromDays(7)) ?? scheduling.MaxBackoff,
                MaxPollsInFlight = (int?)ReadWholeNumber(element, path, "maxPollsInFlight", 1, 8192) ?? scheduling.MaxPollsInFlight,
            };
            if (scheduling.MinInterval > scheduling.MaxInterval)
                Problem(KeyPath(element, path, "maxInterval"), $"must not be shorter than minInterval ({scheduling.MinInterval}); the rhythm is kept between the two");
            return (fetching, scheduling);
        }

        /// <summary>
        /// The <c>retention</c> object of <paramref name="parent"/> (the root, or a source at <paramref name="parentPath"/>);
        /// a key left out keeps its <paramref name="inherited"/> value. Null when the object is absent.
        /// </summary>
        private RetentionSettings? ReadRetention(JsonElement parent, string parentPath, RetentionSettings inherited)
        {
            if (!TryGet(parent, "retention", out var element) || element.ValueKind == JsonValueKind.Null)
                return null;
            var path = KeyPath(parent, parentPath, "retention");
            if (element.ValueKind != JsonValueKind.Object)
            {
                Problem(path, $"must be an object such as {{ \"maxAgeDays\": 90, \"maxItemsPerSource\": 1000 }}, not {Describe(element)}");
                return null;
            }
            CheckKeys(element, path, RetentionKeys);
            var maxAgeDays = ReadRetentionLimit(element, path, "maxAgeDays", RetentionSettings.MaxMaxAgeDays, "0 keeps items of any age");
            var maxItems = ReadRetentionLimit(element, path, "maxItemsPerSource", RetentionSettings.MaxMaxItemsPerSource, "0 keeps any number");
            return new RetentionSettings(maxAgeDays ?? inherited.MaxAgeDays, maxItems ?? inherited.MaxItemsPerSource);
        }

        /// <returns>The limit; null when the key is absent or wrong (a wrong one is a problem, so the config is not used).</returns>
        private int? ReadRetentionLimit(JsonElement element, string path, string key, int max, string zeroMeans)
        {
            if (!TryGet(element, key, out var value))
                return null;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var limit) && limit >= 0 && limit <= max)
                return limit;
            Problem(KeyPath(element, path, key), $"must be a whole number from 0 to {max:N0} ({zeroMeans}), not {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : Describe(value))}");
            return null;
        }

        /// <summary>CIDR blocks such as "127.0.0.1/32" or "10.20.0.0/16"; a bare address means just that address.</summary>
        private List<IPNetwork>? ReadNetworks(JsonElement element, string parentPath, string key)
        {
            if (!TryGet(element, key, out var array))
                return null;
            var path = KeyPath(element, parentPath, key);
            if (array.ValueKind != JsonValueKind.Array)
            {
                Problem(path, $"must be an array of CIDR blocks such as [\"127.0.0.1/32\"], not {Describe(array)}");
                return null;
            }
            var networks = new List<IPNetwork>();
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                var itemPath = JsonPositions.Element(path, index++);
                var text = item.ValueKind == JsonValueKind.String ? item.GetString()!.Trim() : null;
                if (text is not null && IPAddress.TryParse(text, out var single) && !text.Contains('/'))
                    networks.Add(new IPNetwork(single, single.GetAddressBytes().Length * 8));
                // Host bits must be zero: "10.0.0.1/8" is more likely a typo than a way to write 10.0.0.0/8.
                else if (text is not null && IPNetwork.TryParse(text, out var network) && network.BaseAddress.Equals(IPAddress.Parse(text.Split('/')[0])))
                    networks.Add(network);
                else
                    Problem(itemPath, $"{(text is null ? Describe(item) : $"\"{text}\"")} is not a CIDR block; write it like \"127.0.0.1/32\" or \"fd00::/8\" (host bits zero)");
            }
            return networks.Count == array.GetArrayLength() ? networks : null;
        }

        private long? ReadWholeNumber(JsonElement element, string path, string key, long min, long max)
        {
            if (!TryGet(element, key, out var value))
                return null;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= min && number <= max)
                return number;
            Problem(KeyPath(element, path, key), $"must be a whole number from {min:N0} to {max:N0}, not {(value.ValueKind == JsonValueKind.Number ? value.GetRawText() : Describe(value))}");
            return null;
        }

        private TimeSpan? ReadDuration(JsonElement element, string path, string key, TimeSpan min, TimeSpan max)
        {
            var text = ReadString(element, path, key, required: false);
            if (text is null)
                return null;
            if (!TryParseDuration(text, out var duration))
                Problem(KeyPath(element, path, key), $"\"{text}\" is not a duration; write it like \"500ms\", \"30s\", \"15m\" or \"1h30m\"");
            else if (duration < min || duration > max)
                Problem(KeyPath(element, path, key), $"\"{text}\" is out of range; use from {FormatDuration(min)} to {FormatDuration(max)}");
            else
                return duration;
            return null;
        }

        /// <summary>The objects of the array <paramref name="key"/> that read without a problem, each with its path.</summary>
        private List<(T Item, string Path)> ReadArray<T>(JsonElement parent, string parentPath, string key, Func<JsonElement, string, T?> read) where T : class
        {
            var result = new List<(T Item, string Path)>();
            var path = KeyPath(parent, parentPath, key);
            if (!TryGet(parent, key, out var array))
            {
                Problem(path, $"missing; add \"{key}\": [ ... ]");
                return result;
            }
            if (array.ValueKind != JsonValueKind.Array)
            {
                Problem(path, $"must be an array, not {Describe(array)}");
                return result;
            }
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                var itemPath = JsonPositions.Element(path, index++);
                if (element.ValueKind != JsonValueKind.Object)
                    Problem(itemPath, $"must be an object, not {Describe(element)}");
                else if (read(element, itemPath) is { } item)
                    result.Add((item, itemPath));
            }
            return result;
        }

        private Section? ReadSection(JsonElement element, string path, HashSet<string> sourceIds)
        {
            CheckKeys(element, path, SectionKeys);
            var id = ReadId(element, path);
            var title = ReadString(element, path, "title", required: true);
            var description = ReadString(element, path, "description", required: false) ?? "";
            var include = ReadRuleMatcher(element, path, "include");
            var exclude = ReadRuleMatcher(element, path, "exclude");
            var primaryOnly = ReadBoolean(element, path, "primaryOnly");
            var preferredSources = ReadPreferredSources(element, path, sourceIds);
            if (id is null || title is null || include is null || exclude is null)
                return null;
            return new Section(id, title, description, new SectionRules(include, exclude), primaryOnly) { PreferredSources = preferredSources };
        }

        private RuleMatcher? ReadRuleMatcher(JsonElement section, string sectionPath, string key)
        {
            if (!TryGet(section, key, out var element) || element.ValueKind == JsonValueKind.Null)
                return RuleMatcher.Empty;
            var path = KeyPath(section, sectionPath, key);
            if (element.ValueKind != JsonValueKind.Object)
            {
                Problem(path, $"must be an object such as {{ \"categories\": [\"World\"], \"keywords\": \"election|vote\" }}, not {Describe(element)}");
                return null;
            }
            CheckKeys(element, path, RuleKeys);
            var categories = ReadStringList(element, path, "categories");
            var languages = ReadStringList(element, path, "languages");
            Regex? keywords = null;
            if (ReadString(element, path, "keywords", required: false) is { } pattern)
            {
                try
                {
                    // Operator-written patterns run against every item: bound each match against catastrophic backtracking.
                    keywords = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
                }
                catch (ArgumentException e)
                {
                    Problem(KeyPath(element, path, "keywords"), $"\"{pattern}\" is not a valid regular expression: {e.Message}");
                    return null;
                }
            }
            SearchQuery? query = null;
            if (ReadString(element, path, "query", required: false) is { } text)
            {
                if (!SearchQuery.TryParse(text, out query, out var error))
                {
                    Problem(KeyPath(element, path, "query"), $"\"{text}\" is not a search: {error}");
                    return null;
                }
                if (query.Sources.Count > 0 || query.Sections.Count > 0)
                {
                    Problem(KeyPath(element, path, "query"), $"\"{text}\" filters by source or section; a section's query takes words, \"phrases\" and -exclusions, and its sources are the ones that list it");
                    return null;
                }
            }
            return categories is null || languages is null ? null : new RuleMatcher(categories, keywords, languages) { Query = query };
        }

        private List<string>? ReadStringList(JsonElement element, string path, string key)
        {
            if (!TryGet(element, key, out var array) || array.ValueKind == JsonValueKind.Null)
                return [];
            if (array.ValueKind != JsonValueKind.Array || array.EnumerateArray().Any(v => v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString())))
            {
                Problem(KeyPath(element, path, key), "must be an array of non-empty strings");
                return null;
            }
            return array.EnumerateArray().Select(v => v.GetString()!.Trim()).ToList();
        }

        private bool ReadBoolean(JsonElement element, string path, string key)
        {
            if (!TryGet(element, key, out var value) || value.ValueKind == JsonValueKind.Null)
                return false;
            if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                return value.GetBoolean();
            Problem(KeyPath(element, path, key), $"must be true or false, not {Describe(value)}");
            return false;
        }

        private Source? ReadSource(JsonElement element, string path, HashSet<string> sectionIds, RetentionSettings retention)
        {
            CheckKeys(element, path, SourceKeys);
            var id = ReadId(element, path);
            var title = ReadString(element, path, "title", required: false);
            var location = ReadLocation(element, path);
            var sections = ReadSectionRefs(element, path, sectionIds);
            var interval = ReadInterval(element, path);
            var ownRetention = ReadRetention(element, path, retention);
            if (id is null || location is null || sections is null || interval is null)
                return null;
            return new Source(id, title ?? id, location, sections, interval.Value)
            {
                HasSchedule = TryGet(element, "schedule", out var schedule) && schedule.ValueKind != JsonValueKind.Null,
                Retention = ownRetention,
            };
        }

        private string? ReadId(JsonElement element, string path)
        {
            var id = ReadString(element, path, "id", required: true);
            if (id is not null && !IdPattern().IsMatch(id))
            {
                Problem(KeyPath(element, path, "id"), $"\"{id}\" is not a valid id; use lower-case letters, digits and '-' (it appears in URLs), e.g. \"{Slug(id)}\"");
                return null;
            }
            return id;
        }

        private SourceLocation? ReadLocation(JsonElement element, string path)
        {
            var url = ReadString(element, path, "url", required: true);
            if (url is null)
                return null;
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme.Length > 1)
            {
                if (uri.Scheme is "http" or "https")
                    return SourceLocation.ForUrl(uri);
                if (uri.IsFile)
                    return SourceLocation.ForFile(uri.LocalPath);
                Problem(KeyPath(element, path, "url"), $"scheme \"{uri.Scheme}:\" is not supported; use an http:// or https:// URL, or a local file path");
                return null;
            }
            if (url.Contains("://", StringComparison.Ordinal))
            {
                Problem(KeyPath(element, path, "url"), $"\"{url}\" is not a valid URL");
                return null;
            }
            var baseFolder = Path.GetDirectoryName(filePath) ?? ".";
            return SourceLocation.ForFile(Path.GetFullPath(Path.Combine(baseFolder, url)));
        }

        private Uri? ReadAbsoluteHttpUrl(JsonElement element, string path, string key)
        {
            var text = ReadString(element, path, key, required: false);
            if (text is null)
                return null;
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                return text.EndsWith('/') || key != "baseUrl" ? uri : new Uri(text + "/");
            Problem(KeyPath(element, path, key), $"\"{text}\" is not an absolute http(s) URL");
            return null;
        }

        private List<string>? ReadSectionRefs(JsonElement element, string path, HashSet<string> sectionIds)
        {
            var sectionsPath = KeyPath(element, path, "sections");
            if (!TryGet(element, "sections", out var array))
            {
                Problem(sectionsPath, "missing; list the ids of the sections this source feeds, e.g. [\"international\"]");
                return null;
            }
            if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
            {
                Problem(sectionsPath, "must be a non-empty array of section ids");
                return null;
            }
            var result = new List<string>();
            var index = 0;
            foreach (var item in array.EnumerateArray())
            {
                var itemPath = JsonPositions.Element(sectionsPath, index++);
                if (item.ValueKind != JsonValueKind.String)
                    Problem(itemPath, $"must be a section id string, not {Describe(item)}");
                else if (!sectionIds.Contains(item.GetString()!))
                    Problem(itemPath, $"unknown section \"{item.GetString()}\"; known sections: {string.Join(", ", sectionIds.Order())}");
                else
                    result.Add(item.GetString()!);
            }
            return result.Count == array.GetArrayLength() ? result.Distinct().ToList() : null;
        }

        private TimeSpan? ReadInterval(JsonElement element, string path)
        {
            var text = ReadString(element, path, "schedule", required: false);
            if (text is null)
                return DefaultInterval;
            if (!TryParseInterval(text, out var interval))
            {
                Problem(KeyPath(element, path, "schedule"), $"\"{text}\" is not an interval; write it like \"15m\", \"1h\" or \"1h30m\"");
                return null;
            }
            if (interval < MinimumInterval)
            {
                Problem(KeyPath(element, path, "schedule"), $"\"{text}\" is shorter than the minimum of 1m; polling that often is impolite to the source");
                return null;
            }
            return interval;
        }

        private string? ReadString(JsonElement element, string path, string key, bool required)
        {
            var fieldPath = KeyPath(element, path, key);
            if (!TryGet(element, key, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                if (required)
                    Problem(fieldPath, $"missing; \"{key}\" is required");
                return null;
            }
            if (value.ValueKind != JsonValueKind.String)
            {
                Problem(fieldPath, $"must be a string, not {Describe(value)}");
                return null;
            }
            var text = value.GetString()!.Trim();
            if (text.Length == 0)
            {
                if (required)
                    Problem(fieldPath, "must not be empty");
                return null;
            }
            return text;
        }

        private void CheckKeys(JsonElement element, string path, string[] known)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (known.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                    continue;
                var nearest = known.MinBy(k => EditDistance(k.ToLowerInvariant(), property.Name.ToLowerInvariant()))!;
                Problem(JsonPositions.Child(path, property.Name), $"unknown key \"{property.Name}\"; did you mean \"{nearest}\"? (known keys: {string.Join(", ", known)})", atKey: true);
            }
        }

        /// <summary>Every id given twice in the array <paramref name="key"/>, at each later place, naming the first place too.</summary>
        private void CheckUnique(JsonElement root, string key, string what)
        {
            if (!TryGet(root, key, out var array) || array.ValueKind != JsonValueKind.Array)
                return;
            var arrayPath = KeyPath(root, "", key);
            var ids = array.EnumerateArray()
                .Select((element, index) => (Id: IdOf(element), Path: KeyPath(element, JsonPositions.Element(arrayPath, index), "id")))
                .Where(entry => entry.Id is not null);
            foreach (var places in ids.GroupBy(entry => entry.Id).Where(group => group.Count() > 1))
            {
                var first = places.First().Path;
                foreach (var (id, path) in places.Skip(1))
                    Problem(path, $"duplicate {what} id \"{id}\", first defined at {LocationOf(first)} ({first}); every {what} needs its own id");
            }
        }

        private static string? IdOf(JsonElement element) =>
            element.ValueKind == JsonValueKind.Object && TryGet(element, "id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString()!.Trim() : null;

        /// <summary>The path of <paramref name="key"/> inside <paramref name="parent"/>, spelled as the file spells it (keys are read case-insensitively).</summary>
        private static string KeyPath(JsonElement parent, string parentPath, string key) => JsonPositions.Child(parentPath, SpellingOf(parent, key));

        /// <summary>How the file spells <paramref name="key"/> in <paramref name="element"/>; the key itself when absent.</summary>
        private static string SpellingOf(JsonElement element, string key)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in element.EnumerateObject())
                {
                    if (string.Equals(property.Name, key, StringComparison.OrdinalIgnoreCase))
                        return property.Name;
                }
            }
            return key;
        }

        private static bool TryGet(JsonElement element, string key, out JsonElement value)
        {
            foreach (var property in element.EnumerateObject())
            {
                if (string.Equals(property.Name, key, StringComparison.OrdinalIgnoreCase))
                {
                    value = property.Value;
                    return true;
                }
            }
            value = default;
            return false;
        }

        private static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };

        private static string Slug(string text)
        {
            var slug = Regex.Replace(text.ToLowerInvariant(), "[^a-z0-9]+", "-").Trim('-');
            return slug.Length == 0 ? "my-section" : slug;
        }

        private static int EditDistance(string a, string b)
        {
            var previous = Enumerable.Range(0, b.Length + 1).ToArray();
            for (var i = 1; i <= a.Length; i++)
            {
                var current = new int[b.Length + 1];
                current[0] = i;
                for (var j = 1; j <= b.Length; j++)
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                previous = current;
            }
            return previous[b.Length];
        }
    }
}
