namespace Feeds.Tests.Support;

/// <summary>One event reported by three sources in three wordings, sharing its names and numbers but not their headlines: the story fixtures' event.</summary>
internal static class WexbridgeFire
{
    /// <summary>The reports, each with its source's id and title and how many minutes after the first it was published.</summary>
    public static readonly (string Source, string Title, string Headline, string Lede, int MinutesLater)[] Reports =
    [
        ("herald", "Harbour Herald", "Fire destroys historic Corn Exchange in Wexbridge",
            "A fire destroyed the 160-year-old Corn Exchange in Wexbridge overnight, and 60 firefighters fought the blaze, the Wexbridge Fire Service said.", 0),
        ("courier", "Valley Courier", "Blaze guts Wexbridge's Corn Exchange",
            "Sixty firefighters battled flames at the Corn Exchange in Wexbridge, a 160-year-old landmark, through the night.", 40),
        ("wire", "Northgate Wire", "Wexbridge landmark lost to overnight fire",
            "The Corn Exchange, the 160-year-old market hall of Wexbridge, was destroyed by fire; no one was hurt, the fire service said.", 95),
    ];
}
