using System.Reflection;
using System.Text.RegularExpressions;
using Feeds.Core.Sources;
using Feeds.Service.Hosting;
using Feeds.Tests.Support;
using Xunit.Abstractions;

namespace Feeds.Tests.Architecture;

/// <summary>
/// The arrows between the stages point one way: a stage names only the stages before it, and the service names the
/// core, never the reverse. Read twice: from the compiled assemblies (<see cref="TypeReferences"/>), so a reference in
/// a method body, a field, a signature, a generic argument or an attribute counts, with or without a <c>using</c>
/// line; and from the <c>using</c> lines of the sources, which a reader sees first (and which name a constant the
/// compiler copied away).
/// </summary>
public sealed partial class StageDependencyTests(ITestOutputHelper output)
{
    /// <summary>
    /// The order of the namespaces, earliest first. A namespace may name its own types and those of earlier layers;
    /// namespaces of one layer are peers and name each other not at all. Sub-namespaces belong to their parent's layer.
    /// </summary>
    private static readonly string[][] Layers =
    [
        // Measurements, fed plain values by any stage; they know no stage.
        ["Feeds.Core.Metrics"],
        // The config and the options read from it.
        ["Feeds.Core.Sources"],
        ["Feeds.Core.Fetching"],
        ["Feeds.Core.Parsing"],
        ["Feeds.Core.Normalization"],
        ["Feeds.Core.Storage"],
        // Ingest and publishing both stand on the store and not on each other: a poll writes items and never renders
        // them, a page reads stored items and never polls. What one hands the other goes through the store: a saved
        // poll raises its source's version there, which is how a rendered page learns it is stale.
        ["Feeds.Core.Refreshing", "Feeds.Core.Publishing"],
        // What an operator sees: the state of the sources and the pages of the sections.
        ["Feeds.Core.Status"],
        // The DI registration of the core: it sees every stage, and no stage sees it.
        ["Feeds.Core.Composition"],
        // The executable: scheduling, HTTP, commands. It stands on the core; the core never names it.
        ["Feeds.Service"],
    ];

    private static readonly Assembly[] Assemblies = [typeof(FeedsConfig).Assembly, typeof(FeedsApp).Assembly];

    private static readonly IReadOnlyList<TypeReference> References =
        [.. Assemblies.SelectMany(TypeReferences.Of).Where(reference => IsOurs(reference.FromNamespace) && IsOurs(reference.ToNamespace))];

    [Fact]
    public void NoStageNamesALaterStageOrAPeer()
    {
        var backArrows = References.Where(reference => !Allowed(reference.FromNamespace, reference.ToNamespace)).ToList();

        Assert.True(backArrows.Count == 0, Describe("a stage names a later stage or a peer (the arrows must point to earlier stages only)", backArrows));
    }

