using Feeds.Core.Storage;

namespace Feeds.Tests.Storage.Contracts;

/// <summary>
/// A database as a build before <c>story_reports</c> left it, made from one this build wrote, and the migration that
/// brings it back (<see cref="IStoreFactory.UpgradeFromBeforeStoryReportsAsync"/>).
/// </summary>
internal static class StoryReportsUpgrade
{
    /// <summary>
    /// The terms back in <c>items</c> and <c>story_reports</c> gone. Their postings and the items' story ids are what that
    /// build wrote too. The same statements in both dialects.
    /// </summary>
    public const string Revert = """
        ALTER TABLE items ADD COLUMN story_terms TEXT;
        UPDATE items SET story_terms = (SELECT r.story_terms FROM story_reports r WHERE r.item_id = items.id);
        DROP TABLE story_reports;
        """;

    /// <summary>The migration of <paramref name="store"/> ("Sqlite", "Postgres") that made <c>story_reports</c>.</summary>
    public static string Migration(string store)
    {
        var assembly = typeof(IPollStore).Assembly;
        var name = assembly.GetManifestResourceNames()
            .Single(n => n.Contains($".Storage.{store}.Migrations.", StringComparison.Ordinal) && n.EndsWith("_story_reports.sql", StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    }
}
