using Microsoft.AspNetCore.Http.HttpResults;

namespace Feeds.Service.Endpoints;

/// <summary>
/// What the readers' endpoints answer to an address they cannot serve: RFC 9457 problem details, as the operator pages'
/// refusals are, with a title a program can tell apart and a detail that says what is wrong and what to send instead.
/// </summary>
internal static class Refusals
{
    /// <summary>The detail of a feed's cursor that cannot be read.</summary>
    public const string FeedCursor = "a page cursor is ?before=MS.ID or ?after=MS.ID, as given in the feed's next/previous links";

    public static ProblemHttpResult BadCursor(string detail = FeedCursor) =>
        TypedResults.Problem(title: "Not a page cursor", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult BadQuery(string detail) =>
        TypedResults.Problem(title: "Not a search query", detail: detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult NoSuchSection(string id) =>
        TypedResults.Problem(title: "No such section", detail: $"no section '{id}': the sections are listed on the index page, /", statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult NoSuchStory(string id) =>
        TypedResults.Problem(title: "No such story", detail: $"no story '{id}': a story's address is taken from a section page or feed", statusCode: StatusCodes.Status404NotFound);
}