    [Fact]
    public void NoUsingLinePointsToALaterStageOrAPeer()
    {
        var sources = Path.Combine(RepositoryRoot(), "src");
        var namespaces = Assemblies.SelectMany(assembly => assembly.GetTypes()).Select(type => type.Namespace).OfType<string>().Where(IsOurs).ToHashSet();
        var backArrows = new List<string>();
        foreach (var file in Directory.EnumerateFiles(sources, "*.cs", SearchOption.AllDirectories)
                     .Where(file => !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            if (FileNamespace().Match(text) is not { Success: true } declared)
                continue;
            foreach (Match directive in UsingDirective().Matches(text))
            {
                // "using static Feeds.Core.Parsing.ModuleFields;" and aliases name a type: its namespace is the longest known prefix.
                var named = directive.Groups["name"].Value;
                var target = namespaces.Where(ns => named == ns || named.StartsWith(ns + ".", StringComparison.Ordinal)).MaxBy(ns => ns.Length) ?? named;
                if (!Allowed(declared.Groups["name"].Value, target))
                    backArrows.Add($"  {Path.GetRelativePath(sources, file)} (namespace {declared.Groups["name"].Value}): {directive.Value.Trim()}");
            }
        }

        Assert.True(backArrows.Count == 0, "a using line points to a later stage or a peer:\n" + string.Join("\n", backArrows.Order()));
    }

    [Fact]
    public void TheUsingLinesAreRead()
    {
        var refresher = File.ReadAllText(Path.Combine(RepositoryRoot(), "src", "Feeds.Core", "Refreshing", "SourceRefresher.cs"));

        Assert.Equal("Feeds.Core.Refreshing", FileNamespace().Match(refresher).Groups["name"].Value);
        Assert.Contains("Feeds.Core.Fetching", UsingDirective().Matches(refresher).Select(directive => directive.Groups["name"].Value));
    }

    [Fact]
    public void EveryNamespaceHasAPlaceInTheOrder()
    {
        var unplaced = Assemblies.SelectMany(assembly => assembly.GetTypes())
            .Where(type => IsOurs(type.Namespace ?? "") && LayerOf(type.Namespace!) is null)
            .GroupBy(type => type.Namespace!)
            .Select(types => $"{types.Key} ({string.Join(", ", types.Select(type => type.FullName).Order().Take(5))})")
            .ToList();

        Assert.True(unplaced.Count == 0,
            "these namespaces have no place in StageDependencyTests.Layers; add each to the layer where its data is born:\n  "
            + string.Join("\n  ", unplaced));
    }

    [Fact]
    public void NoNamespacesDependOnEachOtherInACycle()
    {
        var edges = References.Where(reference => reference.FromNamespace != reference.ToNamespace).ToList();
        var next = edges.GroupBy(edge => edge.FromNamespace).ToDictionary(group => group.Key, group => group.Select(edge => edge.ToNamespace).ToHashSet());
        var cycles = StronglyConnected(next).Where(component => component.Count > 1).Select(component => ShortestCycle(component, next)).ToList();

        Assert.True(cycles.Count == 0, string.Join("\n", cycles.Select(cycle =>
        {
            var steps = cycle.Zip(cycle.Skip(1).Append(cycle[0])).ToHashSet();
            return Describe($"the namespaces depend on each other in a cycle, {string.Join(" -> ", cycle.Append(cycle[0]))}",
                edges.Where(edge => steps.Contains((edge.FromNamespace, edge.ToNamespace))).ToList());
        })));
    }

    /// <summary>
    /// The store is used through its contracts: only its SQLite implementation (and the composition root that picks it)
    /// names a SQLite type, so a second implementation replaces it without a change anywhere else.
    /// </summary>
    [Fact]
    public void OnlyTheSqliteStoreAndTheCompositionRootNameSqliteTypes()
    {
        static bool IsSqlite(string ns) => ns.StartsWith("Microsoft.Data.Sqlite", StringComparison.Ordinal) || ns.StartsWith("SQLitePCL", StringComparison.Ordinal)
            || ns == "Feeds.Core.Storage.Sqlite";
        var allReferences = Assemblies.SelectMany(TypeReferences.Of).ToList();
        var leaks = allReferences
            .Where(reference => IsSqlite(reference.ToNamespace) && IsOurs(reference.FromNamespace)
                && reference.FromNamespace is not ("Feeds.Core.Storage.Sqlite" or "Feeds.Core.Composition"))
            .ToList();

        Assert.Contains(allReferences, reference => reference.FromNamespace == "Feeds.Core.Storage.Sqlite" && reference.ToNamespace == "Microsoft.Data.Sqlite");
        Assert.True(leaks.Count == 0, Describe("a SQLite type is named outside the SQLite store (use the store's contracts)", leaks));
    }

    /// <summary>The same for the second store: only its PostgreSQL implementation and the composition root name an Npgsql type.</summary>
    [Fact]
    public void OnlyThePostgresStoreAndTheCompositionRootNameNpgsqlTypes()
    {
        static bool IsPostgres(string ns) => ns.StartsWith("Npgsql", StringComparison.Ordinal) || ns == "Feeds.Core.Storage.Postgres";
        var allReferences = Assemblies.SelectMany(TypeReferences.Of).ToList();
        var leaks = allReferences
            .Where(reference => IsPostgres(reference.ToNamespace) && IsOurs(reference.FromNamespace)
                && reference.FromNamespace is not ("Feeds.Core.Storage.Postgres" or "Feeds.Core.Composition"))
            .ToList();

        Assert.Contains(allReferences, reference => reference.FromNamespace == "Feeds.Core.Storage.Postgres" && reference.ToNamespace == "Npgsql");
        Assert.True(leaks.Count == 0, Describe("an Npgsql type is named outside the PostgreSQL store (use the store's contracts)", leaks));
    }

    /// <summary>The rules above pass on an empty graph too: this one holds them to the arrows the pipeline really has.</summary>
    [Fact]
    public void TheGraphHoldsThePipelinesOwnArrows()
    {
        var arrows = References
            .Where(reference => reference.FromNamespace != reference.ToNamespace)
            .GroupBy(reference => (reference.FromNamespace, reference.ToNamespace))
            .OrderBy(group => group.Key.FromNamespace).ThenBy(group => group.Key.ToNamespace)
            .ToList();
        foreach (var arrow in arrows)
            output.WriteLine($"{arrow.Key.FromNamespace} -> {arrow.Key.ToNamespace} ({arrow.Count()} type references)");

        Assert.Superset(new HashSet<(string, string)>
        {
            ("Feeds.Core.Fetching", "Feeds.Core.Sources"),
            ("Feeds.Core.Normalization", "Feeds.Core.Parsing"),
            ("Feeds.Core.Refreshing", "Feeds.Core.Fetching"),
            ("Feeds.Core.Refreshing", "Feeds.Core.Normalization"),
            ("Feeds.Core.Refreshing", "Feeds.Core.Storage"),
            ("Feeds.Core.Refreshing", "Feeds.Core.Metrics"),
            ("Feeds.Core.Publishing", "Feeds.Core.Storage"),
            ("Feeds.Core.Status", "Feeds.Core.Storage"),
            ("Feeds.Core.Composition", "Feeds.Core.Refreshing"),
            ("Feeds.Service.Hosting", "Feeds.Core.Composition"),
            ("Feeds.Service.Endpoints", "Feeds.Core.Publishing"),
        }, arrows.Select(arrow => arrow.Key).ToHashSet());
    }

    private static bool IsOurs(string ns) => ns == "Feeds" || ns.StartsWith("Feeds.", StringComparison.Ordinal) && !ns.StartsWith("Feeds.Tests", StringComparison.Ordinal);

    /// <summary>Whether <paramref name="from"/> may name <paramref name="to"/>; a namespace outside ours (or not yet placed, see above) is not judged here.</summary>
    private static bool Allowed(string from, string to)
    {
        if (from == to || !IsOurs(from) || !IsOurs(to) || LayerOf(from) is not { } fromLayer || LayerOf(to) is not { } toLayer)
            return true;
        return toLayer < fromLayer || toLayer == fromLayer && Layers[fromLayer].Length == 1;
    }

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(TestFiles.Root); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Feeds.sln")))
                return folder.FullName;
        }
        throw new DirectoryNotFoundException("Feeds.sln not found above the test output folder");
    }

    [GeneratedRegex(@"^namespace\s+(?<name>[\w.]+)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(?<name>Feeds(?:\.\w+)*)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    private static int? LayerOf(string ns)
    {
        for (var layer = 0; layer < Layers.Length; layer++)
            if (Layers[layer].Any(prefix => ns == prefix || ns.StartsWith(prefix + ".", StringComparison.Ordinal)))
                return layer;
        return null;
    }

    private static string Describe(string what, IReadOnlyList<TypeReference> references) =>
        references.Count == 0 ? "" : what + ":\n" + string.Join("\n", references
            .GroupBy(reference => (reference.FromNamespace, reference.ToNamespace))
            .OrderBy(group => group.Key.FromNamespace).ThenBy(group => group.Key.ToNamespace)
            .Select(group => $"  {group.Key.FromNamespace} -> {group.Key.ToNamespace}:\n" + string.Join("\n", group
                .GroupBy(reference => reference.From)
                .OrderBy(types => types.Key)
                .Select(types => $"    {types.Key} names {string.Join(", ", types.Select(reference => reference.To).Order())}"))));

    /// <summary>Tarjan's strongly connected components of a directed graph: a component of more than one node holds a cycle.</summary>
    private static List<HashSet<string>> StronglyConnected(Dictionary<string, HashSet<string>> next)
    {
        var nodes = next.Keys.Concat(next.Values.SelectMany(targets => targets)).Distinct().Order().ToList();
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var components = new List<HashSet<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var target in next.GetValueOrDefault(node) ?? [])
            {
                if (!index.ContainsKey(target))
                {
                    Visit(target);
                    low[node] = Math.Min(low[node], low[target]);
                }
                else if (onStack.Contains(target))
                    low[node] = Math.Min(low[node], index[target]);
            }
            if (low[node] != index[node])
                return;
            var component = new HashSet<string>();
            string member;
            do
            {
                member = stack.Pop();
                onStack.Remove(member);
                component.Add(member);
            } while (member != node);
            components.Add(component);
        }

        foreach (var node in nodes.Where(node => !index.ContainsKey(node)))
            Visit(node);
        return components;
    }

    /// <summary>The shortest cycle through a strongly connected component (breadth first from each of its nodes), to name in a failure.</summary>
    private static List<string> ShortestCycle(HashSet<string> component, Dictionary<string, HashSet<string>> next)
    {
        List<string>? shortest = null;
        foreach (var start in component.Order())
        {
            var cameFrom = new Dictionary<string, string>();
            var queue = new Queue<string>([start]);
            while (queue.TryDequeue(out var node))
            {
                if (next.GetValueOrDefault(node)?.Contains(start) == true)
                {
                    var path = new List<string> { node };
                    while (path[^1] != start)
                        path.Add(cameFrom[path[^1]]);
                    path.Reverse();
                    if (shortest is null || path.Count < shortest.Count)
                        shortest = path;
                    break;
                }
                foreach (var target in (next.GetValueOrDefault(node) ?? []).Where(component.Contains).Order())
                {
                    if (target != start && cameFrom.TryAdd(target, node))
                        queue.Enqueue(target);
                }
            }
        }
        return shortest!;
    }
}

/// <summary>Names a type of each stage in one of the places a reference can hide, for the reader's own test.</summary>
[ReferenceProbe.Marks(typeof(Feeds.Core.Publishing.SectionPages))]
internal sealed class ReferenceProbe : IComparer<Feeds.Core.Sources.Section>
{
    public int Compare(Feeds.Core.Sources.Section? x, Feeds.Core.Sources.Section? y) => 0;

    private readonly Feeds.Core.Fetching.FetchThrottle? throttle = null;

    public IEnumerable<Feeds.Core.Normalization.NormalizedItem> Items(Feeds.Core.Parsing.ParsedFeed feed) => feed.Entries.Count > 0 && throttle is null ? [] : [];

    public static bool IsStored(object row) => row is Feeds.Core.Storage.StoredItem;

    public static Func<int> Counted() => () => typeof(Feeds.Core.Status.StatusReport).Name.Length;

    [AttributeUsage(AttributeTargets.Class)]
    public sealed class MarksAttribute(Type type) : Attribute
    {
        public Type Type { get; } = type;
    }
}
