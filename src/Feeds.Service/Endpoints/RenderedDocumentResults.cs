using Feeds.Core.Publishing;
using Microsoft.Net.Http.Headers;

namespace Feeds.Service.Endpoints;

/// <summary>
/// The HTTP side of every document of the <see cref="RenderCache"/>, feeds and pages alike: a strong ETag per
/// representation, Last-Modified, Cache-Control, Vary, 304 to a matching If-None-Match or If-Modified-Since, and
/// brotli, gzip or identity as the client accepts.
/// </summary>
internal static class RenderedDocumentResults
{
    /// <summary>The Vary of an operator document, which is HTML or JSON at one address as the client accepts.</summary>
    private static readonly string VaryByAcceptAndEncoding = $"{HeaderNames.Accept}, {HeaderNames.AcceptEncoding}";

    /// <summary>Answers the request with <paramref name="document"/>, or 304 when the client holds it already.</summary>
    /// <param name="maxAge">How long a client or proxy may reuse it without asking (RFC 9111 §5.2.2.1).</param>
    public static IResult Serve(HttpContext context, RenderedDocument document, TimeSpan maxAge) =>
        Serve(context, document, $"public, max-age={(int)maxAge.TotalSeconds}", HeaderNames.AcceptEncoding);

    /// <summary>
    /// Answers an operator's request with <paramref name="document"/>, or 304 when the client holds it already. Only the
    /// client may keep it (<c>private</c>, RFC 9111 §5.2.2.7), never a shared cache that would hand it to someone the
    /// operator gate refuses, and it asks again each time (<c>no-cache</c>, §5.2.2.4): the page is the service's live state.
    /// </summary>
    public static IResult ServePrivate(HttpContext context, RenderedDocument document) =>
        Serve(context, document, "private, no-cache", VaryByAcceptAndEncoding);

    private static IResult Serve(HttpContext context, RenderedDocument document, string cacheControl, string vary)
    {
        var coding = NegotiateCoding(context.Request);
        var representation = document[coding];
        var response = context.Response;
        var headers = response.GetTypedHeaders();
        headers.ETag = EntityTagHeaderValue.Parse(representation.ETag);
        headers.LastModified = document.LastModified;
        response.Headers.CacheControl = cacheControl;
        // The body differs by Accept-Encoding (and more), so a cache must key on it (RFC 9110 §12.5.5).
        response.Headers.Vary = vary;
        if (IsNotModified(context.Request, representation.ETag, document.LastModified))
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        if (coding != ContentCoding.Identity)
            response.Headers.ContentEncoding = coding == ContentCoding.Brotli ? "br" : "gzip";
        return TypedResults.Bytes(representation.Body, document.ContentType);
    }

    /// <summary>
    /// If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.2.2); ETags compare weakly for GET (§13.1.2).
    /// An HTTP date has whole seconds (§5.6.7), so times compare by the second the Last-Modified header showed.
    /// </summary>
    private static bool IsNotModified(HttpRequest request, string etag, DateTimeOffset lastModified)
    {
        var headers = request.GetTypedHeaders();
        if (headers.IfNoneMatch.Count > 0)
        {
            var current = EntityTagHeaderValue.Parse(etag);
            return headers.IfNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(current, useStrongComparison: false));
        }
        return headers.IfModifiedSince is { } since && lastModified.ToUnixTimeSeconds() <= since.ToUnixTimeSeconds();
    }

    /// <summary>Brotli, then gzip, then identity, as the client's Accept-Encoding allows (RFC 9110 §12.5.3).</summary>
    private static ContentCoding NegotiateCoding(HttpRequest request)
    {
        var accepted = request.GetTypedHeaders().AcceptEncoding;
        bool Accepts(string coding) => accepted.Any(a =>
            (a.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) || a.Value == "*") && (a.Quality ?? 1) > 0)
            && !accepted.Any(a => a.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) && a.Quality == 0);
        if (Accepts("br"))
            return ContentCoding.Brotli;
        return Accepts("gzip") ? ContentCoding.Gzip : ContentCoding.Identity;
    }
}
