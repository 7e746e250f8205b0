using System.Globalization;
using System.Text;

namespace Feeds.Core.Normalization;

/// <summary>
/// Keys under which the same story from different sources meets: its canonical link (tracking
/// parameters, fragment, "www." and trailing slash dropped; http and https alike) and its headline
/// folded to letters and digits. Computed once, when an item is normalized (<see cref="NormalizedItem.LinkKey"/>,
/// <see cref="NormalizedItem.HeadlineKey"/>); the store writes them and looks stories up by them.
/// </summary>
public static class StoryKeys
{
    private static readonly string[] TrackingParameterPrefixes = ["utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "ref", "cmpid", "ncid"];

    public static string? LinkKey(string? link)
    {
        if (link is null || !Uri.TryCreate(link, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return null;
        var host = uri.IdnHost.ToLowerInvariant();
        if (host.StartsWith("www.", StringComparison.Ordinal))
            host = host[4..];
        var path = uri.AbsolutePath.TrimEnd('/');
        var query = string.Join('&', uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Where(p => !TrackingParameterPrefixes.Any(prefix => p.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal));
        return query.Length == 0 ? host + path : host + path + "?" + query;
    }

    public static string? HeadlineKey(string? headline)
    {
        if (string.IsNullOrWhiteSpace(headline))
            return null;
        var folded = new StringBuilder(headline.Length);
        foreach (var c in headline.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
                continue;
            if (char.IsLetterOrDigit(c))
                folded.Append(char.ToLowerInvariant(c));
            else if (folded.Length > 0 && folded[^1] != ' ')
                folded.Append(' ');
        }
        var key = folded.ToString().Trim();
        // Very short headlines ("Live", "Update") say nothing about the story.
        return key.Length < 12 ? null : key;
    }
}
