namespace Feeds.Core.Parsing;

/// <summary>
/// XML namespaces of the feed formats and the extension modules news feeds use. Feeds spell some of them
/// in several ways (a missing trailing slash, other letter case, an older version); <see cref="Canonical"/>
/// maps every known spelling to the one constant here so readers compare with <c>==</c>.
/// </summary>
public static class Namespaces
{
    public const string Atom = "http://www.w3.org/2005/Atom";
    public const string Atom03 = "http://purl.org/atom/ns#";
    public const string Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    public const string Rss10 = "http://purl.org/rss/1.0/";
    public const string Rss090 = "http://my.netscape.com/rdf/simple/0.9/";
    public const string Content = "http://purl.org/rss/1.0/modules/content/";
    public const string DublinCore = "http://purl.org/dc/elements/1.1/";
    public const string DcTerms = "http://purl.org/dc/terms/";
    public const string Media = "http://search.yahoo.com/mrss/";
    public const string Itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";
    public const string Syndication = "http://purl.org/rss/1.0/modules/syndication/";
    public const string Xhtml = "http://www.w3.org/1999/xhtml";
    public const string Xml = "http://www.w3.org/XML/1998/namespace";

    private static readonly Dictionary<string, string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["http://www.w3.org/2005/atom"] = Atom,
        ["http://purl.org/atom/ns"] = Atom03,
        ["http://www.w3.org/1999/02/22-rdf-syntax-ns"] = Rdf,
        ["http://purl.org/rss/1.0"] = Rss10,
        ["http://my.netscape.com/rdf/simple/0.9"] = Rss090,
        ["http://purl.org/rss/1.0/modules/content"] = Content,
        ["http://purl.org/dc/elements/1.1"] = DublinCore,
        ["http://purl.org/dc/elements/1.0"] = DublinCore,
        ["http://purl.org/dc/terms"] = DcTerms,
        ["http://search.yahoo.com/mrss"] = Media,
        ["http://video.search.yahoo.com/mrss"] = Media,
        ["http://www.itunes.com/dtds/podcast-1.0.dtd"] = Itunes,
        ["http://example.com/dtds/podcast-1.0.dtd"] = Itunes,
        ["http://purl.org/rss/1.0/modules/syndication"] = Syndication,
        ["http://www.w3.org/1999/xhtml"] = Xhtml,
        ["http://www.w3.org/xml/1998/namespace"] = Xml,
        // RSS 0.91/2.0 never had a namespace, but some feeds put their elements in one of these.
        ["http://backend.userland.com/rss"] = "",
        ["http://backend.userland.com/rss2"] = "",
        ["http://backend.userland.com/rss2.1"] = "",
        ["http://blogs.law.harvard.edu/tech/rss"] = "",
    };

    /// <summary>Prefixes feeds use without declaring them, mapped to what they always mean.</summary>
    private static readonly Dictionary<string, string> ConventionalPrefixes = new(StringComparer.Ordinal)
    {
        ["atom"] = Atom, ["rdf"] = Rdf, ["content"] = Content, ["dc"] = DublinCore, ["dcterms"] = DcTerms,
        ["media"] = Media, ["itunes"] = Itunes, ["sy"] = Syndication, ["xhtml"] = Xhtml, ["xml"] = Xml,
    };

    /// <summary>The constant for a known namespace in any of its spellings; other URIs unchanged.</summary>
    public static string Canonical(string uri)
    {
        var key = uri.Trim().TrimEnd('/', '#');
        return Known.TryGetValue(key, out var known) ? known : uri;
    }

    /// <summary>The namespace an undeclared prefix stands for: a conventional one, else a private URI naming the prefix.</summary>
    public static string ForUndeclaredPrefix(string prefix) =>
        ConventionalPrefixes.TryGetValue(prefix.ToLowerInvariant(), out var uri) ? uri : "urn:feeds:undeclared:" + prefix;
}
