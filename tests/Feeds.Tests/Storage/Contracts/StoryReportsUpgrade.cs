using Feeds.Core.Storage;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>
/// A database as a build before <c>story_reports</c> left it, made from one this build wrote, and the migrations that
/// bring it back (<see cref="IStoreFactory.UpgradeFromBeforeStoryReportsAsync"/>): the one that made <c>story_reports</c>
/// and the one that moved the items' story ids into it.
/// </summary>
internal static class StoryReportsUpgrade
{
    /// <summary>
    /// The story ids and terms back in <c>items</c> (a story's first report with none, as that build left it) and
    /// <c>story_reports</c> gone. Their postings are what that build wrote too. The same statements in both dialects.
    /// </summary>
    public const string Revert = """
        ALTER TABLE items ADD COLUMN story_id INTEGER;
        UPDATE items SET story_id = (SELECT r.story_id FROM story_reports r WHERE r.item_id = items.id AND r.story_id <> items.id);
        CREATE INDEX items_by_story ON items (story_id, published_at, id);
        ALTER TABLE items ADD COLUMN story_terms TEXT;
        UPDATE items SET story_terms = (SELECT r.story_terms FROM story_reports r WHERE r.item_id = items.id);
        DROP TABLE story_reports;
        """;

    /// <summary>The migrations of <paramref name="store"/> ("Sqlite", "Postgres") that made <c>story_reports</c> and moved the story ids into it, in order.</summary>
    public static string Migrations(string store)
    {
        var assembly = typeof(IPollStore).Assembly;
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.Contains($".Storage.{store}.Migrations.", StringComparison.Ordinal)
                        && (n.EndsWith("_story_reports.sql", StringComparison.Ordinal) || n.EndsWith("_story_ids_in_reports.sql", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Equal(2, names.Count);
        return string.Concat(names.Select(name =>
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            return reader.ReadToEnd() + "\n";
        }));
    }
}
