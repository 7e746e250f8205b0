namespace Feeds.Core.Publishing;

/// <summary>
/// Tells a WebSub hub that a section's or a story's feeds changed, so subscribers get them at once instead of polling
/// (W3C WebSub §5.1; the publish ping itself is the PubSubHubbub 0.4 convention hubs accept:
/// a form POST of <c>hub.mode=publish</c> and <c>hub.url</c>).
/// </summary>
public sealed class WebSubHub(IHttpClientFactory httpClientFactory)
{
    public const string HttpClientName = "websub";

    private static readonly OutputFormat[] Formats = [OutputFormat.Rss, OutputFormat.Atom, OutputFormat.Json];

    /// <summary>
    /// Pings <paramref name="hub"/> once per format of the feeds at <paramref name="links"/> (a section's or a story's, under
    /// the configured base URL); returns the URLs the hub did not accept.
    /// </summary>
    public async Task<IReadOnlyList<string>> PublishAsync(Uri hub, IFeedLinks links, CancellationToken cancellationToken)
    {
        var refused = new List<string>();
        var client = httpClientFactory.CreateClient(HttpClientName);
        foreach (var topic in Formats.Select(format => links.Feed(format).AbsoluteUri))
        {
            using var form = new FormUrlEncodedContent([new("hub.mode", "publish"), new("hub.url", topic)]);
            try
            {
                using var response = await client.PostAsync(hub, form, cancellationToken);
                if (!response.IsSuccessStatusCode)
                    refused.Add($"{topic}: HTTP {(int)response.StatusCode}");
            }
            catch (HttpRequestException e)
            {
                refused.Add($"{topic}: {e.Message}");
            }
        }
        return refused;
    }
}
