namespace Feeds.Core.Parsing;

/// <summary>Which feed format a document is, from its content alone (never a file name or Content-Type).</summary>
internal static class FormatDetector
{
    /// <summary>The format of an XML document by its root element; throws when the root is not a feed's.</summary>
    /// <param name="root">The root, read to its end.</param>
    /// <param name="tookRss090Item">Whether items taken out of the root as they closed were RSS 0.90's (<see cref="RssReader.ItemTaker"/>).</param>
    public static FeedFormat Detect(FeedElement root, bool tookRss090Item = false)
    {
        switch (root.LocalName.ToLowerInvariant())
        {
            case "rss":
                // A <rss> with no version is read as 2.0, the version nearly all of them are.
                var version = root.Attribute("version")?.Trim() ?? "";
                return version.StartsWith("0.9", StringComparison.Ordinal) ? FeedFormat.Rss09x : FeedFormat.Rss20;
            case "rdf" when root.Namespace == Namespaces.Rdf || root.Namespace.StartsWith("urn:feeds:undeclared:", StringComparison.Ordinal):
                return tookRss090Item || root.Elements().Any(e => e.Namespace == Namespaces.Rss090) || root.Declarations?.Contains(Namespaces.Rss090) == true
                    ? FeedFormat.Rss09x : FeedFormat.Rss10;
            case "feed":
                // Atom 1.0 has one namespace; 0.3 and the drafts before it used several.
                return root.Namespace is Namespaces.Atom or "" ? FeedFormat.Atom10 : FeedFormat.Atom03;
            case "entry" when IsAtomEntryDocument(root):
                return root.Namespace == Namespaces.Atom ? FeedFormat.Atom10 : FeedFormat.Atom03;
            case "html":
                throw new FeedParseException("not a feed: the document is an HTML page (look for a <link rel=\"alternate\"> to its feed)", ParseFailure.NotAFeed);
            default:
                var ns = root.Namespace.Length > 0 ? $" in namespace {root.Namespace}" : "";
                throw new FeedParseException($"not a feed: the document is XML but its root element is <{root.QualifiedName}>{ns}, not <rss>, <rdf:RDF>, <feed> or an Atom <entry>", ParseFailure.NotAFeed);
        }
    }

    /// <summary>
    /// Which reader's entries a document holds, known from its root element as soon as it opens, before
    /// <see cref="Detect"/> can tell the version: Atom's, RSS's, or none when <see cref="Detect"/> will refuse the root.
    /// </summary>
    public static FeedFamily FamilyOf(FeedElement root) => root.LocalName.ToLowerInvariant() switch
    {
        "rss" => FeedFamily.Rss,
        "rdf" when root.Namespace == Namespaces.Rdf || root.Namespace.StartsWith("urn:feeds:undeclared:", StringComparison.Ordinal) => FeedFamily.Rss,
        "feed" => FeedFamily.Atom,
        "entry" when IsAtomEntryDocument(root) => FeedFamily.AtomEntry,
        _ => FeedFamily.None,
    };

    /// <summary>An Atom Entry Document (RFC 4287 §2): an <c>entry</c> root in the Atom 1.0 or 0.3 namespace.</summary>
    private static bool IsAtomEntryDocument(FeedElement root) =>
        root.Is("entry", root.Namespace) && root.Namespace is Namespaces.Atom or Namespaces.Atom03;
}

internal enum FeedFamily
{
    None,
    Rss,
    Atom,

    /// <summary>An Atom Entry Document: the root is the one entry, read when the document ends.</summary>
    AtomEntry,
}
